"""Processes: creation, editing and deletion.

A process's budgets are ``services/budgets.py`` and their projects ``services/projects.py``; the
configuration that voting locks, and its fingerprint, is ``services/config_lock.py``. What each
phase allows is ``services/phases.py``; moving between phases is ``services/workflow.py``; the
organizers' texts in other languages are ``services/translations.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select

from .. import money
from ..i18n import _
from ..models import AuditEvent, Phase, Process, VoterCode
from . import audit
from .config_lock import configuration
from .errors import ConfigurationLocked, FieldErrors
from .phases import ensure_deletable, is_locked

# The address of a process, and of a budget within its process.
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


@dataclass
class ProcessData:
    slug: str
    title: str
    description: str = ""
    currency: str = "EUR"
    allow_revote: bool = True
    proposals_start: dt.date | None = None
    proposals_end: dt.date | None = None
    voting_start: dt.date | None = None
    voting_end: dt.date | None = None
    max_budgets: int | None = None  # a voter code votes in at most this many budgets (None: no limit)
    auto_phases: bool = False


def check_process(db, data: ProcessData, process: Process | None = None) -> None:
    """Every problem of ``data`` at once: one :class:`InvalidInput` naming each wrong field."""
    errors = FieldErrors()
    if not SLUG_RE.match(data.slug or ""):
        errors.add("slug", _("Use 1 to 40 lowercase letters, digits and dashes."))
    if not (data.title or "").strip():
        errors.add("title", _("This field is required."))
    if not re.match(r"^[A-Z]{3}$", data.currency or ""):
        errors.add("currency", _("Use a three-letter currency code, like EUR."))
    elif (process is not None and process.budgets and data.currency != process.currency
            and money.minor_digits(data.currency) != money.minor_digits(process.currency)):
        # Amounts are stored in the currency's smallest unit: 1 JPY and 1 EUR cent are both 1.
        errors.add("currency", _("${new} has a different number of decimals than ${old}: remove the budgets "
                                 "first, or keep a currency with ${n} decimals.",
                                 mapping={"new": data.currency, "old": process.currency,
                                          "n": money.minor_digits(process.currency)}))
    if data.max_budgets is not None and data.max_budgets < 1:
        errors.add("max_budgets", _("Enter a number of at least ${n}.", mapping={"n": 1}))
    for start, end, field in ((data.proposals_start, data.proposals_end, "proposals_end"),
                              (data.voting_start, data.voting_end, "voting_end")):
        if start and end and end < start:
            errors.add(field, _("The end date is before the start date."))
    if "slug" not in errors:
        other = db.query(Process).filter(Process.slug == data.slug).first()
        if other is not None and other is not process:
            errors.add("slug", _("This address is already used by another process."))
    errors.raise_if_any()


def create_process(db, data: ProcessData, actor: str = "") -> Process:
    check_process(db, data)
    process = Process(**vars(data), phase=Phase.DRAFT.value, translations={})
    db.add(process)
    db.flush()
    audit.record(db, process, "process.created", {"slug": process.slug, "title": process.title}, actor)
    return process


def update_process(db, process: Process, data: ProcessData, actor: str = "") -> Process:
    check_process(db, data, process)
    if is_locked(process):
        _ensure_configuration_kept(process, data)
    for key, value in vars(data).items():
        setattr(process, key, value)
    audit.record(db, process, "process.updated", {"slug": process.slug}, actor)
    return process


def _ensure_configuration_kept(process: Process, data: ProcessData) -> None:
    """Refuse an edit of a locked process that would change its fingerprinted configuration."""
    locked = configuration(process)
    for name, value in vars(data).items():
        if configuration(process, **{name: value}) != locked:
            raise ConfigurationLocked(
                _("Voting has opened: this field is part of the locked configuration (its "
                  "fingerprint) and can no longer change."), field=name)


@dataclass
class DeletedProcess:
    """What a deleted draft process held: the only record left of it (its audit log went with it)."""

    id: int
    slug: str
    budgets: int
    projects: int
    voter_codes: int
    audit_events: int
    audit_head: str


def delete_process(db, process: Process) -> DeletedProcess:
    """Delete a draft process with its budgets, projects, voter codes, roles and audit log.

    A draft was never public, so nothing outside the console refers to it. Its own audit log
    goes with it; the caller records the returned summary (the console writes a log line).
    """
    ensure_deletable(process, "process")
    last = db.execute(select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.process_id == process.id)
                      .order_by(AuditEvent.seq.desc()).limit(1)).first()
    deleted = DeletedProcess(
        id=process.id, slug=process.slug, budgets=len(process.budgets),
        projects=sum(len(b.projects) for b in process.budgets),
        voter_codes=db.scalar(select(func.count()).select_from(VoterCode)
                              .where(VoterCode.process_id == process.id)),
        audit_events=last.seq if last else 0, audit_head=last.hash if last else "")
    # budgets, projects and proposals go through the ORM's cascades; roles, code batches, codes
    # and audit events through their foreign keys' ON DELETE CASCADE
    db.delete(process)
    db.flush()
    return deleted
