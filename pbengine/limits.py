"""Who is asking (the client address, behind trusted proxies only) and the rate limits of each surface.

``X-Forwarded-For`` is read only when the request comes from an address listed in
``pbengine.trusted_proxies``; the client is then the right-most address in the header that
is not itself a trusted proxy. Anyone else's ``X-Forwarded-For`` is ignored.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from .services import codes, ratelimit
from .services.accounts import normalise_email
from .services.ratelimit import Bucket
from .websession import CSRF_COOKIE

# Defaults of the settings below (per minute).
DEFAULTS = {
    "pbengine.code_failures_per_minute": 5,             # one browser (or API client) at an address
    "pbengine.code_failures_per_address_per_minute": 30,  # everyone behind one address together
    "pbengine.code_failures_per_code_per_minute": 5,    # one submitted code, from anywhere
    "pbengine.login_failures_per_minute": 5,            # one address
    "pbengine.login_failures_per_account_per_minute": 10,  # one e-mail address, from anywhere
    "pbengine.lookup_failures_per_minute": 30,          # unknown receipts and proposal links, one address
}


@lru_cache(maxsize=16)
def _networks(setting: str) -> tuple:
    return tuple(ipaddress.ip_network(part, strict=False) for part in setting.replace(",", " ").split())


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request) -> str:
    """The client's address: the peer, or what a trusted proxy says the peer was."""
    peer = request.environ.get("REMOTE_ADDR", "") or ""
    networks = _networks(request.registry.settings.get("pbengine.trusted_proxies", ""))
    if not networks or not _trusted(peer, networks):
        return peer
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if not _trusted(address, networks):
            return address
    return forwarded[0] if forwarded else peer


def limit(request, name: str) -> int:
    return int(request.registry.settings.get(name, DEFAULTS[name]))


def _browser(request) -> str:
    # The CSRF cookie: random per browser, sent with every form. API clients have none.
    return request.cookies.get(CSRF_COOKIE, "")


def _reserve(request, buckets):
    return ratelimit.reserve(request.registry["dbsession_factory"], buckets, request_db=request.db)


def voter_code_buckets(request, code: str) -> list[Bucket]:
    """The voter-code limits of one entry of ``code``: per browser, per address and per code."""
    address = client_address(request)
    return [
        Bucket("code.browser", f"{address}|{_browser(request)}", limit(request, "pbengine.code_failures_per_minute")),
        Bucket("code.address", address, limit(request, "pbengine.code_failures_per_address_per_minute")),
        Bucket("code.code", codes.normalise(code), limit(request, "pbengine.code_failures_per_code_per_minute")),
    ]


def find_voter_code(request, process, code: str):
    """A voter's entry of ``code`` (``services.codes.enter``) under the voter-code limits. A view
    answering ``CodeInvalid`` must let the request commit (on SQLite the failure is counted in its
    transaction)."""
    return codes.enter(request.db, request.registry.settings["pbengine.code_key"], process, code,
                       voter_code_buckets(request, code), request.registry["dbsession_factory"])


def login_attempt(request, email: str):
    """A reservation for one login attempt (per address and per account); release it on success."""
    address = client_address(request)
    return _reserve(request, [
        Bucket("login.address", address, limit(request, "pbengine.login_failures_per_minute")),
        Bucket("login.account", normalise_email(email),
               limit(request, "pbengine.login_failures_per_account_per_minute")),
    ])


def lookup_buckets(request, scope: str) -> list[Bucket]:
    """The lookup limit of ``scope`` (receipts, proposal links) for this client's address: only the
    lookups that found nothing count (``services.receipts.check_receipt``, :func:`lookup_attempt`)."""
    return [Bucket(scope, client_address(request), limit(request, "pbengine.lookup_failures_per_minute"))]


def lookup_attempt(request, scope: str):
    """A reservation for one proposal-link lookup; release it when the lookup found something."""
    return _reserve(request, lookup_buckets(request, scope))
