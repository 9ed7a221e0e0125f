"""The organizer issues a batch of codes for some budgets and limits how many budgets a code votes in."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from pbengine.models import CodeBatch, Process
from pbengine.services import codes
from tests.console.support import error_beside, login_as, snapshot
from tests.districts import KEY
from tests.helpers import commit, make_budget, make_process


def _setup(testapp, db):
    process = make_process(db)
    budgets = {slug: make_budget(db, process, slug=slug, name=f"{slug.title()} budget")
               for slug in ("north", "south", "town")}
    login_as(testapp, db, is_admin=True)
    return process, budgets


def _codes_form(testapp, process, ticked, fmt="print"):
    form = testapp.get(f"/console/processes/{process.id}/codes").forms["codes-form"]
    form["size"], form["label"], form["format"] = "2", "North letters", fmt
    for box in form.fields["budgets"]:
        box.checked = box._value in ticked
    return form


def test_a_batch_for_a_district_and_the_pot_is_printed_and_listed_with_its_budgets(testapp, db):
    process, budgets = _setup(testapp, db)
    page = _codes_form(testapp, process, {str(budgets["north"].id), str(budgets["town"].id)}).submit()
    assert page.html.select_one("#batch-budgets").get_text() == "These codes vote in: North budget, Town budget."
    cards = page.html.select("li.code-card")
    assert [card.select_one(".budgets").get_text() for card in cards] == ["For: North budget, Town budget"] * 2
    batch = db.scalars(select(CodeBatch)).one()
    assert [b.slug for b in batch.budgets] == ["north", "town"] and not batch.all_budgets
    # the printed codes are for those budgets only
    voter = codes.find(db, KEY, db.get(Process, process.id), cards[0].select_one(".code").get_text())
    assert voter.batch_id == batch.id
    listing = testapp.get(f"/console/processes/{process.id}/codes")
    assert listing.html.select_one("#batches .batch-budgets").get_text() == "North budget, Town budget"


def test_a_batch_with_no_budget_ticked_is_for_every_budget_and_its_csv_says_so(testapp, db):
    process, _budgets = _setup(testapp, db)
    response = _codes_form(testapp, process, set(), fmt="csv").submit()
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["budgets"] for r in rows} == {"every budget"}
    assert db.scalars(select(CodeBatch)).one().all_budgets
    listing = testapp.get(f"/console/processes/{process.id}/codes?_LOCALE_=fr")
    assert listing.html.select_one("#batches .batch-budgets").get_text() == "Tous les budgets"


def test_a_budget_of_another_process_is_refused_beside_the_field_and_nothing_is_issued(testapp, db):
    process, budgets = _setup(testapp, db)
    other = make_budget(db, make_process(db, slug="elsewhere"), slug="north")
    commit(db)
    form = _codes_form(testapp, process, {str(budgets["north"].id)})
    before = snapshot(db)
    fields = [(k, v) for k, v in form.submit_fields() if k != "budgets"] + [("budgets", str(other.id))]
    page = testapp.post(form.action, fields, status=422)
    assert error_beside(page, "budgets") == "Choose budgets of this process."
    assert snapshot(db) == before
    bad = testapp.post(form.action, fields[:-1] + [("budgets", "north")], status=422)
    assert error_beside(bad, "budgets") == "Enter a whole number, like 12500."


def test_the_process_form_sets_at_most_n_budgets_and_refuses_zero(testapp, db):
    process, _budgets = _setup(testapp, db)
    form = testapp.get(f"/console/processes/{process.id}/edit").forms["process-form"]
    form["max_budgets"] = "0"
    refused = form.submit(status=422)
    assert error_beside(refused, "max_budgets") == "Enter a number of at least 1."
    form = refused.forms["process-form"]
    form["max_budgets"] = "2"
    form.submit(status=303)
    assert db.get(Process, process.id).max_budgets == 2
    page = testapp.get(f"/console/processes/{process.id}")
    assert page.html.select_one("#max-budgets").get_text() == "A voter code votes in at most 2 of these budgets."
    assert "a code votes in at most 2 budgets" in testapp.get(f"/console/processes/{process.id}/codes").text
    form = testapp.get(f"/console/processes/{process.id}/edit").forms["process-form"]
    assert form["max_budgets"].value == "2"
    form["max_budgets"] = ""
    form.submit(status=303)
    assert db.get(Process, process.id).max_budgets is None
