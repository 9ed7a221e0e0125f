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

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from pabutools.election import Instance
from pabutools.fractions import frac
from pabutools.rules import BudgetAllocation, method_of_equal_shares

from voting_rules.convert import measure_for, tie_breaking_rule
from voting_rules.election import Election
from voting_rules.params import TallyParams
from voting_rules.rules.base import Context, Outcome
from voting_rules.rules.greedy import greedy, greedy_complete
from voting_rules.rules.mes_fast import GroupedMES
from voting_rules.rules.mes_range import complete
from voting_rules.tiebreak import chain_key


def _frac(x) -> str:
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


@dataclass
class MESRun:
    """pabutools' allocation at the final share, and how that share was found."""

    allocation: BudgetAllocation
    voters: list
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
        return MESRun(BudgetAllocation(), [], measure)
    ctx.say(f"equal shares: {len(data.ballots)} distinct ballots of {n} voters ({measure})")
    start = Fraction(election.budget) / n
    share = start
    fast = None
    runs = checks = 0
    if completion != "none":
        pmap = election.project_map()
        key = chain_key(params.tie_break, ctx.votes)
        mes = GroupedMES({p.id: p.cost for p in election.projects}, data.ballots,
                            lambda pid: key(pmap[pid]))
        supported = frozenset(pid for pid, votes in ctx.votes.items() if votes > 0)
        found, fast = complete(mes, start, election.budget, overspend=completion == "add1-overspend",
                               supported=supported, progress=ctx.say)
        share = _as_fraction(found)
        runs, checks = mes.runs, mes.checks
        del mes  # its groups of voters are the completion's memory: freed before pabutools runs
        ctx.say(f"equal shares: final share {share} after {runs} runs and {checks} checks")
    # pabutools decides: its own MES with the final share (budget_limit = share x voters).
    instance = Instance(ctx.bridge.instance, budget_limit=share * n)
    alloc = method_of_equal_shares(
        instance, data.profile, sat_profile=data.sat_profile,
        tie_breaking=tie_breaking_rule(params.tie_break, ctx.votes), analytics=True)
    if fast is not None and not _same_outcome(fast, [p.name for p in alloc], election):
        raise RuntimeError(f"equal shares: pabutools funds {[p.name for p in alloc]} at share "
                           f"{share}, the completion found {fast}")
    voters = [sat.ballot for sat in data.sat_profile]
    return MESRun(alloc, voters, measure, start, share, runs, checks)


def _same_outcome(fast: list[str], pabutools: list[str], election: Election) -> bool:
    """Same projects bought in the same order (projects of cost 0 come first, in any order)."""
    free = {p.id for p in election.projects if p.cost == 0}
    return (set(fast) == set(pabutools)
            and [p for p in fast if p not in free] == [p for p in pabutools if p not in free])


def _explain(ctx: Context, alloc: BudgetAllocation, voters: list) -> dict:
    details = getattr(alloc, "details", None)
    if details is None or not getattr(details, "iterations", None):
        return {"rounds": [], "unfunded": [], "budget_per_voter": None}
    mult = details.voter_multiplicity
    iterations = details.iterations
    start = iterations[0].voters_budget
    rounds = []
    final = start
    left = frac(sum(b * m for b, m in zip(start, mult, strict=True)))  # pabutools' budgets: rationals
    for it in iterations:
        if it.selected_project is None:
            final = it.voters_budget
            continue
        before, after = it.voters_budget, it.voters_budget_after_selection
        groups: Counter = Counter()
        # only the project's supporters pay: the other voters' money is the same after it
        for i in _supporters(it.selected_project, len(before)):
            b, a = before[i], after[i]
            if b != a:
                groups[b - a] += mult[i]
        left -= sum(amount * count for amount, count in groups.items())
        price = max(groups) if groups else frac(0)
        rounds.append({
            "project": it.selected_project.name,
            "cost": _number(it.selected_project.cost),
            "price_per_supporter": _frac(price),
            "paid": [{"amount": _frac(k), "voters": v}
                     for k, v in sorted(groups.items(), reverse=True)],
            "money_left": _frac(left),
        })
        final = after
    funded = {r["project"] for r in rounds}
    have: dict = {}
    for i, ballot in enumerate(voters):
        money = final[i] * mult[i]
        if money:
            for q in ballot:
                have[q.name] = have.get(q.name, frac(0)) + money
    unfunded = []
    for p in ctx.election.projects:
        if p.id in funded or ctx.votes[p.id] == 0:
            continue
        left = have.get(p.id, frac(0))
        unfunded.append({
            "project": p.id, "cost": p.cost, "supporters": ctx.votes[p.id],
            "supporters_money_left": _frac(left),
            "short_by": _frac(max(frac(p.cost) - left, frac(0))),
        })
    return {"budget_per_voter": _frac(start[0]), "rounds": rounds, "unfunded": unfunded}


def _supporters(project, voters: int):
    """Indices of the voters who support a project pabutools bought (every voter if unknown)."""
    indices = getattr(project, "supporter_indices", None)
    return range(voters) if indices is None else indices


def _equal_shares(election: Election, params: TallyParams, ctx: Context,
                  completion: str) -> Outcome:
    mes = run_mes(ctx, params, completion)
    funded = [p.name for p in mes.allocation]
    if mes.explanation is None:
        mes.explanation = _explain(ctx, mes.allocation, mes.voters)
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
