"""The audit export's ``<budget>.pb`` files: a budget's election with the META naming its tally.

VOTES are keyed by receipt hash and sorted by it (a random order); PROJECTS carry the goals and
organisation types as pabulib writes them (``services/pabulib_tags.py``).
"""

from __future__ import annotations

import dataclasses

from voting_rules import TallyResult

from ..models import Budget
from . import pabulib_tags
from .tallies import election_of

# pabulib META ``rule`` for the configurations pabulib names; others keep the engine's rule name.
PABULIB_RULES = {
    ("greedy", None): "greedy",
    ("greedy-threshold", None): "greedy-threshold",
    ("greedy-no-skip", None): "greedy-no-skip",
    ("equal-shares", "none"): "equalshares",
    ("equal-shares", "add1"): "equalshares/add1",
    ("equal-shares-comparison", "add1-overspend"): "equalshares/add1-comparison",
}


def meta_rule(params) -> str:
    completion = params.completion if params.rule.startswith("equal-shares") else None
    return PABULIB_RULES.get((params.rule, completion), params.rule)


def budget_meta_rule(params) -> dict[str, str]:
    """The META entries naming the tally's parameters (``voting_rules.params_from_meta`` reads
    them back exactly)."""
    meta = {
        "rule": meta_rule(params),
        "pbengine_rule": params.rule,
        "satisfaction": params.satisfaction,
        "completion": params.completion,
        "tie_break": ",".join(params.tie_break),
    }
    if params.threshold is not None:
        meta["min_project_score_threshold"] = str(params.threshold)
    return meta


def budget_election(db, budget: Budget, result: TallyResult):
    """The budget's election with export META, ballots sorted by their (random) receipt hash."""
    election = election_of(db, budget)
    meta = dict(election.meta)
    meta.update(budget_meta_rule(result.params))
    meta.update({"ballot_format": budget.ballot_kind, "currency": budget.process.currency,
                 # what was counted as a voter's satisfaction: cost, cardinality, points or rank-points
                 "satisfaction_measure": result.satisfaction})
    election.meta = {k: v for k, v in meta.items() if v not in (None, "")}
    election.ballots = sorted(election.ballots, key=lambda b: b.voter_id)
    # Goals in "category", organisation types in "target", as pabulib writes them (pabulib_tags).
    by_code = {p.code: p for p in budget.projects}
    tagged = []
    for project in election.projects:
        source = by_code.get(project.id)
        if source is None:
            tagged.append(project)
            continue
        target = pabulib_tags.target_for(source.organisation_type)
        tagged.append(dataclasses.replace(
            project, categories=pabulib_tags.categories_for(source.categories, source.sdgs),
            extra={**project.extra, **({"target": target} if target else {})}))
    election.projects = tagged
    if election.ballot_format.kind == "knapsack" and election.ballot_format.max_sum_cost is None:
        # The knapsack limit defaults to the budget: say so, so that the file reads back as knapsack.
        election.ballot_format = dataclasses.replace(election.ballot_format, max_sum_cost=election.budget)
    return election
