"""A fast, exact Method of Equal Shares on grouped ballots (the engine of the ``add1`` completion).

Voters are grouped by identical money: voters who supported the same bought projects
(with the same satisfaction) hold the same money, so a run costs a few operations per
group of each funded project instead of one per ballot and project. Groups are kept by
their voters across runs (up to ``KEEP_VOTERS`` voters in all): a run that buys in another
order than the last one reaches the same groups and reuses their splits.
A run itself is in :mod:`voting_rules.rules.mes_run`;
:mod:`voting_rules.rules.mes_range` proves which shares a run's outcome holds for and
finds the share where the completion stops.

Arithmetic is exact (gmpy2 rationals, as pabutools uses). Ties between projects of
equal price are broken by a static key, as pabutools' ``TieBreakingRule.order`` does;
the caller checks the outcome against pabutools itself.
"""

from __future__ import annotations

from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Sequence
from itertools import chain

from pabutools.fractions import frac

from voting_rules.rules.mes_run import Run, _RunState


class _Group:
    """Voters whose money is equal at every share: the same ballots' worth of purchases.

    Groups are immutable and shared by every run: splitting a group by a purchase depends
    only on who supports the project (and with which satisfaction), never on the share, so
    runs and checks that buy the same projects reuse the same groups.
    """

    __slots__ = ("ballots", "counts", "split_by", "split_into")

    def __init__(self, ballots: frozenset[int], counts: dict[str, tuple]) -> None:
        self.ballots = ballots
        # project id -> ((satisfaction, number of voters of this group with it), ...): tuples,
        # as there are many groups and usually one satisfaction per project
        self.counts = counts
        # The last split of this group: by which project, and into ([(satisfaction, group of its
        # supporters)], group of the others or None, projects no voter of the others supports).
        # Only the last one is kept, so memory stays that of one run's groups: consecutive runs
        # and checks buy the same first projects, and a run that buys differently replaces it.
        self.split_by: str | None = None
        self.split_into: tuple[list, _Group | None, list[str]] | None = None


def _minus(counts: dict[str, tuple], taken: list[dict[str, tuple]]) -> dict[str, tuple]:
    """``counts`` without the voters counted in ``taken`` (groups of some of its voters)."""
    left: dict[str, tuple] = {}
    if len(taken) == 1:
        # one part: where a project has one satisfaction in the group, the part's voters have it too
        gone = taken[0]
        for p, per_sat in counts.items():
            part = gone.get(p)
            if part is None:
                left[p] = per_sat
            elif len(per_sat) == 1:
                m = per_sat[0][1] - part[0][1]
                if m:
                    left[p] = ((per_sat[0][0], m),)
            else:
                kept = _left(per_sat, dict(part))
                if kept:
                    left[p] = kept
        return left
    removed: dict[str, dict] = defaultdict(dict)
    for part_counts in taken:
        for p, per_sat in part_counts.items():
            gone_p = removed[p]
            for s, m in per_sat:
                gone_p[s] = gone_p.get(s, 0) + m
    for p, per_sat in counts.items():
        were = removed.get(p)
        kept = per_sat if were is None else _left(per_sat, were)
        if kept:
            left[p] = kept
    return left


def _left(per_sat: tuple, taken: dict) -> tuple:
    """(satisfaction, voters) pairs less ``taken`` voters per satisfaction, empty ones dropped."""
    return tuple((s, m - taken.get(s, 0)) for s, m in per_sat if m - taken.get(s, 0))


# Groups remembered by their voters: at most this many voters in all, or KEEP_PER_BALLOT times
# the distinct ballots if more (a few runs' worth of groups on a city file).
KEEP_VOTERS = 500_000
KEEP_PER_BALLOT = 20


class GroupedMES:
    """Equal Shares on grouped ballots, and the check that an outcome holds over a range of shares.

    Parameters
    ----------
    costs : dict[str, rational]
        Cost of every project.
    ballots : sequence of (dict[str, int], int)
        Distinct ballots: satisfaction per supported project (positive), multiplicity.
    tie_key : callable
        ``tie_key(project_id)``; among projects of equal price the smallest key is bought.
    keep_voters : int, optional
        How many voters the groups remembered may hold in all (memory for speed).
    """

    def __init__(self, costs: dict[str, object], ballots: Sequence[tuple[dict[str, int], int]],
                 tie_key: Callable[[str], Hashable], keep_voters: int | None = None) -> None:
        self.costs = {p: frac(c) for p, c in costs.items()}
        self.ballots = [({p: s for p, s in sats.items() if s > 0}, mult)
                        for sats, mult in ballots if mult > 0]
        self.key = {p: tie_key(p) for p in costs}
        self.supporters: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.base_counts: dict[str, dict] = defaultdict(lambda: defaultdict(int))
        # each ballot's (project, satisfaction) pairs, to count moved voters quickly
        self.keys = [tuple(sats.items()) for sats, _ in self.ballots]
        for index, (sats, mult) in enumerate(self.ballots):
            for pid, sat in sats.items():
                self.supporters[pid].append((index, sat))
                self.base_counts[pid][sat] += mult
        supported = [p for p in costs if self.supporters.get(p)]
        # projects whose supporters all have the same satisfaction (always, for cost and cardinality)
        self.uniform = frozenset(p for p in supported if len(self.base_counts[p]) == 1)
        self.uniform_sat = {p: next(iter(self.base_counts[p])) for p in self.uniform}
        self.free = [p for p in supported if self.costs[p] == 0]
        self.priced = [p for p in supported if self.costs[p] > 0]
        self.total_sat = {p: sum(s * m for s, m in self.base_counts[p].items()) for p in supported}
        self.num_voters = sum(m for _, m in self.ballots)
        self.supporter_set = {p: frozenset(i for i, _ in sup) for p, sup in self.supporters.items()}
        # the projects sharing a supporter with each project: the only ones whose price its purchase changes
        self.neighbours = {p: frozenset().union(*(self.ballots[i][0] for i, _ in sup))
                           for p, sup in self.supporters.items()}
        # Groups by their voters, the most recently used last: purchases bought in another
        # order reach the same voters, so a run whose order differs from the last one's
        # finds the groups (and their splits) that run made instead of making them again.
        self.keep_voters = keep_voters or max(KEEP_VOTERS, KEEP_PER_BALLOT * len(self.ballots))
        self.groups: OrderedDict[frozenset[int], _Group] = OrderedDict()
        self.kept_voters = 0
        self.root = _Group(frozenset(range(len(self.ballots))),
                           {p: tuple(c.items()) for p, c in self.base_counts.items()})
        self.runs = 0
        self.checks = 0
        # groups of voters visited by purchases and prices, runs and checks alike: what a
        # completion weighs a check against a run by (a count, so every tally takes the same steps)
        self.work = 0

    def split(self, group: _Group, pid: str) -> tuple[list, _Group | None, list[str]]:
        """``group`` split by ``pid``: its supporters by satisfaction, and the others (cached)."""
        if group.split_by == pid and group.split_into is not None:
            return group.split_into
        members = group.ballots & self.supporter_set[pid]
        by_sat: dict = defaultdict(list)
        if pid in self.uniform:  # one satisfaction: no need to look at each supporter
            if members:
                by_sat[self.uniform_sat[pid]] = members
        else:
            ballots = self.ballots
            for i in members:
                by_sat[ballots[i][0][pid]].append(i)
        others = group.ballots - members if members else group.ballots
        if not others and len(by_sat) == 1:
            # everyone supports it with one satisfaction: the same voters, the same group
            group.split_by, group.split_into = pid, ([(next(iter(by_sat)), group)], None, [])
            return group.split_into
        parts = []
        for sat, part in by_sat.items():
            members = part if isinstance(part, frozenset) else frozenset(part)
            found = self.known(members)
            if found is None:
                found = self.keep(_Group(members, self.count(part)))
            parts.append((sat, found))
        rest = None
        if others:
            rest = self.known(others)
            if rest is None:
                rest = self.keep(_Group(others, _minus(group.counts, [found.counts for _, found in parts])))
        lost = [p for p in group.counts if rest is None or p not in rest.counts]
        group.split_by, group.split_into = pid, (parts, rest, lost)
        return group.split_into

    def count(self, voters) -> dict[str, tuple]:
        """What ``voters`` (ballot indices) count for each project: ((satisfaction, voters), ...)."""
        ballots, keys = self.ballots, self.keys
        moved: Counter = Counter()
        ones = []
        for i in voters:
            if ballots[i][1] == 1:
                ones.append(keys[i])
            else:
                for key in keys[i]:
                    moved[key] += ballots[i][1]
        moved.update(chain.from_iterable(ones))
        counts: dict[str, tuple] = {}
        for (p, s), m in moved.items():
            had = counts.get(p)
            counts[p] = ((s, m),) if had is None else (*had, (s, m))
        return counts

    def known(self, members: frozenset[int]) -> _Group | None:
        """The group of exactly these voters, if one was made lately."""
        group = self.groups.get(members)
        if group is not None:
            self.groups.move_to_end(members)
        return group

    def keep(self, group: _Group) -> _Group:
        """Remember ``group`` by its voters, forgetting the least recently used past the limit."""
        self.groups[group.ballots] = group
        self.kept_voters += len(group.ballots)
        while self.kept_voters > self.keep_voters and len(self.groups) > 1:
            self.kept_voters -= len(self.groups.popitem(last=False)[0])
        return group

    def run(self, share) -> Run:
        """Equal Shares with ``share`` per voter."""
        self.runs += 1
        share = frac(share)
        run = _RunState(self, share).execute()
        run.share = share
        return run
