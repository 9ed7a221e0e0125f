"""What every console view shares: the acting organizer, form errors, labels."""

# ruff: noqa: F401  (refuse and translate are re-exported for the console views)

from __future__ import annotations

from .. import forms, labels
from ..forms import refuse, translate
from ..services import translations

# The console shows the same names as the site: one place for each label.
BALLOT_KIND_LABELS = labels.BALLOT_KIND_LABELS
ORGANISATION_TYPE_LABELS = labels.ORGANISATION_TYPES
PHASE_LABELS = labels.PHASE_LABELS
PROPOSAL_STATUS_LABELS = labels.PROPOSAL_STATUS
ROLE_LABELS = labels.ROLE_LABELS
SDG_NAMES = labels.SDG_NAMES


def actor(request) -> str:
    """Who did it, for the audit log (never shown in the public export)."""
    identity = request.identity
    return identity.email if identity is not None else ""


# Organizer-entered texts that may be given per language (besides the main text).
TRANSLATED_LOCALES = translations.TRANSLATED_LOCALES
TRANSLATED_FIELDS = ("title", "description")  # a process's and a project's
BUDGET_TRANSLATED_FIELDS = ("name", "description")
MAX_LENGTH = {"title": 200, "name": 200, "description": 10_000}


def translation_values(obj, fields=TRANSLATED_FIELDS) -> dict:
    """``{"title_fr": ..., "description_es": ...}`` of a process, budget or project, for its form."""
    stored = (obj.translations or {}) if obj is not None else {}
    return {f"{name}_{locale}": stored.get(locale, {}).get(name, "")
            for locale in TRANSLATED_LOCALES for name in fields}


def posted_translations(params, fields=TRANSLATED_FIELDS) -> dict:
    return {key: params.get(key, "") for key in translation_values(None, fields)}


def apply_translations(request, obj, fields=TRANSLATED_FIELDS) -> bool:
    """Store the posted translations of ``obj`` (any phase: they are not part of the fingerprint)."""
    values = {(locale, name): forms.text(request.POST, f"{name}_{locale}", MAX_LENGTH[name])
              for locale in TRANSLATED_LOCALES for name in fields}
    return translations.translate(request.db, obj, values, actor(request))


def category_rows(process, params=None) -> list[dict]:
    """One row per category in use, with its names per language (stored, or ``params`` as posted)."""
    rows = []
    for index, category in enumerate(translations.categories_in_use(process)):
        names = {locale: (params.get(f"category_{index}_{locale}", "") if params is not None
                          else process.category_label(category, locale) or "")
                 for locale in TRANSLATED_LOCALES}
        rows.append({"index": index, "category": category, "names": names})
    return rows


def apply_category_translations(request, process) -> bool:
    """Store the posted category names: the form names each row's category in ``category_<i>``."""
    params = request.POST
    in_use = set(translations.categories_in_use(process))
    values = {}
    for key in params:
        if not (key.startswith("category_") and key.count("_") == 1):
            continue
        category = params.get(key, "")
        if category not in in_use:
            continue  # a category no project carries any more
        for locale in TRANSLATED_LOCALES:
            values[(category, locale)] = forms.text(params, f"{key}_{locale}", 80)
    return translations.translate_categories(request.db, process, values, actor(request))


def label_options(request, labels: dict) -> list[tuple[str, str]]:
    return [(str(key), translate(request, text)) for key, text in labels.items()]
