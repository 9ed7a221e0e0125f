"""The Method of Equal Shares (MES), its completions and the comparison step.

Every outcome is decided by pabutools' ``method_of_equal_shares``, run once at the final
share per voter on the distinct ballots of the election (identical ballots collapsed).
Satisfaction is the budget's (``cost`` or ``cardinality``) for ticked ballots, the points
given for cumulative ballots, and the positional points of a ranking (k for first place
down to 1) for ranking ballots: see :func:`voting_rules.convert.measure_for`.

The ``add1`` completions (raise every voter's share one unit at a time until the outcome
exhausts the budget, or until it would overspend) find that final share with
:mod:`voting_rules.rules.mes_range`, which skips the raises that provably cannot change
the outcome; pabutools' own run at the share found must agree with it, or the tally fails.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from fractions import Fraction

from pabutools.election import Instance
from pabutools.fractions import frac
from pabutools.rules import BudgetAllocation, method_of_equal_shares

from voting_rules.convert import SatisfactionData, measure_for, tie_breaking_rule
from voting_rules.election import Election
from voting_rules.params import TallyParams
from voting_rules.rules.base import Context, Outcome
from voting_rules.rules.greedy import greedy, greedy_complete
from voting_rules.rules.mes_fast import GroupedMES
from voting_rules.rules.mes_price import _price
from voting_rules.rules.mes_range import complete
from voting_rules.tiebreak import chain_key


def _frac(x) -> str:
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


@dataclass
class MESRun:
    """pabutools' allocation at the final share, and how that share was found."""

    allocation: BudgetAllocation
    measure: str
    start_share: Fraction | None = None
    final_share: Fraction | None = None
    runs: int = 0
    checks: int = 0
    explanation: dict | None = None  # rounds, payments and shortfalls, built once


def _as_fraction(x) -> Fraction:
    """A gmpy2 rational as a standard-library Fraction."""
    return Fraction(int(x.numerator), int(x.denominator))


def _number(x):
    """A cost as an int when whole, else as exact text."""
    x = _as_fraction(frac(x))
    return x.numerator if x.denominator == 1 else _frac(x)


def run_mes(ctx: Context, params: TallyParams, completion: str) -> MESRun:
    """Equal Shares with ``completion``; the outcome is pabutools' at the final share.

    Kept in ``ctx`` so that rules sharing a context (a tally and its comparison) run it once.
    """
    cache_key = (measure_for(ctx.election, params.satisfaction), completion, params.tie_break)
    if cache_key not in ctx.mes_runs:
        ctx.mes_runs[cache_key] = _run_mes(ctx, params, completion)
    return ctx.mes_runs[cache_key]


def _run_mes(ctx: Context, params: TallyParams, completion: str) -> MESRun:
    election = ctx.election
    measure = measure_for(election, params.satisfaction)
    data = ctx.bridge.satisfaction(measure)
    n = data.profile.num_ballots()
    if n == 0:
        return MESRun(BudgetAllocation(), measure)
    ctx.say(f"equal shares: {len(data.ballots)} distinct ballots of {n} voters ({measure})")
    start = Fraction(election.budget) / n
    share = start
    fast = None
    runs = checks = 0
    if completion != "none":
        share, fast, runs, checks = _final_share(ctx, params, data, start, completion == "add1-overspend")
    # pabutools decides: its own MES with the final share (budget_limit = share x voters), run once
    # a share (``add1`` and ``add1-overspend`` often stop at the same one).
    decided = ctx.memo.setdefault(("equal shares decided", measure, tuple(params.tie_break)), {})
    if share not in decided:
        instance = Instance(ctx.bridge.instance, budget_limit=share * n)
        decided[share] = method_of_equal_shares(
            instance, data.profile, sat_profile=data.sat_profile,
            tie_breaking=tie_breaking_rule(params.tie_break, ctx.votes))
    alloc = decided[share]
    if fast is not None and not _same_outcome(fast, [p.name for p in alloc], election):
        raise RuntimeError(f"equal shares: pabutools funds {[p.name for p in alloc]} at share "
                           f"{share}, the completion found {fast}")
    return MESRun(alloc, measure, start, share, runs, checks)


def _final_share(ctx: Context, params: TallyParams, data: SatisfactionData, start: Fraction,
                 overspend: bool) -> tuple[Fraction, list[str], int, int]:
    """Where the ``add1`` loop (or, with ``overspend``, Wieliczka's) stops: share, outcome, runs, checks.

    Both loops are one search up to where plain ``add1`` stops (see :func:`~voting_rules.rules.mes_range.complete`),
    so a tally and its comparison, which need both, search once: what one search tells of the
    other loop is kept in ``ctx``, and the overspending loop goes on from where plain ``add1``
    stopped on a complete outcome.
    """
    election = ctx.election
    found = ctx.memo.setdefault(("equal shares stops", data.measure, tuple(params.tie_break)), {})
    wanted = "add1-overspend" if overspend else "add1"
    if wanted not in found:
        begin, before = start, (0, 0)
        if overspend and "add1" in found:  # plain add1 stopped on a complete outcome: go on from there
            begin, _, *before = found["add1"]
        pmap = election.project_map()
        key = chain_key(params.tie_break, ctx.votes)
        mes = GroupedMES({p.id: p.cost for p in election.projects}, data.ballots,
                         lambda pid: key(pmap[pid]))
        supported = frozenset(pid for pid, votes in ctx.votes.items() if votes > 0)
        stop = complete(mes, begin, election.budget, overspend=overspend, supported=supported,
                        progress=ctx.say)
        runs, checks = mes.runs + before[0], mes.checks + before[1]
        del mes  # its groups of voters are the completion's memory: freed before pabutools runs
        found[wanted] = (_as_fraction(stop.share), stop.funded, runs, checks)
        if overspend and "add1" not in found:
            plain = stop.exhausted if stop.exhausted is not None else (stop.share, stop.funded)
            found["add1"] = (_as_fraction(plain[0]), plain[1], runs, checks)
        if not overspend and stop.overspent:
            found["add1-overspend"] = found["add1"]
        ctx.say(f"equal shares: final share {found[wanted][0]} after {runs} runs and {checks} checks")
    return found[wanted]


def _same_outcome(fast: list[str], pabutools: list[str], election: Election) -> bool:
    """Same projects bought in the same order (projects of cost 0 come first, in any order)."""
    free = {p.id for p in election.projects if p.cost == 0}
    return (set(fast) == set(pabutools)
            and [p for p in fast if p not in free] == [p for p in pabutools if p not in free])


def _explain(ctx: Context, funded: list[str], data: SatisfactionData, share) -> dict:
    """Rounds, payments and shortfalls of pabutools' run at ``share``, replayed from its order.

    In Equal Shares what each voter pays follows from the order of purchases alone: the
    supporters of the project bought next pay ``min(money, price x satisfaction)`` at the
    price that covers its cost (:func:`voting_rules.rules.mes_price._price`, pabutools' scan
    from the poorest up). So pabutools runs without its analytics, which copy every voter's
    money at every round (a third of its time on a city file), and the payments are
    replayed here, once, over each bought project's supporters.
    """
    ballots = data.ballots
    if not ballots:
        return {"rounds": [], "unfunded": [], "budget_per_voter": None}
    costs = {p.id: frac(p.cost) for p in ctx.election.projects}
    share = frac(share)
    money = [share] * len(ballots)
    supporters: dict[str, list[tuple]] = defaultdict(list)  # (ballot, satisfaction, voters)
    for i, (sats, mult) in enumerate(ballots):
        for pid, sat in sats.items():
            supporters[pid].append((i, sat, mult))
    left = share * sum(mult for _, mult in ballots)
    rounds = []
    for pid in funded:
        if costs[pid] == 0:
            continue  # bought before the first round, for nothing
        # voters who bought the same projects hold the same money: price and pay once per amount
        holding: Counter = Counter()
        for i, sat, mult in supporters[pid]:
            if money[i]:
                holding[money[i], sat] += mult
        rho = _price(costs[pid], [(m, sat, count) for (m, sat), count in holding.items()])
        if rho is None:  # pragma: no cover - pabutools bought what its supporters could not pay
            raise AssertionError(f"equal shares: the supporters of {pid} cannot pay for it")
        groups: Counter = Counter()
        after = {}
        for (m, sat), count in holding.items():
            amount = min(m, rho * sat)
            after[m, sat] = m - amount
            groups[amount] += count
        for i, sat, _ in supporters[pid]:
            if money[i]:
                money[i] = after[money[i], sat]
        left -= sum(amount * count for amount, count in groups.items())
        rounds.append({
            "project": pid,
            "cost": _number(costs[pid]),
            "price_per_supporter": _frac(max(groups)),
            "paid": [{"amount": _frac(k), "voters": v}
                     for k, v in sorted(groups.items(), reverse=True)],
            "money_left": _frac(left),
        })
    bought = set(funded)
    unfunded = []
    for p in ctx.election.projects:
        if p.id in bought or ctx.votes[p.id] == 0:
            continue
        held: Counter = Counter()
        for i, _, mult in supporters[p.id]:
            held[money[i]] += mult
        have = sum((m * count for m, count in held.items()), frac(0))
        unfunded.append({
            "project": p.id, "cost": p.cost, "supporters": ctx.votes[p.id],
            "supporters_money_left": _frac(have),
            "short_by": _frac(max(frac(p.cost) - have, frac(0))),
        })
    return {"budget_per_voter": _frac(share), "rounds": rounds, "unfunded": unfunded}


def _equal_shares(election: Election, params: TallyParams, ctx: Context,
                  completion: str) -> Outcome:
    mes = run_mes(ctx, params, completion)
    funded = [p.name for p in mes.allocation]
    if mes.explanation is None:
        mes.explanation = _explain(ctx, funded, ctx.bridge.satisfaction(mes.measure), mes.final_share)
    explanation = dict(mes.explanation)
    explanation.update({
        "completion": completion,
        "satisfaction": mes.measure,
        "starting_share": _frac(mes.start_share) if mes.start_share is not None else None,
        "final_share": _frac(mes.final_share) if mes.final_share is not None else None,
        "mes_runs": mes.runs,
        "mes_checks": mes.checks,
    })
    if completion == "add1-greedy":
        completed = greedy_complete(ctx, params, funded)
        explanation["added_by_greedy"] = completed[len(funded):]
        funded = completed
    return Outcome(funded, explanation)


def equal_shares(election: Election, params: TallyParams, ctx: Context) -> Outcome:
    """Method of Equal Shares with ``params.satisfaction`` and ``params.completion``."""
    return _equal_shares(election, params, ctx, params.completion)


def equal_shares_add1_overspend(election: Election, params: TallyParams,
                                ctx: Context) -> Outcome:
    """Equal shares raised one unit per voter until the outcome would overspend (Wieliczka)."""
    return _equal_shares(election, params, ctx, "add1-overspend")


def equal_shares_comparison(election: Election, params: TallyParams, ctx: Context) -> Outcome:
    """Equal shares (with ``params.completion``), then the comparison step.

    The equal-shares outcome is compared with the greedy outcome: each voter
    prefers the one that gives them more satisfaction, measured as Equal Shares
    measured it (money spent on projects they support, their number with
    cardinality satisfaction, or the points they gave them). The greedy outcome
    is kept only if strictly more voters prefer it.
    """
    mes = _equal_shares(election, params, ctx, params.completion)
    gre = greedy(election, params, ctx)
    mes_set, gre_set = set(mes.funded), set(gre.funded)
    prefer_mes = prefer_greedy = 0
    data = ctx.bridge.satisfaction(measure_for(election, params.satisfaction))
    for sats, mult in data.ballots:
        a = sum(s for p, s in sats.items() if p in mes_set)
        b = sum(s for p, s in sats.items() if p in gre_set)
        prefer_mes += mult * (a > b)
        prefer_greedy += mult * (b > a)
    kept = "greedy" if prefer_greedy > prefer_mes else "equal-shares"
    outcome = gre if kept == "greedy" else mes
    explanation = dict(mes.explanation)
    explanation["comparison"] = {
        "equal_shares_funded": mes.funded, "greedy_funded": gre.funded,
        "voters_preferring_equal_shares": prefer_mes,
        "voters_preferring_greedy": prefer_greedy, "kept": kept,
    }
    return Outcome(outcome.funded, explanation)
