"""Every receipt of this visit to the booth on one page, printable and downloadable.

The receipts are kept in the voter's own browser, in a cookie of the process's pages
(``/p/<process>``, HttpOnly, SameSite=Strict, gone when the browser closes), never on the
server: the session row holds the voter code's id, and a receipt beside it would link a ballot
to a code. One receipt per budget (a new ballot's receipt replaces the earlier one). Leaving the
booth, or entering another voter code, forgets them.
"""

from __future__ import annotations

import base64
import binascii
import json
import re

from pyramid.response import Response
from pyramid.view import view_config

from ..i18n import _
from ..security import Permission

COOKIE = "pbreceipts"
RECEIPT = re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{4})+$")


def _path(process) -> str:
    return f"/p/{process.slug}"


def _secure(request) -> bool:
    return request.registry.settings.get("pbengine.secure_cookies", "false").lower() == "true"


def read(request, process) -> list[dict]:
    """``[{"budget": Budget, "receipt": str, "replaced": bool}]`` of this visit, in the budgets' order."""
    raw = request.cookies.get(COOKIE, "")
    try:
        entries = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"==").decode("utf-8")) if raw else []
    except (ValueError, binascii.Error, UnicodeError):
        return []
    if not isinstance(entries, list):
        return []
    found = {}
    for entry in entries:
        if (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], str)
                and isinstance(entry[1], str) and RECEIPT.match(entry[1])):
            found[entry[0]] = (entry[1], bool(entry[2]))
    return [{"budget": budget, "receipt": found[budget.slug][0], "replaced": found[budget.slug][1]}
            for budget in process.budgets if budget.slug in found]


def remember(request, response, process, budget, receipt: str, replaced: bool) -> None:
    """Add ``receipt`` (the newest of ``budget``) to the visit's receipts, on ``response``."""
    entries = [[e["budget"].slug, e["receipt"], e["replaced"]] for e in read(request, process)
               if e["budget"].slug != budget.slug]
    entries.append([budget.slug, receipt, replaced])
    value = base64.urlsafe_b64encode(json.dumps(entries, separators=(",", ":")).encode()).decode().rstrip("=")
    response.set_cookie(COOKIE, value, path=_path(process), httponly=True, samesite="Strict",
                        secure=_secure(request))


def forget(request, response, process) -> None:
    if COOKIE in request.cookies:
        response.delete_cookie(COOKIE, path=_path(process))


@view_config(route_name="site.my_receipts", renderer="site/my_receipts.jinja2", permission=Permission.VIEW,
             request_method="GET")
def my_receipts(context, request):
    request.response.headers["Cache-Control"] = "no-store"
    return {"process": context.process, "receipts": read(request, context.process)}


@view_config(route_name="site.my_receipts_text", permission=Permission.VIEW, request_method="GET")
def my_receipts_text(context, request):
    """The same receipts as a text file to keep (UTF-8)."""
    process = context.process
    translate = request.localizer.translate
    receipts = read(request, process)
    lines = [process.localized("title", request.locale_name), "",
             translate(_("Your receipts. Each one lets you check that your ballot is counted; none reveals "
                         "your vote or your voter code.")), ""]
    if not receipts:
        lines.append(translate(_("No receipt is kept in this browser.")))
    for entry in receipts:
        lines.append(f"{entry['budget'].name}: {entry['receipt']}")
    lines += ["", translate(_("Check a receipt: ${url}", mapping={"url": request.route_url("site.receipt_check")}))]
    response = Response(body=("\n".join(lines) + "\n").encode("utf-8"), content_type="text/plain", charset="utf-8")
    response.content_disposition = f'attachment; filename="receipts-{process.slug}.txt"'
    response.headers["Cache-Control"] = "no-store"
    return response
