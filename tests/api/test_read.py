"""Reading processes, budgets, projects, results and export files; every answer matches the OpenAPI document."""

from __future__ import annotations

import json

import pytest

from pbengine.api.validation import document
from tests.api.openapi_check import check_response
from tests.helpers import commit, make_process

DOCUMENT = document()

API = "/api/v1"


def get(testapp, path, status=200):
    response = testapp.get(API + path, status=status)
    check_response(response)
    return response


def test_openapi_document_is_served_and_describes_every_api_route(testapp):
    response = get(testapp, "/openapi.json")
    assert response.json == json.loads(json.dumps(DOCUMENT))
    assert response.json["openapi"].startswith("3.")
    assert set(DOCUMENT["paths"]) == {"/openapi.json", "/processes", "/processes/{slug}",
                                      "/processes/{slug}/budgets/{budget}",
                                      "/processes/{slug}/budgets/{budget}/projects",
                                      "/processes/{slug}/results", "/processes/{slug}/export/{filename}",
                                      "/processes/{slug}/budgets/{budget}/ballots", "/receipts/{receipt}"}


def test_process_list_shows_public_processes_but_not_drafts(testapp, db, voting):
    make_process(db, slug="secret-draft")
    commit(db)
    slugs = [p["slug"] for p in get(testapp, "/processes").json["processes"]]
    assert slugs == ["vote-now"]


def test_process_lists_its_budgets_with_formats_and_rules(testapp, voting):
    body = get(testapp, "/processes/vote-now").json
    assert body["phase"] == "voting" and body["results_url"] is None
    formats = {b["slug"]: b["ballot"]["format"] for b in body["budgets"]}
    assert formats == {"citywide": "approval", "youth": "knapsack", "district": "cumulative", "green": "ranking"}


def test_budget_shows_its_limits(testapp, voting):
    body = get(testapp, "/processes/vote-now/budgets/youth").json
    # Amounts in the currency's smallest unit: 100 000 EUR are 10 000 000 cents.
    assert body["ballot"]["max_sum_cost"] == body["amount"] == 10_000_000
    assert get(testapp, "/processes/vote-now/budgets/district").json["ballot"]["max_sum_points"] == 10
    assert get(testapp, "/processes/vote-now/budgets/citywide").json["rule"]["rule"] == "greedy"


def test_projects_of_a_budget(testapp, voting):
    projects = get(testapp, "/processes/vote-now/budgets/citywide/projects").json["projects"]
    assert [(p["id"], p["cost"]) for p in projects] == [("p1", 4_000_000), ("p2", 3_000_000), ("p3", 5_000_000)]


@pytest.mark.parametrize("path", ["/processes/nowhere", "/processes/vote-now/budgets/nowhere",
                                  "/processes/vote-now/budgets/nowhere/projects", "/processes/nowhere/results",
                                  "/processes/secret-draft"])
def test_unknown_ids_answer_404_in_the_error_shape(testapp, db, voting, path):
    make_process(db, slug="secret-draft")
    commit(db)
    body = get(testapp, path, status=404).json
    assert body["code"] == "not_found" and body["message"]


def test_unknown_api_address_answers_json_but_the_site_keeps_html_errors(testapp):
    response = testapp.get(API + "/nothing-here", status=404)
    assert response.content_type == "application/json" and response.json["code"] == "not_found"
    page = testapp.get("/p/nothing-here/projects", status=404)
    assert page.content_type == "text/html"


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_wrong_method_answers_405_in_the_error_shape(testapp, voting, method):
    response = getattr(testapp, method)(API + "/processes/vote-now", status=405)
    assert response.json["code"] == "method_not_allowed"


def test_results_are_not_public_before_publication(testapp, voting):
    body = get(testapp, "/processes/vote-now/results", status=404).json
    assert body["code"] == "not_published"
    assert get(testapp, "/processes/vote-now/export/result.json", status=404).json["code"] == "not_published"


def test_published_results_show_funded_projects_and_explanations(testapp, published):
    body = get(testapp, "/processes/town-2027/results").json
    citywide = body["budgets"][0]
    assert citywide["funded"] == ["p3", "p2"]
    assert [s["decision"] for s in citywide["explanation"]["order"]][-1] == "skipped: not enough money left"
    assert body["export_zip"].endswith("/p/town-2027/town-2027-export.zip")
    assert get(testapp, "/processes/town-2027").json["results_url"].endswith("/results")


def test_export_files_are_served_once_published(testapp, published):
    result = get(testapp, "/processes/town-2027/export/result.json").json
    assert [b["slug"] for b in result["budgets"]] == ["citywide", "youth", "district", "green"]
    pb = get(testapp, "/processes/town-2027/export/citywide.pb")
    assert pb.content_type == "text/plain" and pb.text.startswith("META\n")
    assert get(testapp, "/processes/town-2027/export/tally.csv").content_type == "text/csv"
    assert testapp.get(API + "/processes/town-2027/export/..%2F..%2Fetc", status=404).json["code"] == "not_found"
    assert get(testapp, "/processes/town-2027/export/secrets.txt", status=404).json["code"] == "not_found"
