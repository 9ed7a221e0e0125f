"""The utilitarian optimum and sequential Phragmén (computed by pabutools)."""

from __future__ import annotations

from pabutools.election import Instance
from pabutools.rules import max_additive_utilitarian_welfare, sequential_phragmen
from pabutools.rules.maxwelfare import MaxAddUtilWelfareAlgo

from voting_rules.convert import ScoreSatProfile, tie_breaking_rule
from voting_rules.election import APPROVAL_KINDS, Election
from voting_rules.params import TallyParams
from voting_rules.rules.base import Context, Outcome


def utilitarian(election: Election, params: TallyParams, ctx: Context) -> Outcome:
    """The funded set of greatest total satisfaction that fits the budget (a knapsack).

    Satisfaction ``cost``: votes/points times cost; ``cardinality``: votes/points.
    Solved exactly by pabutools' ILP (PuLP's bundled CBC); the solver, not the
    tie-break chain, decides between equally good sets. Funded projects are
    listed in greedy order.
    """
    pmap = election.project_map()
    totals = {
        pid: score * (pmap[pid].cost if params.satisfaction == "cost" else 1)
        for pid, score in ctx.scores.items()
    }
    ctx.say("utilitarian: solving the knapsack")
    alloc = max_additive_utilitarian_welfare(
        ctx.bridge.instance, None, sat_profile=ScoreSatProfile(totals),
        inner_algo=MaxAddUtilWelfareAlgo.ILP_SOLVER)
    chosen = {p.name for p in alloc if ctx.scores[p.name] > 0}
    funded = [pid for pid in ctx.greedy_order(params) if pid in chosen]
    return Outcome(funded, {"total_satisfaction": sum(totals[p] for p in funded)})


def phragmen(election: Election, params: TallyParams, ctx: Context) -> Outcome:
    """Sequential Phragmén on approval ballots (pabutools), among supported projects only.

    Stops at the first project whose purchase would overspend, so it may leave money
    unspent. Phragmén is defined on approvals; points and rankings are refused rather
    than flattened into approvals.

    Raises
    ------
    ValueError
        For cumulative, scoring or ranking ballots.
    """
    if election.ballot_format.kind not in APPROVAL_KINDS:
        raise ValueError("phragmen is defined on approval ballots only; this budget's ballots "
                         f"are {election.ballot_format.kind}: choose another rule")
    ctx.say("phragmen: computing")
    bridge = ctx.bridge
    supported = Instance((bridge.by_id[pid] for pid, votes in ctx.votes.items() if votes > 0),
                         budget_limit=election.budget)
    profile = bridge.approval_multiprofile()
    alloc = sequential_phragmen(supported, profile,
                                tie_breaking=tie_breaking_rule(params.tie_break, ctx.votes))
    return Outcome([p.name for p in alloc], {})
