"""Every console form refuses bad input with a message beside the field, and writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pbengine.models import Process
from pbengine.services import proposals
from tests.console.support import error_beside, login_as, snapshot
from tests.helpers import commit, make_budget, make_process


@pytest.fixture
def admin_process(testapp, db):
    process = make_process(db)
    budget = make_budget(db, process)
    login_as(testapp, db, is_admin=True)
    return process, budget


def _budget_form(testapp, process, **values):
    form = testapp.get(f"/console/processes/{process.id}/budgets/new").forms["budget-form"]
    form["name"], form["slug"], form["amount"] = "Youth", "youth", "20000"
    for key, value in values.items():
        form[key].force_value(value)
    return form


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"amount": "-5"}, "amount", "The budget must be a positive amount."),
    ({"amount": "12.505"}, "amount", "Amounts in EUR have at most 2 decimals, like 12,500.50."),
    ({"amount": "12,50"}, "amount", "Enter an amount like 12,500.50."),
    ({"amount": "lots"}, "amount", "Enter an amount like 12,500.50."),
    ({"ballot_kind": "knapsack", "max_sum_cost": "1.001"}, "max_sum_cost", "at most 2 decimals"),
    ({"min_length": "4", "max_length": "2"}, "min_length", "The minimum is larger than the maximum."),
    ({"rule": "coin-flip"}, "rule", "Unknown rule “coin-flip”."),
    ({"tie_break": "votes,coin-toss"}, "tie_break", "unknown tie-break 'coin-toss'"),
    ({"ballot_kind": "cumulative"}, "max_sum_points", "A cumulative ballot needs a total number of points."),
    ({"max_length": "-1"}, "max_length", "This number cannot be negative."),
    ({"slug": "Not A Slug"}, "slug", "Use 1 to 40 lowercase letters"),
    ({"rule": "greedy", "incompatible": "p1,p2"}, "incompatible", "No project of this budget has the code p1, p2."),
])
def test_budget_form_refuses_bad_input_beside_the_field(testapp, db, admin_process, values, field, message):
    process, _budget = admin_process
    form = _budget_form(testapp, process, **values)
    before = snapshot(db)
    page = form.submit(status=422)
    assert message in error_beside(page, field)
    assert snapshot(db) == before


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"cost": "-100"}, "cost", "The cost must be a positive amount."),
    ({"cost": "1000000"}, "cost", "The cost is larger than the whole budget."),
    ({"code": "p1"}, "code", "Another project of this budget has this id."),
    ({"title": ""}, "title", "This field is required."),
    ({"image_url": "javascript:alert(1)"}, "image_url", "must start with https://"),
    ({"image_url": "http://example.org/a.png"}, "image_url", "must start with https://"),
    ({"image_url": "//example.org/a.png"}, "image_url", "must start with https://"),
])
def test_project_form_refuses_bad_input_beside_the_field(testapp, db, admin_process, values, field, message):
    process, budget = admin_process
    form = testapp.get(f"/console/processes/{process.id}/budgets/{budget.id}/projects/new").forms["project-form"]
    form["code"], form["title"], form["cost"] = "p9", "Solar roof", "1000"
    for key, value in values.items():
        form[key] = value
    before = snapshot(db)
    page = form.submit(status=422)
    assert message in error_beside(page, field)
    assert snapshot(db) == before


def test_amounts_with_cents_are_kept_to_the_cent_in_the_locale_of_the_form(testapp, db, admin_process):
    from pbengine.models import Budget, Project

    process, budget = admin_process
    form = _budget_form(testapp, process, amount="12 500,50")
    form.action += "?_LOCALE_=fr"
    form.submit(status=303)
    youth = db.scalars(select(Budget).where(Budget.slug == "youth")).one()
    assert youth.amount == 1_250_050
    page = testapp.get(f"/console/processes/{process.id}/budgets/{youth.id}/edit?_LOCALE_=fr")
    assert page.forms["budget-form"]["amount"].value == "12500,50"
    assert "12\u202f500,50\xa0€" in testapp.get(f"/console/processes/{process.id}/budgets/{youth.id}?_LOCALE_=fr").text
    assert "€12,500.50" in testapp.get(f"/console/processes/{process.id}/budgets/{youth.id}?_LOCALE_=en").text
    form = testapp.get(f"/console/processes/{process.id}/budgets/{youth.id}/projects/new").forms["project-form"]
    form["code"], form["title"], form["cost"] = "c1", "Cents", "1,234.56"
    form.submit(status=303)
    assert db.scalars(select(Project).where(Project.code == "c1")).one().cost == 123_456


def test_a_currency_with_other_decimals_is_refused_once_there_are_budgets(testapp, db, admin_process):
    process, _budget = admin_process
    form = testapp.get(f"/console/processes/{process.id}/edit").forms["process-form"]
    form["currency"] = "JPY"
    before = snapshot(db)
    assert "JPY has a different number of decimals than EUR" in error_beside(form.submit(status=422), "currency")
    assert snapshot(db) == before


def test_project_edit_refuses_a_negative_cost_and_keeps_the_old_one(testapp, db, admin_process):
    process, budget = admin_process
    project = budget.projects[0]
    form = testapp.get(f"/console/processes/{process.id}/budgets/{budget.id}/projects/{project.id}/edit"
                       ).forms["project-form"]
    form["cost"] = "-1"
    before = snapshot(db)
    assert "positive" in error_beside(form.submit(status=422), "cost")
    assert snapshot(db) == before


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"slug": "town-2027"}, "slug", "already used by another process"),
    ({"currency": "euros"}, "currency", "three-letter currency code"),
    ({"voting_start": "2027-05-10", "voting_end": "2027-05-01"}, "voting_end", "The end date is before"),
    ({"voting_start": "10/05/2027"}, "voting_start", "Enter a date as YYYY-MM-DD."),
])
def test_process_form_refuses_bad_input_beside_the_field(testapp, db, admin_process, values, field, message):
    form = testapp.get("/console/processes/new").forms["process-form"]
    form["slug"], form["title"], form["currency"] = "new-one", "New one", "EUR"
    for key, value in values.items():
        form[key] = value
    before = snapshot(db)
    assert message in error_beside(form.submit(status=422), field)
    assert snapshot(db) == before


def _proposal(db, process):
    process = db.get(Process, process.id)
    process.phase = "proposals"
    proposal, _token = proposals.submit(db, process, proposals.ProposalData(
        title="Bike workshop", description="Repairs by young apprentices.", estimated_cost=5_000))
    commit(db)
    return proposal


def test_accepting_a_proposal_refuses_a_negative_cost_or_a_taken_id(testapp, db, admin_process):
    process, _budget = admin_process
    proposal = _proposal(db, process)
    url = f"/console/processes/{process.id}/proposals/{proposal.id}"
    before = snapshot(db)
    form = testapp.get(url).forms["accept-form"]
    form["cost"] = "-5"
    assert "positive" in error_beside(form.submit(status=422), "cost")
    form = testapp.get(url).forms["accept-form"]
    form["code"] = "p1"
    assert "Another project" in error_beside(form.submit(status=422), "code")
    form = testapp.get(url).forms["decide-form"]
    assert "public reason" in error_beside(form.submit("action", value="reject", status=422), "reason")
    assert snapshot(db) == before


def test_codes_form_refuses_a_bad_size_and_an_unknown_reference(testapp, db, admin_process):
    process, _budget = admin_process
    before = snapshot(db)
    form = testapp.get(f"/console/processes/{process.id}/codes").forms["codes-form"]
    form["size"], form["label"] = "0", "Letters"
    assert "between 1 and" in error_beside(form.submit(status=422), "size")
    form = testapp.get(f"/console/processes/{process.id}/codes").forms["revoke-form"]
    form["reference"] = "99-99"
    confirmation = form.submit().forms["confirm-form"]
    assert "No code has this reference." in error_beside(confirmation.submit(status=422), "reference")
    assert snapshot(db) == before


def test_phase_cannot_skip_ahead(testapp, db, admin_process):
    process, _budget = admin_process
    before = snapshot(db)
    token = testapp.get_csrf_token(f"/console/processes/{process.id}")
    page = testapp.post(f"/console/processes/{process.id}/phase", {"csrf_token": token, "phase": "voting"},
                        status=409)
    assert "one phase at a time" in page.text
    assert snapshot(db) == before


def test_an_organizer_names_projects_that_cannot_all_be_carried_out(testapp, db, admin_process):
    process, budget = admin_process
    form = testapp.get(f"/console/processes/{process.id}/budgets/{budget.id}/edit").forms["budget-form"]
    form["incompatible"] = "p1,p3"
    page = form.submit(status=422)  # the default rule, Equal Shares, cannot keep them apart
    assert "Only the greedy rules can keep incompatible projects apart" in error_beside(page, "incompatible")
    form = page.forms["budget-form"]
    form["rule"], form["incompatible"] = "greedy", "p3, p1"
    page = form.submit().follow()
    assert "Projects that cannot all be carried out" in page.text and "p1,p3" in page.text
