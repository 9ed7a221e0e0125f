"""Organizer accounts (admin only) and their roles on a process."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select

from .. import forms
from ..i18n import _
from ..models import Organizer, ProcessRole
from ..security import Permission
from ..services import accounts
from ..services.errors import DomainError, InvalidInput
from .common import ROLE_LABELS, actor, label_options, refuse, translate


def _organizers(request):
    return request.db.scalars(select(Organizer).order_by(Organizer.email)).all()


@view_config(route_name="console.organizers", renderer="console/organizers.jinja2",
             permission=Permission.ADMIN, request_method="GET")
def organizers(request):
    return {"organizers": _organizers(request), "errors": {}, "values": {}}


@view_config(route_name="console.organizers", renderer="console/organizers.jinja2",
             permission=Permission.ADMIN, request_method="POST")
def organizer_create(request):
    values = {"email": request.POST.get("email", ""), "name": request.POST.get("name", ""),
              "is_admin": forms.checkbox(request.POST, "is_admin")}
    try:
        organizer = accounts.create_organizer(request.db, values["email"], values["name"],
                                              request.POST.get("password", ""), is_admin=values["is_admin"])
    except DomainError as error:
        return {"organizers": _organizers(request), "errors": refuse(request, error), "values": values}
    request.session.flash(translate(request, _("Organizer ${email} created.", mapping={"email": organizer.email})))
    return HTTPSeeOther(request.route_url("console.organizers"))


def _roles_page(request, errors=None, values=None):
    process = request.context.process
    holders = request.db.execute(
        select(Organizer, ProcessRole.role).join(ProcessRole, ProcessRole.organizer_id == Organizer.id)
        .where(ProcessRole.process_id == process.id).order_by(Organizer.email)).all()
    return {"process": process, "holders": holders, "organizers": _organizers(request),
            "role_options": label_options(request, ROLE_LABELS), "role_labels": ROLE_LABELS,
            "errors": errors or {}, "values": values or {}}


@view_config(route_name="console.process_roles", renderer="console/roles.jinja2",
             permission=Permission.ADMIN, request_method="GET")
def roles(request):
    return _roles_page(request)


@view_config(route_name="console.process_roles", renderer="console/roles.jinja2",
             permission=Permission.ADMIN, request_method="POST")
def roles_change(request):
    process = request.context.process
    values = {"organizer_id": request.POST.get("organizer_id", ""), "role": request.POST.get("role", "")}
    try:
        organizer_id = forms.integer(request.POST, "organizer_id")
        organizer = request.db.get(Organizer, organizer_id)
        if organizer is None:
            raise InvalidInput(_("Choose an organizer from the list."), field="organizer_id")
        if request.POST.get("action") == "revoke":
            accounts.revoke_role(request.db, process, organizer, actor(request))
        else:
            accounts.grant_role(request.db, process, organizer, values["role"], actor(request))
    except DomainError as error:
        return _roles_page(request, refuse(request, error), values)
    request.session.flash(translate(request, _("Roles updated.")))
    return HTTPSeeOther(request.route_url("console.process_roles", process_id=process.id))
