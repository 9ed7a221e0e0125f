"""CSV downloads in the console: projects, proposals (without contact data) and turnout."""

from __future__ import annotations

import csv
import io

from pbengine.models import Process, Role
from pbengine.services import ballots, codes, projects, proposals
from tests.conftest import TEST_SETTINGS
from tests.console.support import login_as
from tests.helpers import commit, make_budget, make_process, minor
from tests.site.voting import move

KEY = TEST_SETTINGS["pbengine.code_key"]


def _rows(response):
    assert response.content_type == "text/csv"
    assert response.content_disposition.startswith("attachment")
    return list(csv.DictReader(io.StringIO(response.body.decode("utf-8"))))


def _process(db):
    process = make_process(db)
    budget = make_budget(db, process, projects={})
    projects.add_project(db, budget, projects.ProjectData(
        code="solar", title="=Solar roofs", cost=minor("12500.5", process), sdgs=[7, 13],
        organisation_type="cooperative", organisation_name="SunCoop", categories=["energy", "schools"]))
    projects.add_project(db, budget, projects.ProjectData(code="bikes", title="Bike repair",
                                                            cost=minor(800, process)))
    process = move(db, process, "proposals")
    proposals.submit(db, process, proposals.ProposalData(
        title="Community garden", description="Raised beds by the river.", estimated_cost=minor(3000, process),
        sdgs=[2], organisation_name="Green Hands", organisation_type="association",
        contact_email="maria.secret@example.org"))
    commit(db)
    return db.get(Process, process.id)


def test_projects_csv_has_every_project_with_exact_costs_goals_and_organisation(testapp, db):
    process = _process(db)
    login_as(testapp, db, roles=[(process, Role.MODERATOR)])
    rows = _rows(testapp.get(f"/console/processes/{process.id}/projects.csv"))
    assert [r["project_id"] for r in rows] == ["solar", "bikes"]
    solar = rows[0]
    assert (solar["budget"], solar["cost"], solar["currency"]) == ("citywide", "12500.50", "EUR")
    assert (solar["sdgs"], solar["categories"]) == ("7; 13", "energy; schools")
    assert (solar["organisation_type"], solar["organisation_name"]) == ("cooperative", "SunCoop")
    assert solar["title"] == "'=Solar roofs"  # a spreadsheet will not run it as a formula
    assert rows[1]["sdgs"] == "" and rows[1]["organisation_type"] == ""


def test_proposals_csv_has_no_contact_data(testapp, db):
    process = _process(db)
    login_as(testapp, db, roles=[(process, Role.MODERATOR)])
    response = testapp.get(f"/console/processes/{process.id}/proposals.csv")
    assert "maria.secret" not in response.text and "@" not in response.text
    rows = _rows(response)
    assert len(rows) == 1
    row = rows[0]
    assert (row["title"], row["estimated_cost"], row["status"], row["sdgs"]) == ("Community garden", "3000.00",
                                                                                  "submitted", "2")
    assert row["organisation_name"] == "Green Hands"
    assert not any("mail" in column or "tracking" in column or "token" in column for column in row)
    page = testapp.get(f"/console/processes/{process.id}/proposals")
    assert f"/console/processes/{process.id}/proposals.csv" in page.text


def test_turnout_csv_counts_per_day_and_channel_with_the_codes(testapp, db):
    process = _process(db)
    process = move(db, process, "review", "voting")
    batch = codes.generate(db, KEY, process, 5, "letters")
    budget = process.budgets[0]
    for _ref, code in batch.codes[:3]:
        ballots.cast(db, budget, codes.find(db, KEY, process, code), {"approvals": ["bikes"]}, key=KEY)
    ballots.cast(db, budget, None, {"approvals": ["solar"]}, channel="paper", entered_by="desk@example.org")
    commit(db)
    login_as(testapp, db, roles=[(db.get(Process, process.id), Role.OWNER)])
    rows = _rows(testapp.get(f"/console/processes/{process.id}/turnout.csv"))
    total = rows[-1]
    assert total["day"] == "total"
    assert [total[k] for k in ("online", "paper", "imported", "ballots", "codes_issued", "codes_used")] == \
        ["3", "1", "0", "4", "5", "3"]
    days = rows[:-1]
    assert len(days) == 1 and days[0]["ballots"] == "4" and len(days[0]["day"]) == 10
    assert "desk@example.org" not in str(rows)


def test_csv_downloads_are_for_the_process_organizers_only(testapp, db):
    process = _process(db)
    for name in ("projects", "proposals", "turnout"):
        testapp.get(f"/console/processes/{process.id}/{name}.csv", status=(302, 303, 403))
