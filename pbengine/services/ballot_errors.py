"""What a voter is told when a ballot breaks its budget's format: one message per check.

``voting_rules.validate_ballot`` is the one definition of a valid ballot; the
:class:`~voting_rules.BallotError` it raises says which check failed (its code) and with what
values. :data:`MESSAGES` gives each code its translatable message and the form field it
concerns; :func:`refusal` fills the message in, a project by its title and money in the reader's
locale. The site, the API (its ``reason``) and the console's paper ballots all show it, through
the :class:`~.errors.BallotInvalid` that :func:`pbengine.services.ballots.validate` raises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from translationstring import TranslationString

from voting_rules import BallotError
from voting_rules import BallotErrorCode as Code

from ..formatting import units
from ..i18n import _
from ..models import Budget
from .errors import BallotInvalid

POINTS_PREFIX = "points-"
RANK_PREFIX = "rank-"


def points_field(project_code: str) -> str:
    """The ballot form's field for the points given to a project (cumulative ballots)."""
    return POINTS_PREFIX + project_code


def rank_field(place: int) -> str:
    """The ballot form's field for a place of a ranking (1 is the first)."""
    return f"{RANK_PREFIX}{place}"


@dataclass(frozen=True)
class Message:
    """A code's message: ``text`` with ``${name}`` for each of ``values`` (name -> which value of
    the error it shows, see :func:`_values`), beside the field of its project or place, if any."""

    text: TranslationString
    values: dict[str, str] = field(default_factory=dict)
    beside: str | None = None  # "project": the project's points field; "place": the ranking's place


COUNT = {"n": "count"}

MESSAGES: dict[Code, Message] = {
    Code.WRONG_FORMAT: Message(_("This ballot is not in the expected form.")),
    Code.RANKING_GAP: Message(
        _("Place ${gap} is empty but place ${later} is filled. Fill the places in "
          "order from place 1, without a gap, or leave the last places empty."),
        {"gap": "place", "later": "later"}, beside="place"),
    Code.UNKNOWN_PROJECT: Message(_("A project you chose is not on this ballot. Reload the page and try again.")),
    Code.DUPLICATE_PROJECT: Message(_("You chose “${title}” more than once. Choose each project only once."),
                                    {"title": "title"}),
    Code.TOO_MANY: Message(_("Projects chosen: ${n}. Choose at most ${max}."), COUNT | {"max": "limit"}),
    Code.TOO_FEW: Message(_("Projects chosen: ${n}. Choose at least ${min}."), COUNT | {"min": "limit"}),
    Code.TOO_MANY_RANKED: Message(_("Projects ranked: ${n}. Rank at most ${max}."), COUNT | {"max": "limit"}),
    Code.OVER_COST_LIMIT: Message(
        _("The projects you ticked cost ${total} together, more than the limit of ${limit}. Untick a project."),
        {"total": "total", "limit": "limit"}),
    Code.POINTS_NOT_WHOLE: Message(_("Give a whole number of points to “${title}”."), {"title": "title"},
                                   beside="project"),
    Code.NEGATIVE_POINTS: Message(_("Points cannot be negative (“${title}”)."), {"title": "title"},
                                  beside="project"),
    Code.TOO_MANY_POINTS_ON_PROJECT: Message(
        _("Points given to “${title}”: ${points}. Give at most ${max} points to one project."),
        {"title": "title", "points": "points", "max": "limit"}, beside="project"),
    Code.TOO_FEW_POINTS_ON_PROJECT: Message(
        _("Points given to “${title}”: ${points}. Give at least ${min} points to each project "
          "you give points to."),
        {"title": "title", "points": "points", "min": "limit"}, beside="project"),
    Code.TOO_MANY_POINTS: Message(_("Points given in all: ${total}. Give at most ${max}."),
                                  {"total": "total", "max": "limit"}),
    Code.TOO_FEW_POINTS: Message(_("Points given in all: ${total}. Give at least ${min}."),
                                 {"total": "total", "min": "limit"}),
}


def _values(error: BallotError, title: Callable[[str], str], currency: str, locale: str | None) -> dict:
    """What a message may show: the error's parameters, its ``limit``, and the ``title`` of its
    project (``title(project id)``); amounts of money formatted for the reader."""
    values = {**error.params, "limit": error.limit}
    if error.project_id is not None:
        values["title"] = title(error.project_id)
    if error.code is Code.OVER_COST_LIMIT:  # whole currency units, as voting_rules counts
        values["total"] = units(error.params["total"], currency, locale)
        values["limit"] = units(error.limit, currency, locale)
    return values


def message(error: BallotError, title: Callable[[str], str], currency: str,
            locale: str | None = None) -> TranslationString:
    """``error``'s message filled in, a project named by ``title(project id)``."""
    values = _values(error, title, currency, locale)
    entry = MESSAGES[error.code]
    return TranslationString(entry.text, mapping={name: values[key] for name, key in entry.values.items()})


def refusal(budget: Budget, error: BallotError, locale: str | None = None) -> BallotInvalid:
    """The refusal to show for ``error``: its code's message, beside its field; ``reason`` is the code."""
    def title(code: str) -> str:
        project = next((p for p in budget.projects if p.code == code), None)
        return project.localized("title", locale) if project is not None else code

    text = message(error, title, budget.process.currency, locale)
    beside = None
    kind = MESSAGES[error.code].beside
    if kind == "project" and error.project_id is not None:
        beside = points_field(error.project_id)
    elif kind == "place":
        beside = rank_field(error.params["place"])
    return BallotInvalid(text, field=beside, reason=error.code.value)
