"""A .pb file imported into a budget is taken at its word: currency, amount and ballot limits, after a preview."""

from __future__ import annotations

import re

from webtest import Upload

from pbengine.formatting import money
from pbengine.models import Budget, Process
from pbengine.services import pb_plan
from tests.console.support import error_beside, login_as, snapshot
from tests.helpers import commit, make_budget, make_process
from tests.site.voting import move

PLN = """META
key;value
description;Bemowo
country;Poland
unit;Warszawa
currency;PLN
num_projects;2
num_votes;1
budget;98600
vote_type;approval
min_length;1
max_length;5
PROJECTS
project_id;cost;name;category
773;40000;Green square;environment
153;30000.50;Bike racks;mobility
VOTES
voter_id;vote
1;773
"""


def _setup(testapp, db, others=0, projects=None, **budget_fields):
    process = make_process(db)
    budget = make_budget(db, process, amount=60_000, projects=projects or {}, **budget_fields)
    for i in range(others):
        make_budget(db, process, slug=f"district-{i}", projects={"d1": 1000})
    login_as(testapp, db, is_admin=True)
    return process, budget


def _upload(testapp, process, budget, content, filename="bemowo.pb", status=200):
    url = f"/console/processes/{process.id}/budgets/{budget.id}/projects/import"
    form = testapp.get(url).forms["import-form"]
    form["file"] = Upload(filename, content.encode(), "application/octet-stream")
    return form.submit(status=status)


def _changes(page) -> list[str]:
    block = re.search(r'<ul id="import-changes">(.*?)</ul>', page.text, re.S)
    assert block, "no list of changes"
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip()
            for item in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]


def test_the_preview_lists_what_the_file_changes_and_writes_nothing(testapp, db):
    process, budget = _setup(testapp, db, others=1)
    before = snapshot(db)
    page = _upload(testapp, process, budget, PLN)
    changes = _changes(page)
    assert changes[0] == "Currency: EUR → PLN (for the whole process, also its 1 other budget)"
    assert changes[1] == f"Budget: {money(6_000_000, 'EUR', 'en')} → {money(9_860_000, 'PLN', 'en')}"
    assert changes[1].startswith("Budget: €60,000 → PLN")
    assert "Fewest projects a voter must choose: not set → 1" in changes
    assert "Most projects a voter may choose: not set → 5" in changes
    assert "773 — Green square" in page.text and "2 projects to add" in page.text
    assert snapshot(db) == before


def test_confirming_applies_every_change_at_once(testapp, db):
    process, budget = _setup(testapp, db)
    page = _upload(testapp, process, budget, PLN)
    done = page.forms["import-confirm-form"].submit(status=303).follow()
    assert "2 projects imported; 4 settings changed as the file says." in done.text
    db.expire_all()
    stored = db.get(Budget, budget.id)
    assert db.get(Process, process.id).currency == "PLN"
    assert (stored.amount, stored.min_length, stored.max_length) == (9_860_000, 1, 5)
    assert sorted((p.code, p.cost) for p in stored.projects) == [("153", 3_000_050), ("773", 4_000_000)]
    assert "98\u202f600\xa0PLN" in testapp.get(f"/console/processes/{process.id}/budgets/{budget.id}?_LOCALE_=fr").text


def test_a_file_that_changes_nothing_says_so(testapp, db):
    process, budget = _setup(testapp, db)
    same = PLN.replace("currency;PLN\n", "").replace("budget;98600", "budget;60000") \
        .replace("min_length;1\n", "").replace("max_length;5\n", "")
    page = _upload(testapp, process, budget, same)
    assert "The file changes none of the budget&#39;s settings." in page.text


def test_a_ranking_file_sets_the_ballot_format_and_its_places(testapp, db):
    process, budget = _setup(testapp, db)
    ranking = PLN.replace("vote_type;approval", "vote_type;ordinal").replace("min_length;1\n", "") \
        .replace("max_length;5", "max_length;3")
    changes = _changes(_upload(testapp, process, budget, ranking))
    assert "Ballot format: Approval: tick projects → Ranking: order projects" in changes
    assert "Number of places to rank: not set → 3" in changes


def test_a_currency_with_other_decimals_is_refused_while_budgets_exist(testapp, db):
    process, budget = _setup(testapp, db)
    before = snapshot(db)
    page = _upload(testapp, process, budget, PLN.replace("currency;PLN", "currency;JPY")
                   .replace("30000.50", "30000"), status=422)
    assert "JPY has a different number of decimals than EUR" in error_beside(page, "file")
    assert snapshot(db) == before


def test_the_confirmation_is_refused_if_the_budget_changed_since_the_preview(testapp, db):
    process, budget = _setup(testapp, db)
    page = _upload(testapp, process, budget, PLN)
    db.get(Budget, budget.id).max_length = 2
    commit(db)
    before = snapshot(db)
    again = page.forms["import-confirm-form"].submit(status=409)
    assert "The budget changed since the preview" in again.text
    assert "Most projects a voter may choose: 2 → 5" in _changes(again)  # the new preview
    assert snapshot(db) == before
    again.forms["import-confirm-form"].submit(status=303)


def test_a_bad_project_in_the_file_refuses_everything_at_the_confirmation_too(testapp, db):
    process, budget = _setup(testapp, db)
    page = _upload(testapp, process, budget, PLN)
    form = page.forms["import-confirm-form"]
    form["content"].force_value(PLN.replace("153;30000.50", "773;30000.50"))
    before = snapshot(db)
    refused = form.submit(status=422)
    assert error_beside(refused, "file") == "Line 16: duplicate project id 773"
    assert snapshot(db) == before


def test_the_import_is_refused_once_voting_opened(testapp, db):
    process, budget = _setup(testapp, db, projects={"p1": 10_000})
    page = _upload(testapp, process, budget, PLN)
    move(db, process, "proposals", "review", "voting")
    commit(db)
    before = snapshot(db)
    refused = page.forms["import-confirm-form"].submit(status=409)
    assert "Voting has opened" in refused.text
    assert snapshot(db) == before


def test_the_service_plan_is_what_apply_does(db):
    process = make_process(db)
    budget = make_budget(db, process, amount=60_000, projects={})
    plan = pb_plan.plan_pb(db, budget, PLN.encode())
    assert [c.field for c in plan.changes] == ["currency", "amount", "min_length", "max_length"]
    applied = pb_plan.apply_pb(db, budget, PLN.encode(), plan.digest)
    assert [p.code for p in applied.added] == ["773", "153"]
    assert process.currency == "PLN" and budget.amount == 9_860_000
