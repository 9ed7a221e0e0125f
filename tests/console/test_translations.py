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
