"""Importing a budget's projects from CSV or pabulib: all or nothing, naming the bad line."""

from __future__ import annotations

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
    assert error_beside(page, "file") == "Line 3: The cost must be a positive amount."
    assert snapshot(db) == before


def test_a_cost_with_more_decimals_than_the_currency_is_refused_with_its_line(testapp, db):
    page, _budget, before = _import(testapp, db, "p.csv", "project_id,name,cost\nq1,Tiny,10.001\n", 422)
    assert error_beside(page, "file") == "Line 2: The cost “10.001” has more decimals than EUR allows (2)."
    assert snapshot(db) == before


def test_csv_import_refuses_a_duplicate_id_or_missing_columns(testapp, db):
    page, _budget, before = _import(testapp, db, "p.csv", "project_id,name,cost\np1,Clash,1000\n", 422)
    assert error_beside(page, "file") == "Line 2: Another project of this budget has this id."
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
