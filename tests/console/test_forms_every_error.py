"""A refused form reports every problem at once: each message beside its field, all named in a summary."""

from __future__ import annotations

import html
import re

import pytest

from pbengine import forms
from pbengine.services import processes
from pbengine.services.errors import FieldErrors, InvalidInput
from tests.console.support import error_beside, login_as, snapshot
from tests.helpers import commit, make_budget, make_process


def summary(page) -> list[tuple[str, str]]:
    """``(link target, text)`` of each entry of the error summary at the top of the page."""
    block = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', page.text, re.S)
    assert block, "no error summary"
    return [(target, html.unescape(text)) for target, text
            in re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', block.group(1))]


def described_by(page, field: str) -> str:
    match = re.search(rf'id="f-{field}"[^>]*aria-describedby="([^"]*)"', page.text, re.S)
    assert match, f"{field} has no aria-describedby"
    return match.group(1)


def test_an_empty_new_process_form_reports_every_missing_field_at_once(testapp, db):
    login_as(testapp, db, is_admin=True)
    form = testapp.get("/console/processes/new").forms["process-form"]
    form["currency"] = ""
    form["voting_start"], form["voting_end"] = "2027-05-10", "2027-05-01"
    form["proposals_start"] = "next week"
    before = snapshot(db)
    page = form.submit(status=422)
    assert "Use 1 to 40 lowercase letters" in error_beside(page, "slug")
    assert error_beside(page, "title") == "This field is required."
    assert "three-letter currency code" in error_beside(page, "currency")
    assert error_beside(page, "voting_end") == "The end date is before the start date."
    assert error_beside(page, "proposals_start") == "Enter a date as YYYY-MM-DD."
    for field in ("slug", "title", "currency", "voting_end", "proposals_start"):
        assert f"f-{field}-error" in described_by(page, field)
        assert f'id="f-{field}"' in page.text and 'aria-invalid="true"' in page.text
    entries = dict(summary(page))
    assert entries["f-title"] == "Title: This field is required."
    assert entries["f-slug"].startswith("Address: Use 1 to 40")
    assert entries["f-currency"].startswith("Currency: ")
    assert entries["f-proposals_start"] == "Proposals open on: Enter a date as YYYY-MM-DD."
    assert len(entries) == 5
    assert snapshot(db) == before


def test_the_summary_names_the_fields_in_the_users_language(testapp, db):
    login_as(testapp, db, is_admin=True)
    form = testapp.get("/console/processes/new").forms["process-form"]
    form.action += "?_LOCALE_=fr"
    page = form.submit(status=422)
    entries = dict(summary(page))
    assert entries["f-title"] == "Titre : Ce champ est obligatoire."


def test_a_budget_form_with_a_bad_amount_still_reports_the_other_fields(testapp, db):
    process = make_process(db)
    login_as(testapp, db, is_admin=True)
    form = testapp.get(f"/console/processes/{process.id}/budgets/new").forms["budget-form"]
    form["slug"], form["amount"] = "Not A Slug", "lots"
    form["min_length"], form["max_length"] = "4", "2"
    page = form.submit(status=422)
    assert error_beside(page, "amount") == "Enter an amount like 12,500.50."
    assert error_beside(page, "name") == "This field is required."
    assert "Use 1 to 40" in error_beside(page, "slug")
    assert error_beside(page, "min_length") == "The minimum is larger than the maximum."


def test_a_project_form_reports_each_wrong_field(testapp, db):
    process = make_process(db)
    budget = make_budget(db, process)
    login_as(testapp, db, is_admin=True)
    form = testapp.get(f"/console/processes/{process.id}/budgets/{budget.id}/projects/new").forms["project-form"]
    form["image_url"] = "javascript:alert(1)"
    page = form.submit(status=422)
    assert "Use 1 to 40" in error_beside(page, "code")
    assert error_beside(page, "title") == "This field is required."
    assert error_beside(page, "cost") == "This field is required."
    assert "must start with https://" in error_beside(page, "image_url")
    assert dict(summary(page))["f-cost"] == "Cost: This field is required."


def test_the_service_raises_one_error_carrying_every_field(db):
    process = make_process(db)
    commit(db)
    with pytest.raises(InvalidInput) as refused:
        processes.check_process(db, processes.ProcessData(slug="town-2027", title=" ", currency="euro"))
    assert set(refused.value.errors) == {"slug", "title", "currency"}
    assert "already used" in str(refused.value.errors["slug"].interpolate())
    assert "slug: " in str(refused.value) and "title: " in str(refused.value)
    assert process.slug == "town-2027"


def test_field_errors_keep_the_first_message_of_a_field():
    errors = FieldErrors()
    errors.add("slug", "first")
    errors.add("slug", "second")
    with pytest.raises(InvalidInput) as refused:
        errors.raise_if_any()
    assert refused.value.errors == {"slug": "first"} and refused.value.field == "slug"
    FieldErrors().raise_if_any()  # nothing found, nothing raised


def test_a_form_declares_only_fields_of_its_service_data():
    with pytest.raises(TypeError, match="no field colour"):
        forms.Form(processes.ProcessData, colour=forms.Field("Colour"))
