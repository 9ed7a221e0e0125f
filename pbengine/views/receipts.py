"""Anyone can check a receipt: is that ballot counted, replaced, or unknown?

The form is the same for everyone but the visitor's CSRF token: it is kept whole
(``caching.kept_page``). A check's answer is its own small section, put into a frame of the
page kept per language and address with the receipt typed in (``caching.kept_frame``).
"""

from __future__ import annotations

from markupsafe import Markup, escape
from pyramid.renderers import render
from pyramid.view import view_config

from .. import forms, limits
from ..i18n import _
from ..security import Permission
from ..services import ballots
from ..services.errors import TooManyAttempts
from . import caching

TEMPLATE = "site/receipt_check.jinja2"


@view_config(route_name="site.receipt_check", renderer=TEMPLATE, permission=Permission.VIEW, request_method="GET")
def receipt_check_form(request):
    return caching.kept_page(request, TEMPLATE, (),
                             lambda: {"status": None, "errors": {}, "value": "", "status_html": ""})


@view_config(route_name="site.receipt_check", renderer=TEMPLATE, permission=Permission.VIEW, request_method="POST")
def receipt_check(request):
    """POST, so that receipts stay out of addresses, histories and server logs."""
    value = (request.POST.get("receipt") or "").strip()[:64]
    if not any(ch.isalnum() for ch in value):
        request.response.status = 422
        return {"status": None, "value": value, "status_html": "",
                "errors": {"receipt": forms.translate(request, _("Enter the receipt you received when you voted."))}}
    try:
        # Only unknown receipts count; a known one is read without waiting for any write lock.
        status = limits.checked_lookup(request, "lookup.receipt", lambda: ballots.check_receipt(request.read_db, value),
                                       found=lambda status: status.found, db=request.read_db)
    except TooManyAttempts as error:
        request.response.status = error.status
        return {"status": None, "value": value, "status_html": "",
                "errors": {"receipt": forms.translate(request, error.message)}}
    section = Markup(render("site/_receipt_status.jinja2", {"status": status}, request=request))
    return caching.kept_frame(request, TEMPLATE, lambda fills: {"errors": {}, **fills},
                              {"value": escape(value), "status_html": section})
