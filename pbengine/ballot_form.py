"""Posted ballot fields <-> ballot content: the one reading of a ballot form, for the voter's
ballot on the site and for a paper ballot an organizer enters in the console.

Field names: ``approvals`` (checkboxes, approval and knapsack), ``points-<code>`` (cumulative),
``rank-<place>`` (ranking: for each place, the chosen project's code). :func:`parse` reads what
was posted into the content :func:`pbengine.services.ballots.validate` checks (the API sends
that content as JSON); it refuses only what is not a ballot's field (points that are not a
number, a place of the ranking given twice or that the ballot does not have) and drops nothing:
what the budget's format allows is for ``voting_rules.validate_ballot`` to say.
"""

from __future__ import annotations

from . import forms
from .i18n import _
from .models import BallotKind, Budget
from .services.ballot_errors import POINTS_PREFIX, RANK_PREFIX, points_field, rank_field
from .services.errors import FieldErrors, InvalidInput


def rank_places(budget: Budget) -> int:
    """How many places a ranking ballot offers: its length (or the most projects one may choose),
    at most the number of projects."""
    k = budget.rank_length or budget.max_length or len(budget.projects)
    return max(1, min(k, len(budget.projects)))


def state(budget: Budget, params) -> dict:
    """The raw posted values, to show the form again exactly as the voter left it."""
    return {
        "approvals": set(params.getall("approvals")) if hasattr(params, "getall") else set(),
        "points": {p.code: (params.get(points_field(p.code)) or "").strip() for p in budget.projects},
        "ranking": {i: params.get(rank_field(i)) or "" for i in range(1, rank_places(budget) + 1)},
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


def _posted(params, prefix: str) -> list[str]:
    """The names of the posted fields that start with ``prefix``, each once, in the order posted."""
    return list(dict.fromkeys(name for name in params.keys() if name.startswith(prefix)))


def parse(budget: Budget, params) -> dict:
    """The ballot content posted for ``budget``, or :class:`InvalidInput` with every field it cannot read.

    Points: each ``points-<code>`` a whole number (empty or 0: no points). Ranking: place ``n``
    from ``rank-<n>``, as posted: an empty place stays (a gap is refused by the validation, never
    closed up). Every field counts, a project that is not on the ballot too (refused by the
    validation); a field given twice is refused, not read as one of its values.
    """
    kind = BallotKind(budget.ballot_kind)
    if kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK):
        return {"approvals": list(params.getall("approvals"))}
    errors = FieldErrors()
    for name in _posted(params, POINTS_PREFIX if kind is BallotKind.CUMULATIVE else RANK_PREFIX):
        if len(params.getall(name)) > 1:
            errors.add(name, _("This field was sent more than once. Reload the page and try again."))
    if kind is BallotKind.CUMULATIVE:
        points = {}
        for name in _posted(params, POINTS_PREFIX):
            try:
                value = forms.integer(params, name, required=False)
            except InvalidInput as error:
                errors.add(name, error.message)
                continue
            if value:
                points[name.removeprefix(POINTS_PREFIX)] = value
        errors.raise_if_any()
        return {"points": points}
    places = [rank_field(place) for place in range(1, rank_places(budget) + 1)]
    for name in _posted(params, RANK_PREFIX):
        if name not in places and (params.get(name) or "").strip():
            errors.add("_form", _("This ballot has places 1 to ${n}: there is no place “${place}”.",
                                  mapping={"n": len(places), "place": name.removeprefix(RANK_PREFIX)}))
    errors.raise_if_any()
    return {"ranking": [(params.get(name) or "").strip() for name in places]}
