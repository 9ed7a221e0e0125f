"""Casting ballots through the API: same validation and rate limit as the website, one error shape."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from pbengine.api import validation
from pbengine.models import Phase, Process
from pbengine.services import ballots, workflow
from tests.api.openapi_check import check_request, check_response
from tests.conftest import TEST_SETTINGS
from tests.helpers import commit
from voting_rules import BallotErrorCode

API = "/api/v1"


def url(budget="citywide", slug="vote-now"):
    return f"{API}/processes/{slug}/budgets/{budget}/ballots"


def post(testapp, body, status, budget="citywide", slug="vote-now"):
    response = testapp.post_json(url(budget, slug), body, status=status)
    check_response(response, "POST")
    return response


@pytest.mark.parametrize(("budget", "content"), [
    ("citywide", {"approvals": ["p1", "p3"]}),
    ("youth", {"approvals": ["p1", "p2"]}),
    ("district", {"points": {"p1": 6, "p3": 4}}),
    ("green", {"ranking": ["p3", "p1"]}),
])
def test_voter_casts_a_ballot_in_every_format_and_gets_a_receipt(testapp, db, voting, budget, content):
    body = {"voter_code": voting.codes[0], **content}
    check_request(url(budget), "POST", body)
    receipt = post(testapp, body, 201, budget).json
    assert receipt["budget"] == budget and receipt["replaced_previous"] is False
    assert receipt["receipt_hash"] == ballots.receipt_hash(receipt["receipt"])
    status = testapp.get(receipt["receipt_url"], status=200)
    check_response(status)
    assert status.json["counted"] is True and status.json["published"] is False


def test_no_csrf_token_is_needed_and_a_lowercase_code_with_spaces_is_accepted(testapp, voting):
    code = voting.codes[1].lower().replace("-", " ")
    assert post(testapp, {"voter_code": code, "approvals": ["p2"]}, 201).json["receipt"]


def test_re_voting_replaces_the_ballot_and_the_old_receipt_is_no_longer_counted(testapp, voting):
    first = post(testapp, {"voter_code": voting.codes[0], "approvals": ["p1"]}, 201).json
    second = post(testapp, {"voter_code": voting.codes[0], "approvals": ["p2"]}, 201).json
    assert second["replaced_previous"] is True
    old = testapp.get(first["receipt_url"]).json
    assert old["counted"] is False and old["replaced"] is True


def test_code_already_used_answers_409_when_re_voting_is_not_allowed(testapp, db, voting):
    process = db.scalars(select(Process).where(Process.slug == "vote-now")).one()
    process.allow_revote = False
    commit(db)
    post(testapp, {"voter_code": voting.codes[0], "approvals": ["p1"]}, 201)
    body = post(testapp, {"voter_code": voting.codes[0], "approvals": ["p2"]}, 409).json
    assert body["code"] == "code_already_used"


def test_wrong_voter_code_answers_401(testapp, voting):
    body = post(testapp, {"voter_code": "AAAA-AAAA-AAAA", "approvals": ["p1"]}, 401).json
    assert body["code"] == "code_invalid" and "voter_code" in body["errors"]
    assert post(testapp, {"voter_code": "short", "approvals": ["p1"]}, 401).json["code"] == "code_invalid"


def test_wrong_voter_codes_are_rate_limited_with_the_site(testapp, voting):
    for _attempt in range(5):  # TEST_SETTINGS: 5 failures per minute and client
        post(testapp, {"voter_code": "AAAA-AAAA-AAAA", "approvals": ["p1"]}, 401)
    body = post(testapp, {"voter_code": voting.codes[0], "approvals": ["p1"]}, 429).json
    assert body["code"] == "too_many_attempts"
    # The website's booth shares the per-code limit: that code was tried 5 times...
    page = testapp.get("/p/vote-now/vote")
    form = page.forms[0] if "code" in page.forms[0].fields else page.forms[1]
    form["code"] = "AAAA-AAAA-AAAA"
    assert form.submit(status=429)
    # ...but a browser at the same address is another client: a valid code still gets in.
    form["code"] = voting.codes[0]
    assert form.submit(status=303)


def test_voting_closed_answers_409(testapp, db, voting):
    process = db.scalars(select(Process).where(Process.slug == "vote-now")).one()
    workflow.move_to(db, process, Phase.CLOSED, code_key=TEST_SETTINGS["pbengine.code_key"])
    commit(db)
    body = post(testapp, {"voter_code": voting.codes[0], "approvals": ["p1"]}, 409).json
    assert body["code"] == "voting_closed"


@pytest.mark.parametrize(("budget", "content", "reason"), [
    ("citywide", {"approvals": ["p1", "p2", "p3"]}, "too_many"),             # at most 2
    ("citywide", {"approvals": ["p9"]}, "unknown_project"),                  # not on the ballot
    ("citywide", {"approvals": ["p1", "p1"]}, "duplicate_project"),          # refused, not merged
    ("youth", {"approvals": ["p1", "p2", "p3"]}, "over_cost_limit"),         # costs more than the budget
    ("district", {"points": {"p1": 7}}, "too_many_points_on_project"),       # at most 6 per project
    ("district", {"points": {"p1": 6, "p2": 6}}, "too_many_points"),         # at most 10 in total
    ("district", {"points": {"p1": -1}}, "negative_points"),
    ("green", {"ranking": ["p1", "p2", "p3"]}, "too_many_ranked"),           # 2 places
    ("green", {"ranking": ["p1", "", "p3"]}, "ranking_gap"),
])
def test_ballot_breaking_the_budget_limits_answers_422_with_the_reason(testapp, voting, budget, content, reason):
    body = post(testapp, {"voter_code": voting.codes[0], **content}, 422, budget).json
    assert (body["code"], body["reason"]) == ("ballot_invalid", reason) and body["message"]


def test_the_document_lists_every_reason_a_ballot_is_refused():
    reasons = validation.document()["components"]["schemas"]["Error"]["properties"]["reason"]["enum"]
    assert sorted(reasons) == sorted(BallotErrorCode)


@pytest.mark.parametrize(("body", "field"), [
    ({"voter_code": 12345, "approvals": ["p1"]}, "voter_code"),
    ({"approvals": ["p1"]}, "voter_code"),
    ({"voter_code": "X", "approvals": "p1"}, "approvals"),
    ({"voter_code": "X", "approvals": [1, 2]}, "approvals"),
    ({"voter_code": "X"}, "approvals"),
    ({"voter_code": "X", "approvals": ["p1"], "points": {"p1": 1}}, "points"),
    ({"voter_code": "X", "approvals": ["p1"], "admin": True}, "admin"),
])
def test_wrong_types_answer_422_naming_the_field(testapp, voting, body, field):
    answer = post(testapp, body, 422).json
    assert answer["code"] == "invalid_input" and field in answer["errors"]


def test_points_must_be_whole_numbers(testapp, voting):
    for points in ({"p1": "6"}, {"p1": 2.5}, {"p1": True}, ["p1"]):
        answer = post(testapp, {"voter_code": voting.codes[0], "points": points}, 422, "district").json
        assert answer["errors"] == {"points": "Give an object of project ids to whole numbers of points."}


def test_body_that_is_not_json_answers_400(testapp, voting):
    response = testapp.post(url(), "{not json", content_type="application/json", status=400)
    check_response(response, "POST")
    assert response.json["code"] == "invalid_json"


def test_body_that_is_a_json_list_answers_422(testapp, voting):
    assert post(testapp, ["p1"], 422).json["code"] == "invalid_input"


def test_form_encoded_body_answers_415(testapp, voting):
    response = testapp.post(url(), {"voter_code": voting.codes[0]}, status=415)
    check_response(response, "POST")
    assert response.json["code"] == "unsupported_media_type"


def test_oversized_body_answers_413_and_stores_nothing(testapp, voting):
    body = json.dumps({"voter_code": voting.codes[0], "approvals": ["p1"] + ["x" * 100] * 700})
    response = testapp.post(url(), body, content_type="application/json", status=413)
    check_response(response, "POST")
    assert response.json["code"] == "body_too_large"
    assert post(testapp, {"voter_code": voting.codes[0], "approvals": ["p1"]}, 201).json["replaced_previous"] is False


@pytest.mark.parametrize("path", [url("nowhere"), url(slug="nowhere")])
def test_unknown_budget_or_process_answers_404(testapp, voting, path):
    response = testapp.post_json(path, {"voter_code": voting.codes[0], "approvals": ["p1"]}, status=404)
    check_response(response, "POST")
    assert response.json["code"] == "not_found"


def test_unknown_receipt_answers_404(testapp, voting):
    response = testapp.get(f"{API}/receipts/AAAA-BBBB-CCCC-DDDD", status=404)
    check_response(response)
    assert response.json["code"] == "receipt_not_found"


def test_receipt_of_a_published_ballot_points_to_its_export_file(testapp, published):
    response = testapp.get(f"{API}/receipts/{published.receipts['district'][1]}")
    check_response(response)
    assert response.json["published"] is True and response.json["counted"] is True
    assert response.json["export_file"].endswith("/export/district.pb")
    pb = testapp.get(response.json["export_file"]).text
    assert response.json["receipt_hash"] + ";" in pb


def test_a_ranking_with_an_empty_place_before_a_filled_one_is_refused(testapp, voting):
    body = {"voter_code": voting.codes[0], "ranking": ["p1", "", "p3"]}
    answer = post(testapp, body, 422, "green").json
    assert answer["code"] == "ballot_invalid"
    assert answer["message"].startswith("Place 2 is empty but place 3 is filled.")
    assert "rank-2" in answer["errors"]
