"""Translations are texts for readers: they never move the configuration fingerprint."""

from pbengine.services import config_lock, translations
from tests.helpers import make_budget, make_process


def test_translations_of_every_kind_leave_the_fingerprint_as_it_was_and_raise_the_texts_revision(db):
    process = make_process(db)
    budget = make_budget(db, process)
    budget.projects[0].categories = ["energy"]
    before, revision = config_lock.fingerprint(process), process.texts_revision
    assert translations.set_translation(process, "fr", "title", "Budget de la ville")
    assert translations.set_translation(budget, "es", "name", "Toda la ciudad")
    assert translations.set_translation(budget.projects[0], "fr", "description", "Un projet.")
    assert translations.set_category_translation(process, "energy", "es", "energía")
    assert config_lock.fingerprint(process) == before
    assert process.texts_revision == revision + 4
    # the same text again changes nothing; an empty one removes the translation
    assert not translations.set_translation(budget, "es", "name", "Toda la ciudad")
    assert translations.set_translation(budget, "es", "name", "")
    assert budget.localized("name", "es") == budget.name and budget.translated("name", "es") is None
    assert process.category_label("energy", "es") == "energía" and process.category_label("energy", "fr") is None
    assert process.texts_revision == revision + 5
