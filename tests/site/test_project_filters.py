"""The projects list filters by organisation type; the goal filter offers only the goals in use."""

from __future__ import annotations

import pytest

from pbengine.services import projects
from tests.helpers import commit, make_budget, make_process, minor
from tests.site.voting import move

PROJECTS = [("solar", [7, 13], "cooperative"), ("garden", [2], "association"), ("bikes", [], None),
            ("repair", [7], "cooperative")]


@pytest.fixture
def listed(db):
    process = make_process(db)
    budget = make_budget(db, process, projects={})
    for code, goals, org in PROJECTS:
        projects.add_project(db, budget, projects.ProjectData(code=code, title=f"Project {code}",
                                                                cost=minor(1000, process), sdgs=goals,
                                                                organisation_type=org))
    move(db, process, "proposals")
    commit(db)
    return process


def _options(page, name):
    select = page.html.find("select", attrs={"name": name})
    return None if select is None else [(o["value"], o.get_text(strip=True)) for o in select.find_all("option")]


def test_the_goal_filter_lists_only_goals_some_project_names(testapp, listed):
    page = testapp.get("/p/town-2027/projects")
    assert [value for value, _text in _options(page, "sdg")] == ["", "2", "7", "13"]
    assert _options(page, "sdg")[2][1] == "7. Affordable and clean energy"


def test_the_organisation_type_filter_lists_the_types_in_use_and_filters(testapp, listed):
    page = testapp.get("/p/town-2027/projects")
    assert _options(page, "organisation_type") == [("", "All types of organisation"),
                                                    ("cooperative", "Cooperative"), ("association", "Association")]
    form = next(f for f in page.forms.values() if "organisation_type" in f.fields)
    form["organisation_type"] = "cooperative"
    found = form.submit()
    assert "Project solar" in found.text and "Project repair" in found.text
    assert "Project garden" not in found.text and "Project bikes" not in found.text
    both = testapp.get("/p/town-2027/projects", {"organisation_type": "cooperative", "sdg": "13"})
    assert "Project solar" in both.text and "Project repair" not in both.text


def test_an_unknown_organisation_type_finds_nothing_rather_than_failing(testapp, listed):
    page = testapp.get("/p/town-2027/projects", {"organisation_type": "<script>"})
    assert page.status_int == 200
    assert "Project solar" not in page.text and "<script>" not in page.text


@pytest.mark.parametrize(("lang", "label", "coop"), [("fr", "Tous les types d’organisation", "Coopérative"),
                                                     ("es", "Todos los tipos de organización", "Cooperativa")])
def test_the_filters_are_translated(testapp, listed, lang, label, coop):
    page = testapp.get("/p/town-2027/projects", headers={"Accept-Language": lang})
    options = _options(page, "organisation_type")
    assert options[0][1] == label and options[1][1] == coop
