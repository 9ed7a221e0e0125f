"""Organizers enter a process's and a project's texts per language; residents read them in theirs."""

from pbengine.models import Phase
from tests.console.support import login_as
from tests.helpers import make_budget, make_process


def test_project_title_entered_in_french_and_spanish_is_shown_to_residents_in_their_language(testapp, db):
    process = make_process(db)
    budget = make_budget(db, process)
    process.phase = Phase.PROPOSALS.value
    login_as(testapp, db, is_admin=True)
    form = testapp.get(f"/console/processes/{process.id}/budgets/{budget.id}/projects/new").forms["project-form"]
    form["code"], form["title"], form["cost"] = "n9", "Repair café", "12000"
    form["title_fr"], form["title_es"] = "Café réparation", "Café de reparación"
    form.submit(status=303).follow()  # the console page shows (and consumes) the flash message
    page = testapp.get(f"/p/{process.slug}/projects", headers={"Accept-Language": "fr"})
    assert "Café réparation" in page.text and "Repair café" not in page.text
    page = testapp.get(f"/p/{process.slug}/projects", headers={"Accept-Language": "es"})
    assert "Café de reparación" in page.text
    page = testapp.get(f"/p/{process.slug}/projects", headers={"Accept-Language": "en"})
    assert "Repair café" in page.text


def test_project_edit_form_shows_and_keeps_the_translations(testapp, db):
    process = make_process(db)
    budget = make_budget(db, process)
    login_as(testapp, db, is_admin=True)
    project_id = budget.projects[0].id
    url = f"/console/processes/{process.id}/budgets/{budget.id}/projects/{project_id}/edit"
    form = testapp.get(url).forms["project-form"]
    form["title_fr"] = "Projet un"
    form.submit(status=303)
    assert testapp.get(url).forms["project-form"]["title_fr"].value == "Projet un"


def _voting(db, process):
    from pbengine.models import Process
    from pbengine.services import workflow
    from tests.helpers import commit

    process = db.get(Process, process.id)
    for phase in ("proposals", "review", "voting"):
        workflow.move_to(db, process, phase)
    commit(db)
    return process


def test_a_budget_named_in_french_is_shown_by_that_name_on_the_french_pages(testapp, db):
    process = make_process(db)
    process.phase = Phase.PROPOSALS.value
    login_as(testapp, db, is_admin=True)
    form = testapp.get(f"/console/processes/{process.id}/budgets/new").forms["budget-form"]
    form["name"], form["slug"], form["amount"] = "Town-wide pot", "town", "180000"
    form["name_fr"], form["description_fr"] = "Enveloppe communale", "Pour toute la commune."
    form["name_es"] = "Bolsa municipal"
    form.submit(status=303).follow()
    db.expire_all()
    budget = db.get(type(process), process.id).budgets[0]
    assert budget.translations["fr"] == {"name": "Enveloppe communale", "description": "Pour toute la commune."}
    page = testapp.get(f"/p/{process.slug}", headers={"Accept-Language": "fr"})
    assert "<h3>Enveloppe communale</h3>" in page.text and "Town-wide pot" not in page.text
    assert "Bolsa municipal" in testapp.get(f"/p/{process.slug}", headers={"Accept-Language": "es"}).text
    edit = testapp.get(f"/console/processes/{process.id}/budgets/{budget.id}/edit").forms["budget-form"]
    assert edit["name_fr"].value == "Enveloppe communale" and edit["name_es"].value == "Bolsa municipal"


def test_translations_can_be_corrected_after_voting_opened_without_touching_the_fingerprint(testapp, db):
    process = make_process(db)
    budget = make_budget(db, process, name="Citywide")
    login_as(testapp, db, is_admin=True)
    process = _voting(db, process)
    fingerprint = process.config_fingerprint
    base = f"/console/processes/{process.id}/budgets/{budget.id}"
    page = testapp.get(base + "/edit")
    assert "budget-form" not in page.text  # the configuration stays locked
    form = page.forms["translations-form"]
    form["name_fr"] = "Toute la ville"
    form.submit(status=303).follow()
    project = budget.projects[0]
    form = testapp.get(f"{base}/projects/{project.id}/edit").forms["translations-form"]
    form["title_es"] = "Proyecto uno"
    form.submit(status=303).follow()
    db.expire_all()
    from pbengine.services import audit, config_lock

    process = db.get(type(process), process.id)
    assert process.budgets[0].translations["fr"]["name"] == "Toute la ville"
    assert process.budgets[0].projects[0].translations["es"]["title"] == "Proyecto uno"
    assert config_lock.fingerprint(process) == fingerprint == process.config_fingerprint
    config_lock.ensure_configuration_unchanged(process)  # counting still accepts the configuration
    assert [e.kind for e in audit.events(db, process)][-2:] == ["texts.translated", "texts.translated"]
    assert "Toute la ville" in testapp.get(f"/p/{process.slug}", headers={"Accept-Language": "fr"}).text
    assert "Proyecto uno" in testapp.get(f"/p/{process.slug}/projects", headers={"Accept-Language": "es"}).text


def test_a_too_long_translation_is_refused_beside_its_field_and_writes_nothing(testapp, db):
    from tests.console.support import error_beside

    process = make_process(db)
    budget = make_budget(db, process)
    login_as(testapp, db, is_admin=True)
    _voting(db, process)
    form = testapp.get(f"/console/processes/{process.id}/budgets/{budget.id}/edit").forms["translations-form"]
    form["name_fr"], form["name_es"] = "x" * 201, "Bolsa"
    page = form.submit(status=422)
    assert "200" in error_beside(page, "name_fr")
    db.expire_all()
    assert not db.get(type(budget), budget.id).translations.get("es")


def test_categories_are_named_per_language_on_the_process_form(testapp, db):
    process = make_process(db)
    budget = make_budget(db, process)
    budget.projects[0].categories = ["energy", "food"]
    budget.projects[1].categories = ["energy"]
    login_as(testapp, db, is_admin=True)
    process = _voting(db, process)
    form = testapp.get(f"/console/processes/{process.id}/edit").forms["process-form"]
    rows = {form[f"category_{i}"].value: i for i in range(2)}
    assert set(rows) == {"energy", "food"}
    form[f"category_{rows['energy']}_fr"] = "énergie"
    form[f"category_{rows['food']}_es"] = "alimentación"
    form.submit(status=303).follow()
    fr = testapp.get(f"/p/{process.slug}/projects/{budget.projects[0].id}", headers={"Accept-Language": "fr"})
    assert 'énergie, <span lang="en">food</span>' in fr.text
    es = testapp.get(f"/p/{process.slug}/projects", headers={"Accept-Language": "es"})
    assert ">alimentación</option>" in es.text
    again = testapp.get(f"/console/processes/{process.id}/edit").forms["process-form"]
    assert again[f"category_{rows['energy']}_fr"].value == "énergie"
