"""After publication: every project page says funded / not funded and why (the results page's own
reasons), and the results page shows fairness figures from pabutools' analysis module."""

from __future__ import annotations

import json

import pytest

from pbengine.models import Process
from pbengine.services import export
from pbengine.services.projects import ProjectData, add_project
from pbengine.verify import verify_files
from tests.helpers import commit, make_budget, make_process, minor
from tests.site.voting import move, vote_and_count

# Budget 100 000, greedy: p1 (3 votes, 40 000) and p2 (2 votes, 30 000) are funded; p3 (1 vote,
# 50 000) no longer fits in the 30 000 left.
PROJECTS = {"p1": 40_000, "p2": 30_000, "p3": 50_000}
BALLOTS = [["p1"], ["p1", "p2"], ["p1"], ["p2"], ["p3"]]


def publish(db, rule="greedy", ballot_list=BALLOTS, projects=PROJECTS, before=None) -> Process:
    process = make_process(db)
    budget = make_budget(db, process, rule=rule, projects={})
    for code, cost in projects.items():
        add_project(db, budget, ProjectData(code=code, title=f"Project {code}", cost=minor(cost, process)))
    process = vote_and_count(db, process, ballot_list)
    if before != "published":
        process = move(db, process, "published")
    commit(db)
    return db.get(Process, process.id)


def project_page(testapp, db, code, lang="en"):
    process = db.get(Process, db.query(Process.id).scalar())
    project = next(p for p in process.budgets[0].projects if p.code == code)
    return testapp.get(f"/p/{process.slug}/projects/{project.id}", headers={"Accept-Language": lang})


def test_a_project_page_says_nothing_of_an_outcome_before_publication(testapp, db):
    publish(db, before="published")
    page = project_page(testapp, db, "p1")
    assert page.html.find(class_="outcome") is None
    assert "Funded" not in page.text


@pytest.mark.parametrize(("lang", "funded", "not_funded", "why_funded", "why_not"), [
    ("en", "Funded", "Not funded", "it was number 1 in order of votes", "only €30,000 was left"),
    ("fr", "Financé", "Non financé", "il était numéro 1 dans l’ordre des voix", "il ne restait que 30\u202f000\u00a0€"),
    ("es", "Financiado", "No financiado", "era el número 1 por orden de votos", "solo quedaban 30.000\u00a0€"),
])
def test_every_project_page_shows_its_mark_and_the_reason_of_the_results_page(testapp, db, lang, funded,
                                                                                 not_funded, why_funded, why_not):
    publish(db)
    page = project_page(testapp, db, "p1", lang)
    outcome = page.html.find(class_="outcome")
    assert outcome is not None and "funded" in outcome["class"]
    assert outcome.find(class_="mark").get_text(strip=True) == funded
    assert why_funded in outcome.get_text(" ")
    page = project_page(testapp, db, "p3", lang)
    outcome = page.html.find(class_="outcome")
    assert "unfunded" in outcome["class"]
    assert outcome.find(class_="mark").get_text(strip=True) == not_funded
    assert why_not in outcome.get_text(" ")
    # The very words of the results page.
    results = testapp.get("/p/town-2027/results", headers={"Accept-Language": lang})
    reason = " ".join(outcome.p.get_text(" ").split())
    why = " ".join(results.html.find(class_="why").get_text(" ").split())
    assert reason in why


def test_fairness_figures_come_from_the_tally_and_show_as_a_chart_and_a_table(testapp, db):
    process = publish(db)
    page = testapp.get("/p/town-2027/results")
    # 4 of 5 voters supported p1 or p2.
    assert "4 of the 5 voters (80 %) supported at least one funded project." in page.text
    table = page.html.find(id="fairness-table-citywide")
    rows = {tr.th.get_text(" ", strip=True): [td.get_text(strip=True) for td in tr.find_all("td")]
            for tr in table.tbody.find_all("tr")}
    # money per voter: 40 000, 70 000, 40 000, 30 000, 0 (bins: nothing, then quarters of 100 000)
    assert rows == {"Nothing": ["1", "20 %"], "Up to €25,000": ["0", "0 %"],
                    "More than €25,000, up to €50,000": ["3", "60 %"],
                    "More than €50,000, up to €75,000": ["1", "20 %"],
                    "More than €75,000, up to €100,000": ["0", "0 %"]}
    svg = page.html.find("svg", attrs={"aria-labelledby": "fair-title-citywide fair-desc-citywide"})
    assert svg is not None and svg.find("title").get_text().startswith("Money spent on the projects")
    assert len(svg.find_all("rect")) == 5
    assert "What proportionality guaranteed" not in page.text  # greedy guarantees nothing of the kind
    files = export.build(db, process)
    assert verify_files(files) == []
    fairness = json.loads(files["result.json"])["budgets"][0]["tally"]["fairness"]
    assert fairness["share_of_voters_with_a_funded_project"] == "4/5"
    assert [b["voters"] for b in fairness["money_for_supported_projects"]] == [1, 0, 3, 1, 0]
    assert fairness["money_for_supported_projects"][2]["share"] == "3/5"


def test_equal_shares_says_what_proportionality_guaranteed_here(testapp, db):
    publish(db, rule="equal-shares")
    page = testapp.get("/p/town-2027/results")
    sentence = page.html.find(class_="proportionality").get_text(" ")
    # budget 100 000 / 5 voters: each controlled 20 000, a tenth of the voters 10 000 (before any completion)
    assert "each of the 5 voters controlled the same share, €20,000," in sentence
    assert "a tenth of the voters: €10,000" in sentence


def test_verify_recomputes_the_fairness_figures(db):
    process = publish(db)
    files = export.build(db, process)
    data = json.loads(files["result.json"])
    data["budgets"][0]["tally"]["fairness"]["share_of_voters_with_a_funded_project"] = "1"
    files["result.json"] = json.dumps(data).encode()
    problems = verify_files(files)
    assert any("fairness figures in result.json differ from the recount" in p for p in problems), problems
