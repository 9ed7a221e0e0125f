"""What ``voting_rules`` is given of a budget: its ballot format, tally parameters and incompatible groups."""

from __future__ import annotations

from voting_rules import BallotFormat, TallyParams
from voting_rules.election import parse_incompatible

from .. import money
from ..models import Budget


def ballot_format(budget: Budget) -> BallotFormat:
    """The budget's ballot format for ``voting_rules`` (the knapsack limit in whole currency units)."""
    return BallotFormat(
        kind=budget.ballot_kind,
        min_length=budget.min_length,
        max_length=budget.max_length,
        max_sum_cost=money.to_units_or_none(budget.max_sum_cost, budget.process.currency),
        max_sum_points=budget.max_sum_points,
        max_points_per_project=budget.max_points_per_project,
        rank_length=budget.rank_length,
    )


def incompatible_groups(budget: Budget) -> tuple[frozenset[str], ...]:
    """The budget's groups of projects of which at most one is funded."""
    return parse_incompatible(budget.incompatible or "")


def tally_params(budget: Budget, rule: str | None = None) -> TallyParams:
    return TallyParams(
        rule=rule or budget.rule,
        satisfaction=budget.satisfaction,
        completion=budget.completion,
        tie_break=tuple(t.strip() for t in budget.tie_break.split(",") if t.strip()),
        threshold=budget.threshold,
    )
