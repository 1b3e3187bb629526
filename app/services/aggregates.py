"""Aggregates that never reveal a small group: the suppression rules every count in Proxima obeys.

A count about people (how many are at each stage, how many of a cohort came in, how many feedback
items of a kind) is shown only when it cannot single anyone out. The rules, with the group
threshold `t` (settings.group_threshold, 5 by default; 1 or less turns suppression off):

1. **Groups.** A group of fewer than `t` people shows nothing but that it exists (`group_shown`).
2. **Cells.** In a group that is shown, a cell (one stage, one category) holding 1 to `t - 1`
   people is hidden. A cell of 0 is shown: it names nobody. A cell holding the whole group
   ("everyone in this team is at discovery") is hidden too, since it would tell each member's stage.
3. **Complementary cells.** A line whose total is known (a group's members, a column whose
   company-wide figure is shown) never has exactly one hidden cell, and its hidden cells together
   hold 0 or at least `t` people; otherwise the next smallest cell of that line is hidden too
   (a non-zero one first), so that a hidden cell cannot be recovered by subtracting the shown cells
   from the total, nor a small total of hidden cells be derived.
4. **Groups of a partition.** A breakdown (by department, site, seniority band; rows) is released
   with the population's own funnel as its column totals. The cells of a group hidden under rule 1
   are hidden cells of their columns: since the population minus the shown groups is their sum,
   rule 3 applies to each column (so a lone person without a department does not show through the
   company's total, and a whole other department need not be hidden for it).
5. **Audit.** After rules 2-4, every hidden non-zero cell is checked against *all* the equations
   a reader has (row totals, shown column totals, the grand total) and the fact that counts are
   never negative: a cell that could not take another value is exact, and another cell is hidden
   until none is. The check is a reachability test in the table's residual flow graph (a table with
   known margins is a transportation problem; a cell can move iff a cycle of the residual graph
   goes through it), so it is exact for one table and its margins.
6. **Fixed populations only.** Proxima publishes counts for a fixed catalogue of populations
   (everyone; each department, site, role, seniority band; a line manager's own direct reports),
   one dimension at a time: there are no free filters and no intersections ("department + site"),
   so the classic difference of two overlapping filters is not available. The catalogue is
   released as a whole (`release_catalogue`), so that a reader who requests every view one after
   another holds nothing more than one consistent release. Where populations of two dimensions
   nest (a department inside a site, a site made of whole departments), a group and the union of
   the other dimension's groups that covers it, or that it covers, are linked: if they differ by 1
   to `t - 1` people the group is withheld like a small one (`differencing_risk`); if they hold the
   same people their cells obey rule 3 together; if they differ by `t` or more, the difference is
   never a small count (another cell is hidden). A line manager who may also read the HR
   dashboard is held to the group rule for their team, the manager themself left out (their own
   stage is theirs to know).
7. **Atoms of the partitions.** Each table audits itself (rule 5), but two partitions cut each
   other into atoms (department x site x seniority band) that no view shows, and shown cells of
   several views can add up, through the atoms' sizes (the directory tells them), to a small count
   over atoms of both: a department's cell, a site's cell, the company's and the zeros elsewhere may
   tell how many of "this department plus that site" are at a stage. Once rules 1-6 settle, every
   linear consequence of the whole release is computed over the atoms (`_atom_leak`, exact
   rational elimination: a column's derivable sums are its own shown groups' span plus what every
   other column's shown groups span in common); if some union of atoms has a derivable count of 1
   to `t - 1`, the smallest non-zero shown cell (of a group holding some of those atoms first) whose
   hiding breaks that derivation is hidden, and rules 2-7 run again.

tests/test_aggregates.py checks these rules against an attacker that enumerates every table
consistent with a release (one table), and against one that holds every view of a company with
departments and sites and derives every linear consequence of them (exact rational elimination):
no count of 1 to `t - 1` people, of any union of department x site cells, can be derived.

What is not covered, and said so in docs/engagement.md: with a threshold of 2, chains of several
nested groups across two dimensions can still tell a count of 1; that *everyone* of a derived group
(not a shown one) shares a stage, which the zeros of several views together may tell; and changes
over time (a trend shows the same people each week, so a week-to-week difference is movement
between stages, never a newcomer's stage; but two releases on either side of someone's arrival
differ by that person).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd

Cells = dict[str, int | None]


def group_shown(size: int, threshold: int) -> bool:
    """True when a group of this size may show any count at all."""
    return threshold <= 1 or size >= threshold


def small(value: int, threshold: int) -> bool:
    """A count that would single out fewer than `threshold` people (0 names nobody)."""
    return 0 < value < threshold


@dataclass
class Row:
    """One group of a table: its members, and its cells (None: the whole group is suppressed)."""

    key: str
    members: int
    cells: Cells | None

    @property
    def suppressed(self) -> bool:
        """True when nothing of this group is shown."""
        return self.cells is None


@dataclass
class Table:
    """A released table: rows (groups of a partition), the population's funnel as column totals."""

    columns: list[str]
    rows: list[Row]
    totals: Cells
    members: int
    shown: bool = True
    withheld: list[str] = field(default_factory=list)  # groups hidden by the differencing rule

    def row(self, key: str) -> Row:
        """The row of a group."""
        return next(r for r in self.rows if r.key == key)


def suppress(counts: Mapping[str, int], threshold: int) -> Cells:
    """One group's counts (a partition of its shown total) with rules 1-3 and 5 applied."""
    table = suppress_table({"": counts}, threshold, columns=list(counts), totals_released=False)
    cells = table.rows[0].cells
    return cells if cells is not None else dict.fromkeys(counts)


def suppress_table(
    rows: Mapping[str, Mapping[str, int]],
    threshold: int,
    *,
    columns: Sequence[str] | None = None,
    totals_released: bool = True,
    withheld: Collection[str] = (),
    forced: Collection[tuple[str, str]] = (),
) -> Table:
    """A partition of a population into groups (rows) by stage (columns), with rules 1-5 applied.

    `totals_released`: the population's own funnel is shown (and suppressed with `suppress`);
    `withheld`: groups never shown whatever their size (a complement, or a group that nests);
    `forced`: cells (group, column) to hide besides those the rules pick (links with other tables).
    """
    cols = list(columns) if columns is not None else list(dict.fromkeys(c for r in rows.values() for c in r))
    keys = list(rows)
    value = {(r, c): int(rows[r].get(c, 0)) for r in keys for c in cols}
    members = {r: sum(value[r, c] for c in cols) for r in keys}
    col_total = {c: sum(value[r, c] for r in keys) for c in cols}
    population = sum(members.values())
    if threshold <= 1:
        return Table(
            cols,
            [Row(r, members[r], {c: value[r, c] for c in cols}) for r in keys],
            dict(col_total),
            population,
        )
    if not group_shown(population, threshold):
        return Table(cols, [Row(r, members[r], None) for r in keys], dict.fromkeys(cols), population, False)
    totals: Cells = suppress(col_total, threshold) if totals_released else dict.fromkeys(cols)
    totals_known = {c for c in cols if totals[c] is not None}

    # rule 4: a hidden group's cells are hidden cells of the columns, which rule 3 completes
    hidden_rows = [r for r in keys if r in withheld or not group_shown(members[r], threshold)]
    shown_rows = [r for r in keys if r not in hidden_rows]

    hidden: set[tuple[str, str]] = {(r, c) for r in hidden_rows for c in cols}
    for r in shown_rows:  # rule 2
        for c in cols:
            if small(value[r, c], threshold) or (value[r, c] == members[r] > 0) or (r, c) in forced:
                hidden.add((r, c))

    def complement(candidates: list[tuple[str, str]]) -> bool:
        """Hide the smallest visible cell among these, non-zero first; False when none is left."""
        visible = [cell for cell in candidates if cell not in hidden]
        if not visible:
            return False
        hidden.add(min(visible, key=lambda cell: (value[cell] == 0, value[cell], candidates.index(cell))))
        return True

    def line_ok(line: list[tuple[str, str]]) -> bool:
        inner = [cell for cell in line if cell in hidden]
        total = sum(value[cell] for cell in inner)
        return not inner or total == 0 or (len(inner) >= 2 and total >= threshold)

    while True:
        changed = False
        for r in shown_rows:  # rule 3, rows: the group's members are known
            line = [(r, c) for c in cols]
            if not line_ok(line):
                changed |= complement(line)
        for c in totals_known:  # rule 3, columns whose total is shown
            if not line_ok([(r, c) for r in keys]):
                changed |= complement([(r, c) for r in shown_rows])
        if changed:
            continue
        exact = exact_cells(keys, cols, value, hidden, totals_known)  # rule 5
        if not exact:
            found = small_sums(keys, cols, value, hidden, totals_known, threshold)
            if found is None:
                break
            column, group = found
            same_kind = column in totals_known
            others = [c2 for c2 in cols if c2 != column and (same_kind or c2 not in totals_known)]
            options = [
                [(r2, column) for r2 in shown_rows],
                [(r2, c2) for r2 in group if r2 in shown_rows for c2 in others],
                [(r2, c2) for r2 in shown_rows for c2 in cols],
            ]
            if not any(complement(option) for option in options):
                break
            continue
        r, c = exact[0]
        options = [[(r2, c) for r2 in shown_rows], [(r, c2) for c2 in cols] if r in shown_rows else []]
        options.append([(r2, c2) for r2 in shown_rows for c2 in cols])
        if not any(complement(option) for option in options):
            break  # nothing left to hide: what remains exact equals a shown total

    result = [
        Row(
            r,
            members[r],
            None if r in hidden_rows else {c: None if (r, c) in hidden else value[r, c] for c in cols},
        )
        for r in keys
    ]
    return Table(cols, result, totals, population, True, [r for r in keys if r in withheld])


def exact_cells(
    rows: Sequence[str],
    cols: Sequence[str],
    value: Mapping[tuple[str, str], int],
    hidden: Collection[tuple[str, str]],
    totals_known: Collection[str],
) -> list[tuple[str, str]]:
    """Hidden non-zero cells (and hidden column totals, as `("", column)`) that a reader could
    compute exactly from the shown cells, the row totals, the shown column totals and the grand total.

    The hidden part of the table is a flow from rows (whose hidden part is known) to columns, then
    to the sink directly (a shown column total) or through one node H (hidden column totals, whose
    sum is known). A cell's value can change in another table with the same margins iff a cycle of
    the residual graph uses its arc: it can grow iff its column reaches its row, and shrink (when
    above 0) iff its row reaches its column, without the cell's own arc back.
    """
    arcs: dict[str, set[str]] = {}

    def arc(a: str, b: str) -> None:
        arcs.setdefault(a, set()).add(b)

    column_hidden = {c: 0 for c in cols}
    for r, c in hidden:
        arc(f"r{r}", f"c{c}")
        if value[r, c] > 0:
            arc(f"c{c}", f"r{r}")
        column_hidden[c] += value[r, c]
    for c in cols:
        if c not in totals_known:
            arc(f"c{c}", "H")
            if column_hidden[c] > 0:
                arc("H", f"c{c}")

    def reaches(start: str, goal: str, skip: tuple[str, str]) -> bool:
        seen, todo = {start}, deque([start])
        while todo:
            node = todo.popleft()
            for nxt in arcs.get(node, ()):
                if (node, nxt) == skip or nxt in seen:
                    continue
                if nxt == goal:
                    return True
                seen.add(nxt)
                todo.append(nxt)
        return False

    exact: list[tuple[str, str]] = []
    order = {r: i for i, r in enumerate(rows)}
    for r, c in sorted(hidden, key=lambda cell: (order[cell[0]], list(cols).index(cell[1]))):
        v = value[r, c]
        if v == 0:
            continue
        can_grow = reaches(f"c{c}", f"r{r}", skip=(f"c{c}", f"r{r}"))
        can_shrink = reaches(f"r{r}", f"c{c}", skip=(f"r{r}", f"c{c}"))
        if not (can_grow or can_shrink):
            exact.append((r, c))
    for c in cols:
        if c in totals_known or column_hidden[c] == 0:
            continue
        can_grow = reaches("H", f"c{c}", skip=("H", f"c{c}"))
        can_shrink = reaches(f"c{c}", "H", skip=(f"c{c}", "H"))
        if not (can_grow or can_shrink):
            exact.append(("", c))
    return exact


def column_classes(
    cols: Sequence[str], hidden: Collection[tuple[str, str]], totals_known: Collection[str], column: str
) -> list[tuple[list[str], bool]]:
    """The groups whose hidden cells of `column` a reader can only add up together, with whether
    that sum is known.

    The sum of a column's hidden cells over some groups is a linear consequence of the margins iff
    every cycle of hidden cells through that column enters and leaves it through two of those
    groups (or two of the others): the groups the column's hidden cells reach without it fall in
    classes, the connected components of the hidden graph minus the column, and each class's sum
    is known. Columns whose total is hidden share one node (their totals' sum is known): a class
    that also reaches it through another such column has an unknown share of this one."""

    def node(c: str) -> str:
        return f"c{c}" if c in totals_known else "H"

    edges = [(f"r{r}", node(c), r, c) for r, c in hidden if c in cols]
    removed = node(column)
    parent: dict[str, str] = {}
    for a, b, _r, _c in edges:
        if removed not in (a, b):
            parent[_find(parent, a)] = _find(parent, b)
    classes: dict[str, list[tuple[str, str]]] = {}
    for a, b, r, c in edges:
        if b == removed:
            classes.setdefault(_find(parent, a), []).append((r, c))
    return [
        ([r for r, c in cells if c == column], all(c == column for _r, c in cells))
        for cells in classes.values()
    ]


def small_sums(
    rows: Sequence[str],
    cols: Sequence[str],
    value: Mapping[tuple[str, str], int],
    hidden: Collection[tuple[str, str]],
    totals_known: Collection[str],
    threshold: int,
) -> tuple[str, list[str]] | None:
    """A column in which some groups' hidden cells add up, derivably, to 1 to `threshold - 1`
    (with those groups); None when there is none."""
    for c in cols:
        for group, known in column_classes(cols, hidden, totals_known, c):
            if known and small(sum(value[r, c] for r in group), threshold):
                return c, group
    return None


def sum_known(table: Table, keys: Collection[str], column: str) -> bool:
    """True when a reader of the table can compute these groups' total in a column."""
    hidden = {(r.key, c) for r in table.rows for c in table.columns if r.cells is None or r.cells[c] is None}
    wanted = {k for k in keys if (k, column) in hidden}
    if not wanted:
        return True
    known_totals = [c for c in table.columns if table.totals[c] is not None]
    covered: set[str] = set()
    for group, known in column_classes(table.columns, hidden, known_totals, column):
        inside = wanted & set(group)
        if not inside:
            continue
        if not known or inside != set(group):
            return False
        covered |= inside
    return covered == wanted


def _find(parent: dict[str, str], x: str) -> str:
    """Union-find: the representative of x's set."""
    parent.setdefault(x, x)
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def differencing_risk(
    population: Collection[int],
    groups: Mapping[str, Collection[int]],
    threshold: int,
    *,
    partition: bool = True,
    ignore: Collection[int] = (),
) -> bool:
    """True when `population` differs from a union of `groups` that covers it, or that it covers,
    by 1 to `threshold - 1` people (leaving out `ignore`, e.g. the viewer themself).

    `groups` are one dimension's populations; when they do not partition people (roles), only
    single groups are compared, since overlapping groups cannot be summed.
    """
    if threshold <= 1:
        return False
    people = set(population) - set(ignore)
    if not people:
        return False
    sets = [set(g) - set(ignore) for g in groups.values()]
    if partition:
        cover = set().union(*(g for g in sets if g & people)) if sets else set()
        inner = set().union(*(g for g in sets if g and g <= people)) if sets else set()
        candidates: Iterable[set[int]] = [cover, inner] if inner else [cover]
    else:
        candidates = [g for g in sets if g]
    for other in candidates:
        if other == people:
            continue
        if other >= people and small(len(other - people), threshold):
            return True
        if other <= people and small(len(people - other), threshold):
            return True
    return False


@dataclass
class Catalogue:
    """Every population of the catalogue released together: the overall funnel and one table per
    dimension, suppressed jointly so that no view can be subtracted from another."""

    columns: list[str]
    members: int
    overall: Cells
    tables: dict[str, Table]
    shown: bool = True


def _groups(people: Collection[int], keys: Mapping[int, str | Collection[str]]) -> dict[str, set[int]]:
    groups: dict[str, set[int]] = {}
    for person in people:
        value = keys.get(person)
        for key in [value] if isinstance(value, str) or value is None else value:
            groups.setdefault(key if key is not None else "", set()).add(person)
    return {k: groups[k] for k in sorted(groups)}


def release_catalogue(
    stages: Mapping[int, str],
    dimensions: Mapping[str, Mapping[int, str | Collection[str]]],
    columns: Sequence[str],
    threshold: int,
    *,
    overlapping: Collection[str] = (),
) -> Catalogue:
    """The overall funnel and each dimension's breakdown, with rules 1-7 applied across them all.

    `stages`: each person's stage; `dimensions`: for each dimension, each person's group (a set of
    groups for an `overlapping` dimension such as roles, whose groups are compared one by one and
    never summed). A group whose members differ from a union of another dimension's shown groups by
    fewer than `threshold` people is withheld; where a group equals such a union, or differs from it
    by at least `threshold` people, the cells of the two sides are linked: a cell that the others
    would reveal, or a small difference, hides one more cell.
    """
    cols = list(columns)
    people = list(stages)
    counts = {c: 0 for c in cols}
    for person in people:
        counts[stages[person]] += 1
    overall = suppress(counts, threshold)
    if not group_shown(len(people), threshold):
        empty = {d: suppress_table({}, threshold, columns=cols) for d in dimensions}
        return Catalogue(cols, len(people), overall, empty, False)
    groups = {d: _groups(people, keys) for d, keys in dimensions.items()}
    group_counts = {
        d: {k: {c: sum(1 for p in members if stages[p] == c) for c in cols} for k, members in g.items()}
        for d, g in groups.items()
    }
    withheld: dict[str, set[str]] = {d: set() for d in dimensions}
    forced: dict[str, set[tuple[str, str]]] = {d: set() for d in dimensions}
    everyone = set(people)

    def build(d: str) -> Table:
        if d not in overlapping:
            return suppress_table(
                group_counts[d], threshold, columns=cols, withheld=withheld[d], forced=forced[d]
            )
        rows: list[Row] = []
        for key, members in groups[d].items():
            if members == everyone:
                rows.append(Row(key, len(members), dict(overall)))
                continue
            rest = {c: counts[c] - group_counts[d][key][c] for c in cols}
            pair = suppress_table(
                {key: group_counts[d][key], "\0rest": rest},
                threshold,
                columns=cols,
                withheld=["\0rest", *([key] if key in withheld[d] else [])],
                forced=forced[d],
            )
            rows.append(pair.row(key))
        return Table(cols, rows, dict(overall), len(people), True, sorted(withheld[d]))

    for _round in range(1 + sum(len(g) * (len(cols) + 1) for g in groups.values())):
        tables = {d: build(d) for d in dimensions}
        shown = {
            d: {r.key: groups[d][r.key] for r in t.rows if r.cells is not None} for d, t in tables.items()
        }
        changed = False
        # rule 6, groups: a shown group, or a dimension's hidden remainder, nests in another's groups
        for d, table in tables.items():
            rest = (
                set().union(*(groups[d][r.key] for r in table.rows if r.cells is None))
                if table.rows
                else set()
            )
            for e in dimensions:
                if e == d:
                    continue
                comparators: dict[str, set[int]] = dict(shown[e])
                if e not in overlapping:
                    hidden_e = everyone - set().union(*comparators.values()) if comparators else everyone
                    if hidden_e:
                        comparators["\0rest"] = hidden_e
                for key, members in shown[d].items():
                    if key not in withheld[d] and differencing_risk(
                        members, comparators, threshold, partition=e not in overlapping
                    ):
                        withheld[d].add(key)
                        changed = True
                if (
                    d not in overlapping
                    and rest
                    and shown[d]
                    and differencing_risk(rest, comparators, threshold, partition=e not in overlapping)
                ):
                    smallest = min(shown[d], key=lambda k: (len(shown[d][k]), k))
                    withheld[d].add(smallest)
                    changed = True
            if changed:
                break
        if changed:
            continue
        # rule 6, cells: a group against the union of another dimension's shown groups it nests with
        link = _first_link(tables, groups, group_counts, shown, cols, threshold, overlapping)
        if link is not None:
            forced[link[0]].add((link[1], link[2]))
            changed = True
        else:
            # rule 7: every view together, at the level of the atoms the partitions cut
            leak = _atom_leak(tables, groups, stages, overall, cols, threshold, overlapping)
            if leak is not None:
                d, key, column = leak
                if column is None:
                    withheld[d].add(key)
                else:
                    forced[d].add((key, column))
                changed = True
        if not changed:
            return Catalogue(cols, len(people), overall, tables)
    return Catalogue(cols, len(people), overall, tables)


def _first_link(
    tables: Mapping[str, Table],
    groups: Mapping[str, Mapping[str, set[int]]],
    counts: Mapping[str, Mapping[str, Mapping[str, int]]],
    shown: Mapping[str, Mapping[str, set[int]]],
    cols: Sequence[str],
    threshold: int,
    overlapping: Collection[str],
) -> tuple[str, str, str] | None:
    """The first cell (dimension, group, column) to hide so that a group and a union of another
    dimension's groups nesting with it reveal nothing: where they hold the same people, their cells
    in a column obey rule 3 together; where they differ, the difference is not a small count."""
    partitions = [d for d in tables if d not in overlapping]
    for d in partitions:
        for row in tables[d].rows:
            if row.cells is None:
                continue
            members = groups[d][row.key]
            for e in partitions:
                if e == d:
                    continue
                for union in nesting_unions(members, groups[e]):
                    if not all(k in shown[e] for k in union):
                        continue
                    difference = len(set().union(*(groups[e][k] for k in union)) ^ members)
                    terms = [(d, row.key)] + [(e, k) for k in union]
                    for c in cols:
                        values = {t: counts[t[0]][t[1]][c] for t in terms}
                        mine = _cell(tables, terms[0], c) is not None
                        theirs = sum_known(tables[e], union, c)
                        if difference == 0:
                            # the same people: each side reveals the other's hidden figure
                            if mine and not theirs:
                                return d, row.key, c
                            if theirs and not mine:
                                visible = [t for t in terms[1:] if _cell(tables, t, c) is not None]
                                pool = visible or [
                                    (e, k) for k in shown[e] if _cell(tables, (e, k), c) is not None
                                ]
                                if pool:
                                    pick = min(
                                        pool,
                                        key=lambda t: (counts[t[0]][t[1]][c] == 0, counts[t[0]][t[1]][c], t),
                                    )
                                    return pick[0], pick[1], c
                            continue
                        derived = abs(values[terms[0]] - sum(values[t] for t in terms[1:]))
                        if mine and theirs and (small(derived, threshold) or derived == difference):
                            return d, row.key, c
    return None


def _cell(tables: Mapping[str, Table], term: tuple[str, str], column: str) -> int | None:
    cells = tables[term[0]].row(term[1]).cells
    return None if cells is None else cells[column]


def nesting_unions(members: set[int], groups: Mapping[str, set[int]]) -> list[list[str]]:
    """The unions of a partition's groups that cover `members`, and that `members` covers."""
    cover = [k for k, g in groups.items() if g & members]
    inner = [k for k, g in groups.items() if g and g <= members]
    unions = [cover]
    if inner and inner != cover:
        unions.append(inner)
    return unions


# ---- rule 7: the whole catalogue, as linear facts about atoms ---------------------------------------

Vector = dict[int, int]  # sparse, integer, over atoms (or any index)
Rational = dict[int, Fraction]


def _combine(a: int, v: Vector, b: int, w: Vector) -> Vector:
    """a * v + b * w, without zeros, divided by the gcd of its entries."""
    out = {k: a * x for k, x in v.items()}
    for k, x in w.items():
        y = out.get(k, 0) + b * x
        if y:
            out[k] = y
        else:
            out.pop(k, None)
    g = gcd(*out.values()) if out else 1
    return {k: x // g for k, x in out.items()} if g > 1 else out


class _Echelon:
    """An echelon basis of a space of sparse integer vectors (fraction-free): each row's smallest
    index is its pivot, with a positive entry."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, Vector]] = []

    def reduce(self, vector: Vector) -> Vector:
        """The vector, scaled and minus a combination of the rows, with 0 at every pivot."""
        v = {k: x for k, x in vector.items() if x}
        for pivot, row in self.rows:
            factor = v.get(pivot)
            if factor:
                v = _combine(row[pivot], v, -factor, row)
        return v

    def add(self, vector: Vector) -> None:
        v = self.reduce(vector)
        if v:
            pivot = min(v)
            self.rows.append((pivot, v if v[pivot] > 0 else {k: -x for k, x in v.items()}))

    def reduced(self) -> list[tuple[int, dict[int, Fraction]]]:
        """The rows in reduced row echelon form (1 at each pivot, 0 in every other row), by pivot."""
        rows = sorted(self.rows, key=lambda r: r[0])
        for i, (pivot, row) in enumerate(rows):
            for j, (other_pivot, other) in enumerate(rows):
                factor = other.get(pivot) if j != i else None
                if factor:
                    combined = _combine(row[pivot], other, -factor, row)
                    if combined[other_pivot] < 0:
                        combined = {k: -x for k, x in combined.items()}
                    rows[j] = (other_pivot, combined)
        return [(pivot, {k: Fraction(x, row[pivot]) for k, x in row.items()}) for pivot, row in rows]


def _intersection(first: list[Vector], second: list[Vector], n: int) -> list[Vector]:
    """A basis of the intersection of two spans of vectors over indices below n (Zassenhaus)."""
    space = _Echelon()
    for u in first:
        space.add({**u, **{n + k: x for k, x in u.items()}})
    for v in second:
        space.add(dict(v))
    return [{k - n: x for k, x in row.items()} for pivot, row in space.rows if pivot >= n]


def _determined(generators: Mapping[str, list[Vector]], column: str, n: int) -> list[Vector]:
    """Vectors spanning the sums over atoms of one column that a reader can derive.

    The reader holds every atom's size (the sum of its row over the columns) and, per column, the
    sums over the groups whose cell is shown (`generators`, the whole population for a shown total).
    A combination of these equations touches only `column` iff its coefficients of the atoms' sizes,
    as a vector over atoms, lie in every other column's span: the derivable sums of `column` are its
    own span plus the intersection of the other columns' spans."""
    common: list[Vector] | None = None
    for other, vectors in generators.items():
        if other == column:
            continue
        common = list(vectors) if common is None else _intersection(common, vectors, n)
        if not common:
            break
    if common is None:  # one column: every atom's count is its size
        common = [{i: 1} for i in range(n)]
    return [*generators[column], *common]


def _small_union(space: list[Vector], values: Sequence[int], threshold: int) -> list[int] | None:
    """Atoms whose sum is in the span `space` and holds 1 to `threshold - 1` people; None if none.

    A union that holds a small count has no atom of `threshold` or more people and at most
    `threshold - 1` atoms holding anyone: with the atoms ordered large, then small, then empty, the
    reduced echelon basis of the span without the large atoms has few rows to pick among the small
    atoms' pivots, and the rows whose pivots are empty atoms only need a 0/1 choice."""
    n = len(values)
    order = sorted(range(n), key=lambda a: (0 if values[a] >= threshold else 1 if values[a] > 0 else 2, a))
    position = {a: i for i, a in enumerate(order)}
    large = sum(1 for a in range(n) if values[a] >= threshold)
    empty_from = large + sum(1 for a in range(n) if 0 < values[a] < threshold)
    if empty_from == large:
        return None  # nobody in a small atom: every union holds 0 or at least `threshold`
    echelon = _Echelon()
    for vector in space:
        echelon.add({position[a]: x for a, x in vector.items()})
    rows = [(pivot, row) for pivot, row in echelon.reduced() if pivot >= large]
    picks = [row for pivot, row in rows if pivot < empty_from]
    fills = [row for pivot, row in rows if pivot >= empty_from]
    value = [values[a] for a in order]

    # what the fills not yet chosen can still add to an empty atom, at least and at most
    low: list[dict[int, Fraction]] = [{} for _ in range(len(fills) + 1)]
    high: list[dict[int, Fraction]] = [{} for _ in range(len(fills) + 1)]
    for j in range(len(fills) - 1, -1, -1):
        low[j], high[j] = dict(low[j + 1]), dict(high[j + 1])
        for k, x in fills[j].items():
            bound = low[j] if x < 0 else high[j]
            bound[k] = bound.get(k, Fraction(0)) + x

    def completed(vector: Rational, j: int = 0) -> Rational | None:
        """The vector plus a 0/1 combination of `fills` (from the j-th) that is 0/1 everywhere."""
        keys = set(vector) | set(low[j]) | set(high[j])
        for k in keys:
            x = vector.get(k, Fraction(0))
            if x + low[j].get(k, 0) > 1 or x + high[j].get(k, 0) < 0:
                return None
        if j == len(fills):
            return vector if all(x in (0, 1) for x in vector.values()) else None
        found = completed(vector, j + 1)
        if found is not None:
            return found
        grown = dict(vector)
        for k, x in fills[j].items():
            grown[k] = grown.get(k, Fraction(0)) + x
        return completed(grown, j + 1)

    def search(start: int, vector: Rational, at_pivots: int) -> Rational | None:
        for i in range(start, len(picks)):
            pivot = min(picks[i])
            if at_pivots + value[pivot] >= threshold:
                continue
            grown = dict(vector)
            for k, x in picks[i].items():
                grown[k] = grown.get(k, Fraction(0)) + x
            inner = {k: x for k, x in grown.items() if k < empty_from and x}
            if all(x == 1 for x in inner.values()) and small(sum(value[k] for k in inner), threshold):
                found = completed(grown)
                if found is not None:
                    return found
            deeper = search(i + 1, grown, at_pivots + value[pivot])
            if deeper is not None:
                return deeper
        return None

    found = search(0, {}, 0)
    if found is None:
        return None
    return sorted(order[k] for k, x in found.items() if x == 1)


def _atom_leak(
    tables: Mapping[str, Table],
    groups: Mapping[str, Mapping[str, set[int]]],
    stages: Mapping[int, str],
    overall: Cells,
    cols: Sequence[str],
    threshold: int,
    overlapping: Collection[str],
) -> tuple[str, str, str | None] | None:
    """A cell to hide (dimension, group, column), or a group to withhold (column None), so that no
    union of atoms (the people sharing a group in every partition: department x site x ...) has a
    small count derivable from all the views together; None when none has.

    Each table is audited on its own by rules 3 and 5, but two partitions cut each other into atoms
    that no single view shows: shown cells of one breakdown, of another and the overall funnel can
    add up (through the atoms' sizes, which the directory tells) to a small count over atoms of both.
    The audit is exact linear algebra over the atoms (`_determined`); the cell hidden is the
    smallest non-zero shown cell, of a group holding some of those atoms first, whose hiding
    leaves that sum underivable."""
    partitions = [d for d in tables if d not in overlapping]
    if len(partitions) < 2:
        return None  # one table: rules 3 and 5 are exact for it
    signature: dict[int, list[str]] = {p: [] for p in stages}
    for d in partitions:
        for key, members in groups[d].items():
            for p in members:
                signature[p].append(key)
    atom_of: dict[tuple[str, ...], int] = {}
    person_atom = {p: atom_of.setdefault(tuple(signature[p]), len(atom_of)) for p in stages}
    n = len(atom_of)
    atoms_in = {
        (d, key): sorted({person_atom[p] for p in members})
        for d in partitions
        for key, members in groups[d].items()
    }
    counts = {c: [0] * n for c in cols}
    for p, stage in stages.items():
        counts[stage][person_atom[p]] += 1
    one = 1

    def generators(without: tuple[str, str, str] | None = None) -> dict[str, list[Vector]]:
        spans: dict[str, list[Vector]] = {c: [] for c in cols}
        for c in cols:
            if overall[c] is not None:
                spans[c].append(dict.fromkeys(range(n), one))
        for d in partitions:
            for row in tables[d].rows:
                for c, v in (row.cells or {}).items():
                    if v is not None and (d, row.key, c) != without:
                        spans[c].append(dict.fromkeys(atoms_in[d, row.key], one))
        return spans

    spans = generators()
    for column in cols:
        if not any(small(v, threshold) for v in counts[column]):
            continue
        union = _small_union(_determined(spans, column, n), counts[column], threshold)
        if union is None:
            continue
        target = dict.fromkeys(union, one)
        inside = set(union)
        candidates = [
            (d, row.key, c, v)
            for d in partitions
            for row in tables[d].rows
            for c, v in (row.cells or {}).items()
            if v is not None
        ]
        candidates.sort(
            key=lambda t: (
                not inside.intersection(atoms_in[t[0], t[1]]),
                t[3] == 0,
                t[3],
                t[2] != column,
                partitions.index(t[0]),
                t[1],
            )
        )
        for d, key, c, _v in candidates:
            echelon = _Echelon()
            for vector in _determined(generators((d, key, c)), column, n):
                echelon.add(vector)
            if echelon.reduce(target):
                return d, key, c
        shown = [(d, row) for d in partitions for row in tables[d].rows if row.cells is not None]
        near = [(d, row) for d, row in shown if inside.intersection(atoms_in[d, row.key])] or shown
        if near:
            d, row = min(near, key=lambda t: (t[1].members, partitions.index(t[0]), t[1].key))
            return d, row.key, None
        return None
    return None
