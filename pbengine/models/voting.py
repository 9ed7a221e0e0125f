"""Voter codes, ballots, tallies and the audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .meta import Base, created, intpk, str200


class CodeBatch(Base):
    __tablename__ = "code_batch"

    id: Mapped[intpk]
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"))
    label: Mapped[str200]
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[created]
    # The plain codes can be downloaded once, right after generation; then they are gone.
    downloaded: Mapped[bool] = mapped_column(Boolean, default=False)


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
    first_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Ballot(Base):
    __tablename__ = "ballot"
    __table_args__ = (
        Index("ix_ballot_budget_current", "budget_id", "replaced_at"),
        # At most one current ballot per voter code and budget: never counted twice.
        Index(
            "uq_ballot_one_current_per_code",
            "budget_id",
            "voter_code_id",
            unique=True,
            sqlite_where=text("replaced_at IS NULL AND voter_code_id IS NOT NULL"),
            postgresql_where=text("replaced_at IS NULL AND voter_code_id IS NOT NULL"),
        ),
    )

    id: Mapped[intpk]
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id", ondelete="CASCADE"))
    # Null for paper ballots entered by an organizer.
    voter_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("voter_code.id", ondelete="SET NULL"), index=True
    )
    # SHA-256 of the receipt shown once to the voter: the ballot's public, anonymous id.
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    content: Mapped[dict] = mapped_column(JSON)
    channel: Mapped[str] = mapped_column(String(16), default="online")
    # Keyed hash of the submission key the client sent (services/submissions.py): a repeat of one
    # submission finds its ballot and gets the same receipt back. Null for submissions without a key.
    submission_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    cast_at: Mapped[created]
    replaced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


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

