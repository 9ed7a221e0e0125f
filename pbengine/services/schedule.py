"""Automatic phase changes at a process's configured dates, for processes that opt in (``auto_phases``).

They are made by a command (``pbengine tick INI``, run by cron), not computed when a page is
read: opening the vote locks the configuration and records its fingerprint, closing it seals
the ballots and erases their slots. That is work a GET must never do, and it must happen once,
at a known time, recorded in the audit log. Every move goes through ``workflow.move_to``, so
the checks of a move by hand apply (an empty budget keeps the vote from opening, on schedule too).

Which date makes which move due (dates are whole days; the command reads today's date in
``pbengine.timezone``):

- draft → proposals: on ``proposals_start``;
- proposals → review: the day after ``proposals_end`` (the last day proposals are taken);
- review → voting: on ``voting_start``;
- voting → closed: the day after ``voting_end`` (the last day of voting);
- closed → published: never; an organizer computes, compares and publishes the results.

A process whose dates have all passed catches up, one recorded move after the other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from ..models import Phase, Process
from . import workflow
from .errors import DomainError
from .phases import next_phase

ACTOR = "pbengine tick"

# target phase: (the process's date field, days after that date the move is due)
DATES = {
    Phase.PROPOSALS: ("proposals_start", 0),
    Phase.REVIEW: ("proposals_end", 1),
    Phase.VOTING: ("voting_start", 0),
    Phase.CLOSED: ("voting_end", 1),
}


@dataclass(frozen=True)
class Planned:
    """The next automatic move of a process: to ``target`` on ``on``."""

    target: Phase
    on: dt.date


def today_in(zone: str) -> dt.date:
    """Today's date where the processes' dates are meant (``pbengine.timezone``, an IANA name; UTC by default).

    Raises ``ValueError`` for a name the time-zone database does not know.
    """
    if not zone or zone.upper() == "UTC":
        return dt.datetime.now(dt.UTC).date()
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return dt.datetime.now(ZoneInfo(zone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {zone!r}") from None


def due_on(process: Process) -> dt.date | None:
    """The day the process's dates make its next move due (None: that move has no date, or is by hand)."""
    following = next_phase(process)
    if following not in DATES:
        return None
    name, delay = DATES[following]
    day = getattr(process, name)
    return day + dt.timedelta(days=delay) if day is not None else None


def next_automatic(process: Process) -> Planned | None:
    """The move ``pbengine tick`` will make next, if the process opted in and the move has a date."""
    if not process.auto_phases:
        return None
    following, on = next_phase(process), due_on(process)
    return Planned(following, on) if following is not None and on is not None else None


def is_due(process: Process, today: dt.date) -> bool:
    planned = next_automatic(process)
    return planned is not None and planned.on <= today


def blocked_by(db, process: Process) -> DomainError | None:
    """Why the next move would be refused now (what ``tick`` would report), without changing anything."""
    following = next_phase(process)
    if following is None:
        return None
    try:
        workflow.check(db, process, following)
    except DomainError as error:
        return error
    return None


@dataclass
class Outcome:
    """What one tick did to one process: the phases it moved to, in order, and the refusal that stopped it."""

    process_id: int
    slug: str
    moved: list[Phase] = field(default_factory=list)
    problem: DomainError | None = None


def candidates(db) -> list[int]:
    """Ids of the processes that opted in and still have an automatic move ahead."""
    return list(db.scalars(select(Process.id).where(
        Process.auto_phases.is_(True),
        Process.phase.in_([p.value for p in (Phase.DRAFT, Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING)]),
    ).order_by(Process.id)))


def tick(db, process: Process, today: dt.date, code_key: str | None, actor: str = ACTOR) -> Outcome:
    """Make every move of ``process`` its dates make due by ``today``; running it again changes nothing.

    The caller locks the process row first (two ticks at once then take turns). A refused move
    stops there, is undone (a savepoint) and reported; the moves made before it stand.
    """
    outcome = Outcome(process.id, process.slug)
    while (planned := next_automatic(process)) is not None and planned.on <= today:
        try:
            with db.begin_nested():  # a move refused half-way leaves nothing of itself
                workflow.move_to(db, process, planned.target, actor, code_key=code_key, scheduled=planned.on)
        except DomainError as error:
            outcome.problem = error
            break
        outcome.moved.append(planned.target)
    return outcome
