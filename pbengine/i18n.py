"""Translation: one domain (`pbengine`), catalogs in pbengine/locale, en/fr/es."""

from __future__ import annotations

from translationstring import TranslationStringFactory

_ = TranslationStringFactory("pbengine")

LANGUAGES = {"en": "English", "fr": "Français", "es": "Español"}
LOCALE_COOKIE = "_LOCALE_"
AVAILABLE = "pbengine.languages"


def available_languages(settings) -> dict[str, str]:
    """The languages offered: ``pyramid.available_languages`` (space-separated), of those
    pbengine has catalogs for; all of them when the setting is empty."""
    wanted = (settings.get("pyramid.available_languages") or "").split()
    chosen = {code: LANGUAGES[code] for code in wanted if code in LANGUAGES}
    return chosen or dict(LANGUAGES)


def languages(request) -> dict[str, str]:
    return request.registry.settings.get(AVAILABLE) or LANGUAGES


def negotiate_locale(request) -> str:
    """`?_LOCALE_=fr`, then the language cookie, then the browser's Accept-Language, among the
    languages offered; else the default locale."""
    offered = languages(request)
    default = request.registry.settings.get("pyramid.default_locale_name") or "en"
    default = default if default in offered else next(iter(offered))
    for candidate in (request.params.get(LOCALE_COOKIE), request.cookies.get(LOCALE_COOKIE)):
        if candidate in offered:
            return candidate
    match = request.accept_language.lookup(list(offered), default=default)
    return match if match in offered else default


def includeme(config):
    config.set_locale_negotiator(negotiate_locale)
    config.add_translation_dirs("pbengine:locale/")
    settings = config.get_settings()
    settings[AVAILABLE] = available_languages(settings)
    settings.setdefault("jinja2.i18n.domain", "pbengine")
    settings.setdefault("jinja2.extensions", "jinja2.ext.i18n")
    settings.setdefault("jinja2.filters", "money = pbengine.formatting:money_filter\n"
                                          "units = pbengine.formatting:units_filter")
    # pyramid_jinja2 registers the .jinja2 renderer; it reads these settings when the config commits.
    config.add_jinja2_search_path("pbengine:templates", name=".jinja2")
