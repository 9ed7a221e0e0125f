"""Login, logout and the console home page."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import forget, remember
from pyramid.view import view_config
from sqlalchemy import select

from .. import limits
from ..i18n import _
from ..models import Process
from ..security import Permission
from ..services import accounts
from ..services.errors import AuthenticationFailed, TooManyAttempts
from .common import PHASE_LABELS, ROLE_LABELS, translate


def _came_from(request) -> str:
    target = request.params.get("came_from") or ""
    if target.startswith("/console") and not target.startswith("/console/login"):
        return target
    return request.route_path("console.home")


@view_config(route_name="console.login", renderer="console/login.jinja2", permission=Permission.VIEW,
             request_method="GET")
def login_form(request):
    return {"errors": {}, "email": "", "came_from": _came_from(request)}


@view_config(route_name="console.login", renderer="console/login.jinja2", permission=Permission.VIEW,
             request_method="POST")
def login(request):
    email = request.POST.get("email", "")
    values = {"email": email, "came_from": _came_from(request)}
    try:
        attempt = limits.login_attempt(request, email)
        organizer = accounts.authenticate(request.db, email, request.POST.get("password", ""))
    except TooManyAttempts as error:
        request.response.status = error.status
        return values | {"errors": {"_form": translate(request, error.message)}}
    except AuthenticationFailed as error:
        request.response.status = error.status
        return values | {"errors": {"_form": translate(request, error.message)}}
    attempt.release()
    headers = remember(request, organizer.id)
    return HTTPSeeOther(values["came_from"], headers=headers)


@view_config(route_name="console.logout", permission=Permission.VIEW, request_method="POST")
def logout(request):
    return HTTPSeeOther(request.route_url("console.login"), headers=forget(request))


@view_config(route_name="console.home", renderer="console/home.jinja2", permission=Permission.CONSOLE,
             request_method="GET")
def home(request):
    organizer = request.identity
    if organizer.is_admin:
        listed = request.db.scalars(select(Process).order_by(Process.created_at.desc(), Process.id.desc())).all()
        roles = {r.process_id: r.role for r in organizer.roles}
    else:
        roles = {r.process_id: r.role for r in organizer.roles}
        listed = request.db.scalars(select(Process).where(Process.id.in_(roles or [0]))
                                    .order_by(Process.created_at.desc(), Process.id.desc())).all()
    admin_label = translate(request, _("Administrator")) if organizer.is_admin else ""
    items = [{"process": p, "phase": translate(request, PHASE_LABELS[p.phase]),
              "role": translate(request, ROLE_LABELS[roles[p.id]]) if p.id in roles else admin_label}
             for p in listed]
    return {"processes": items}
