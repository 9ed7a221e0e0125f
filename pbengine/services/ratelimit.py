"""Failures per client and minute, kept in the database so every web process shares them."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from sqlalchemy import delete, func, select

from ..i18n import _
from ..models import FailedAttempt
from ..models.meta import utcnow
from .errors import TooManyAttempts

WINDOW = dt.timedelta(minutes=1)


def client_hash(key: str, client: str) -> str:
    return hmac.new(key.encode(), f"client:{client}".encode(), hashlib.sha256).hexdigest()


def check(db, scope: str, client: str, key: str, limit: int) -> None:
    """Raise :class:`TooManyAttempts` when ``client`` failed ``limit`` times in the last minute."""
    since = utcnow() - WINDOW
    failures = db.scalar(
        select(func.count()).select_from(FailedAttempt).where(
            FailedAttempt.scope == scope,
            FailedAttempt.client_hash == client_hash(key, client),
            FailedAttempt.at >= since,
        )
    )
    if failures >= limit:
        raise TooManyAttempts(
            _("Too many wrong attempts. Wait a minute, then try again.")
        )


def record_failure(session_factory, scope: str, client: str, key: str) -> None:
    """Record a failure in its own transaction: the request's own transaction is rolled back."""
    with session_factory() as db, db.begin():
        db.execute(delete(FailedAttempt).where(FailedAttempt.at < utcnow() - 10 * WINDOW))
        db.add(FailedAttempt(scope=scope, client_hash=client_hash(key, client)))
