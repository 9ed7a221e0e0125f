"""The OpenAPI document is the one that validates API requests (pyramid_openapi3), and every answer
of the suite is checked against it."""

from __future__ import annotations

import pytest
import yaml
from sqlalchemy import func, select

from pbengine import main
from pbengine.api import validation
from pbengine.models import Ballot
from tests.helpers import TestApp, commit

BALLOTS = "/api/v1/processes/vote-now/budgets/citywide/ballots"


@pytest.fixture
def app_with_document(settings, session_factory, tmp_path, monkeypatch):
    """An app built from a changed copy of the document: ``change(document)`` edits it."""

    def build(change):
        document = yaml.safe_load(validation.DOCUMENT_PATH.read_text(encoding="utf-8"))
        change(document)
        path = tmp_path / "openapi.yaml"
        path.write_text(yaml.safe_dump(document), encoding="utf-8")
        monkeypatch.setattr(validation, "DOCUMENT_PATH", path)
        validation.document.cache_clear()
        return TestApp(main({}, **settings), extra_environ={"REMOTE_ADDR": "198.51.100.7"})

    yield build
    validation.document.cache_clear()


def ballots(db) -> int:
    commit(db)
    return db.scalar(select(func.count()).select_from(Ballot))


def test_a_limit_written_in_the_document_is_enforced_by_the_app(app_with_document, testapp, db, voting):
    def one_approval_at_most(document):
        document["components"]["schemas"]["BallotRequest"]["properties"]["approvals"]["maxItems"] = 1

    body = {"voter_code": voting.codes[0], "approvals": ["p1", "p3"]}
    strict = app_with_document(one_approval_at_most)
    answer = strict.post_json(BALLOTS, body, status=422).json
    assert answer["code"] == "invalid_input"
    assert answer["errors"] == {"approvals": "Give a list of project ids (strings)."}
    assert ballots(db) == 0
    # the same request to the app built from the real document is a ballot
    assert testapp.post_json(BALLOTS, body, status=201).json["receipt"]
    assert ballots(db) == 1


def test_the_served_document_is_the_file_the_app_validates_with(testapp):
    served = testapp.get("/api/v1/openapi.json").json
    assert served == yaml.safe_load(validation.DOCUMENT_PATH.read_text(encoding="utf-8"))
    assert testapp.get("/api/v1/openapi.yaml").content_type == "text/yaml"


def test_refusals_are_in_the_api_shape_and_the_requests_language(testapp, voting):
    answer = testapp.post_json(BALLOTS, {"voter_code": 7, "approvals": "p1", "admin": True}, status=422,
                               headers={"Accept-Language": "fr"}).json
    assert answer["code"] == "invalid_input"
    assert set(answer["errors"]) == {"voter_code", "approvals", "admin"}
    assert answer["errors"]["voter_code"] != "A voter code is required, as a string."  # translated
    bad_key = testapp.post_json(BALLOTS, {"voter_code": voting.codes[0], "approvals": ["p1"]}, status=422,
                                headers={"Idempotency-Key": "short"}).json
    assert list(bad_key["errors"]) == ["Idempotency-Key"]


def test_an_answer_that_breaks_the_document_is_caught_by_the_suite(app_with_document, voting):
    def receipts_are_numbers(document):
        document["components"]["schemas"]["Receipt"]["properties"]["receipt"] = {"type": "integer"}

    app = app_with_document(receipts_are_numbers)
    response = app.post_json(BALLOTS, {"voter_code": voting.codes[0], "approvals": ["p1"]}, expect_errors=True)
    assert response.status_int == 500
