"""One exception view per error family for the HTML surfaces (the API has its own, in pbengine.api)."""

from pyramid.exceptions import BadCSRFToken
from pyramid.httpexceptions import HTTPClientError, HTTPNotFound, HTTPSeeOther
from pyramid.view import exception_view_config, forbidden_view_config, notfound_view_config

from ..i18n import _
from ..services.errors import DomainError


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


@notfound_view_config(renderer="errors/error.jinja2", append_slash=HTTPSeeOther)
def not_found(request):
    request.response.status = 404
    t = request.localizer.translate
    return {"title": t(_("Page not found")),
            "message": t(_("There is nothing at this address."))}


@forbidden_view_config(renderer="errors/error.jinja2")
def forbidden(request):
    if request.path.startswith("/console") and request.identity is None:
        return HTTPSeeOther(request.route_url("console.login", _query={"came_from": request.path}))
    request.response.status = 403
    t = request.localizer.translate
    return {"title": t(_("Not allowed")),
            "message": t(_("You do not have permission to see this page."))}


@exception_view_config(DomainError, renderer="errors/error.jinja2")
def domain_error(exc, request):
    """Fallback for a domain error a view did not turn into a form message itself."""
    request.response.status = exc.status
    t = request.localizer.translate
    return {"title": t(_("This cannot be done")), "message": t(exc.message)}


@exception_view_config(HTTPClientError, renderer="errors/error.jinja2")
def client_error(exc, request):
    """A malformed request (pbengine.guards) or any other 4xx without a view of its own."""
    request.response.status = exc.code
    t = request.localizer.translate
    return {"title": t(_("This request cannot be answered")),
            "message": t(getattr(exc, "message", None) or _("The request is malformed. Go back and try again."))}


@exception_view_config(BadCSRFToken, renderer="errors/error.jinja2")
def csrf_or_forbidden(exc, request):
    request.response.status = 400
    t = request.localizer.translate
    return {"title": t(_("Form expired")),
            "message": t(_("This form has expired or was sent from elsewhere. "
                           "Go back, reload the page and send it again."))}


__all__ = ["HTTPNotFound", "csrf_or_forbidden", "domain_error", "forbidden", "not_found"]
