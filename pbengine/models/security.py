"""Server-side web sessions and rate-limit counters (shared by every app server through the database)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .meta import Base, created


class WebSession(Base):
    """One browser session. The cookie holds a random token; this row only its keyed hash.

    ``data`` is encrypted under a key derived from the token itself, which the server never
    stores: a reader of the database (even with the ini file) cannot read a session.
    ``organizer_id`` is in clear so that a logout or a password change can end every
    session of an organizer.
    """

    __tablename__ = "web_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    organizer_id: Mapped[int | None] = mapped_column(ForeignKey("organizer.id", ondelete="CASCADE"), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[created]
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class RateKey(Base):
    """A random key for one rate-limit minute; deleted with that minute's counters."""

    __tablename__ = "rate_key"

    minute: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(64))


class RateCounter(Base):
    """Attempts in one minute for one bucket: a 16-bit tag of a keyed hash, never an address."""

    __tablename__ = "rate_counter"

    scope: Mapped[str] = mapped_column(String(24), primary_key=True)
    minute: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    tag: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer, default=0)
