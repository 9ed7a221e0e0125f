"""Anyone can check a receipt: is that ballot counted, replaced, or unknown?

The form is the same for everyone but the visitor's CSRF token: it is kept whole
(``caching.kept_page``). A check's answer is its own small section, kept per language and what it
shows with the receipt's hash put in (``caching.kept_section``), put into a frame of the page kept
per language and address with the receipt typed in (``caching.kept_frame``). The check itself is
one statement (``services.receipts.check_receipt``: the receipt and the lookup limit's counters).
"""

from __future__ import annotations

import json
from dataclasses import replace

from markupsafe import escape
from pyramid.view import view_config

from .. import forms, limits
from ..i18n import _
from ..security import Permission
from ..services import receipts
from ..services.errors import TooManyAttempts
from . import caching

TEMPLATE = "site/receipt_check.jinja2"


@view_config(route_name="site.receipt_check", renderer=TEMPLATE, permission=Permission.VIEW, request_method="GET")
def receipt_check_form(request):
    return caching.kept_page(request, TEMPLATE, (),
                             lambda: {"status": None, "errors": {}, "value": "", "status_html": ""})


def _shown(status: receipts.ReceiptStatus) -> tuple:
    """Every value the answer's section shows but the receipt's hash: what it is kept under."""
    budget = status.budget
    if budget is None:
        return (status.found,)
    process = budget.process
    return (status.found, status.counted, status.published, budget.id, budget.name,
            json.dumps(budget.translations, sort_keys=True), process.id, process.slug, process.title,
            json.dumps(process.translations, sort_keys=True))


@view_config(route_name="site.receipt_check", renderer=TEMPLATE, permission=Permission.VIEW, request_method="POST")
def receipt_check(request):
    """POST, so that receipts stay out of addresses, histories and server logs."""
    value = (request.POST.get("receipt") or "").strip()[:64]
    if not any(ch.isalnum() for ch in value):
        request.response.status = 422
        return {"status": None, "value": value, "status_html": "",
                "errors": {"receipt": forms.translate(request, _("Enter the receipt you received when you voted."))}}
    try:
        # One read (the receipt and the limit's counters); only an unknown receipt is counted.
        with request.read_connection() as connection:
            status = receipts.check_receipt(connection, value, limits.lookup_buckets(request, "lookup.receipt"),
                                            request.registry["dbsession_factory"])
    except TooManyAttempts as error:
        request.response.status = error.status
        return {"status": None, "value": value, "status_html": "",
                "errors": {"receipt": forms.translate(request, error.message)}}
    section = caching.kept_section(request, "site/_receipt_status.jinja2", _shown(status),
                                   lambda fills: {"status": replace(status, receipt_hash=fills["hash"])},
                                   {"hash": escape(status.receipt_hash)})
    return caching.kept_frame(request, TEMPLATE, lambda fills: {"errors": {}, **fills},
                              {"value": escape(value), "status_html": section})
