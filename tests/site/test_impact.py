"""Impact: money and funded projects per Sustainable Development Goal and per organisation type,
on the results page, in the export's result.json and impact.csv (and the export still verifies)."""

from __future__ import annotations

import csv
import io
import json

from pbengine.models import Process
from pbengine.services import export, impact, projects
from pbengine.verify import verify_files
from tests.helpers import commit, make_budget, make_process, minor
from tests.site.voting import move, vote_and_count

# code, cost (EUR), goals, organisation type. Greedy, budget 100 000: e1, e2, e3 (60 000 together) are
# funded; e4 (SDG 7, 50 000) and s4 (90 000) no longer fit in the 40 000 left.
PROJECTS = [("e1", 20_000, [7], "cooperative"), ("e2", 30_000, [7, 13], "association"),
            ("e3", 10_000, [7], "cooperative"), ("e4", 50_000, [7], None), ("s4", 90_000, [4], "mutual")]
BALLOTS = [["e1", "e2", "e3"]] * 4 + [["s4", "e1"], ["s4"], ["e4"]]


def _published(db) -> Process:
    process = make_process(db)
    budget = make_budget(db, process, rule="greedy", projects={})
    for code, cost, goals, org in PROJECTS:
        projects.add_project(db, budget, projects.ProjectData(
            code=code, title=f"Project {code}", cost=minor(cost, process), sdgs=goals, organisation_type=org))
    process = vote_and_count(db, process, BALLOTS)
    process = move(db, process, "published")
    commit(db)
    return db.get(Process, process.id)


def _rows(page, table_id):
    table = page.html.find(id=table_id)
    assert table is not None, table_id
    return {tr.th.get_text(" ", strip=True): [td.get_text(strip=True) for td in tr.find_all("td")]
            for tr in table.tbody.find_all("tr")}


def test_three_funded_projects_with_goal_7_and_one_with_goal_13_show_the_money_per_goal(testapp, db):
    process = _published(db)
    page = testapp.get("/p/town-2027/results")
    goals = _rows(page, "impact-sdg-citywide")
    # funded projects, their money, projects on the ballot, their cost
    assert goals["Goal 7: Affordable and clean energy"] == ["3", "€60,000", "4", "€110,000"]
    assert goals["Goal 13: Climate action"] == ["1", "€30,000", "1", "€30,000"]
    assert goals["Goal 4: Quality education"] == ["0", "€0", "1", "€90,000"]
    assert list(goals)[-1] == "Goal 13: Climate action"  # no "no goal" row: every project names one
    assert "counts once for each of its goals" in page.text
    types = _rows(page, "impact-org-citywide")
    assert types == {"Cooperative": ["2", "€30,000", "2", "€30,000"],
                     "Association": ["1", "€30,000", "1", "€30,000"],
                     "Mutual": ["0", "€0", "1", "€90,000"],
                     "Not given": ["0", "€0", "1", "€50,000"]}

    files = export.build(db, process)
    assert verify_files(files) == []  # MATCH
    assert "impact.csv" in files["SHA256SUMS"].decode() and "impact.csv" in files["README.txt"].decode()
    entry = json.loads(files["result.json"])["budgets"][0]["impact"]
    by_goal = {row["sdg"]: row for row in entry["by_sdg"]}
    assert by_goal[7] == {"sdg": 7, "funded_projects": 3, "funded_amount_minor": 6_000_000,
                          "ballot_projects": 4, "ballot_amount_minor": 11_000_000}
    assert by_goal[13]["funded_amount_minor"] == 3_000_000 and by_goal[13]["funded_projects"] == 1
    assert (entry["funded_amount_minor"], entry["ballot_amount_minor"]) == (6_000_000, 20_000_000)
    rows = list(csv.DictReader(io.StringIO(files["impact.csv"].decode())))
    sdg7 = next(r for r in rows if r["dimension"] == "sdg" and r["key"] == "7")
    assert (sdg7["funded_projects"], sdg7["funded_amount_minor"], sdg7["funded_amount"]) == ("3", "6000000", "60000.00")
    assert (sdg7["ballot_projects"], sdg7["ballot_amount_minor"], sdg7["currency"]) == ("4", "11000000", "EUR")
    sdg13 = next(r for r in rows if r["dimension"] == "sdg" and r["key"] == "13")
    assert (sdg13["funded_projects"], sdg13["funded_amount_minor"]) == ("1", "3000000")
    unset = next(r for r in rows if r["dimension"] == "organisation_type" and r["key"] == "")
    assert (unset["ballot_projects"], unset["ballot_amount_minor"]) == ("1", "5000000")


def test_the_impact_page_is_translated(testapp, db):
    _published(db)
    page = testapp.get("/p/town-2027/results", headers={"Accept-Language": "fr"})
    assert "Objectif 7" in page.text
    assert "60\u202f000\u00a0€" in page.text or "60 000 €" in page.text.replace("\u202f", " ").replace("\u00a0", " ")


def test_projects_without_goals_or_type_are_counted_apart_and_a_goal_named_twice_counts_once():
    figures = impact.impact([
        impact.Counted(cost=500, funded=True, sdgs=(7, 7), organisation_type=""),
        impact.Counted(cost=250, funded=False, sdgs=(), organisation_type="mutual"),
    ])
    assert [(r.key, r.funded_projects, r.funded_amount, r.ballot_projects, r.ballot_amount) for r in figures.by_goal] \
        == [(7, 1, 500, 1, 500), (impact.NO_GOAL, 0, 0, 1, 250)]
    assert [r.key for r in figures.by_organisation_type] == ["mutual", impact.NO_TYPE]
    assert (figures.funded_amount, figures.ballot_amount) == (500, 750)
