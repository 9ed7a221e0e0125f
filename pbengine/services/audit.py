"""The append-only, hash-chained audit log of a process.

Each event's hash covers its sequence number, kind, payload, time and the previous hash,
so removing or editing any line breaks the chain. Payloads never hold voter identity.

Appends to one process's log are serialised by a lock on the process row (``FOR NO KEY
UPDATE``: it does not block inserts that merely reference the process), taken before the
last event is read, so that under READ COMMITTED every append sees the one before it.
A unique constraint on ``(process_id, seq)`` catches any slip; a conflict is a
:class:`ChainConflict`, which pyramid_retry answers by running the request again.
"""

from __future__ import annotations

import transaction.interfaces
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..chain import GENESIS, canonical, chain_problems, event_hash
from ..i18n import _
from ..models import AuditEvent, Process
from ..models.meta import utcnow

__all__ = ["ChainConflict", "GENESIS", "as_line", "canonical", "event_hash", "events", "record", "verify_chain"]


class ChainConflict(transaction.interfaces.TransientError):
    """Two appends took the same sequence number (the unique constraint refused the second)."""


def record(db, process: Process, kind: str, payload: dict | None = None, actor: str = "") -> AuditEvent:
    """Append one event to ``process``'s log (in the caller's transaction)."""
    payload = payload or {}
    process_id = process.id  # read now: a failed flush expires every object of the session
    db.execute(select(Process.id).where(Process.id == process_id).with_for_update(key_share=True))
    last = db.execute(
        select(AuditEvent.seq, AuditEvent.hash)
        .where(AuditEvent.process_id == process_id)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    seq = 1 if last is None else last.seq + 1
    prev = GENESIS if last is None else last.hash
    at = utcnow().replace(microsecond=0)
    event = AuditEvent(
        process_id=process_id, seq=seq, kind=kind, payload=payload, at=at, actor=actor,
        prev_hash=prev, hash=event_hash(prev, seq, kind, payload, at.isoformat()),
    )
    db.add(event)
    try:
        db.flush()
    except IntegrityError as error:
        raise ChainConflict(f"audit log of process {process_id}: sequence number {seq} taken") from error
    return event


def events(db, process: Process) -> list[AuditEvent]:
    return list(
        db.scalars(
            select(AuditEvent).where(AuditEvent.process_id == process.id).order_by(AuditEvent.seq)
        )
    )


def as_line(event: AuditEvent) -> dict:
    """The public form of an event, as written to audit-log.jsonl (``actor`` is left out)."""
    return {
        "seq": event.seq,
        "kind": event.kind,
        "payload": event.payload,
        "at": event.at.isoformat(),
        "prev": event.prev_hash,
        "hash": event.hash,
    }


def verify_chain(lines: list[dict]) -> list[str]:
    """Problems found in a sequence of public event lines (translatable); empty when the chain holds."""
    messages = {
        "prev": lambda p: _("Line ${line}: the previous hash does not match line ${previous}.",
                            mapping={"line": p.line, "previous": p.line - 1}),
        "hash": lambda p: _("Line ${line}: the hash does not match its content.", mapping={"line": p.line}),
        "seq": lambda p: _("Line ${line}: sequence number ${seq} is out of order.",
                           mapping={"line": p.line, "seq": p.seq}),
    }
    return [messages[problem.kind](problem) for problem in chain_problems(lines)]
