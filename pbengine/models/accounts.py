"""Organizer accounts and their roles per process."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .meta import Base, created, intpk, str200


class Role(enum.StrEnum):
    OWNER = "owner"
    MODERATOR = "moderator"
    VIEWER = "viewer"


class Organizer(Base):
    __tablename__ = "organizer"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str200]
    password_hash: Mapped[str] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[created]
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    roles: Mapped[list[ProcessRole]] = relationship(
        back_populates="organizer", cascade="all, delete-orphan"
    )


class ProcessRole(Base):
    __tablename__ = "process_role"

    organizer_id: Mapped[int] = mapped_column(
        ForeignKey("organizer.id", ondelete="CASCADE"), primary_key=True
    )
    process_id: Mapped[int] = mapped_column(
        ForeignKey("process.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16))

    organizer: Mapped[Organizer] = relationship(back_populates="roles")
