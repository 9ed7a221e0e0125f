"""Home page (list of public processes) and the language switch."""

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select

from ..i18n import LOCALE_COOKIE, languages
from ..models import Process
from ..security import Permission
from ..services import phases


@view_config(route_name="site.home", renderer="site/home.jinja2", permission=Permission.VIEW,
             request_method="GET")
def home(request):
    processes = request.db.scalars(
        select(Process).where(phases.public_processes()).order_by(Process.created_at.desc())
    ).all()
    return {"processes": processes}


@view_config(route_name="site.language", permission=Permission.VIEW, request_method="POST")
def set_language(request):
    language = request.POST.get("language")
    came_from = request.POST.get("came_from") or "/"
    if not came_from.startswith("/") or came_from.startswith("//"):
        came_from = "/"
    response = HTTPSeeOther(came_from)
    if language in languages(request):
        response.set_cookie(LOCALE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response
