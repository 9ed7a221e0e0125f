"""An organizer's own account: change the password (which ends all their other sessions)."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import remember
from pyramid.view import view_config

from ..i18n import _
from ..security import Permission
from ..services import accounts
from ..services.errors import DomainError
from .common import refuse, translate


@view_config(route_name="console.account", renderer="console/account.jinja2", permission=Permission.CONSOLE,
             request_method="GET")
def account(request):
    return {"errors": {}}


@view_config(route_name="console.account", renderer="console/account.jinja2", permission=Permission.CONSOLE,
             request_method="POST")
def change_password(request):
    organizer = request.identity
    post = request.POST
    try:
        accounts.change_password(request.db, organizer, post.get("current_password", ""),
                                 post.get("new_password", ""), post.get("confirm_password", ""))
    except DomainError as error:
        request.response.status = error.status
        return {"errors": refuse(request, error)}
    # Every session of this organizer was ended; this browser gets a fresh one.
    headers = remember(request, organizer.id)
    request.session.flash(translate(request, _("Password changed. You were logged out everywhere else.")))
    return HTTPSeeOther(request.route_url("console.account"), headers=headers)
