"""Organizer accounts (argon2 passwords) and their roles per process."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from ..i18n import _
from ..models import Organizer, Process, ProcessRole, Role
from ..models.meta import utcnow
from . import audit, sessions
from .errors import AuthenticationFailed, InvalidInput

_hasher = PasswordHasher()
# Verifying against this keeps the time of a login with an unknown email like a real one.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _check_password(password: str, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput(
            _("The password needs at least ${n} characters.",
              mapping={"n": MIN_PASSWORD}), field=field)


def create_organizer(db, email: str, name: str, password: str, is_admin: bool = False) -> Organizer:
    email = normalise_email(email)
    if not EMAIL_RE.match(email):
        raise InvalidInput(_("Enter a valid email address."), field="email")
    _check_password(password)
    if db.scalars(select(Organizer).where(Organizer.email == email)).first():
        raise InvalidInput(_("An organizer with this email exists."), field="email")
    organizer = Organizer(email=email, name=(name or email).strip(), is_admin=is_admin,
                          password_hash=_hasher.hash(password))
    db.add(organizer)
    db.flush()
    return organizer


def authenticate(db, email: str, password: str) -> Organizer:
    organizer = db.scalars(select(Organizer).where(Organizer.email == normalise_email(email))).first()
    try:
        _hasher.verify(organizer.password_hash if organizer else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        organizer = None
    if organizer is None:
        raise AuthenticationFailed(_("Wrong email or password."))
    if _hasher.check_needs_rehash(organizer.password_hash):
        organizer.password_hash = _hasher.hash(password)
    organizer.last_login_at = utcnow()
    return organizer


def change_password(db, organizer: Organizer, current: str, new: str, confirmation: str) -> int:
    """Set a new password and end every session of ``organizer`` (returns how many were ended).

    A cookie copied from any browser, this one included, stops working; the caller logs the
    organizer in again in a fresh session.
    """
    try:
        _hasher.verify(organizer.password_hash, current or "")
    except (VerificationError, InvalidHashError):
        raise AuthenticationFailed(_("Your current password is not right."), field="current_password") from None
    _check_password(new, "new_password")
    if new != confirmation:
        raise InvalidInput(_("The two new passwords differ."), field="confirm_password")
    organizer.password_hash = _hasher.hash(new)
    db.flush()
    return sessions.end_all_of(db, organizer.id)


def grant_role(db, process: Process, organizer: Organizer, role: Role | str, actor: str = "") -> None:
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(_("Unknown role."), field="role") from None
    existing = db.get(ProcessRole, (organizer.id, process.id))
    if existing is None:
        db.add(ProcessRole(organizer_id=organizer.id, process_id=process.id, role=role.value))
    else:
        existing.role = role.value
    db.flush()
    db.expire(organizer, ["roles"])
    audit.record(db, process, "role.granted", {"organizer": organizer.id, "role": role.value}, actor)


def revoke_role(db, process: Process, organizer: Organizer, actor: str = "") -> None:
    existing = db.get(ProcessRole, (organizer.id, process.id))
    if existing is not None:
        db.delete(existing)
        db.flush()
        audit.record(db, process, "role.revoked", {"organizer": organizer.id}, actor)


def role_on(organizer: Organizer, process: Process) -> Role | None:
    if organizer is None:
        return None
    for role in organizer.roles:
        if role.process_id == process.id:
            return Role(role.role)
    return None
