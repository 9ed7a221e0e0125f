"""The workflow: moving a process from one phase to the next, and the work each move does.

It sits above the services it calls (``processes`` for the fingerprint, ``sealing`` and
``slots`` at the close, ``tallies`` at publication), so none of them needs to import it back.
What each phase allows is ``services/phases.py``.
"""

from __future__ import annotations

import datetime as dt

from ..i18n import _
from ..models import Phase, Process
from . import audit, slots
from .config_lock import configuration, fingerprint
from .errors import InvalidInput, PhaseError
from .notifications import Notifier, remind_proposers
from .phases import next_phase
from .sealing import seal
from .tallies import ensure_publishable, freeze


def check(db, process: Process, target: Phase | str) -> Phase:
    """Raise what :func:`move_to` would refuse, changing nothing; the target phase otherwise.

    The console asks before showing a move's confirmation page, the schedule before a move.
    """
    try:
        target = Phase(target)
    except ValueError:
        raise InvalidInput(_("Unknown phase."), field="phase") from None
    if target is not next_phase(process):
        raise PhaseError(
            _("A process moves one phase at a time: from ${current} "
              "it can only go to ${next}.",
              mapping={"current": process.phase, "next": next_phase(process) or "—"})
        )
    if target is Phase.VOTING:
        _check_ready_for_voting(process)
    if target is Phase.PUBLISHED:
        ensure_publishable(db, process)
    return target


def move_to(db, process: Process, target: Phase | str, actor: str = "", code_key: str | None = None,
            scheduled: dt.date | None = None, notifier: Notifier | None = None) -> Process:
    """Move ``process`` one step forward (the only move allowed), recording it.

    Closing the vote needs ``code_key`` (``settings['pbengine.code_key']``) when voters have cast
    ballots: it marks the codes that voted and then erases every ballot's slot (services/slots.py).
    Opening the vote with a ``notifier`` mails the reminder to every proposer who asked for it
    (``services/notifications.remind_proposers``); the mails leave only if the move commits.
    ``scheduled``: the configured date that made the move due, when the schedule made it
    (services/schedule.py); the audit event records it, so the public log tells the two apart.
    """
    target = check(db, process, target)
    if target is Phase.CLOSED:
        # Wait for the ballots in flight (they hold a shared lock on this row), then seal them.
        db.refresh(process, with_for_update=True)
        if next_phase(process) is not Phase.CLOSED:
            raise PhaseError(_("Voting is already closed."))
    payload: dict[str, object] = {"from": process.phase, "to": target.value}
    if scheduled is not None:
        payload["scheduled"] = scheduled.isoformat()
    process.phase = target.value
    if target is Phase.VOTING:
        process.config_fingerprint = fingerprint(process)
        payload["fingerprint"] = process.config_fingerprint
        payload["configuration"] = configuration(process)
    audit.record(db, process, "phase.changed", payload, actor)
    if target is Phase.VOTING:
        remind_proposers(process, notifier)
    if target is Phase.CLOSED:
        seal(db, process, actor)
        slots.close(db, process, code_key)
    if target is Phase.PUBLISHED:
        freeze(db, process, actor)
    return process


def _check_ready_for_voting(process: Process) -> None:
    if not process.budgets:
        raise PhaseError(_("Add at least one budget before opening the vote."))
    for budget in process.budgets:
        if not budget.projects:
            raise PhaseError(
                _("Budget “${name}” has no projects on its ballot.",
                  mapping={"name": budget.name})
            )
