"""Malformed requests get a 4xx in the surface's own shape (HTML page or API JSON) and write nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from pbengine.models import AuditEvent, Ballot, Project
from tests.helpers import commit, make_budget, make_organizer, make_process

BALLOTS = "/api/v1/processes/vote-now/budgets/citywide/ballots"


def snapshot(db):
    commit(db)
    return [db.scalar(select(func.count()).select_from(m)) for m in (Ballot, AuditEvent, Project)]


def assert_html(response, status):
    assert response.status_int == status and response.content_type == "text/html"
    assert "Traceback" not in response.text and "<h1" in response.text


def assert_api(response, status):
    assert response.status_int == status and response.content_type == "application/json"
    assert set(response.json) >= {"code", "message"}


@pytest.mark.parametrize("path", ["/p/vote-now?x=%ff", "/p/vote-now/%ff", "/%c3%28", "/receipt?receipt=%ff%fe"])
def test_invalid_utf8_in_an_address_is_a_400_page(testapp, db, voting, path):
    before = snapshot(db)
    assert_html(testapp.get(path, status=400), 400)
    assert snapshot(db) == before


@pytest.mark.parametrize("path", ["/api/v1/processes?x=%ff", "/api/v1/processes/%ff", BALLOTS + "?%ff=1"])
def test_invalid_utf8_in_an_api_address_is_a_400_in_json(testapp, db, voting, path):
    assert_api(testapp.get(path, status=400), 400)


def test_a_400_page_is_in_the_users_language(testapp, voting):
    page = testapp.get("/p/vote-now?x=%ff", headers={"Accept-Language": "fr"}, status=400)
    assert 'lang="fr"' in page.text and "UTF-8" in page.text


def test_huge_ids_are_404_not_500(testapp, db):
    owner = make_organizer(db, is_admin=True)
    process = make_process(db, owner=owner)
    commit(db)
    testapp.login(owner.email)
    for path in (f"/console/processes/{2**63}", f"/console/processes/{2**64 + 5}/budgets/1",
                 f"/console/processes/{process.id}/budgets/{2**63}/edit"):
        assert_html(testapp.get(path, status=404), 404)
    assert testapp.get(f"/p/{process.slug}/projects/{2**63}", status=404)


@pytest.mark.parametrize("amount", [str(2**63), "9" * 30])
def test_an_amount_of_2_63_or_more_is_refused_beside_the_field(testapp, db, amount):
    owner = make_organizer(db, is_admin=True)
    process = make_process(db, owner=owner)
    budget = make_budget(db, process)
    commit(db)
    testapp.login(owner.email)
    before = snapshot(db)
    form = testapp.get(f"/console/processes/{process.id}/budgets/{budget.id}/edit").forms["budget-form"]
    form["amount"] = amount
    assert "smaller number" in form.submit(status=422).text
    form = testapp.get(f"/console/processes/{process.id}/budgets/{budget.id}/projects/new").forms["project-form"]
    form["code"], form["title"], form["cost"] = "big", "Big", amount
    assert form.submit(status=422)
    assert snapshot(db) == before


def test_deeply_nested_json_is_a_400_in_json(testapp, db, voting):
    before = snapshot(db)
    body = '{"voter_code": "X", "approvals": ' + "[" * 50_000 + "]" * 50_000 + "}"
    assert_api(testapp.post(BALLOTS, body[:60_000], content_type="application/json", status=400), 400)
    assert_api(testapp.post(BALLOTS, "[" * 30_000 + "]" * 30_000, content_type="application/json", status=400),
               400)
    assert snapshot(db) == before


def test_nul_bytes_are_refused_on_both_surfaces(testapp, db, voting):
    before = snapshot(db)
    body = json.dumps({"voter_code": voting.codes[0] + "\x00", "approvals": ["p1"]})
    assert_api(testapp.post(BALLOTS, body, content_type="application/json", status=400), 400)
    form = testapp.get("/p/vote-now/vote").forms["code-form"]
    form["code"] = "AB\x00CD"
    assert_html(form.submit(status=400), 400)
    assert_html(testapp.get("/receipt?receipt=%00", status=400), 400)
    assert snapshot(db) == before


def test_a_file_sent_as_a_text_field_is_a_400_page(testapp, db, voting):
    before = snapshot(db)
    token = testapp.get_csrf_token("/p/vote-now/vote")
    page = testapp.post("/p/vote-now/vote", {"csrf_token": token}, upload_files=[("code", "code.txt", b"ABCD")],
                        status=400)
    assert_html(page, 400)
    assert snapshot(db) == before


def test_a_body_over_the_upload_limit_gets_the_apps_own_413(testapp, db, voting):
    big = b"x" * (2 * 1024 * 1024 + 1)
    assert_api(testapp.post(BALLOTS, big, content_type="application/json", status=413), 413)
    assert_html(testapp.post("/receipt", big, content_type="application/x-www-form-urlencoded", status=413), 413)


def test_a_csv_field_over_131072_characters_is_refused_beside_the_file(testapp, db):
    owner = make_organizer(db, is_admin=True)
    process = make_process(db, owner=owner)
    budget = make_budget(db, process, projects={})
    commit(db)
    testapp.login(owner.email)
    before = snapshot(db)
    form = testapp.get(f"/console/processes/{process.id}/budgets/{budget.id}/projects/import").forms["import-form"]
    content = ("project_id,name,cost\np1," + "a" * 140_000 + ",100\n").encode()
    form["file"] = ("projects.csv", content)
    page = form.submit(status=422)
    assert "cannot be read" in page.text
    assert snapshot(db) == before


@pytest.mark.parametrize("path", ["/api/v1/processes/%00", "/p/%00/projects"])
def test_a_nul_character_in_an_address_is_a_400_not_a_500(testapp, db, voting, path):
    # Found by tests/api/test_fuzz.py: PostgreSQL refuses NUL in a text parameter.
    response = testapp.get(path, status=400)
    assert "NUL character" in response.text
