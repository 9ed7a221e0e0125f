"""What every console view shares: the acting organizer, form errors, labels."""

# ruff: noqa: F401  (refuse and translate are re-exported for the console views)

from __future__ import annotations

from .. import forms, labels
from ..forms import refuse, translate
from ..services.processes import set_translation

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
TRANSLATED_LOCALES = ("fr", "es")
TRANSLATED_FIELDS = ("title", "description")


def translation_values(obj) -> dict:
    """``{"title_fr": ..., "description_es": ...}`` of a process or project, for its form."""
    stored = (obj.translations or {}) if obj is not None else {}
    return {f"{name}_{locale}": stored.get(locale, {}).get(name, "")
            for locale in TRANSLATED_LOCALES for name in TRANSLATED_FIELDS}


def posted_translations(params) -> dict:
    return {key: params.get(key, "") for key in translation_values(None)}


def apply_translations(obj, params) -> None:
    for locale in TRANSLATED_LOCALES:
        set_translation(obj, locale, "title", forms.text(params, f"title_{locale}", 200))
        set_translation(obj, locale, "description", forms.text(params, f"description_{locale}"))


def label_options(request, labels: dict) -> list[tuple[str, str]]:
    return [(str(key), translate(request, text)) for key, text in labels.items()]
