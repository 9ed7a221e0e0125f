"""The organizers' texts in French and Spanish: process title and description, budget name and
description, project title and description, category names.

They are not part of the configuration fingerprint (``services.config_lock.configuration``): they may
be entered or corrected at any phase, after the vote too. Each change bumps the process's
``texts_revision``, which the pages kept by the app read.
"""

from __future__ import annotations

from ..models import Budget, Process, Project
from . import audit

TRANSLATED_LOCALES = ("fr", "es")


def _owner(obj) -> Process:
    if isinstance(obj, Process):
        return obj
    if isinstance(obj, Budget):
        return obj.process
    return obj.budget.process


def set_translation(obj, locale: str, field: str, value: str) -> bool:
    """Set (or, when ``value`` is empty, remove) ``field`` of ``obj`` in ``locale``; True if it changed.

    ``obj`` is a process, budget or project; any phase.
    """
    translations = dict(obj.translations or {})
    entry = dict(translations.get(locale, {}))
    before = entry.get(field) or ""
    value = (value or "").strip()
    if value == before:
        return False
    if value:
        entry[field] = value
    else:
        entry.pop(field, None)
    translations[locale] = entry
    obj.translations = translations
    process = _owner(obj)
    process.texts_revision = (process.texts_revision or 0) + 1
    return True


def translate(db, obj, values: dict[tuple[str, str], str], actor: str = "") -> bool:
    """Set the texts ``{(locale, field): text}`` of a process, budget or project, at any phase.

    One audit event says what was translated (not the texts). True if anything changed.
    """
    changed = sorted({f"{field}_{locale}" for (locale, field), value in values.items()
                      if set_translation(obj, locale, field, value)})
    if changed:
        payload: dict = {"fields": changed}
        if isinstance(obj, Budget):
            payload["budget"] = obj.slug
        elif isinstance(obj, Project):
            payload |= {"budget": obj.budget.slug, "project": obj.code}
        audit.record(db, _owner(obj), "texts.translated", payload, actor)
    return bool(changed)


def translate_categories(db, process: Process, values: dict[tuple[str, str], str], actor: str = "") -> bool:
    """Name categories per language: ``{(category, locale): name}``; any phase; one audit event."""
    changed = sorted({category for (category, locale), value in values.items()
                      if set_category_translation(process, category, locale, value)})
    if changed:
        audit.record(db, process, "texts.translated", {"categories": changed}, actor)
    return bool(changed)


def categories_in_use(process: Process) -> list[str]:
    """Every category a project of ``process`` carries, sorted."""
    return sorted({c for b in process.budgets for p in b.projects for c in (p.categories or []) if c})


def set_category_translation(process: Process, category: str, locale: str, value: str) -> bool:
    """Name ``category`` (as the projects carry it) in ``locale``; an empty ``value`` removes the name."""
    translations = dict(process.translations or {})
    entry = dict(translations.get(locale, {}))
    names = dict(entry.get("categories") or {})
    value = (value or "").strip()
    if value == (names.get(category) or ""):
        return False
    if value:
        names[category] = value
    else:
        names.pop(category, None)
    entry["categories"] = names
    translations[locale] = entry
    process.translations = translations
    process.texts_revision = (process.texts_revision or 0) + 1
    return True
