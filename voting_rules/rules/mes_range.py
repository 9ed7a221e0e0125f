"""The ``add1`` completion without a run per unit: ranges of shares proved to fund the same projects.

The ``add1`` completions raise every voter's share one currency unit at a time and
re-run Equal Shares until the outcome exhausts the budget (or, for Wieliczka's
variant, until it would overspend). Run naively that is one full run per unit: tens of
thousands of runs when a few voters hold a large budget.

Shares whose funded projects cannot differ are skipped. The stopping rule only looks at
*which* projects are funded (their cost, and whether another still fits), and on city
files the order of purchases changes every unit or two (two projects of nearly equal price
in different districts swap places) while the funded set does not. So the certificate
proves a set, not a sequence, from bounds: **every voter's money, at every share in
``[lo, hi]``, lies between what it is at ``lo`` and at ``hi`` after the same purchases, and
prices fall as money rises.** Starting from the two shares, each step takes the project
cheapest at ``hi``'s money and gathers a *block*: every project whose lowest possible price
is not above the highest possible price of a project in the block joins it. Those are
bought next at every share, in some order; a block member's highest price counts what its
supporters may have paid for the other members first. The bounds then move on: ``lo``'s
side pays the highest prices, ``hi``'s the lowest. If a block member may be unaffordable,
the check fails; when nothing is affordable at ``hi``'s money, the range is proved. A
check that holds up to a share holds below it, so the completion gallops: it doubles the
range while checks hold, and runs Equal Shares only where the funded set may change (the
outcome it returns comes from a run at its own share, so the order is pabutools' too).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import NamedTuple

from pabutools.fractions import frac

from voting_rules.rules.mes_fast import GroupedMES
from voting_rules.rules.mes_run import Run, _RunState

# How many units the first check after a run covers (at least 2: the run at the next unit is exact).
FIRST_STEP = 3
# After checks that fail at once, how many runs at most go without one (the pause grows 1, 3, 4)...
MAX_PAUSE = 4
# ... or more where a failed check costs more than a run: the runs between two failed checks do at
# least this many times the failed check's work, so checks that keep failing cost at most a fifth.
RUNS_PER_FAILED_CHECK = 4


def holds(mes: GroupedMES, run: Run, share) -> bool:
    """True if every share from ``run``'s up to ``share`` funds ``run``'s projects (see module doc)."""
    mes.checks += 1
    return _certify(mes, run, _RunState(mes, frac(share)))


def _certify(mes: GroupedMES, run: Run, high: _RunState) -> bool:
    """Does every share from ``run``'s to ``high``'s fund the projects ``run`` funds?

    Two states bound every group's money at every share in between, after the same
    purchases: ``low`` from below (at first, ``run``'s share) and ``high`` from above.
    Prices fall as money rises, so ``high`` gives a lower bound of every price and ``low``
    an upper bound. Each step takes the cheapest project at ``high`` and gathers a block:
    every project whose lower bound is not above the largest upper bound in the block
    (as low only where the tie-break prefers each project in the block) joins it. A
    member's upper bound counts what its supporters may have paid for the other members
    first. Then at every share the next purchases are the block's projects, in some
    order; each voter then holds at least what ``low`` keeps after paying the upper bounds,
    at most what ``high`` keeps after paying the lower ones. A block member that ``low``
    cannot afford ends the check: the outcome may change. When nothing is affordable at
    ``high``, nothing is at any share.

    While every block is one project, or projects that share no voter with money, ``low``
    is ``run`` itself (whose purchases are then the same blocks, in some order): its
    prices are the upper bounds, and ``low`` is only built, by replaying them, at the
    first block whose projects share voters.
    """
    costs, key = mes.costs, mes.key
    expected = set(run.funded[len(mes.free):])
    paid_then = dict(zip(run.funded[len(mes.free):], run.prices, strict=True))
    history: list = []  # (project, price paid at run's share), while ``low`` is ``run``
    low: _RunState | None = None
    heap = [(costs[p] / mes.total_sat[p], key[p], p) for p in mes.priced]
    heapq.heapify(heap)
    bought: set[str] = set()
    while True:
        first = high.choose(heap)
        if first is None:
            if bought != expected:  # pragma: no cover - the certificate would be unsound
                raise AssertionError(f"equal shares: certified {sorted(bought)}, ran {sorted(expected)}")
            return True
        block = {first[0]: first[1]}  # project -> its price at ``high`` before the block
        priced: list = []  # (price at high, key, project) of projects kept out of the block
        while True:
            if low is None and any(p not in paid_then for p in block):
                return False  # ``run`` never buys it: a share in between may differ
            if low is None and (len(block) == 1 or high.independent(block)):
                upper = {p: paid_then[p] for p in block}
            else:
                if low is None:
                    low = _RunState(mes, run.share)
                    for p, price in history:
                        low.pay(p, price)
                # a member bought k-th pays at most its price after the purchases of the others
                # that may come first, at their bounds for the (k-1)-th place: after len(block) - 1
                # rounds, for any place. ``q`` may come before ``p`` only if its lowest price
                # (``block[q]``, at ``high`` before the block) is not above ``p``'s highest while
                # ``p`` waits (with the tie-break): the others cannot, at any share.
                upper = {p: low.price_after(p, {}) for p in block}
                for _ in range(len(block) - 1):
                    if None in upper.values():
                        break
                    bounds = upper
                    upper = {p: low.price_after(p, {q: bounds[q] for q in block
                                                    if q != p and (block[q], key[q]) < (bounds[p], key[p])})
                             for p in block}
                    if upper == bounds:
                        break
                if None in upper.values():
                    return False
            bound = max(upper.values())
            while heap and heap[0][0] <= bound:
                _, k, p = heapq.heappop(heap)
                if p in block or p not in high.remaining:
                    continue
                floor = costs[p] / high.live_sat[p] if high.live_sat[p] else None
                if floor is not None and floor > bound:
                    heapq.heappush(heap, (floor, k, p))
                    continue
                rho = None if floor is None else high.price(p)
                if rho is None:
                    high.remaining.discard(p)  # unaffordable at the most money, so at every share
                    continue
                priced.append((rho, k, p))
            joining = [(rho, k, p) for rho, k, p in priced if rho < bound or (
                rho == bound and not all(key[b] < k for b in block if upper[b] == bound))]
            if not joining:
                break
            for rho, _, p in joining:
                block[p] = rho
            priced = [entry for entry in priced if entry[2] not in block]
        for entry in priced:
            heapq.heappush(heap, entry)  # prices only rise: still a lower bound
        # in the order a run at ``high``'s share buys them (so that both reuse the same splits)
        order = sorted(block, key=lambda p: (block[p], key[p]))
        for p in order:
            high.pay(p, block[p])
            if low is None:
                history.append((p, upper[p]))
            else:
                low.pay(p, upper[p])
        bought.update(block)


class Stop(NamedTuple):
    """Where pabutools' one-unit loop stops: see :func:`complete`."""

    share: object
    funded: list[str]
    # True when the loop stopped because the next unit overspends, not because the outcome was complete
    overspent: bool
    # with ``overspend``: (share, funded) of the first exhaustive outcome on the way, where the loop
    # without ``overspend`` (plain ``add1``) stops unless it overspends first; None if there was none
    exhausted: tuple[object, list[str]] | None = None


def complete(mes: GroupedMES, start, budget, overspend: bool = False,
             supported: frozenset[str] | None = None,
             progress: Callable[[str], None] | None = None) -> Stop:
    """The ``add1`` completion: the share at which pabutools' one-unit loop stops, and its outcome.

    pabutools raises the share by one unit until the outcome is exhaustive (no supported
    project still fits; with ``overspend``, until every ``supported`` project is funded) and
    returns that outcome, or until it is over budget and returns the one before. Here the
    raises whose outcome is proved equal to the last run's are skipped (see the module doc).
    Both loops stop at the first unit that overspends, and an outcome funding every supported
    project is exhaustive, so one search tells where both stop (see :class:`Stop`): the loop
    with ``overspend`` stops where the plain one does if that one overspends, and otherwise goes
    on from the plain one's share (``start`` may be that share: no share below it stops either).
    """
    costs = mes.costs
    start = frac(start)
    raised = 0
    step = FIRST_STEP
    wait = pause = 0
    previous: list[str] | None = None
    previous_share = None
    exhausted = None
    while True:
        work = mes.work
        run = mes.run(start + raised)
        run_work = max(1, mes.work - work)
        spent = sum(costs[p] for p in run.funded)
        if progress is not None:
            progress(f"equal shares: share raised by {raised}, {len(run.funded)} funded")
        if spent > budget:
            if previous is None:  # pragma: no cover - the starting share never overspends
                raise AssertionError("equal shares overspent at the starting share")
            if previous_share != start + raised - 1:
                # the same projects, proved; run it for the order they are bought in
                previous = mes.run(start + raised - 1).funded
            return Stop(start + raised - 1, previous, True, exhausted)
        funded = set(run.funded)
        # every share a check proves has this run's projects: the first exhaustive share is a run's
        exhaustive = all(p in funded or spent + costs[p] > budget for p in mes.priced)
        if exhaustive and exhausted is None:
            exhausted = (start + raised, run.funded)
        done = (supported is not None and supported <= funded) if overspend else exhaustive
        if done:
            return Stop(start + raised, run.funded, False, exhausted)
        previous, previous_share = run.funded, start + raised
        # The same outcome holds up to raised + held: double the step while the check passes
        # (the check is monotone: what holds up to a share holds below it). A check costs about
        # a run, so it never covers a single unit (the run there is exact; the first covers
        # FIRST_STEP units, which measured fewer runs and checks than 2 or 4), and where outcomes
        # change at nearly every unit a failed check is wasted work: after a failure the next
        # checks are spaced out (1, 3, then 4 runs apart: a longer pause, as the pause once
        # doubled without end, ran every unit through stretches where a check would have held)
        # until one passes again; where a failed check costs several runs (large blocks of projects
        # sharing voters make the bounds loose on some district files), further apart, so that the
        # runs between failed checks do RUNS_PER_FAILED_CHECK times their work (counted, not timed:
        # every tally of the same ballots takes the same steps).
        base = start + raised
        held = 0
        if wait > 0:
            wait -= 1
        else:
            while True:
                if progress is not None:  # a check can take as long as a run: each is a step
                    progress(f"equal shares: checking that share raised by {raised} to {raised + held + step} "
                             f"funds the same projects")
                work = mes.work
                if not holds(mes, run, base + held + step):
                    break
                held += step
                step *= 2
            step = max(FIRST_STEP, step // 4)
            longest = max(MAX_PAUSE, RUNS_PER_FAILED_CHECK * (mes.work - work) // run_work)
            pause = 0 if held else min(longest, max(1, 3 * pause))
            wait = pause
        raised += held + 1
