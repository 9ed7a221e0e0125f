"""The API's routes are tried first (pbengine.routes): every address still reaches the route it reached
when they were tried last, after the site's and the console's."""

from __future__ import annotations

import itertools
import re

from pyramid.interfaces import IRoutesMapper

VALUES = ("x", "api", "v1", "processes", "budgets", "1", "a.zip")
EXTRA = ("/", "/api", "/api/", "/api/v1", "/api/v1/", "/p/api", "/p/api/v1/processes", "/static/api/v1/x",
         "/api/v1/processes/x/budgets/y/ballots/z", "/console/api/v1/processes")


def _paths(routes):
    """Addresses each route matches (every value in each place), and some that are near them."""
    for route in routes:
        names = re.findall(r"{(\w+)", route.pattern) + (["subpath"] if "*subpath" in route.pattern else [])
        for values in itertools.islice(itertools.product(VALUES, repeat=len(names)), 400):
            try:
                path = route.generate(dict(zip(names, values, strict=True)))
            except (KeyError, ValueError):
                continue
            yield from (path, path + "/", path + "/x")
    yield from EXTRA


def _first(routes, path):
    return next((route.name for route in routes if route.match(path) is not None), None)


def test_every_address_reaches_the_route_it_reached_with_the_api_last(wsgi_app):
    routes = wsgi_app.registry.getUtility(IRoutesMapper).get_routes()
    api = [route for route in routes if route.name.startswith("api.")]
    before = [route for route in routes if not route.name.startswith("api.")] + api
    assert routes[0].name.startswith("api.") and routes != before  # the API's routes come first now
    paths = set(_paths(routes))
    assert len(paths) > 500
    assert {path: _first(routes, path) for path in paths} == {path: _first(before, path) for path in paths}
    assert _first(routes, "/api/v1/processes/town/budgets/citywide/ballots") == "api.ballots"
