"""The API refuses a ballot for a budget the voter code is not for, and beyond N budgets, in its error shape."""

from __future__ import annotations

from tests.api.openapi_check import check_response
from tests.districts import SLUG, districts
from tests.site.voting import count_ballots


def _post(testapp, code, budget, status, approvals=("p1",), **headers):
    response = testapp.post_json(f"/api/v1/processes/{SLUG}/budgets/{budget}/ballots",
                                 {"voter_code": code, "approvals": list(approvals)}, status=status, headers=headers)
    check_response(response, "POST")
    return response


def test_a_district_code_cannot_cast_in_another_districts_budget(testapp, db):
    made = districts(db)
    north = made.codes["north"][0]
    assert _post(testapp, north, "north", 201).json["budget"] == "north"
    assert _post(testapp, north, "town", 201).json["budget"] == "town"
    refused = _post(testapp, north, "south", 403).json
    assert refused == {"code": "not_eligible", "message": "Your voter code is not for the budget “South budget”: "
                                                          "it was issued for North budget, Town budget."}
    assert _post(testapp, north, "south", 403, **{"Accept-Language": "es"}).json["message"].startswith(
        "Su código de votación no es válido para el presupuesto «South budget»")
    assert count_ballots(db) == 2


def test_at_most_n_budgets_through_the_api_and_a_re_vote_is_not_another_budget(testapp, db):
    made = districts(db, max_budgets=2)
    code = made.codes["all"][0]
    _post(testapp, code, "south", 201)
    _post(testapp, code, "town", 201)
    refused = _post(testapp, code, "north", 409).json
    assert refused["code"] == "budget_limit_reached"
    assert refused["message"] == ("This vote allows a ballot in at most 2 of its budgets, and you have already "
                                  "voted in as many: you cannot vote in another budget.")
    assert _post(testapp, code, "town", 201, ("p2",)).json["replaced_previous"] is True
    assert _post(testapp, made.codes["all"][1], "north", 201).json["replaced_previous"] is False
    assert count_ballots(db, current_only=True) == 3


def test_a_code_for_every_budget_casts_everywhere_as_before(testapp, db):
    made = districts(db)
    for budget in ("north", "south", "town"):
        assert _post(testapp, made.codes["all"][0], budget, 201).json["replaced_previous"] is False
    assert count_ballots(db) == 3
