"""A fast, exact Method of Equal Shares on grouped ballots (the engine of the ``add1`` completion).

Voters are grouped by identical money: voters who supported the same bought projects
(with the same satisfaction) hold the same money, so a run costs a few operations per
group of each funded project instead of one per ballot and project. Groups are kept by
their voters across runs (up to ``KEEP_VOTERS`` voters in all): a run that buys in another
order than the last one reaches the same groups and reuses their splits.
:mod:`voting_rules.rules.mes_range` proves which shares a run's outcome holds for and
finds the share where the completion stops.

Arithmetic is exact (gmpy2 rationals, as pabutools uses). Ties between projects of
equal price are broken by a static key, as pabutools' ``TieBreakingRule.order`` does;
the caller checks the outcome against pabutools itself.
"""

from __future__ import annotations

import heapq
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from itertools import chain

from pabutools.fractions import frac

from voting_rules.rules.mes_price import _price, _uniform_price


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


def _weight(per_sat: tuple):
    """The satisfaction of (satisfaction, voters) pairs in all."""
    if len(per_sat) == 1:
        return per_sat[0][0] * per_sat[0][1]
    return sum(sat * m for sat, m in per_sat)


class _Slot:
    """A group's place in one run: the group it holds now and that group's money.

    When a purchase splits a group, the voters who did not support it keep the slot, so
    the run's index of which slots support which project changes only where it must.
    """

    __slots__ = ("group", "money")

    def __init__(self, group: _Group, money) -> None:
        self.group = group
        self.money = money


@dataclass
class Run:
    """One run of Equal Shares at a given share.

    Attributes
    ----------
    funded : list[str]
        Project ids in the order they were bought (projects of cost 0 first).
    prices : list
        The price per unit of satisfaction of each bought project of positive cost.
    share : rational
        The share per voter it was run with.
    """

    funded: list[str]
    prices: list
    share: object = None


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


class _RunState:
    """One run: the money of each group that still has some, and which groups back which project.

    Only what changes at every purchase is kept up to date (a group's money); what a
    project's supporters hold in all is summed when the project is priced, which happens
    to a few projects a round.
    """

    def __init__(self, mes: GroupedMES, share) -> None:
        self.mes = mes
        root = _Slot(mes.root, share)
        # for each project still in the race, the slots (groups with money) of its supporters
        self.project_slots: dict[str, set[_Slot]] = {p: {root} for p in mes.priced}
        # satisfaction of each project's supporters who still have money (changes when a group's
        # money runs out): cost / live_sat is a lower bound of the project's price
        self.live_sat = {p: frac(mes.total_sat[p]) for p in mes.priced}
        self.remaining = set(mes.priced)

    def execute(self) -> Run:
        mes = self.mes
        funded = list(mes.free)
        prices: list[tuple] = []
        # (lower bound of the price, tie key, project): prices only rise within a run
        heap = [(mes.costs[p] / mes.total_sat[p], mes.key[p], p) for p in mes.priced]
        heapq.heapify(heap)
        while True:
            chosen = self.choose(heap)
            if chosen is None:
                return Run(funded, prices)
            funded.append(chosen[0])
            prices.append(chosen[1])
            self.pay(*chosen)

    # -- choosing --------------------------------------------------------------------------

    def groups(self, pid: str) -> list:
        """(money, satisfaction, voters) of ``pid``'s supporters who have money."""
        items = []
        for slot in self.project_slots[pid]:
            counts = slot.group.counts[pid]
            if len(counts) == 1:
                items.append((slot.money, *counts[0]))
            else:
                items.extend((slot.money, sat, mult) for sat, mult in counts)
        return items

    def price(self, pid: str):
        """The exact price per unit of satisfaction at which ``pid``'s supporters buy it.

        ``None`` when they cannot pay for it.
        """
        mes = self.mes
        sat = mes.uniform_sat.get(pid)
        if sat is None:
            return _price(mes.costs[pid], self.groups(pid), False, self.live_sat[pid])
        return _uniform_price(mes.costs[pid], self.project_slots[pid], pid, sat, self.live_sat[pid])

    def price_after(self, pid: str, paid: dict):
        """``pid``'s price once its supporters paid ``paid[q]`` per unit of satisfaction for each ``q``.

        ``None`` when its supporters then cannot pay for it.
        """
        mes = self.mes
        support = mes.supporter_set
        others = [q for q in paid if not support[q].isdisjoint(support[pid])]
        cost = mes.costs[pid]
        if not others:
            return self.price(pid)
        shared = support[pid] & frozenset().union(*(support[q] for q in others))
        ballots = mes.ballots
        items: list[tuple] = []
        for slot in self.project_slots[pid]:
            group = slot.group
            if group.ballots.isdisjoint(shared):
                items.extend((slot.money, sat, mult) for sat, mult in group.counts[pid])
                continue
            # the shared voters by what they may have paid (their satisfaction from each of
            # ``others``); the group's other supporters as they are
            per: Counter = Counter()
            moved: Counter = Counter()
            for i in group.ballots & shared:
                sats, mult = ballots[i]
                per[(tuple(sats.get(q, 0) for q in others), sats[pid])] += mult
                moved[sats[pid]] += mult
            for sat, mult in group.counts[pid]:
                if mult > moved[sat]:
                    items.append((slot.money, sat, mult - moved[sat]))
            for (paying, sat), mult in per.items():
                money = slot.money - sum(
                    (paid[q] * s for q, s in zip(others, paying, strict=True) if s), frac(0))
                if money > 0:
                    items.append((money, sat, mult))
        return _price(cost, items, pid in mes.uniform)

    def independent(self, block) -> bool:
        """Do no two projects of ``block`` share a supporter who still has money?"""
        support = self.mes.supporter_set
        members = sorted(block)
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                common = support[a] & support[b]
                if common and any(not slot.group.ballots.isdisjoint(common)
                                  for slot in self.project_slots[a]):
                    return False
        return True

    def choose(self, heap: list):
        """The project bought this round and its price (``None`` when nothing is affordable).

        ``heap`` orders the remaining projects by a lower bound of their price (prices only
        rise within a run), so projects are priced in that order and the search stops once
        no other can be cheaper.
        """
        costs, remaining, live_sat = self.mes.costs, self.remaining, self.live_sat
        best = best_rho = best_key = None
        priced = []
        while heap:
            lower, key, pid = heap[0]
            if best is not None and lower > best_rho:
                break
            heapq.heappop(heap)
            if pid not in remaining:
                continue
            if not live_sat[pid]:
                remaining.discard(pid)
                continue
            floor = costs[pid] / live_sat[pid]  # price x satisfaction of those with money >= cost
            if best is not None and floor > best_rho:
                priced.append((floor, key, pid))
                continue
            rho = self.price(pid)
            if rho is None:
                remaining.discard(pid)  # unaffordable now, so for the rest of the run
                continue
            priced.append((rho, key, pid))
            if best is None or (rho, key) < (best_rho, best_key):
                best, best_rho, best_key = pid, rho, key
        for entry in priced:
            if entry[2] != best:
                heapq.heappush(heap, entry)
        return None if best is None else (best, best_rho)

    # -- paying ------------------------------------------------------------------------------

    def pay(self, pid: str, rho) -> None:
        """Every supporter pays ``min(money, rho * sat)``; groups split by what they paid."""
        self.remaining.discard(pid)
        remaining, live_sat, project_slots = self.remaining, self.live_sat, self.project_slots
        split = self.mes.split
        sat_all = self.mes.uniform_sat.get(pid)
        price = None if sat_all is None else rho * sat_all  # what each supporter pays, if rich
        # ``pid`` has left ``remaining``, so its own slots are not changed below
        for slot in project_slots[pid]:
            before = slot.money
            group = slot.group
            if group.split_by == pid:
                parts, rest, lost = group.split_into  # type: ignore[misc]
            else:
                parts, rest, lost = split(group, pid)
            if rest is None and len(parts) == 1:  # the whole group pays alike: it keeps its slot
                after = before - (rho * parts[0][0] if price is None else price)
                if after > 0:
                    slot.money = after
                else:
                    counts = group.counts
                    for p, per_sat in counts.items():
                        if p in remaining:
                            project_slots[p].discard(slot)
                            live_sat[p] -= _weight(per_sat)
                continue
            for p in lost:
                if p in remaining:
                    project_slots[p].discard(slot)
            slot.group = rest  # type: ignore[assignment]  # the others keep their money and their place (None: nobody left)
            for sat, part in parts:
                after = before - (rho * sat if price is None else price)
                if after > 0:
                    new = _Slot(part, after)
                    for p in part.counts:
                        if p in remaining:
                            project_slots[p].add(new)
                else:
                    counts = part.counts
                    for p, per_sat in counts.items():
                        if p in remaining:
                            live_sat[p] -= _weight(per_sat)
