"""Server-side sessions: a random token in the cookie, its keyed hash and encrypted data in the database.

The token (32 random bytes) is the only thing the browser holds. The database holds
HMAC-SHA256(secret, token) as the row's id and the data encrypted with AES-GCM under
a key derived from the token alone, so neither a database dump nor the ini file's secret
lets anyone read a session or recreate its cookie. Ending a session deletes its row: a
copied cookie is then worth nothing, on every app server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, update

from ..models import WebSession
from ..models.meta import utcnow

# A session lives this long after its last use, and never longer than MAX_AGE after its creation.
IDLE_TIMEOUT = dt.timedelta(hours=1)
MAX_AGE = dt.timedelta(hours=12)
# Extend the expiry at most this often (one write per session and interval, not one per request).
RENEW_EVERY = dt.timedelta(minutes=5)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def id_hash(secret: str, token: str) -> str:
    return hmac.new(secret.encode(), f"session:{token}".encode(), hashlib.sha256).hexdigest()


def _cipher(token: str) -> AESGCM:
    return AESGCM(hashlib.sha256(f"pbengine-session-data:{token}".encode()).digest())


def seal(token: str, row_id: str, data: dict) -> bytes:
    nonce = os.urandom(12)
    return nonce + _cipher(token).encrypt(nonce, json.dumps(data).encode(), row_id.encode())


def unseal(token: str, row_id: str, blob: bytes) -> dict | None:
    try:
        return json.loads(_cipher(token).decrypt(blob[:12], blob[12:], row_id.encode()))
    except (InvalidTag, ValueError):
        return None


class Loaded:
    """A session read from the database: its data and when it was created and will expire."""

    def __init__(self, data: dict, created_at: dt.datetime, expires_at: dt.datetime):
        self.data = data
        self.created_at = created_at
        self.expires_at = expires_at

    def needs_renewal(self, now: dt.datetime) -> bool:
        return self.expires_at - now < IDLE_TIMEOUT - RENEW_EVERY and self.expires_at < self.created_at + MAX_AGE


def _expiry(created_at: dt.datetime, now: dt.datetime) -> dt.datetime:
    return min(now + IDLE_TIMEOUT, created_at + MAX_AGE)


def load(db, secret: str, token: str) -> Loaded | None:
    """The live session of ``token``, or None (unknown, ended, expired or tampered with)."""
    row_id = id_hash(secret, token)
    row = db.get(WebSession, row_id)
    now = utcnow()
    if row is None or row.expires_at <= now:
        return None
    data = unseal(token, row_id, row.data)
    return None if data is None else Loaded(data, row.created_at, row.expires_at)


def save(db, secret: str, token: str, data: dict, organizer_id: int | None) -> None:
    row_id = id_hash(secret, token)
    now = utcnow()
    row = db.get(WebSession, row_id)
    if row is None:
        prune(db)  # a new session clears the expired ones: the table holds only live sessions
        db.add(WebSession(id_hash=row_id, organizer_id=organizer_id, data=seal(token, row_id, data),
                          created_at=now, expires_at=now + IDLE_TIMEOUT))
    else:
        row.data = seal(token, row_id, data)
        row.organizer_id = organizer_id
        row.expires_at = _expiry(row.created_at, now)


def renew(db, secret: str, token: str, created_at: dt.datetime) -> None:
    db.execute(update(WebSession).where(WebSession.id_hash == id_hash(secret, token))
               .values(expires_at=_expiry(created_at, utcnow())))


def end(db, secret: str, token: str) -> None:
    db.execute(delete(WebSession).where(WebSession.id_hash == id_hash(secret, token)))


def end_all_of(db, organizer_id: int) -> int:
    """End every session of an organizer (password change): cookies copied anywhere stop working."""
    return db.execute(delete(WebSession).where(WebSession.organizer_id == organizer_id)).rowcount


def prune(db) -> int:
    """Delete expired sessions (``expires_at`` never passes ``created_at + MAX_AGE``)."""
    return db.execute(delete(WebSession).where(WebSession.expires_at <= utcnow())).rowcount


__all__ = ["IDLE_TIMEOUT", "MAX_AGE", "Loaded", "end", "end_all_of", "id_hash", "load", "new_token", "prune",
           "renew", "save"]
