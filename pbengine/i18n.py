"""Translation: one domain (`pbengine`), catalogs in pbengine/locale, en/fr/es."""

from __future__ import annotations

from translationstring import TranslationStringFactory

_ = TranslationStringFactory("pbengine")

LANGUAGES = {"en": "English", "fr": "Français", "es": "Español"}
LOCALE_COOKIE = "_LOCALE_"


def negotiate_locale(request) -> str:
    """`?_LOCALE_=fr`, then the language cookie, then the browser's Accept-Language."""
    for candidate in (request.params.get(LOCALE_COOKIE), request.cookies.get(LOCALE_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    match = request.accept_language.lookup(list(LANGUAGES), default="en")
    return match if match in LANGUAGES else "en"


def includeme(config):
    config.set_locale_negotiator(negotiate_locale)
    config.add_translation_dirs("pbengine:locale/")
    settings = config.get_settings()
    settings.setdefault("jinja2.i18n.domain", "pbengine")
    settings.setdefault("jinja2.extensions", "jinja2.ext.i18n")
    settings.setdefault("jinja2.filters", "money = pbengine.formatting:money_filter\n"
                                          "units = pbengine.formatting:units_filter")
    # pyramid_jinja2 registers the .jinja2 renderer; it reads these settings when the config commits.
    config.add_jinja2_search_path("pbengine:templates", name=".jinja2")
