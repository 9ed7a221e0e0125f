"""Citizen website views; shared renderer globals and the error views of every HTML surface."""

from functools import partial

from pyramid.events import BeforeRender

from .. import labels
from ..formatting import money, units
from ..i18n import languages
from ..services import phases
from ..texts import Texts, content_language
from . import caching


def add_globals(event: BeforeRender) -> None:
    if event.get("renderer_name") == "json":
        return  # the API's answers read no template globals (a localizer per ballot for nothing)
    request = event.get("request")
    event["languages"] = languages(request) if request is not None else {}
    event["phase_labels"] = labels.PHASE_LABELS
    event["phase_rules"] = phases  # what each phase allows: templates ask, never compare phase names
    event["sdg_names"] = labels.SDG_NAMES
    event["organisation_types"] = labels.ORGANISATION_TYPES
    locale = getattr(request, "locale_name", None)
    event["money"] = partial(money, locale=locale)
    event["units"] = partial(units, locale=locale)
    if request is not None:
        event["t"] = request.localizer.translate
        # organizer texts in the reader's language, or the original in a <span lang> (pbengine.texts)
        event["tr"] = Texts(locale, content_language(request.registry.settings))
        placeholder = caching.token_placeholder(request)
        if placeholder is not None:  # a page kept for every visitor: each gets their own token put in
            event["get_csrf_token"] = lambda: placeholder


def includeme(config):
    config.add_subscriber(add_globals, BeforeRender)
    config.include(".caching")
