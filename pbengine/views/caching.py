"""HTTP caching of the public pages, and the app's memo of rendered published results.

- Static files: ``Cache-Control: public, max-age=3600``, ``Last-Modified`` and an ETag (size and
  modification time); a reverse proxy or a browser revalidates them with a 304.
- Published results (HTML): ``Cache-Control: private, no-cache`` and an ETag of the page. The
  page holds the visitor's own CSRF token (the language form) and flash messages, so only the
  visitor's browser may keep it; it asks again each time and gets a 304 while nothing changed.
- A published result's chart (SVG) is the same for everyone: ``public``, with an ETag.
"""

from __future__ import annotations

from pyramid.events import NewResponse

from ..services.memo import Memo

MEMO = "pbengine.memo"
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


def static_headers(event) -> None:
    request, response = event.request, event.response
    if not request.path.startswith(STATIC_PREFIX) or response.status_code != 200:
        return
    if response.last_modified is not None and response.content_length is not None:
        response.etag = f"{int(response.last_modified.timestamp())}-{response.content_length}"
    response.headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE}"


def includeme(config):
    config.registry[MEMO] = Memo()
    config.add_subscriber(static_headers, NewResponse)
