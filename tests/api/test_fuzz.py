"""Property tests: whatever is sent to the API's documented operations or to the site's forms, no 5xx,
a 4xx in the surface's own shape, and no ballot, event, project or proposal written by a refused request.

Small example counts so that ``make test`` stays quick; the cases are drawn afresh on every run.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from pbengine.api.validation import document
from pbengine.models import AuditEvent, Ballot, Project, Proposal
from tests.helpers import commit

DOCUMENT = document()

SETTINGS = settings(max_examples=30, deadline=None, derandomize=False,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats() | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4), max_leaves=12)
bodies = st.dictionaries(st.sampled_from(["voter_code", "approvals", "points", "ranking", "extra"]) | texts,
                         json_values, max_size=5)
OPERATIONS = [(path, method) for path, item in DOCUMENT["paths"].items() for method in item]


def written(db):
    commit(db)
    return [db.scalar(select(func.count()).select_from(m)) for m in (Ballot, AuditEvent, Project, Proposal)]


def fill(template: str, values: list[str]) -> str:
    parts = iter(values)
    return "/api/v1" + re.sub(r"\{[^}]+\}", lambda _m: quote(next(parts), safe=""), template)


def assert_api_shape(response):
    assert response.status_int < 500, response.text
    if response.status_int >= 400:
        assert response.content_type == "application/json" and {"code", "message"} <= set(response.json)


@SETTINGS
@given(operation=st.sampled_from(OPERATIONS), values=st.lists(texts, min_size=3, max_size=3),
       query=st.dictionaries(texts, texts, max_size=3), body=bodies,
       key=st.none() | texts | st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=16, max_size=40))
def test_any_request_to_a_documented_operation_is_answered_without_a_5xx(testapp, db, voting, operation, values,
                                                                          query, body, key):
    before = written(db)
    template, method = operation
    path = fill(template.replace("{slug}", "vote-now" if values[0][:1] in "abc" else "{slug}"), values)
    query_string = "&".join(f"{quote(k)}={quote(v)}" for k, v in query.items())
    url = path + ("?" + query_string if query_string else "")
    headers = {"Idempotency-Key": key} if key is not None and key.isascii() and key.isprintable() else {}
    if method == "post":
        response = testapp.post_json(url, body, headers=headers, status="*", expect_errors=True)
    else:
        response = testapp.get(url, status="*", expect_errors=True)
    assert_api_shape(response)
    assert written(db) == before


@SETTINGS
@given(body=bodies, budget=st.sampled_from(["citywide", "youth", "district", "green"]))
def test_any_ballot_body_with_a_wrong_code_writes_nothing(testapp, db, voting, body, budget):
    before = written(db)
    response = testapp.post_json(f"/api/v1/processes/vote-now/budgets/{budget}/ballots", body, status="*",
                                 expect_errors=True)
    assert_api_shape(response)
    assert response.status_int != 201
    assert written(db) == before


FORMS = ["/p/vote-now/vote", "/receipt", "/p/vote-now/propose", "/language"]


@SETTINGS
@given(path=st.sampled_from(FORMS), fields=st.dictionaries(
    st.sampled_from(["code", "receipt", "title", "description", "estimated_cost", "contact_email", "language",
                     "came_from", "sdgs", "approvals"]) | texts, texts, max_size=6))
def test_any_form_post_is_answered_with_a_page_without_a_5xx(testapp, db, voting, path, fields):
    token = testapp.get_csrf_token("/p/vote-now")
    before = written(db)
    response = testapp.post(path, dict(fields, csrf_token=token), status="*", expect_errors=True)
    assert response.status_int < 500, response.text
    if response.status_int >= 400:
        assert response.content_type == "text/html" and "Traceback" not in response.text
    if response.status_int not in (200, 303):
        assert written(db) == before
