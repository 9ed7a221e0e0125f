"""The public JSON API (``/api/v1``): read processes, budgets, projects and results; cast ballots.

Every API view is declared with :func:`api_view`, the one place where CSRF is turned off
(the API takes no cookies as credentials: a ballot carries its voter code in the body)
and where the JSON renderer and a permission are forced. Errors share one JSON shape,
``{"code", "message", "errors"?}`` (see :mod:`pbengine.api.errors`).
"""

from __future__ import annotations

from pyramid.view import view_config

from ..security import Permission

API_PATH = r"^/api/"


def api_view(route_name: str, permission: Permission, request_method: str = "GET", **settings):
    """``view_config`` for the API: JSON renderer, no CSRF check, an explicit permission, and the
    request validated against the OpenAPI document (:mod:`pbengine.api.validation`)."""
    return view_config(route_name=route_name, permission=permission, request_method=request_method,
                       renderer="json", require_csrf=False, openapi=True, **settings)


__all__ = ["API_PATH", "api_view"]
