"""A draft process or budget can be deleted, a project until voting opens; never later, and only by its organizers."""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from pbengine.models import AuditEvent, Budget, CodeBatch, Process, ProcessRole, Project, Role, VoterCode
from pbengine.services import audit, codes
from tests.console.support import form_alert, login_as, snapshot
from tests.helpers import commit, make_budget, make_process
from tests.site.voting import move

KEY = "test-code-key"


def _count(db, model, **where) -> int:
    statement = select(func.count()).select_from(model)
    for name, value in where.items():
        statement = statement.where(getattr(model, name) == value)
    return db.scalar(statement)


def test_an_owner_deletes_a_draft_process_with_everything_in_it_and_the_log_records_it(testapp, db, caplog):
    process = make_process(db, slug="mistake-2027", title="A mistake")
    make_budget(db, process, slug="north")
    make_budget(db, process, slug="south")
    codes.generate(db, KEY, process, 3, "desk")
    keep = make_process(db, slug="keep-2027", title="Keep me")
    make_budget(db, keep)
    owner = login_as(testapp, db, email="owner.private@example.org", roles=[(process, Role.OWNER)])
    events = audit.events(db, db.get(Process, process.id))
    n_events, head = len(events), events[-1].hash
    process_id, keep_id = process.id, keep.id

    page = testapp.get(f"/console/processes/{process_id}").click(description="Delete this process")
    assert "its budgets (2), their projects (6), its voter codes and its audit log" in page.text
    form = page.forms["confirm-form"]
    form["confirm"] = "mistake"
    before = snapshot(db)
    refused = form.submit(status=422)
    assert "Nothing was changed: type the short name of the process (mistake-2027) to confirm." in refused.text
    assert snapshot(db) == before

    form = refused.forms["confirm-form"]
    form["confirm"] = "mistake-2027"
    with caplog.at_level(logging.INFO, logger="pbengine"):
        page = form.submit(status=303).follow()
    assert "Process “A mistake” deleted." in page.text
    assert "A mistake" not in testapp.get("/console").text
    db.expire_all()
    assert db.get(Process, process_id) is None
    for model in (Budget, AuditEvent, VoterCode, CodeBatch, ProcessRole):
        assert _count(db, model, process_id=process_id) == 0, model.__name__
    assert _count(db, Project) == 3  # the other process's projects are untouched
    assert db.get(Process, keep_id) is not None and len(audit.events(db, db.get(Process, keep_id))) > 0
    # The record that stays: a log line with ids, counts and the deleted log's last hash; nobody's e-mail.
    lines = [r.getMessage() for r in caplog.records if "deleted by organizer" in r.getMessage()]
    assert lines == [f"draft process {process_id} (mistake-2027) deleted by organizer {owner.id}: 2 budgets, "
                     f"6 projects, 3 voter codes, audit log of {n_events} events ending with {head}"]
    assert "owner.private@example.org" not in " ".join(lines)
    testapp.get(f"/console/processes/{process_id}", status=404)


def test_a_process_cannot_be_deleted_once_proposals_opened(testapp, db):
    process = make_process(db)
    make_budget(db, process)
    move(db, process, "proposals")
    login_as(testapp, db, is_admin=True)
    page = testapp.get(f"/console/processes/{process.id}")
    assert "Delete this process" not in page.text
    before = snapshot(db)
    refused = testapp.get(f"/console/processes/{process.id}/delete", status=409)
    assert "A process can be deleted only while it is in preparation" in form_alert(refused)
    token = testapp.get_csrf_token("/console")
    refused = testapp.post(f"/console/processes/{process.id}/delete",
                           {"csrf_token": token, "confirm": process.slug}, status=409)
    assert "A process can be deleted only while it is in preparation" in form_alert(refused)
    assert snapshot(db) == before


def test_a_draft_budget_is_deleted_and_the_audit_log_records_it(testapp, db):
    process = make_process(db)
    make_budget(db, process, slug="north")
    south = make_budget(db, process, slug="south", projects={"s1": 10_000, "s2": 20_000})
    login_as(testapp, db, email="owner@example.org", roles=[(process, Role.OWNER)])
    page = testapp.get(f"/console/processes/{process.id}/budgets/{south.id}").click(description="Delete the budget")
    assert "The budget “South” is deleted, with the projects on its ballot (2)." in page.text
    page = page.forms["confirm-form"].submit(status=303).follow()
    assert "Budget “South” deleted." in page.text
    db.expire_all()
    process = db.get(Process, process.id)
    assert [b.slug for b in process.budgets] == ["north"]
    event = audit.events(db, process)[-1]
    assert (event.kind, event.payload, event.actor) == ("budget.deleted", {"budget": "south", "projects": ["s1", "s2"]},
                                                        "owner@example.org")
    assert audit.verify_chain([audit.as_line(e) for e in audit.events(db, process)]) == []


def test_a_budget_cannot_be_deleted_after_the_draft_nor_by_a_moderator(testapp, db):
    process = make_process(db)
    budget = make_budget(db, process)
    login_as(testapp, db, email="mod@example.org", roles=[(process, Role.MODERATOR)])
    token = testapp.get_csrf_token("/console")
    url = f"/console/processes/{process.id}/budgets/{budget.id}/delete"
    testapp.get(url, status=403)
    testapp.post(url, {"csrf_token": token, "confirm": f"budget-delete:{budget.id}"}, status=403)
    assert "Delete the budget" not in testapp.get(f"/console/processes/{process.id}/budgets/{budget.id}").text
    testapp.reset()
    login_as(testapp, db, is_admin=True)
    move(db, process, "proposals")
    commit(db)
    before = snapshot(db)
    token = testapp.get_csrf_token("/console")
    refused = testapp.post(url, {"csrf_token": token, "confirm": f"budget-delete:{budget.id}"}, status=409)
    assert "A budget can be deleted only while the process is in preparation" in form_alert(refused)
    assert snapshot(db) == before
    assert "Delete the budget" not in testapp.get(f"/console/processes/{process.id}/budgets/{budget.id}").text


def test_a_moderator_removes_a_project_before_voting_but_not_after(testapp, db):
    process = make_process(db)
    budget = make_budget(db, process)
    move(db, process, "proposals", "review")
    login_as(testapp, db, email="mod@example.org", roles=[(db.get(Process, process.id), Role.MODERATOR)])
    p1, p2 = (project.id for project in budget.projects[:2])
    base = f"/console/processes/{process.id}/budgets/{budget.id}/projects"
    page = testapp.get(f"{base}/{p1}/edit").forms["remove-form"].submit()
    assert "The project “Project p1” (id p1) leaves the ballot of “Citywide” and is deleted." in page.text
    page.forms["confirm-form"].submit(status=303)
    db.expire_all()
    assert db.get(Project, p1) is None
    event = audit.events(db, db.get(Process, process.id))[-1]
    assert (event.kind, event.payload) == ("project.removed", {"budget": "citywide", "project": "p1"})

    confirmation = testapp.get(f"{base}/{p2}/edit").forms["remove-form"].submit().forms["confirm-form"]
    move(db, process, "voting")
    commit(db)
    before = snapshot(db)
    refused = confirmation.submit(status=409)  # the confirmation page was opened before voting opened
    assert "Voting has opened" in form_alert(refused)
    assert snapshot(db) == before
    assert "Voting has opened" in form_alert(testapp.get(f"{base}/{p2}/delete", status=409))
