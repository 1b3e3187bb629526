"""The suppression rules (app/services/aggregates.py), checked by an attacker written independently.

The attacker knows everything a reader of Proxima knows: the shown cells, each group's size (the
directory is public), the shown column totals and the grand total, and that counts are never
negative. It enumerates every table consistent with that knowledge (a dynamic programme over rows)
and so finds the exact range of each hidden cell: a cell whose range is a single value is recovered.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction

from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.services.aggregates import (
    Catalogue,
    Table,
    differencing_risk,
    group_shown,
    release_catalogue,
    small,
    suppress,
    suppress_table,
)

STAGES = ["information", "discovery", "participation", "contribution", "promotion", "disappointment"]


def compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every way to put `total` people into `parts` cells."""
    if parts == 0:
        if total == 0:
            yield ()
        return
    for first in range(total + 1):
        for rest in compositions(total - first, parts - 1):
            yield (first, *rest)


def feasible_values(
    members: Sequence[int],
    cells: Sequence[Sequence[int | None]],
    totals: Sequence[int | None],
) -> list[list[set[int]]]:
    """For every cell, the values it takes over all tables consistent with what is shown.

    `cells[r][c]` is the shown value or None; `members[r]` each row's size; `totals[c]` a shown
    column total or None (the grand total is the sum of the members).
    """
    ncols = len(totals)
    known = [c for c in range(ncols) if totals[c] is not None]
    fills: list[list[tuple[int, ...]]] = []
    for r, row in enumerate(cells):
        hidden = [c for c in range(ncols) if row[c] is None]
        rest = members[r] - sum(v for v in row if v is not None)
        options = []
        for comp in compositions(rest, len(hidden)) if rest >= 0 else ():
            full = list(row)
            for c, v in zip(hidden, comp, strict=True):
                full[c] = v
            options.append(tuple(int(v or 0) for v in full))
        fills.append(options)

    def add(s: tuple[int, ...], f: tuple[int, ...], sign: int = 1) -> tuple[int, ...]:
        return tuple(s[i] + sign * f[c] for i, c in enumerate(known))

    # forward[r]: sums over the known columns reachable with rows before r; backward[r]: the sums
    # before row r from which rows r.. can still reach the shown totals
    forward = [{tuple(0 for _ in known)}]
    for options in fills:
        forward.append({add(s, f) for s in forward[-1] for f in options})
    backward = [set[tuple[int, ...]]() for _ in range(len(fills) + 1)]
    backward[-1] = {tuple(int(totals[c] or 0) for c in known)}
    for r in range(len(fills) - 1, -1, -1):
        backward[r] = {add(t, f, -1) for t in backward[r + 1] for f in fills[r]}
    values = [[set[int]() for _ in range(ncols)] for _ in cells]
    for r, options in enumerate(fills):
        for s in forward[r]:
            for f in options:
                if add(s, f) in backward[r + 1]:
                    for c in range(ncols):
                        values[r][c].add(f[c])
    return values


def released(table: Table) -> tuple[list[int], list[list[int | None]], list[int | None]]:
    """What a reader sees of a table (a suppressed group's size is public through the directory)."""
    members = [row.members for row in table.rows]
    cells = [[None if row.cells is None else row.cells[c] for c in table.columns] for row in table.rows]
    totals = [table.totals[c] for c in table.columns]
    return members, cells, totals


def assert_safe(table: Table, truth: Mapping[str, Mapping[str, int]], threshold: int) -> None:
    """No shown count singles anyone out, and no hidden count can be recovered."""
    cols = table.columns
    for row in table.rows:
        if row.cells is None:
            continue
        assert group_shown(row.members, threshold)
        for c in cols:
            v = row.cells[c]
            assert v is None or v == 0 or v >= threshold, (row, c)
            assert v is None or v == 0 or v != row.members, ("everyone in one cell", row, c)
    for c in cols:
        v = table.totals[c]
        assert v is None or v == 0 or (v >= threshold and v != table.members)
    members, cells, totals = released(table)
    values = feasible_values(members, cells, totals)
    for r, row in enumerate(table.rows):
        for i, c in enumerate(cols):
            true = truth[row.key].get(c, 0)
            assert true in values[r][i]
            if cells[r][i] is None and true > 0:
                assert len(values[r][i]) > 1, f"{row.key}/{c} = {true} can be recovered: {table}"
    # what the hidden cells of a column hold together is not a small count
    for i, c in enumerate(cols):
        if totals[i] is None:
            continue
        hidden = [truth[row.key].get(c, 0) for r, row in enumerate(table.rows) if cells[r][i] is None]
        assert not hidden or sum(hidden) == 0 or (len(hidden) >= 2 and sum(hidden) >= threshold)


# ---- examples a reader can check by hand ---------------------------------------------------------


def test_a_group_under_the_threshold_shows_nothing() -> None:
    assert not group_shown(4, 5)
    assert group_shown(5, 5)
    assert suppress({"information": 2, "discovery": 2}, 5) == {"information": None, "discovery": None}


def test_one_small_cell_hides_a_second_one() -> None:
    cells = suppress({"information": 1, "discovery": 6, "participation": 7, "contribution": 0}, 5)
    assert cells == {"information": None, "discovery": None, "participation": 7, "contribution": 0}


def test_everyone_in_one_cell_is_hidden_with_a_complement() -> None:
    cells = suppress({"information": 0, "discovery": 6, "participation": 0}, 5)
    assert cells["discovery"] is None
    assert list(cells.values()).count(None) == 2
    assert sum(v for v in cells.values() if v is not None) == 0


def test_a_six_person_group_split_five_and_one() -> None:
    cells = suppress({"discovery": 5, "participation": 1, "contribution": 0}, 5)
    assert cells == {"discovery": None, "participation": None, "contribution": 0}


def test_zero_is_shown_and_large_cells_are_shown() -> None:
    cells = suppress({"a": 5, "b": 7, "c": 0}, 5)
    assert cells == {"a": 5, "b": 7, "c": 0}


def test_threshold_of_one_turns_suppression_off() -> None:
    assert suppress({"a": 1, "b": 0}, 1) == {"a": 1, "b": 0}


def test_a_small_department_hides_cells_of_another() -> None:
    """The company minus the shown departments would be the small one: cells of others hide it."""
    truth = {
        "Sales": {"discovery": 6, "participation": 6},
        "Legal": {"discovery": 2, "participation": 1},
        "Ops": {"discovery": 10, "participation": 8},
    }
    table = suppress_table(truth, 5, columns=["discovery", "participation"])
    assert table.row("Legal").suppressed
    assert table.totals == {"discovery": 18, "participation": 15}
    assert not table.row("Ops").suppressed and not table.row("Sales").suppressed
    shown = [row.cells for row in table.rows if row.cells is not None]
    for stage in ("discovery", "participation"):
        assert any(cells[stage] is None for cells in shown)  # Legal's cell is not the difference
    assert_safe(table, truth, 5)


def test_a_cell_that_a_column_total_would_reveal_is_hidden() -> None:
    """Company-wide 9 at promotion, Sales shows 7: Ops' 2 could be derived; so Sales' 7 is hidden."""
    truth = {
        "Sales": {"discovery": 8, "promotion": 7},
        "Ops": {"discovery": 9, "promotion": 2},
        "IT": {"discovery": 9, "promotion": 0},
    }
    table = suppress_table(truth, 5, columns=["discovery", "promotion"])
    assert table.totals == {"discovery": 26, "promotion": 9}
    assert table.row("Ops").cells == {"discovery": None, "promotion": None}
    assert table.row("Sales").cells is not None and table.row("Sales").cells["promotion"] is None
    assert_safe(table, truth, 5)


def test_withheld_groups_are_never_shown() -> None:
    truth = {"hr": {"a": 6, "b": 5}, "rest": {"a": 20, "b": 30}}
    table = suppress_table(truth, 5, withheld=["rest"])
    assert table.row("rest").suppressed
    assert not table.row("hr").suppressed
    assert table.withheld == ["rest"]


def test_differencing_a_team_against_its_department() -> None:
    department = {"Sales": set(range(10)), "Ops": set(range(10, 30))}
    assert differencing_risk(set(range(7)), department, 5)  # Sales minus the team: 3 people
    assert not differencing_risk(set(range(5)), department, 5)  # 5 others: fine
    assert not differencing_risk(set(range(10)), department, 5)  # the same people: nothing new
    # the viewer's own stage is theirs: leaving them out, 7 + the manager = Sales minus 2
    assert not differencing_risk(set(range(1, 10)), department, 5, ignore={0})
    # a team covering a whole department and 2 more people
    assert differencing_risk(set(range(12)), department, 5)


# ---- properties over random groups ---------------------------------------------------------------

THRESHOLDS = st.integers(min_value=2, max_value=6)


@settings(max_examples=300, deadline=None)
@given(threshold=THRESHOLDS, counts=st.lists(st.integers(0, 9), min_size=2, max_size=6))
@example(threshold=5, counts=[0, 6, 0])
@example(threshold=5, counts=[1, 5, 0])
@example(threshold=5, counts=[4, 1, 0, 0])
def test_one_group_never_releases_a_small_or_recoverable_count(threshold: int, counts: list[int]) -> None:
    """Over random group sizes: no shown count is under the threshold, and no hidden one is exact."""
    truth = {STAGES[i]: n for i, n in enumerate(counts)}
    cells = suppress(truth, threshold)
    total = sum(counts)
    if total < threshold:
        assert all(v is None for v in cells.values())
        return
    for stage, value in cells.items():
        assert value is None or value == 0 or (value >= threshold and value != total), (stage, cells)
    shown = sum(v for v in cells.values() if v is not None)
    hidden = [s for s, v in cells.items() if v is None]
    assert not hidden or len(hidden) >= 2
    assert total - shown == 0 or total - shown >= threshold  # what the hidden cells hold together
    # exhaustive attacker: every split of the hidden total into the hidden cells
    ranges: dict[str, set[int]] = {s: set() for s in hidden}
    for comp in compositions(total - shown, len(hidden)):
        for s, v in zip(hidden, comp, strict=True):
            ranges[s].add(v)
    for s in hidden:
        if truth[s] > 0:
            assert len(ranges[s]) > 1, (s, truth, cells)


@st.composite
def tables(draw: st.DrawFn) -> tuple[int, dict[str, dict[str, int]], list[str]]:
    """A population split into 1-4 groups over 2-3 stages, with small, random counts."""
    threshold = draw(THRESHOLDS)
    ncols = draw(st.integers(2, 3))
    nrows = draw(st.integers(1, 4))
    cols = STAGES[:ncols]
    truth = {f"g{r}": {c: draw(st.integers(0, 7)) for c in cols} for r in range(nrows)}
    truth = {k: v for k, v in truth.items() if sum(v.values()) > 0} or {"g0": {cols[0]: 1}}
    return threshold, truth, cols


@settings(max_examples=200, deadline=None)
@given(case=tables())
@example(case=(5, {"g0": {"a": 1, "b": 6}, "g1": {"a": 6, "b": 6}, "g2": {"a": 0, "b": 3}}, ["a", "b"]))
@example(case=(5, {"g0": {"a": 3, "b": 0}, "g1": {"a": 5, "b": 5}}, ["a", "b"]))
def test_a_breakdown_never_releases_a_small_or_recoverable_count(
    case: tuple[int, dict[str, dict[str, int]], list[str]],
) -> None:
    """Over random partitions released with the population's funnel as column totals."""
    threshold, truth, cols = case
    table = suppress_table(truth, threshold, columns=cols)
    if not table.shown:
        assert sum(sum(r.values()) for r in truth.values()) < threshold
        assert all(row.cells is None for row in table.rows)
        assert all(v is None for v in table.totals.values())
        return
    assert_safe(table, truth, threshold)


def test_attacker_recovers_what_naive_suppression_leaves() -> None:
    """The attacker is not blind: hiding only the small cell lets it be computed."""
    members, cells, totals = [6], [[None, 5, 0]], [None, None, None]
    values = feasible_values(members, cells, totals)
    assert values[0][0] == {1}
    # and across rows: Ops' 2 at promotion from the company-wide 9 and Sales' 7
    values = feasible_values([15, 11], [[8, 7], [9, None]], [17, 9])
    assert values[1][1] == {2}


def test_enumeration_helper_counts() -> None:
    assert len(list(compositions(3, 3))) == 10
    assert list(itertools.islice(compositions(0, 2), 5)) == [(0, 0)]


# ---- the whole catalogue: views requested one after another --------------------------------------


Var = tuple[tuple[str, str], str]  # (atom, stage): how many people of this atom are at this stage


class RowSpace:
    """The linear facts a reader can derive: every combination of the equations they hold."""

    def __init__(self) -> None:
        self.basis: list[tuple[Var, dict[Var, Fraction]]] = []  # (pivot, row with 1 at its pivot)

    def reduce(self, vector: dict[Var, Fraction]) -> dict[Var, Fraction]:
        v = {k: x for k, x in vector.items() if x}
        for pivot, row in self.basis:
            factor = v.get(pivot)
            if factor:
                for k, x in row.items():
                    v[k] = v.get(k, Fraction(0)) - factor * x
                    if not v[k]:
                        del v[k]
        return v

    def add(self, vector: dict[Var, Fraction]) -> None:
        v = self.reduce(vector)
        if v:
            pivot = min(v)
            self.basis.append((pivot, {k: x / v[pivot] for k, x in v.items()}))

    def determined(self, vector: dict[Var, Fraction]) -> bool:
        return not self.reduce(vector)


@st.composite
def companies(draw: st.DrawFn) -> tuple[int, list[tuple[str, str, str]]]:
    """People with a department, a site and a stage: a small company, often with nested groups.

    Thresholds from 3: with a threshold of 2 (only counts of 1 hidden), chains of several nested
    groups across both dimensions can still tell a count of 1 (docs/engagement.md says so)."""
    threshold = draw(st.integers(3, 5))
    departments = draw(st.integers(1, 3))
    sites = draw(st.integers(1, 3))
    atoms = draw(
        st.lists(
            st.tuples(st.integers(0, departments - 1), st.integers(0, sites - 1), st.integers(1, 12)),
            min_size=1,
            max_size=5,
            unique_by=lambda a: (a[0], a[1]),
        )
    )
    people = []
    for d, s, size in atoms:
        for _ in range(size):
            people.append((f"D{d}", f"S{s}", draw(st.sampled_from(STAGES[:3]))))
    return threshold, people


def reader_facts(catalogue: Catalogue, people: list[tuple[str, str, str]]) -> tuple[RowSpace, dict]:
    """Everything a reader holds after requesting every view: each (department, site) atom's size
    (the directory is public), the overall funnel, and every shown cell of every breakdown."""
    atoms: dict[tuple[str, str], int] = {}
    for d, s, _stage in people:
        atoms[d, s] = atoms.get((d, s), 0) + 1
    space = RowSpace()
    cols = catalogue.columns
    for atom in atoms:
        space.add({(atom, c): Fraction(1) for c in cols})
    for c, v in catalogue.overall.items():
        if v is not None:
            space.add({(atom, c): Fraction(1) for atom in atoms})
    for dimension, index in (("department", 0), ("site", 1)):
        for row in catalogue.tables[dimension].rows:
            if row.cells is None:
                continue
            for c, v in row.cells.items():
                if v is not None:
                    space.add({(atom, c): Fraction(1) for atom in atoms if atom[index] == row.key})
    return space, atoms


@settings(max_examples=200, deadline=None)
@given(case=companies())
@example(  # a site that is exactly two departments, another exactly one
    case=(
        5,
        [("D0", "S0", "a")] * 2
        + [("D0", "S0", "b")] * 6
        + [("D1", "S0", "a")] * 7
        + [("D1", "S0", "b")] * 5
        + [("D2", "S1", "a")] * 6
        + [("D2", "S1", "b")] * 6,
    )
)
@example(  # a department inside a site but for 2 people
    case=(
        5,
        [("D0", "S0", "a")] * 6 + [("D0", "S0", "b")] * 6 + [("D1", "S0", "a")] * 2 + [("D1", "S1", "b")] * 9,
    )
)
# two views' cells, the zeros of two others and the funnel add up to a count that no single table
# holds: (D1,S1) + (D0,S2), atoms of two dimensions, would have 2 at information (threshold 3)
@example(
    case=(
        3,
        [("D2", "S2", "information")]
        + [("D2", "S2", "discovery")] * 2
        + [("D1", "S1", "information")]
        + [("D1", "S1", "discovery")] * 3
        + [("D1", "S1", "participation")] * 2
        + [("D0", "S2", "participation"), ("D0", "S2", "information"), ("D0", "S2", "participation")]
        + [("D1", "S0", "information")] * 2
        + [("D1", "S0", "discovery")],
    )
)
def test_views_requested_one_after_another_reveal_no_small_count(
    case: tuple[int, list[tuple[str, str, str]]],
) -> None:
    """A reader who requests the funnel, then by department, then by site, and subtracts any view from
    any other: no hidden cell is exact, and no group of people they can single out (a union of
    department x site atoms) gets a count under the threshold or a stage everyone in it shares."""
    threshold, people = case
    cols = sorted({stage for *_x, stage in people} | {"a", "b"})
    stages = {i: stage for i, (_d, _s, stage) in enumerate(people)}
    catalogue = release_catalogue(
        stages,
        {
            "department": {i: p[0] for i, p in enumerate(people)},
            "site": {i: p[1] for i, p in enumerate(people)},
        },
        cols,
        threshold,
    )
    if not catalogue.shown:
        return
    for table in catalogue.tables.values():
        for row in table.rows:
            for v in (row.cells or {}).values():
                assert v is None or v == 0 or (v >= threshold and v != row.members)
    space, atoms = reader_facts(catalogue, people)
    truth: dict[Var, int] = {}
    for d, s, stage in people:
        truth[(d, s), stage] = truth.get(((d, s), stage), 0) + 1
    names = list(atoms)
    for size in range(1, len(names) + 1):
        for chosen in itertools.combinations(names, size):
            members = sum(atoms[a] for a in chosen)
            for c in cols:
                vector = {(a, c): Fraction(1) for a in chosen}
                if not space.determined(vector):
                    continue
                value = sum(truth.get((a, c), 0) for a in chosen)
                assert not small(value, threshold), f"{chosen} at {c}: {value} of {members} is derivable"
