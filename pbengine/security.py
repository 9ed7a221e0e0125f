"""Sessions, CSRF, organizer identity and the ACL security policy.

Permissions are the names in :class:`Permission`; ACLs live on the context resources
(``pbengine.resources``), never as string literals in views.
"""

from __future__ import annotations

import enum

from pyramid.authorization import ACLHelper, Authenticated, Everyone
from pyramid.csrf import CookieCSRFStoragePolicy, new_csrf_token

from .models import Organizer
from .websession import CSRF_COOKIE, ORGANIZER_KEY, session_factory


class Permission(enum.StrEnum):
    VIEW = "view"                      # public pages
    VOTE = "vote"
    CONSOLE = "console"                # any logged-in organizer
    ADMIN = "admin"                    # manage organizers, create processes
    PROCESS_VIEW = "process.view"      # read a process in the console
    PROCESS_MODERATE = "process.moderate"  # proposals, projects, paper ballots
    PROCESS_MANAGE = "process.manage"  # settings, phases, codes, results


def process_principal(process_id: int, role: str) -> str:
    return f"process:{process_id}:{role}"


class SecurityPolicy:
    """Organizers are identified from the session; principals carry their per-process roles."""

    def __init__(self):
        self.helper = ACLHelper()

    def identity(self, request) -> Organizer | None:
        organizer_id = request.session.get(ORGANIZER_KEY)
        if organizer_id is None:
            return None
        return request.db.get(Organizer, organizer_id)

    def authenticated_userid(self, request):
        identity = request.identity
        return None if identity is None else identity.id

    def principals(self, request) -> list[str]:
        principals = [Everyone]
        identity = request.identity
        if identity is not None:
            principals += [Authenticated, f"organizer:{identity.id}"]
            if identity.is_admin:
                principals.append("role:admin")
            principals += [process_principal(r.process_id, r.role) for r in identity.roles]
        return principals

    def permits(self, request, context, permission):
        return self.helper.permits(context, self.principals(request), permission)

    def remember(self, request, userid, **kw):
        # A new identity gets a new session (no fixation), and a new CSRF token.
        request.session.invalidate()
        request.session[ORGANIZER_KEY] = userid
        new_csrf_token(request)
        return []

    def forget(self, request, **kw):
        request.session.invalidate()
        return []


CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' https: data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def security_headers(event) -> None:
    """Headers on every response; pages holding a session's secrets are never cached."""
    headers = event.response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    hsts = event.request.registry.settings.get("pbengine.hsts", "")
    if hsts:
        headers.setdefault("Strict-Transport-Security", hsts)
    path = event.request.path
    if path.startswith("/console") or "/vote" in path or path.startswith("/receipt"):
        headers["Cache-Control"] = "no-store"


def includeme(config):
    from pyramid.events import NewResponse

    config.add_subscriber(security_headers, NewResponse)
    settings = config.get_settings()
    secure = settings.get("pbengine.secure_cookies", "false").lower() == "true"
    # Sessions live in the database; the cookie is a random token (pbengine.websession).
    registry = config.registry
    config.set_session_factory(session_factory(settings, lambda request: registry["dbsession_factory"]))
    # CSRF tokens are double-submit cookies: an anonymous visitor's form costs no database write.
    config.set_csrf_storage_policy(CookieCSRFStoragePolicy(cookie_name=CSRF_COOKIE, secure=secure, httponly=True,
                                                           samesite="Lax"))
    # CSRF is checked on every unsafe request; the JSON API opts out in one place.
    config.set_default_csrf_options(require_csrf=True)
    config.set_security_policy(SecurityPolicy())
