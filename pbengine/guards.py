"""Malformed requests are refused before any view runs, in the surface's own shape, writing nothing.

A tween (under Pyramid's exception-view tween, so the refusal is rendered by the HTML or the
API error views) refuses with 400 a path or query that is not UTF-8, a form that cannot be
decoded, a NUL character in any field, and a file sent in a field that takes text; with
413 a body larger than ``pbengine.max_upload_bytes`` (the one upload limit; waitress's own
``max_request_body_size`` is set above it so that the app answers with its own page).
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from pyramid.httpexceptions import HTTPBadRequest, HTTPRequestEntityTooLarge
from pyramid.tweens import EXCVIEW, MAIN

from .i18n import _

DEFAULT_MAX_UPLOAD = 2 * 1024 * 1024  # a 2 MB import file and its form around it
UPLOAD_FIELDS = frozenset({"file"})  # the console's project import; no other form takes a file
MAX_ID = 2**63 - 1


class BadRequest(HTTPBadRequest):
    """400 with a translatable message for the error views."""

    def __init__(self, message):
        super().__init__()
        self.message = message


class TooLarge(HTTPRequestEntityTooLarge):
    def __init__(self, message):
        super().__init__()
        self.message = message


def _utf8(environ, key: str) -> bool:
    raw = environ.get(key, "")
    try:
        data = raw.encode("latin-1")
        if key == "QUERY_STRING":  # still percent-encoded
            data = unquote_to_bytes(raw.replace("+", " "))
        data.decode("utf-8")
    except UnicodeError:
        # Make the request readable for the error page, then refuse it.
        environ[key] = raw.encode("latin-1", "replace").decode("utf-8", "replace").encode("utf-8").decode("latin-1")
        return False
    return True


def check(request, max_upload: int) -> None:
    environ = request.environ
    if not (_utf8(environ, "PATH_INFO") & _utf8(environ, "QUERY_STRING")):  # both made readable
        environ["QUERY_STRING"] = ""
        raise BadRequest(_("This address is not valid text (UTF-8)."))
    if "\x00" in environ.get("PATH_INFO", ""):
        raise BadRequest(_("This address holds a NUL character, which no address accepts."))
    if request.content_length is not None and request.content_length > max_upload:
        raise TooLarge(_("The request is larger than ${n} bytes.", mapping={"n": max_upload}))
    try:
        params = list(request.params.items())
    except (UnicodeError, ValueError):
        raise BadRequest(_("This form could not be read: it is not valid text (UTF-8).")) from None
    for name, value in params:
        if isinstance(value, str):
            if "\x00" in value or "\x00" in name:
                raise BadRequest(_("A field holds a NUL character, which no field accepts."))
        elif name not in UPLOAD_FIELDS:
            raise BadRequest(_("A file was sent in a field that takes text."))


def guard_tween_factory(handler, registry):
    max_upload = int(registry.settings.get("pbengine.max_upload_bytes", DEFAULT_MAX_UPLOAD))

    def guard_tween(request):
        check(request, max_upload)
        return handler(request)

    return guard_tween


def includeme(config):
    config.add_tween("pbengine.guards.guard_tween_factory", over=MAIN, under=EXCVIEW)
