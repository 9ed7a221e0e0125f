"""HTTP caching of the public pages, and the app's memo of rendered published results.

- Static files: ``Cache-Control: public, max-age=3600``, ``Last-Modified`` and an ETag (size and
  modification time); a reverse proxy or a browser revalidates them with a 304.
- Published results (HTML): ``Cache-Control: private, no-cache`` and an ETag of the page. The
  page holds the visitor's own CSRF token (the language form) and flash messages, so only the
  visitor's browser may keep it; it asks again each time and gets a 304 while nothing changed.
- A published result's chart (SVG) is the same for everyone: ``public``, with an ETag.
- Kept pages (:func:`kept_page`: the project list of a locked process, the results of a published
  one, the receipt form): the whole page is rendered once per version of what it shows (the
  process's ``PublicPageContext.version``), language, address and query, and kept in the app's
  page memo with a placeholder where the visitor's CSRF token goes. A request costs the version
  query and the bytes: the visitor's own token is put in, and the ETag names the page and (hashed)
  the token. ``private, no-cache`` still, as the token is the visitor's. A visitor with a flash
  message waiting gets the page rendered for them alone.
- Kept frames and sections (:func:`kept_frame`, :func:`kept_section`: a form's answer): the page
  around an answer is kept per language and address, and the answer's own part per language and
  every value it shows; each request puts its own values in (the receipt typed in, its hash).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from pyramid.csrf import get_csrf_token
from pyramid.events import NewResponse
from pyramid.renderers import render
from pyramid.response import Response

from ..services.memo import Memo
from ..websession import COOKIE, CSRF_COOKIE

MEMO = "pbengine.memo"
PAGES = "pbengine.pages"
PAGES_SIZE = 64  # whole pages: a few per process, language and address
# Where a kept page's CSRF token goes: random per app process, so no page text can hold it.
TOKEN_PLACEHOLDER = f"csrf-placeholder-{secrets.token_hex(16)}"
KEEPING = "pbengine.keeping_page"  # set in the environ while a page to keep is rendered
STATIC_PREFIX = "/static/"
STATIC_MAX_AGE = 3600
VARY = ("Accept-Language", "Cookie")  # the language comes from ?_LOCALE_=, the cookie or the browser


def memo(request) -> Memo:
    return request.registry[MEMO]


def _tag_body(_request, response) -> None:
    if response.status_code == 200 and "ETag" not in response.headers:
        response.md5_etag()
    response.conditional_response = True  # If-None-Match: 304 without the body


def revalidate(request) -> None:
    """The page of this request is for this visitor only: kept by the browser, revalidated on every
    use (ETag, 304)."""
    request.response.headers["Cache-Control"] = "private, no-cache"
    request.response.vary = VARY
    request.add_response_callback(_tag_body)


def public(response, request, max_age: int = STATIC_MAX_AGE) -> None:
    """The same response for everyone: any cache may keep it ``max_age`` seconds, then revalidate."""
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.vary = VARY
    request.add_response_callback(_tag_body)


@dataclass(frozen=True)
class KeptPage:
    # The page's UTF-8 bytes, and between them the names of the places filled per request
    # (``"csrf"``: the visitor's CSRF token; a kept frame's own slots, see kept_frame).
    pieces: tuple[bytes | str, ...]
    digest: str
    modified: datetime | None

    def body(self, fills: dict[str, bytes]) -> bytes:
        return b"".join(piece if isinstance(piece, bytes) else fills[piece] for piece in self.pieces)


def placeholder(name: str) -> str:
    """What a template writes where ``name`` goes in a kept page (random per app process)."""
    return f"{name}-{TOKEN_PLACEHOLDER}"


def _keep(request, template: str, values: dict, modified: datetime | None, slots: tuple[str, ...] = ()) -> KeptPage:
    request.environ[KEEPING] = True
    try:
        body = render(template, values, request=request)
    finally:
        del request.environ[KEEPING]
    names = {placeholder(name): name for name in slots} | {TOKEN_PLACEHOLDER: "csrf"}
    split = re.split("(" + "|".join(re.escape(mark) for mark in names) + ")", body)
    pieces = tuple(names[piece] if index % 2 else piece.encode() for index, piece in enumerate(split))
    return KeptPage(pieces, hashlib.sha256(body.encode()).hexdigest()[:32], modified)


def token_placeholder(request) -> str | None:
    """The placeholder the templates write for the CSRF token while a page to keep is rendered."""
    return TOKEN_PLACEHOLDER if request.environ.get(KEEPING) else None


def _personal(request) -> bool:
    """Does the page hold something for this visitor alone (a flash message waiting)? Without a
    session cookie there is no session to read."""
    if not request.cookies.get(COOKIE):
        return False
    return bool(request.session.peek_flash() or request.session.peek_flash("error"))


def _key(request, template: str, *rest) -> tuple:
    return (template, request.matched_route.name if request.matched_route else "", request.locale_name or "",
            request.application_url, *rest)


def kept_page(request, template: str, version: tuple, values: Callable[[], dict],
              modified: datetime | None = None):
    """The response of ``template`` rendered with ``values()``, kept while ``version`` holds (see the
    module's text); the ``values()`` dict itself, for the view's renderer, when the page holds
    something for this visitor alone."""
    if _personal(request):
        revalidate(request)
        return values()
    page = request.registry[PAGES].get(_key(request, template, request.path_qs, *version),
                                       lambda: _keep(request, template, values(), modified))
    had_token = bool(request.cookies.get(CSRF_COOKIE))
    token = get_csrf_token(request)  # a new visitor's token is set as its cookie, as on any page
    response = Response(body=page.body({"csrf": token.encode()}), content_type="text/html", charset="utf-8")
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary = VARY
    response.etag = f"{page.digest}-{hashlib.sha256(token.encode()).hexdigest()[:16]}"
    if had_token and page.modified is not None:
        # Only for a page with the token the browser already holds: an If-Modified-Since alone must
        # not keep a page whose form has another token.
        response.last_modified = page.modified
    response.conditional_response = True
    return response


def kept_frame(request, template: str, values: Callable[[dict], dict], fills: dict[str, str]):
    """A page made for one request (a form's answer) whose frame is the same for everyone: the frame is
    rendered once per language and address with a placeholder in each of ``fills``' places (the
    template receives ``values(placeholders)``), and each request puts its own ``fills`` in (plain
    text is escaped by the caller as the template would; Markup goes in as it is), with the
    visitor's CSRF token. The ``values`` dict of ``fills`` itself, for the view's renderer, when the
    page holds something for this visitor alone (a flash message)."""
    if _personal(request):
        return values(fills)
    page = request.registry[PAGES].get(
        _key(request, template, "frame", *sorted(fills)),
        lambda: _keep(request, template, values({name: Markup(placeholder(name)) for name in fills}), None,
                      tuple(fills)))
    encoded = {name: str(value).encode() for name, value in fills.items()}
    encoded["csrf"] = get_csrf_token(request).encode()
    return Response(body=page.body(encoded), content_type="text/html", charset="utf-8")


def kept_section(request, template: str, version: tuple, values: Callable[[dict], dict],
                 fills: dict[str, str]) -> Markup:
    """A part of a page (a form's answer) that is the same for every request showing the same
    ``version`` of it but for ``fills``: rendered once per version, language and address with a
    placeholder in each of ``fills``' places (the template receives ``values(placeholders)``) and
    kept in the app's memo (``version`` holds every value the part shows, so that it cannot be
    stale); each request puts its own ``fills`` in (escaped by the caller, as in :func:`kept_frame`)."""
    part = memo(request).get(
        _key(request, template, "section", *version, *sorted(fills)),
        lambda: _keep(request, template, values({name: Markup(placeholder(name)) for name in fills}), None,
                      tuple(fills)))
    return Markup(part.body({name: str(value).encode() for name, value in fills.items()}).decode())


def static_headers(event) -> None:
    request, response = event.request, event.response
    if not request.path.startswith(STATIC_PREFIX) or response.status_code != 200:
        return
    if response.last_modified is not None and response.content_length is not None:
        response.etag = f"{int(response.last_modified.timestamp())}-{response.content_length}"
    response.headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE}"


def includeme(config):
    config.registry[MEMO] = Memo()
    config.registry[PAGES] = Memo(PAGES_SIZE)
    config.add_subscriber(static_headers, NewResponse)
