"""The Method of Equal Shares (MES), its completions and the comparison step.

All outcomes come from pabutools' ``method_of_equal_shares_scheme`` run on an
approval multi-profile (identical ballots collapsed; non-approval ballots
approve every project they support), with the satisfaction profile built once
and reused by every budget increase.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from pabutools.election import Instance
from pabutools.rules.budgetallocation import BudgetAllocation
from pabutools.rules.mes.mes_rule import method_of_equal_shares_scheme

from voting_rules.convert import FastCardinalitySat, FastCostSat, tie_breaking_rule
from voting_rules.election import Election
from voting_rules.params import TallyParams
from voting_rules.rules.base import Context, Outcome
from voting_rules.rules.greedy import greedy, greedy_complete


class _WatchedInstance(Instance):
    """An instance that watches pabutools' budget-increase loop.

    pabutools' ``voter_budget_increment`` loop asks the instance whether each
    outcome is feasible and exhaustive; counting those calls tells which voter
    share produced the returned outcome and lets us report progress. With
    ``overspend=True`` no outcome counts as exhaustive, so the loop keeps raising
    the shares until the outcome would overspend: the stopping rule of
    ``exhaustion_by_budget_increase(..., budget_step=n_voters, exhaustive_stop=False)``
    without rebuilding the voters and projects at every step.
    """

    def setup(self, overspend: bool, ctx: Context) -> None:
        self.overspend = overspend
        self.supported = {pid for pid, votes in ctx.votes.items() if votes > 0}
        self.ctx = ctx
        self.runs = 0
        self.stopped_on_infeasible = False

    def is_feasible(self, *args, **kwargs) -> bool:
        self.runs += 1
        if self.runs % 25 == 0:
            self.ctx.say(f"equal shares: {self.runs} budget increases tried")
        ok = super().is_feasible(*args, **kwargs)
        self.stopped_on_infeasible = not ok
        return ok

    def is_exhaustive(self, *args, **kwargs) -> bool:
        if self.overspend:
            # Once every supported project is funded, raising the shares changes nothing and
            # can never overspend: stop there (the limit of the Wieliczka loop).
            allocation = args[0] if args else kwargs["budget_allocation"]
            return self.supported <= {p.name for p in allocation}
        return super().is_exhaustive(*args, **kwargs)


def _frac(x) -> str:
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def run_mes(ctx: Context, params: TallyParams, completion: str) -> tuple[BudgetAllocation, list]:
    """Run pabutools MES with the given completion; return the allocation and the voters' ballots."""
    bridge = ctx.bridge
    profile = bridge.approval_multiprofile()
    n = profile.num_ballots()
    if n == 0:
        return BudgetAllocation(), []
    sat_class = FastCostSat if params.satisfaction == "cost" else FastCardinalitySat
    ctx.say(f"equal shares: {len(profile)} distinct ballots of {n} voters")
    sat_profile = profile.as_sat_profile(sat_class)
    voters = [sat.ballot for sat in sat_profile]
    tie = tie_breaking_rule(params.tie_break, ctx.votes)
    share = Fraction(ctx.election.budget, n)
    if completion != "none":
        ctx.say("equal shares: raising each voter's share one unit at a time")
        watched = _WatchedInstance(bridge.instance, budget_limit=ctx.election.budget)
        watched.setup(completion == "add1-overspend", ctx)
        looped = method_of_equal_shares_scheme(
            watched, profile, sat_profile, share, [], tie, voter_budget_increment=1,
            binary_sat=True)
        # run k (from 1) used share + k - 1; an infeasible last run returns the one before
        share += watched.runs - 1 - (1 if watched.stopped_on_infeasible else 0)
        ctx.say(f"equal shares: {watched.runs} runs")
    alloc = method_of_equal_shares_scheme(
        bridge.instance, profile, sat_profile, share, [], tie, binary_sat=True, analytics=True)
    if completion != "none" and [p.name for p in alloc] != [p.name for p in looped]:
        raise RuntimeError("equal shares: re-running the final share changed the outcome")
    return alloc, voters


def _explain(ctx: Context, alloc: BudgetAllocation, voters: list) -> dict:
    details = getattr(alloc, "details", None)
    if details is None or not getattr(details, "iterations", None):
        return {"rounds": [], "unfunded": [], "budget_per_voter": None}
    mult = details.voter_multiplicity
    iterations = details.iterations
    start = iterations[0].voters_budget
    rounds = []
    final = start
    left = sum(Fraction(b) * m for b, m in zip(start, mult, strict=True))
    for it in iterations:
        if it.selected_project is None:
            final = it.voters_budget
            continue
        before, after = it.voters_budget, it.voters_budget_after_selection
        groups: Counter = Counter()
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            if b != a:
                groups[b - a] += mult[i]
        left -= sum(amount * count for amount, count in groups.items())
        price = max(groups) if groups else Fraction(0)
        rounds.append({
            "project": it.selected_project.name,
            "cost": int(it.selected_project.cost),
            "price_per_supporter": _frac(price),
            "paid": [{"amount": _frac(k), "voters": v}
                     for k, v in sorted(groups.items(), reverse=True)],
            "money_left": _frac(left),
        })
        final = after
    funded = {r["project"] for r in rounds}
    have: dict[str, Fraction] = {}
    for i, ballot in enumerate(voters):
        money = Fraction(final[i]) * mult[i]
        if money:
            for q in ballot:
                have[q.name] = have.get(q.name, Fraction(0)) + money
    unfunded = []
    for p in ctx.election.projects:
        if p.id in funded or ctx.votes[p.id] == 0:
            continue
        left = have.get(p.id, Fraction(0))
        unfunded.append({
            "project": p.id, "cost": p.cost, "supporters": ctx.votes[p.id],
            "supporters_money_left": _frac(left),
            "short_by": _frac(max(Fraction(p.cost) - left, Fraction(0))),
        })
    return {"budget_per_voter": _frac(start[0]), "rounds": rounds, "unfunded": unfunded}


def _equal_shares(election: Election, params: TallyParams, ctx: Context,
                  completion: str) -> Outcome:
    alloc, voters = run_mes(ctx, params, completion)
    funded = [p.name for p in alloc]
    explanation = _explain(ctx, alloc, voters)
    explanation["completion"] = completion
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
    prefers the one that gives them more satisfaction (money spent on projects
    they support, or their number with cardinality satisfaction). The greedy
    outcome is kept only if strictly more voters prefer it.
    """
    mes = _equal_shares(election, params, ctx, params.completion)
    gre = greedy(election, params, ctx)
    pmap = election.project_map()
    mes_set, gre_set = set(mes.funded), set(gre.funded)
    prefer_mes = prefer_greedy = 0
    for ballot in election.ballots:
        sup = ballot.supported()
        if params.satisfaction == "cost":
            a = sum(pmap[p].cost for p in sup if p in mes_set)
            b = sum(pmap[p].cost for p in sup if p in gre_set)
        else:
            a = sum(1 for p in sup if p in mes_set)
            b = sum(1 for p in sup if p in gre_set)
        prefer_mes += a > b
        prefer_greedy += b > a
    kept = "greedy" if prefer_greedy > prefer_mes else "equal-shares"
    outcome = gre if kept == "greedy" else mes
    explanation = dict(mes.explanation)
    explanation["comparison"] = {
        "equal_shares_funded": mes.funded, "greedy_funded": gre.funded,
        "voters_preferring_equal_shares": prefer_mes,
        "voters_preferring_greedy": prefer_greedy, "kept": kept,
    }
    return Outcome(outcome.funded, explanation)
