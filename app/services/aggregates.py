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
   with the company-wide funnel as its column totals. The groups hidden under rule 1 together hold
   0 or at least `t` people (the next smallest group is hidden otherwise), because the company
   minus the shown groups is their sum; that remainder's cells obey rules 2-3 like any row.
5. **Audit.** After rules 2-4, every hidden non-zero cell is checked against *all* the equations
   a reader has (row totals, shown column totals, the grand total) and the fact that counts are
   never negative: a cell that could not take another value is exact, and another cell is hidden
   until none is. The check is a reachability test in the table's residual flow graph (a table with
   known margins is a transportation problem; a cell can move iff a cycle of the residual graph
   goes through it), so it is exact for one table and its margins.
6. **Fixed populations only.** Proxima publishes counts for a fixed catalogue of populations
   (everyone; each department, site, role, seniority band; a line manager's own direct reports),
   one dimension at a time: there are no free filters and no intersections ("department + site"),
   so the classic difference of two overlapping filters is not available. Where two populations of
   the catalogue nest (a department entirely inside a site, a team inside a department) the
   difference between one population and the union of another dimension's groups that covers it or
   that it covers must be 0 or at least `t` people (`differencing_risk`); a group failing this is
   withheld like a group under the threshold. A line manager who may also read the HR dashboard is
   held to the same check for their team, the manager themself excluded (their own stage is theirs).

What is not covered, and said so in docs/engagement.md: per-stage differences between nested
populations of *different* dimensions that each hold at least `t` people, and changes over time
(the trends show the same people each week, so a week-to-week difference is movement, never a
newcomer's stage).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

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
) -> Table:
    """A partition of a population into groups (rows) by stage (columns), with rules 1-5 applied.

    `totals_released`: the population's own funnel is shown (and suppressed with `suppress`);
    `withheld`: groups never shown whatever their size (a complement, or a group that nests).
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

    # rule 4: the hidden groups together hold 0 or at least the threshold
    hidden_rows = [r for r in keys if r in withheld or not group_shown(members[r], threshold)]
    while small(sum(members[r] for r in hidden_rows), threshold):
        shown = [r for r in keys if r not in hidden_rows]
        if not shown:
            break
        hidden_rows.append(min(shown, key=lambda r: (members[r], keys.index(r))))
    shown_rows = [r for r in keys if r not in hidden_rows]

    hidden: set[tuple[str, str]] = {(r, c) for r in hidden_rows for c in cols}
    for r in shown_rows:  # rule 2
        for c in cols:
            if small(value[r, c], threshold) or (value[r, c] == members[r] > 0):
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
        return not inner or (len(inner) >= 2 and sum(value[cell] for cell in inner) >= threshold)

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
            break
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
