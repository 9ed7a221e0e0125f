"""pbengine: a participatory budgeting engine (Pyramid app factory)."""

from pyramid.config import Configurator

from .settings import apply_environment, require_secrets, require_timezone

__version__ = "0.1.0"


def main(global_config, **settings):
    """Build the WSGI application. Reads like a table of contents."""
    settings = apply_environment(settings)
    require_secrets(settings)
    require_timezone(settings)
    with Configurator(settings=settings) as config:
        config.include("pyramid_jinja2")      # templates (.jinja2), with the i18n extension
        config.include(".i18n")               # locale negotiation, message catalogs
        config.include(".models")             # request.db bound to pyramid_tm
        config.include(".notifications")      # request.notifier: mails to proposers, sent on commit
        config.include(".security")           # sessions, CSRF, identity, ACL policy
        config.include(".guards")             # malformed requests refused (4xx) before any view
        config.include(".routes")             # every route, with its context factory
        config.include(".api.validation")     # the OpenAPI document checks every API request
        config.include(".views")              # citizen site helpers, error views
        config.scan(ignore=[".tests"])
    return config.make_wsgi_app()
