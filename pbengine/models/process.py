"""Processes, their budgets, projects and proposals."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .meta import Base, created, intpk, money, str40, str200, text


class Phase(enum.StrEnum):
    DRAFT = "draft"
    PROPOSALS = "proposals"
    REVIEW = "review"
    VOTING = "voting"
    CLOSED = "closed"
    PUBLISHED = "published"


PHASE_ORDER: tuple[Phase, ...] = tuple(Phase)


class BallotKind(enum.StrEnum):
    APPROVAL = "approval"
    KNAPSACK = "knapsack"
    CUMULATIVE = "cumulative"
    RANKING = "ranking"


class OrganisationType(enum.StrEnum):
    COOPERATIVE = "cooperative"
    ASSOCIATION = "association"
    MUTUAL = "mutual"
    FOUNDATION = "foundation"
    SOCIAL_ENTERPRISE = "social-enterprise"
    INFORMAL_GROUP = "informal-group"


class ProposalStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes-requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Translated:
    """Organizer texts given per language besides the original: ``translations`` is
    ``{"fr": {"title": ..., "description": ...}}`` (a budget has ``name`` instead of ``title``)."""

    if TYPE_CHECKING:  # each model maps its own column
        translations: Mapped[dict]

    def translated(self, field: str, locale: str | None) -> str | None:
        """The text of ``field`` entered for ``locale``, or None when the organizers gave none."""
        return ((self.translations or {}).get(locale or "", {}) or {}).get(field) or None

    def localized(self, field: str, locale: str | None) -> str:
        """The text of ``field`` for ``locale``: its translation, or else the original."""
        return self.translated(field, locale) or getattr(self, field)


class Process(Translated, Base):
    __tablename__ = "process"

    id: Mapped[intpk]
    slug: Mapped[str40] = mapped_column(unique=True)
    title: Mapped[str200]
    description: Mapped[text]
    # Optional per-language texts entered by organizers: {"fr": {"title": ..., "description": ...}}
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    currency: Mapped[str] = mapped_column(String(8), default="EUR")
    phase: Mapped[str] = mapped_column(String(16), default=Phase.DRAFT.value)
    allow_revote: Mapped[bool] = mapped_column(Boolean, default=True)
    # At most this many of its budgets a voter code may vote in (None: every budget its batch is for).
    max_budgets: Mapped[int | None] = mapped_column(Integer)
    proposals_start: Mapped[dt.date | None] = mapped_column(Date)
    proposals_end: Mapped[dt.date | None] = mapped_column(Date)
    voting_start: Mapped[dt.date | None] = mapped_column(Date)
    voting_end: Mapped[dt.date | None] = mapped_column(Date)
    # Move to the next phase at these dates (``pbengine tick``, services/schedule.py), not only by hand.
    auto_phases: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Fingerprint of the configuration locked when voting opened.
    config_fingerprint: Mapped[str | None] = mapped_column(String(64))
    # Raised whenever an organizer changes a translation of the process, its budgets, projects or
    # categories: the public pages kept in the memo are keyed by it (translations are not part of
    # the fingerprint, they may be corrected after voting opened).
    texts_revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[created]

    budgets: Mapped[list[Budget]] = relationship(
        back_populates="process", order_by="Budget.position, Budget.id", cascade="all, delete-orphan"
    )
    proposals: Mapped[list[Proposal]] = relationship(
        back_populates="process", order_by="Proposal.id", cascade="all, delete-orphan"
    )

    def category_label(self, category: str, locale: str | None) -> str | None:
        """The name of ``category`` (as projects carry it) in ``locale``, or None when not given."""
        entry = (self.translations or {}).get(locale or "", {}) or {}
        return (entry.get("categories") or {}).get(category) or None


class Budget(Translated, Base):
    __tablename__ = "budget"
    __table_args__ = (UniqueConstraint("process_id", "slug"),)

    id: Mapped[intpk]
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"))
    slug: Mapped[str40]
    name: Mapped[str200]
    description: Mapped[text]
    # {"fr": {"name": ..., "description": ...}}; not part of the configuration fingerprint
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[money]
    ballot_kind: Mapped[str] = mapped_column(String(16), default=BallotKind.APPROVAL.value)
    min_length: Mapped[int | None]
    max_length: Mapped[int | None]
    max_sum_cost: Mapped[int | None] = mapped_column(BigInteger)
    max_sum_points: Mapped[int | None]
    max_points_per_project: Mapped[int | None]
    rank_length: Mapped[int | None]
    rule: Mapped[str] = mapped_column(String(40), default="equal-shares")
    satisfaction: Mapped[str] = mapped_column(String(16), default="cost")
    completion: Mapped[str] = mapped_column(String(16), default="add1-greedy")
    tie_break: Mapped[str] = mapped_column(String(200), default="votes,lower-cost,id")
    threshold: Mapped[int | None]
    # groups of project codes of which at most one is funded ("773,153|12,14"), for the greedy rules
    incompatible: Mapped[str] = mapped_column(String(2000), default="", server_default="")

    process: Mapped[Process] = relationship(back_populates="budgets")
    projects: Mapped[list[Project]] = relationship(
        back_populates="budget", order_by="Project.id", cascade="all, delete-orphan"
    )


class Project(Translated, Base):
    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("budget_id", "code"),)

    id: Mapped[intpk]
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id", ondelete="CASCADE"))
    # The project's id in ballots and in the pabulib export.
    code: Mapped[str40]
    title: Mapped[str200]
    description: Mapped[text]
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    cost: Mapped[money]
    categories: Mapped[list] = mapped_column(JSON, default=list)
    sdgs: Mapped[list] = mapped_column(JSON, default=list)
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    organisation_type: Mapped[str | None] = mapped_column(String(24))
    location: Mapped[str] = mapped_column(String(200), default="")
    image_url: Mapped[str] = mapped_column(String(500), default="")
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id", ondelete="SET NULL"))

    budget: Mapped[Budget] = relationship(back_populates="projects")


class Proposal(Base):
    __tablename__ = "proposal"

    id: Mapped[intpk]
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"))
    budget_id: Mapped[int | None] = mapped_column(ForeignKey("budget.id", ondelete="SET NULL"))
    title: Mapped[str200]
    description: Mapped[text]
    estimated_cost: Mapped[money]
    category: Mapped[str] = mapped_column(String(80), default="")
    sdgs: Mapped[list] = mapped_column(JSON, default=list)
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    organisation_type: Mapped[str | None] = mapped_column(String(24))
    location: Mapped[str] = mapped_column(String(200), default="")
    # Private: never shown publicly nor exported.
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    status: Mapped[str] = mapped_column(String(24), default=ProposalStatus.SUBMITTED.value)
    public_reason: Mapped[text]
    # Keyed hash of the proposer's private status-link token.
    tracking_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The language the proposer used: their notification mails are written in it.
    locale: Mapped[str] = mapped_column(String(8), default="en")
    # 1 when submitted, one more each time the proposer resubmits it after a request for changes.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # The proposer asked to be told by mail when voting opens (only with a contact address).
    remind_voting: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[created]
    # When the proposer last resubmitted it (None: never revised).
    revised_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    process: Mapped[Process] = relationship(back_populates="proposals")
