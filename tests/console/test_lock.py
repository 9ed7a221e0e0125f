"""From voting on, budgets, projects, costs, ballot formats and rules cannot change."""

from __future__ import annotations

from webtest import Upload

from pbengine.models import Process
from pbengine.services import workflow
from tests.console.support import error_beside, form_alert, login_as, snapshot
from tests.helpers import commit, make_budget, make_process

LOCKED = "Voting has opened: the budgets, projects, costs, ballot formats and rules are locked"


def _voting(db, process):
    process = db.get(Process, process.id)
    for phase in ("proposals", "review", "voting"):
        workflow.move_to(db, process, phase)
    commit(db)


def _setup(testapp, db):
    process = make_process(db)
    budget = make_budget(db, process)
    login_as(testapp, db, is_admin=True)
    return process, budget


def test_stale_budget_form_is_refused_after_voting_opened_and_writes_nothing(testapp, db):
    process, budget = _setup(testapp, db)
    base = f"/console/processes/{process.id}/budgets/{budget.id}"
    form = testapp.get(base + "/edit").forms["budget-form"]
    new_budget = testapp.get(f"/console/processes/{process.id}/budgets/new").forms["budget-form"]
    _voting(db, process)
    before = snapshot(db)

    form["amount"] = "999999"
    form["rule"] = "greedy"
    assert LOCKED in form_alert(form.submit(status=409))
    new_budget["name"], new_budget["slug"], new_budget["amount"] = "Late", "late", "1000"
    assert LOCKED in form_alert(new_budget.submit(status=409))
    assert snapshot(db) == before
    assert LOCKED in testapp.get(base + "/edit").text
    assert "budget-form" not in testapp.get(base + "/edit").text


def test_stale_project_forms_are_refused_after_voting_opened_and_write_nothing(testapp, db):
    process, budget = _setup(testapp, db)
    base = f"/console/processes/{process.id}/budgets/{budget.id}"
    project = budget.projects[0]
    edit = testapp.get(f"{base}/projects/{project.id}/edit")
    edit_form, remove_form = edit.forms["project-form"], edit.forms["remove-form"]
    new_form = testapp.get(base + "/projects/new").forms["project-form"]
    import_form = testapp.get(base + "/projects/import").forms["import-form"]
    _voting(db, process)
    before = snapshot(db)

    edit_form["cost"] = "1"
    assert LOCKED in form_alert(edit_form.submit(status=409))
    assert LOCKED in form_alert(remove_form.submit(status=409))
    new_form["code"], new_form["title"], new_form["cost"] = "late", "Late project", "1000"
    assert LOCKED in form_alert(new_form.submit(status=409))
    import_form["file"] = Upload("projects.csv", b"project_id,name,cost\nL1,Late,1000\n", "text/csv")
    assert LOCKED in import_form.submit(status=409).text
    assert snapshot(db) == before
    assert "project-form" not in testapp.get(f"{base}/projects/{project.id}/edit").text


def test_process_page_shows_the_configuration_fingerprint_in_force(testapp, db):
    process, _budget = _setup(testapp, db)
    assert 'id="fingerprint"' not in testapp.get(f"/console/processes/{process.id}").text
    _voting(db, process)
    fingerprint = db.get(Process, process.id).config_fingerprint
    page = testapp.get(f"/console/processes/{process.id}")
    assert page.html.select_one("#fingerprint").get_text() == fingerprint
    assert "Add a budget" not in page.text


def test_fingerprinted_process_fields_are_refused_beside_their_field_after_voting_opened(testapp, db):
    process, _budget = _setup(testapp, db)
    edit = f"/console/processes/{process.id}/edit"
    _voting(db, process)
    before = snapshot(db)
    for name, value, language, message in (
            ("slug", "moved", "en", "Voting has opened: this field is part of the locked configuration"),
            ("currency", "PLN", "fr", "Le vote est ouvert : ce champ fait partie de la configuration verrouillée"),
            ("allow_revote", False, "es", "La votación está abierta: este campo forma parte de la configuración"),
            ("max_budgets", "1", "en", "Voting has opened: this field is part of the locked configuration")):
        form = testapp.get(f"{edit}?_LOCALE_={language}").forms["process-form"]
        form.action += f"?_LOCALE_={language}"
        form[name] = value
        page = form.submit(status=409)
        assert message in error_beside(page, name)
    assert snapshot(db) == before
    form = testapp.get(edit).forms["process-form"]
    form["title"] = "Renamed during the vote"  # outside the fingerprint: still editable
    form.submit(status=303)
    assert db.get(Process, process.id).title == "Renamed during the vote"


def test_computing_a_configuration_changed_behind_the_console_is_refused_with_a_clear_error(testapp, db):
    process, _budget = _setup(testapp, db)
    _voting(db, process)
    process = db.get(Process, process.id)
    workflow.move_to(db, process, "closed")
    commit(db)
    page = testapp.get(f"/console/processes/{process.id}/results?_LOCALE_=fr")
    db.get(Process, process.id).currency = "PLN"  # by hand in the database, not through a form
    commit(db)
    form = page.forms["compute-form"]
    form.action += "?_LOCALE_=fr"
    refused = form.submit(status=409)
    assert "La configuration ne correspond plus à l’empreinte" in form_alert(refused)
