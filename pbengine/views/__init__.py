"""Citizen website views; shared renderer globals and the error views of every HTML surface."""

from pyramid.events import BeforeRender

from ..i18n import LANGUAGES


def add_globals(event: BeforeRender) -> None:
    request = event.get("request")
    event["languages"] = LANGUAGES
    if request is not None:
        event["t"] = request.localizer.translate


def includeme(config):
    config.add_subscriber(add_globals, BeforeRender)
