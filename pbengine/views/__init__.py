"""Citizen website views; shared renderer globals and the error views of every HTML surface."""

from pyramid.events import BeforeRender

from .. import labels
from ..formatting import money
from ..i18n import LANGUAGES


def add_globals(event: BeforeRender) -> None:
    request = event.get("request")
    event["languages"] = LANGUAGES
    event["phase_labels"] = labels.PHASE_LABELS
    event["sdg_names"] = labels.SDG_NAMES
    event["organisation_types"] = labels.ORGANISATION_TYPES
    event["money"] = money
    if request is not None:
        event["t"] = request.localizer.translate


def includeme(config):
    config.add_subscriber(add_globals, BeforeRender)
