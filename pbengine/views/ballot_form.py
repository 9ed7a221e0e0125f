"""Posted ballot fields <-> ballot content, for the four ballot formats.

Field names: ``approvals`` (checkboxes, approval and knapsack), ``points-<code>`` (cumulative),
``rank-<place>`` (ranking: for each place, the chosen project's code).
"""

from __future__ import annotations

from .. import forms
from ..models import BallotKind, Budget


def rank_places(budget: Budget) -> int:
    k = budget.rank_length or budget.max_length or len(budget.projects)
    return max(1, min(k, len(budget.projects)))


def state(budget: Budget, params) -> dict:
    """The raw posted values, to show the form again exactly as the voter left it."""
    return {
        "approvals": set(params.getall("approvals")) if hasattr(params, "getall") else set(),
        "points": {p.code: (params.get(f"points-{p.code}") or "").strip() for p in budget.projects},
        "ranking": {i: params.get(f"rank-{i}") or "" for i in range(1, rank_places(budget) + 1)},
    }


def state_of_content(budget: Budget, content: dict) -> dict:
    """The form values of a stored or validated ballot content."""
    points = content.get("points") or {}
    ranking = content.get("ranking") or []
    return {
        "approvals": set(content.get("approvals") or ()),
        "points": {p.code: str(points[p.code]) if p.code in points else "" for p in budget.projects},
        "ranking": {i: ranking[i - 1] if i <= len(ranking) else "" for i in range(1, rank_places(budget) + 1)},
    }


def parse(budget: Budget, params) -> dict:
    """The ballot content posted for ``budget`` (the service validates it), or InvalidInput."""
    kind = BallotKind(budget.ballot_kind)
    if kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK):
        return {"approvals": list(params.getall("approvals"))}
    if kind is BallotKind.CUMULATIVE:
        points = {}
        for project in budget.projects:
            value = forms.integer(params, f"points-{project.code}", required=False)
            if value:
                points[project.code] = value
        return {"points": points}
    # Every place as posted, empty ones included: the service refuses a gap instead of closing it up.
    return {"ranking": [params.get(f"rank-{i}") or "" for i in range(1, rank_places(budget) + 1)]}
