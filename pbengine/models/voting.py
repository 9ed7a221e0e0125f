"""Voter codes, ballots, tallies and the audit log."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Integer, String, Table, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .meta import Base, created, intpk, str200, utcnow
from .process import Budget

# The budgets a batch's codes may vote in (a district, the citywide pot), unless the batch is for
# all budgets (``CodeBatch.all_budgets``).
code_batch_budget = Table(
    "code_batch_budget",
    Base.metadata,
    Column("batch_id", ForeignKey("code_batch.id", ondelete="CASCADE"), primary_key=True),
    Column("budget_id", ForeignKey("budget.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class CodeBatch(Base):
    __tablename__ = "code_batch"

    id: Mapped[intpk]
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"))
    label: Mapped[str200]
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[created]
    # The plain codes can be downloaded once, right after generation; then they are gone.
    downloaded: Mapped[bool] = mapped_column(Boolean, default=False)

    # For every budget of the process (also those added later); otherwise for ``budgets`` only (a
    # batch whose budgets were all deleted is for none, never for all).
    all_budgets: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    budgets: Mapped[list[Budget]] = relationship(secondary=code_batch_budget,
                                                 order_by="Budget.position, Budget.id")


class VoterCode(Base):
    __tablename__ = "voter_code"

    id: Mapped[intpk]
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("code_batch.id", ondelete="CASCADE"))
    # Keyed hash (HMAC-SHA256) of the code; the plain code is never stored.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Short non-secret reference printed next to the code so an organizer can revoke it.
    reference: Mapped[str] = mapped_column(String(16), default="")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Whether the code has a ballot. Written for all codes at once when voting closes, never while
    # voting: a write at cast time would date the code's use and share the ballot's transaction
    # (services/slots.py). While voting, the slots tell it to whoever holds the code key.
    voted: Mapped[bool] = mapped_column(Boolean, default=False)


def new_ballot_id() -> str:
    """A random ballot id: it says nothing about when, or in which order, a ballot was cast."""
    return uuid.uuid4().hex


def cast_day() -> dt.datetime:
    """The time a ballot keeps: its day (turnout per day), never the hour."""
    return utcnow().replace(hour=0, minute=0, second=0, microsecond=0)


class Ballot(Base):
    """A counted ballot. Nothing in the row leads to a voter code (services/slots.py).

    SQLite keeps the rows in the order of their random id (``WITHOUT ROWID``): a dump lists them
    in no order of time. PostgreSQL writes them in the order they come; closing the vote
    rewrites a process's ballots in the order of their random id.
    """

    __tablename__ = "ballot"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_ballot_id)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id", ondelete="CASCADE"), index=True)
    # HMAC under the server's code key of (budget, the voter code's hash): finds a voter's own
    # ballot (one per code and budget, unique) when they present their code; without the key it
    # leads nowhere. Null for paper and imported ballots, and for every ballot once voting closed.
    slot: Mapped[str | None] = mapped_column(String(64), unique=True)
    # SHA-256 of the receipt shown once to the voter: the ballot's public, anonymous id.
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    content: Mapped[dict] = mapped_column(JSON)
    channel: Mapped[str] = mapped_column(String(16), default="online")
    # Keyed hash of the submission key the client sent (services/submissions.py): a repeat of one
    # submission finds its ballot and gets the same receipt back. Null for submissions without a key.
    submission_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The day only (cast_day).
    cast_at: Mapped[dt.datetime] = mapped_column(DateTime, default=cast_day)
    # Who entered a paper ballot (the organizer's e-mail, as in the audit log); empty otherwise.
    entered_by: Mapped[str] = mapped_column(String(200), default="")


class ReplacedBallot(Base):
    """What is left of a ballot its voter replaced: that its receipt was replaced. No content,
    no time, no voter; the submission hash lets a repeat of that submission get its answer."""

    __tablename__ = "replaced_ballot"
    __table_args__ = {"sqlite_with_rowid": False}

    receipt_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id", ondelete="CASCADE"), index=True)
    submission_hash: Mapped[str | None] = mapped_column(String(64), unique=True)


class Tally(Base):
    __tablename__ = "tally"

    id: Mapped[intpk]
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON)
    pabutools_version: Mapped[str] = mapped_column(String(20))
    input_digest: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict] = mapped_column(JSON)
    # Every rule side by side on the same ballots, computed once with the tally (console only).
    comparison: Mapped[list | None] = mapped_column(JSON)
    computed_at: Mapped[created]
    # Exactly one tally per budget is kept as the official one; publication freezes it.
    official: Mapped[bool] = mapped_column(Boolean, default=False)
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEvent(Base):
    """Append-only, hash-chained log of what happened in a process (no voter identity)."""

    __tablename__ = "audit_event"
    # One event per sequence number: a second append that read the same head is refused.
    __table_args__ = (UniqueConstraint("process_id", "seq", name="uq_audit_event_process_seq"),)

    id: Mapped[intpk]
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON)
    at: Mapped[created]
    actor: Mapped[str] = mapped_column(String(200), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")

    process = relationship("Process")

