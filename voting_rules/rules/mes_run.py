"""One run of the grouped Equal Shares engine (:mod:`voting_rules.rules.mes_fast`) at a share.

A run holds, for each group of voters that still has money, a slot with that money, and for
each project still in the race the slots of its supporters. Each round prices the projects
that may be cheapest (:mod:`voting_rules.rules.mes_price`) and buys the cheapest; its supporters
pay and their groups split by what they paid. :mod:`voting_rules.rules.mes_range` uses the same
state to bound every share of a range from both ends.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pabutools.fractions import frac

from voting_rules.rules.mes_price import _price, _uniform_price

if TYPE_CHECKING:
    from voting_rules.rules.mes_fast import GroupedMES, _Group


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
        # exact prices found since their supporters last paid for something
        self.exact: dict[str, object] = {}
        # price_after's supporters of a project by what they may have paid for others, since the
        # last purchase: a range check prices each block member once per place, with other bounds
        self.layouts: dict[tuple, tuple[list, list]] = {}

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
        rho = self.exact.get(pid)
        if rho is not None:
            return rho
        if not self.live_sat[pid]:
            return None  # none of its supporters has money left (a range check's poorer bound)
        mes = self.mes
        mes.work += len(self.project_slots[pid])
        sat = mes.uniform_sat.get(pid)
        if sat is None:
            rho = _price(mes.costs[pid], self.groups(pid), False, self.live_sat[pid])
        else:
            rho = _uniform_price(mes.costs[pid], self.project_slots[pid], pid, sat, self.live_sat[pid])
        if rho is not None:
            self.exact[pid] = rho
        return rho

    def price_after(self, pid: str, paid: dict):
        """``pid``'s price once its supporters paid ``paid[q]`` per unit of satisfaction for each ``q``.

        ``None`` when its supporters then cannot pay for it.
        """
        support = self.mes.supporter_set
        others = tuple(q for q in paid if not support[q].isdisjoint(support[pid]))
        if not others:
            return self.price(pid)
        plain, paying = self.layout(pid, others)
        items = list(plain)
        for money, debts, sat, mult in paying:
            for q, s in debts:
                money -= paid[q] * s
            if money > 0:
                items.append((money, sat, mult))
        return _price(self.mes.costs[pid], items, pid in self.mes.uniform)

    def layout(self, pid: str, others: tuple) -> tuple[list, list]:
        """``pid``'s supporters with money: those who support none of ``others``, as
        (money, satisfaction, voters), and the others by what they would pay, as (money,
        ((project, satisfaction), ...), satisfaction, voters). Kept until the next purchase."""
        found = self.layouts.get((pid, others))
        if found is not None:
            return found
        mes = self.mes
        support, ballots = mes.supporter_set, mes.ballots
        shared = support[pid] & frozenset().union(*(support[q] for q in others))
        mes.work += len(self.project_slots[pid]) + len(shared)
        plain: list[tuple] = []
        paying: list[tuple] = []
        nothing = [0] * len(others)
        for slot in self.project_slots[pid]:
            group = slot.group
            if group.ballots.isdisjoint(shared):
                plain.extend((slot.money, sat, mult) for sat, mult in group.counts[pid])
                continue
            # the shared voters by what they may pay (their satisfaction from each of
            # ``others``); the group's other supporters as they are
            per: Counter = Counter()
            moved: Counter = Counter()
            members = group.ballots & shared
            mes.work += len(members)
            for i in members:
                sats, mult = ballots[i]
                per[(tuple(map(sats.get, others, nothing)), sats[pid])] += mult
                moved[sats[pid]] += mult
            for sat, mult in group.counts[pid]:
                if mult > moved[sat]:
                    plain.append((slot.money, sat, mult - moved[sat]))
            for (owed, sat), mult in per.items():
                debts = tuple((q, s) for q, s in zip(others, owed, strict=True) if s)
                paying.append((slot.money, debts, sat, mult))
        self.layouts[(pid, others)] = plain, paying
        return plain, paying

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
        costs, remaining, live_sat, exact = self.mes.costs, self.remaining, self.live_sat, self.exact
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
            rho = exact.get(pid)  # priced since its supporters last paid: still its price
            if rho is None:
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
        changed = self.mes.neighbours[pid]  # only its supporters pay: other prices stay exact
        self.exact = {q: rho_q for q, rho_q in self.exact.items() if q not in changed}
        self.layouts = {}
        remaining, live_sat, project_slots = self.remaining, self.live_sat, self.project_slots
        self.mes.work += len(project_slots[pid])
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
