"""A fast, exact Method of Equal Shares, and the ``add1`` completion without a run per unit.

The ``add1`` completions raise every voter's share one currency unit at a time and
re-run Equal Shares until the outcome exhausts the budget (or, for Wieliczka's
variant, until it would overspend). Run naively that is one full run per unit: tens of
thousands of runs when a few voters hold a large budget.

Shares whose outcome cannot differ are skipped, by a certificate built on one property
of Equal Shares: **for a fixed sequence of purchases, every voter's money at every round
is a non-decreasing function of the starting share, and every price a non-increasing
one.** (With more money, a project is bought at a price no higher; a voter's leftover
``max(0, money - price * sat)`` then grows with their money and shrinks with the price.)

So to prove that every share in ``[lo, hi]`` gives the outcome of ``lo``, it is enough
to replay ``lo``'s purchases at ``hi`` and check at each round that every other project
``p`` still costs more at ``hi``'s (largest) money than the chosen project did at ``lo``
(its largest price) -- equal only if the tie-break favours the chosen project -- and
that whatever was unaffordable at the end stays unaffordable at ``hi``. The check is
monotone in ``hi``, so the completion gallops: it doubles the interval while the check
holds, halves it when it fails, and runs Equal Shares only where the outcome may change.

Voters are grouped by identical money (a "class"): voters who paid for the same
projects at the same prices hold the same money, so a run costs a few operations per
supporter of each funded project instead of one per ballot and project.

Arithmetic is exact (gmpy2 rationals, as pabutools uses). Ties between projects of
equal price are broken by a static key, as pabutools' ``TieBreakingRule.order`` does;
the caller checks the outcome against pabutools itself.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from itertools import chain

from pabutools.fractions import frac

ZERO_CLASS = -1  # voters with no money left, for every share in the certified range


class _Class:
    """Voters who hold the same money."""

    __slots__ = ("counts", "size", "value")

    def __init__(self, value, size: int) -> None:
        self.value = value
        self.size = size
        # project id -> satisfaction -> number of voters of this class with it
        self.counts: dict[str, dict] = {}


@dataclass
class Run:
    """One run of Equal Shares at a given share.

    Attributes
    ----------
    funded : list[str]
        Project ids in the order they were bought (projects of cost 0 first).
    prices : list
        The price per unit of satisfaction of each bought project of positive cost.
    """

    funded: list[str]
    prices: list


class ParametricMES:
    """Equal Shares on grouped ballots, and the check that an outcome holds over a range of shares.

    Parameters
    ----------
    costs : dict[str, rational]
        Cost of every project.
    ballots : sequence of (dict[str, int], int)
        Distinct ballots: satisfaction per supported project (positive), multiplicity.
    tie_key : callable
        ``tie_key(project_id)``; among projects of equal price the smallest key is bought.
    """

    def __init__(self, costs: dict[str, object], ballots: Sequence[tuple[dict[str, int], int]],
                 tie_key: Callable[[str], Hashable]) -> None:
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
        self.free = [p for p in supported if self.costs[p] == 0]
        self.priced = [p for p in supported if self.costs[p] > 0]
        self.voters = {p: sum(self.base_counts[p].values()) for p in supported}
        self.total_sat = {p: sum(s * m for s, m in self.base_counts[p].items()) for p in supported}
        self.num_voters = sum(m for _, m in self.ballots)
        self.runs = 0
        self.checks = 0

    def run(self, share) -> Run:
        """Equal Shares with ``share`` per voter."""
        self.runs += 1
        return _RunState(self, frac(share)).execute()

    def holds(self, run: Run, share) -> bool:
        """True if every share from ``run``'s up to ``share`` gives ``run``'s outcome (see module doc)."""
        self.checks += 1
        return _RunState(self, frac(share)).replay(run)


class _RunState:
    """The mutable state of one run: classes of voters and the money of each project's supporters."""

    def __init__(self, mes: ParametricMES, share) -> None:
        self.mes = mes
        whole = _Class(share, mes.num_voters)
        whole.counts = {p: dict(c) for p, c in mes.base_counts.items()}
        self.classes: dict[int, _Class] = {0: whole}
        self.next_id = 1
        self.class_of = [0] * len(mes.ballots)
        self.project_classes: dict[str, set[int]] = {p: {0} for p in mes.priced}
        # money of each project's supporters, and satisfaction of the supporters who have money
        self.money = {p: share * mes.voters[p] for p in mes.priced}
        self.live_sat = {p: frac(mes.total_sat[p]) for p in mes.priced}
        self.remaining = set(mes.priced)

    def execute(self) -> Run:
        funded = list(self.mes.free)
        prices = []
        lower = {p: self.mes.costs[p] / self.mes.total_sat[p] for p in self.mes.priced}
        while True:
            chosen = self.choose(lower)
            if chosen is None:
                return Run(funded, prices)
            funded.append(chosen[0])
            prices.append(chosen[1])
            self.pay(*chosen)

    def replay(self, run: Run) -> bool:
        """Buy ``run``'s projects in its order at this (larger) share; check none could overtake."""
        costs, key = self.mes.costs, self.mes.key
        bought = run.funded[len(self.mes.free):]
        for pid, price in zip(bought, run.prices, strict=True):
            for other in list(self.remaining):
                if other == pid:
                    continue
                if self.money[other] < costs[other]:
                    self.remaining.discard(other)  # unaffordable here, so at every smaller share
                    continue
                if not self.dearer(other, price, key[pid] < key[other]):
                    return False
            self.pay(pid, self.price(pid))
        return all(self.money[p] < costs[p] for p in self.remaining)

    def dearer(self, pid: str, price, tie_ok: bool) -> bool:
        """Is ``pid`` dearer than ``price`` (or as dear, when ``tie_ok``) for its supporters?"""
        cost = self.mes.costs[pid]
        if price * self.live_sat[pid] < cost:
            return True
        paid = sum((min(cls.value, price * sat) * mult for cls, sat, mult in self.groups(pid)),
                   frac(0))
        return paid < cost or (paid == cost and tie_ok)

    # -- choosing --------------------------------------------------------------------------

    def groups(self, pid: str):
        for cid in self.project_classes[pid]:
            cls = self.classes[cid]
            for sat, mult in cls.counts[pid].items():
                yield cls, sat, mult

    def price(self, pid: str):
        """The exact price per unit of satisfaction at which ``pid``'s supporters buy it."""
        items = sorted(((cls.value / sat, cls.value, sat, mult) for cls, sat, mult in self.groups(pid)),
                       key=lambda item: item[0])
        paid = frac(0)
        sat_left = sum(sat * mult for _, _, sat, mult in items)
        cost = self.mes.costs[pid]
        for ratio, value, sat, mult in items:
            rho = (cost - paid) / sat_left
            if rho <= ratio:
                return rho
            paid += value * mult
            sat_left -= sat * mult
        raise AssertionError("price asked of an unaffordable project")  # pragma: no cover

    def choose(self, lower: dict):
        """The project bought this round and its price (``None`` when nothing is affordable).

        ``lower`` holds a lower bound of each project's price (prices only rise within a run),
        so projects are priced in that order and the search stops once no other can be cheaper.
        """
        costs, key = self.mes.costs, self.mes.key
        best = best_rho = None
        for pid in sorted(self.remaining, key=lambda p: (lower[p], key[p])):
            if self.money[pid] < costs[pid]:
                self.remaining.discard(pid)
                continue
            if best is not None and lower[pid] > best_rho:
                break
            rho = self.price(pid)
            lower[pid] = rho
            if best is None or (rho, key[pid]) < (best_rho, key[best]):
                best, best_rho = pid, rho
        return None if best is None else (best, best_rho)

    # -- paying ------------------------------------------------------------------------------

    def pay(self, pid: str, rho) -> None:
        """Every supporter pays ``min(money, rho * sat)``; classes split by what they paid."""
        self.remaining.discard(pid)
        moves: dict[tuple[int, int], list[int]] = defaultdict(list)
        class_of = self.class_of
        for index, sat in self.mes.supporters[pid]:
            cid = class_of[index]
            if cid != ZERO_CLASS:
                moves[(cid, sat)].append(index)
        plans = []
        for (cid, sat), indices in moves.items():
            value = self.classes[cid].value
            price = rho * sat
            plans.append((cid, indices, value - price if value > price else None))
        for cid, indices, money in plans:
            self.move(cid, indices, money)

    def move(self, cid: int, indices: list[int], money) -> None:
        """Give the voters ``indices`` of class ``cid`` the money ``money`` (None: nothing left)."""
        cls = self.classes[cid]
        ballots = self.mes.ballots
        remaining = self.remaining
        size = sum(ballots[i][1] for i in indices)
        if size == cls.size:  # the whole class moves: change it in place
            for pid, per_sat in cls.counts.items():
                if pid in remaining:
                    self.transfer(pid, cls.value, money, sum(per_sat.values()),
                                  sum(sat * m for sat, m in per_sat.items()))
                    if money is None:
                        self.project_classes[pid].discard(cid)
            if money is None:
                for i in indices:
                    self.class_of[i] = ZERO_CLASS
                del self.classes[cid]
            else:
                cls.value = money
            return
        new = None
        new_id = ZERO_CLASS
        if money is not None:
            new = _Class(money, size)
            new_id = self.next_id
            self.next_id += 1
            self.classes[new_id] = new
        cls.size -= size
        # (project, satisfaction) -> voters moved; ballots of multiplicity 1 are counted in C
        moved: Counter = Counter()
        keys = self.mes.keys
        class_of = self.class_of
        ones = []
        for i in indices:
            class_of[i] = new_id
            if ballots[i][1] == 1:
                ones.append(keys[i])
            else:
                for key in keys[i]:
                    moved[key] += ballots[i][1]
        moved.update(chain.from_iterable(ones))
        counts = cls.counts
        per_project: dict[str, list[int]] = {}
        for (pid, sat), mult in moved.items():
            if pid not in remaining:
                continue
            per_sat = counts[pid]
            per_sat[sat] -= mult
            if not per_sat[sat]:
                del per_sat[sat]
                if not per_sat:
                    del counts[pid]
                    self.project_classes[pid].discard(cid)
            if new is not None:
                new_counts = new.counts.setdefault(pid, {})
                new_counts[sat] = new_counts.get(sat, 0) + mult
            totals = per_project.setdefault(pid, [0, 0])
            totals[0] += mult
            totals[1] += sat * mult
        for pid, (mult, sat_total) in per_project.items():
            self.transfer(pid, cls.value, money, mult, sat_total)
            if new is not None:
                self.project_classes[pid].add(new_id)

    def transfer(self, pid: str, old_value, money, mult: int, sat_total) -> None:
        """Update ``pid``'s supporters' money for ``mult`` voters going from ``old_value`` to ``money``."""
        if money is None:
            self.money[pid] -= old_value * mult
            self.live_sat[pid] -= sat_total
        else:
            self.money[pid] += (money - old_value) * mult


def complete(mes: ParametricMES, start, budget, overspend: bool = False,
             supported: frozenset[str] | None = None,
             progress: Callable[[str], None] | None = None) -> tuple[object, list[str]]:
    """The ``add1`` completion: the share at which pabutools' one-unit loop stops, and its outcome.

    pabutools raises the share by one unit until the outcome is exhaustive (no supported
    project still fits; with ``overspend``, until every ``supported`` project is funded) and
    returns that outcome, or until it is over budget and returns the one before. Here the
    raises whose outcome is proved equal to the last run's are skipped (see the module doc).

    Returns
    -------
    (share, funded)
        The share of the returned outcome (the one pabutools' loop ends on) and the outcome.
    """
    costs = mes.costs
    start = frac(start)
    raised = 0
    step = 1
    wait = pause = 0
    previous: list[str] | None = None
    while True:
        run = mes.run(start + raised)
        spent = sum(costs[p] for p in run.funded)
        if progress is not None:
            progress(f"equal shares: share raised by {raised}, {len(run.funded)} funded")
        if spent > budget:
            if previous is None:  # pragma: no cover - the starting share never overspends
                raise AssertionError("equal shares overspent at the starting share")
            return start + raised - 1, previous
        funded = set(run.funded)
        if overspend:
            done = supported is not None and supported <= funded
        else:
            done = all(p in funded or spent + costs[p] > budget for p in mes.priced)
        if done:
            return start + raised, run.funded
        previous = run.funded
        # The same outcome holds up to raised + held: double the step while the check passes
        # (the check is monotone: what holds up to a share holds below it). Where outcomes
        # change at nearly every unit a failed check is wasted work, so after a failure the
        # next checks are spaced out (1, 2, 4, ... runs apart) until one passes again.
        base = start + raised
        held = 0
        if wait > 0:
            wait -= 1
        else:
            while mes.holds(run, base + held + step):
                held += step
                step *= 2
            step = max(1, step // 4)
            pause = 0 if held else max(1, 2 * pause)
            wait = pause
        raised += held + 1
