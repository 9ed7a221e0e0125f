"""The greedy family: most votes first while the money lasts."""

from __future__ import annotations

from pabutools.election import Instance
from pabutools.rules import greedy_utilitarian_welfare

from voting_rules.convert import ScoreSatProfile, tie_breaking_rule
from voting_rules.election import Election
from voting_rules.params import TallyParams
from voting_rules.rules.base import Context, Outcome


def _eligible(ctx: Context, threshold: int | None) -> list[str]:
    return [
        p.id for p in ctx.election.projects
        if ctx.scores[p.id] > 0 and (threshold is None or ctx.scores[p.id] >= threshold)
    ]


def _walk(ctx: Context, params: TallyParams, order: list[str], funded: list[str],
          skip: bool) -> tuple[list[str], list[dict]]:
    election = ctx.election
    pmap = election.project_map()
    left = election.budget - sum(pmap[p].cost for p in funded)
    funded = list(funded)
    excluded = election.excluded_by(funded)
    steps = []
    stopped = False
    for pid in order:
        if pid in funded:
            continue
        cost = pmap[pid].cost
        if stopped:
            decision = "not reached"
        elif pid in excluded:
            decision = f"skipped: cannot be carried out beside {excluded[pid]}"
        elif cost <= left:
            funded.append(pid)
            left -= cost
            decision = "funded"
            for other, by in election.excluded_by([pid]).items():
                excluded.setdefault(other, by)
        elif skip:
            decision = "skipped: not enough money left"
        else:
            decision = "stopped: not enough money left"
            stopped = True
        step = {"project": pid, "score": ctx.scores[pid], "votes": ctx.votes[pid],
                "cost": cost, "decision": decision, "money_left": left}
        if decision.startswith("skipped: cannot"):
            step["excluded_by"] = excluded[pid]
        steps.append(step)
    return funded, steps


def greedy_complete(ctx: Context, params: TallyParams, funded: list[str]) -> list[str]:
    """Add projects in greedy order to ``funded`` while they fit (skipping the rest)."""
    order = ctx.greedy_order(params, _eligible(ctx, None))
    return _walk(ctx, params, order, funded, skip=True)[0]


def _run(election: Election, params: TallyParams, ctx: Context, threshold: int | None,
         skip: bool) -> Outcome:
    eligible = _eligible(ctx, threshold)
    order = ctx.greedy_order(params, eligible)
    funded, steps = _walk(ctx, params, order, [], skip)
    if skip:
        # The outcome itself comes from pabutools' greedy on the counted scores (without the
        # projects an incompatible funded one ruled out: pabutools knows no such groups).
        bridge = ctx.bridge
        ruled_out = election.excluded_by(funded)
        eligible = [p for p in eligible if p not in ruled_out]
        instance = Instance([bridge.by_id[p] for p in eligible], budget_limit=election.budget)
        pmap = election.project_map()
        totals = {
            pid: ctx.scores[pid] * (pmap[pid].cost if params.satisfaction == "cost" else 1)
            for pid in eligible
        }
        alloc = greedy_utilitarian_welfare(
            instance, None, sat_profile=ScoreSatProfile(totals), is_sat_additive=True,
            tie_breaking=tie_breaking_rule(params.tie_break, ctx.votes))
        pb_funded = [p.name for p in alloc]
        if pb_funded != funded:  # pragma: no cover - would be a bug in one of the two
            raise RuntimeError(f"greedy mismatch: pabutools {pb_funded}, engine {funded}")
    excluded = [p.id for p in election.projects if ctx.scores[p.id] <= 0 or (
        threshold is not None and ctx.scores[p.id] < threshold)]
    return Outcome(funded, {"order": steps, "not_eligible": excluded,
                            "threshold": threshold})


def greedy(election: Election, params: TallyParams, ctx: Context) -> Outcome:
    """Greedy: fund projects by score (votes or points), skipping what does not fit.

    Projects nobody supports are never funded. Ties follow ``params.tie_break``.
    """
    return _run(election, params, ctx, None, skip=True)


def greedy_threshold(election: Election, params: TallyParams, ctx: Context) -> Outcome:
    """Greedy among projects whose score reaches ``params.threshold``."""
    return _run(election, params, ctx, params.threshold or 0, skip=True)


def greedy_no_skip(election: Election, params: TallyParams, ctx: Context) -> Outcome:
    """Greedy that stops at the first project that does not fit."""
    return _run(election, params, ctx, None, skip=False)
