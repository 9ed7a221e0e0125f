"""The utilitarian optimum and sequential Phragmén (computed by pabutools)."""

from __future__ import annotations

from pabutools.election import Instance
from pabutools.rules import MaxAddUtilWelfareAlgo, max_additive_utilitarian_welfare, sequential_phragmen

from voting_rules.convert import ScoreSatProfile, tie_breaking_rule
from voting_rules.election import APPROVAL_KINDS, Election
from voting_rules.params import TallyParams
from voting_rules.rules.base import Context, Outcome


def utilitarian(election: Election, params: TallyParams, ctx: Context) -> Outcome:
    """The funded set of greatest total satisfaction that fits the budget (a knapsack).

    Satisfaction ``cost``: votes/points times cost; ``cardinality``: votes/points. Solved
    exactly by pabutools' ILP (PuLP's bundled CBC), among the projects someone supports.
    Between equally good sets the tie-break chain decides, not the solver: pabutools lists
    every optimal set, and the one whose projects rank best in greedy order (votes, then the
    chain) is kept, so a recount on another PuLP or CBC version gives the same set. Funded
    projects are listed in greedy order.
    """
    pmap = election.project_map()
    totals = {
        pid: score * (pmap[pid].cost if params.satisfaction == "cost" else 1)
        for pid, score in ctx.scores.items()
    }
    supported = [ctx.bridge.by_id[pid] for pid in pmap if ctx.scores[pid] > 0]
    order = ctx.greedy_order(params)
    if not supported:
        return Outcome([], {"total_satisfaction": 0, "optimal_sets": 0})
    ctx.say("utilitarian: solving the knapsack")
    allocs = max_additive_utilitarian_welfare(
        Instance(supported, budget_limit=election.budget), None,
        sat_profile=ScoreSatProfile(totals), inner_algo=MaxAddUtilWelfareAlgo.ILP_SOLVER,
        resoluteness=False)
    rank = {pid: place for place, pid in enumerate(order)}
    best = min(({p.name for p in alloc} for alloc in allocs),
               key=lambda chosen: sorted(rank[pid] for pid in chosen))
    funded = [pid for pid in order if pid in best]
    return Outcome(funded, {"total_satisfaction": sum(totals[p] for p in funded),
                            "optimal_sets": len(allocs)})


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
