"""Anyone can check a receipt: is that ballot counted, replaced, or unknown?"""

from __future__ import annotations

from pyramid.view import view_config

from .. import forms, limits
from ..i18n import _
from ..security import Permission
from ..services import ballots
from ..services.errors import TooManyAttempts
from . import caching


@view_config(route_name="site.receipt_check", renderer="site/receipt_check.jinja2", permission=Permission.VIEW,
             request_method="GET")
def receipt_check_form(request):
    # The same form for everyone (but the visitor's CSRF token): kept, see views.caching.kept_page.
    return caching.kept_page(request, "site/receipt_check.jinja2", (),
                             lambda: {"status": None, "errors": {}, "value": ""})


@view_config(route_name="site.receipt_check", renderer="site/receipt_check.jinja2", permission=Permission.VIEW,
             request_method="POST")
def receipt_check(request):
    """POST, so that receipts stay out of addresses, histories and server logs."""
    value = (request.POST.get("receipt") or "").strip()[:64]
    if not any(ch.isalnum() for ch in value):
        request.response.status = 422
        return {"status": None, "value": value,
                "errors": {"receipt": forms.translate(request, _("Enter the receipt you received when you voted."))}}
    try:
        # Only unknown receipts count; a known one is read without waiting for any write lock.
        status = limits.checked_lookup(request, "lookup.receipt", lambda: ballots.check_receipt(request.read_db, value),
                                       found=lambda status: status.found, db=request.read_db)
    except TooManyAttempts as error:
        request.response.status = error.status
        return {"status": None, "value": value, "errors": {"receipt": forms.translate(request, error.message)}}
    return {"status": status, "errors": {}, "value": value}
