"""Importing a budget's projects from CSV or pabulib: all or nothing, naming the bad line."""

from __future__ import annotations

import html
import re

from webtest import Upload

from pbengine.models import Budget
from tests.console.support import error_beside, login_as, snapshot
from tests.helpers import make_budget, make_process

PB = """META
key;value
description;Valley
country;France
unit;Valley
instance;2027
num_projects;2
num_votes;1
budget;100000
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name;category
V1;30000;Village bakery cooperative;food
V2;45000;Solar carport;energy,mobility
VOTES
voter_id;vote
1;V1,V2
"""


def _import(testapp, db, filename, content, status):
    process = make_process(db)
    budget = make_budget(db, process, projects={"p1": 10_000})
    login_as(testapp, db, is_admin=True)
    form = testapp.get(f"/console/processes/{process.id}/budgets/{budget.id}/projects/import").forms["import-form"]
    form["file"] = Upload(filename, content.encode(), "text/csv")
    before = snapshot(db)
    return form.submit(status=status), budget, before


def _projects(db, budget):
    db.expire_all()
    return [(p.code, p.title, p.cost, p.categories, p.sdgs) for p in db.get(Budget, budget.id).projects]


def test_csv_import_adds_every_project(testapp, db):
    content = ("code;title;cost;description;category;sdgs\n"
               "c1;Repair café;12 000;Tools and repairs;recycling;12\n"
               'c2;Car-sharing;30000.50;Electric cars;"mobility, energy";"11, 13"\n')
    page, budget, _before = _import(testapp, db, "projects.csv", content, 303)
    assert "2 projects imported." in page.follow().text
    assert _projects(db, budget)[1:] == [
        ("c1", "Repair café", 1_200_000, ["recycling"], [12]),  # EUR cents
        ("c2", "Car-sharing", 3_000_050, ["mobility", "energy"], [11, 13])]


def test_csv_import_with_a_bad_line_names_it_and_adds_nothing(testapp, db):
    content = ("project_id,name,cost\n"
               "c1,Repair café,12000\n"
               "c2,Car-sharing,-300\n"
               "c3,Garden,5000\n")
    page, _budget, before = _import(testapp, db, "projects.csv", content, 422)
    assert error_beside(page, "file") == "Line 3, column cost: The cost must be a positive amount."
    assert snapshot(db) == before


def test_a_cost_with_more_decimals_than_the_currency_is_refused_with_its_line(testapp, db):
    page, _budget, before = _import(testapp, db, "p.csv", "project_id,name,cost\nq1,Tiny,10.001\n", 422)
    assert error_beside(page, "file") == "Line 2, column cost: The cost “10.001” has more decimals than EUR allows (2)."
    assert snapshot(db) == before


def test_csv_import_refuses_a_duplicate_id_or_missing_columns(testapp, db):
    page, _budget, before = _import(testapp, db, "p.csv", "project_id,name,cost\np1,Clash,1000\n", 422)
    assert error_beside(page, "file") == "Line 2, column project_id: Another project of this budget has this id."
    assert snapshot(db) == before


def test_csv_without_the_required_columns_is_refused(testapp, db):
    page, _budget, before = _import(testapp, db, "p.csv", "id,label\nx,y\n", 422)
    assert error_beside(page, "file").startswith("Line 1: The first line must name the columns")
    assert snapshot(db) == before


def _confirm(page, status=303):
    return page.forms["import-confirm-form"].submit(status=status)


def test_pabulib_file_import_adds_its_projects_not_its_votes(testapp, db):
    page, budget, before = _import(testapp, db, "valley.pb", PB, 200)
    assert snapshot(db) == before  # the preview writes nothing
    _confirm(page).follow()
    assert _projects(db, budget)[1:] == [
        ("V1", "Village bakery cooperative", 3_000_000, ["food"], []),
        ("V2", "Solar carport", 4_500_000, ["energy", "mobility"], [])]


def test_malformed_pabulib_file_is_refused_with_its_line(testapp, db):
    page, _budget, before = _import(testapp, db, "valley.pb", PB.replace("V2;45000", "V2;-45000"), 422)
    assert error_beside(page, "file").startswith("Line 15: ")
    assert snapshot(db) == before


def test_pabulib_project_over_the_budget_is_refused_with_its_line(testapp, db):
    page, _budget, before = _import(testapp, db, "valley.pb", PB.replace("V2;45000", "V2;450000"), 422)
    assert error_beside(page, "file") == "Line 15: The cost is larger than the whole budget."
    assert snapshot(db) == before


def test_csv_import_carries_every_project_field(testapp, db):
    content = ("code,title,cost,organisation_name,organisation_type,location,image_url,sdgs,categories,"
               "title_fr,description_fr,title_es\n"
               "c1,Repair café,12000,Fix-it Coop,Cooperative,North market,https://example.org/c1.jpg,"
               '"12, 8",recycling,Café réparation,Outils et réparations,Café de reparación\n')
    page, budget, _before = _import(testapp, db, "projects.csv", content, 303)
    assert "1 projects imported." in page.follow().text
    db.expire_all()
    project = next(p for p in db.get(Budget, budget.id).projects if p.code == "c1")
    assert (project.organisation_name, project.organisation_type, project.location, project.image_url) == (
        "Fix-it Coop", "cooperative", "North market", "https://example.org/c1.jpg")
    assert (project.sdgs, project.categories) == ([12, 8], ["recycling"])
    assert project.translations["fr"] == {"title": "Café réparation", "description": "Outils et réparations"}
    assert project.translations["es"] == {"title": "Café de reparación"}


def test_csv_import_names_every_bad_line_and_column_at_once(testapp, db):
    content = ("project_id,name,cost,organisation_type,image_url,sdgs\n"
               "c1,Repair café,lots,guild,javascript:alert(1),12\n"
               "c2,Car-sharing,3000,,,19\n"
               "c3,Garden,5000,association,,\n")
    page, _budget, before = _import(testapp, db, "projects.csv", content, 422)
    assert error_beside(page, "file") == "4 problems in the file; nothing was imported."
    problems = [html.unescape(p) for p in re.findall(r"<li>([^<]+)</li>",
                                                     re.search(r'<ul class="error" id="import-problems">(.*?)</ul>',
                                                               page.text, re.S).group(1))]
    assert problems == [
        "Line 2, column cost: The cost “lots” is not an amount like 12500 or 12500.50.",
        "Line 2, column organisation_type: Unknown organisation type “guild”: use one of cooperative, "
        "association, mutual, foundation, social-enterprise, informal-group.",
        "Line 2, column image_url: The image address must start with https:// (or / for an image on this site).",
        "Line 3, column sdgs: Sustainable Development Goals are numbered 1 to 17."]
    assert 'aria-describedby="f-file-error import-problems"' in page.text
    assert snapshot(db) == before


def test_a_too_long_title_in_a_csv_is_named_not_a_server_error(testapp, db):
    content = f"project_id,name,cost,title_fr\nc1,{'x' * 201},1000,{'y' * 201}\n"
    page, _budget, before = _import(testapp, db, "projects.csv", content, 422)
    assert "Line 2, column name: Keep it under 200 characters." in page.text
    assert "Line 2, column title_fr: Keep it under 200 characters." in page.text
    assert snapshot(db) == before
