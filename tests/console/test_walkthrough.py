"""An organizer runs a whole process through the console, and the audit log records every step."""

from __future__ import annotations

import base64
import re
from urllib.parse import unquote

from pbengine.models import Process, Proposal
from pbengine.services import audit, ballots, codes, proposals
from tests.console.support import login_as
from tests.helpers import commit

KEY = "test-code-key"


def _phase(testapp, process_id, target):
    page = testapp.get(f"/console/processes/{process_id}")
    form = page.forms["phase-form"]
    assert form["phase"].value == target
    return form.submit().forms["confirm-form"].submit().follow()  # each move asks first


def test_admin_runs_a_whole_process_from_creation_to_publication(testapp, db):
    login_as(testapp, db, is_admin=True)

    # Create the process.
    form = testapp.get("/console").click(href="/console/processes/new").forms["process-form"]
    form["slug"] = "valley-2027"
    form["title"] = "Valley SSE budget 2027"
    form["title_fr"] = "Budget ESS de la vallée 2027"
    form["currency"] = "EUR"
    page = form.submit().follow()
    process = db.query(Process).filter_by(slug="valley-2027").one()
    assert process.translations["fr"]["title"] == "Budget ESS de la vallée 2027"
    assert "Valley SSE budget 2027" in page.text

    # Two budgets.
    for slug, amount, rule in (("north", 60_000, "equal-shares"), ("youth", 20_000, "greedy")):
        form = testapp.get(f"/console/processes/{process.id}/budgets/new").forms["budget-form"]
        form["name"] = slug.title()
        form["slug"] = slug
        form["amount"] = str(amount)
        form["ballot_kind"] = "approval"
        form["rule"] = rule
        form.submit(status=303)
    db.expire_all()
    north, youth = db.get(Process, process.id).budgets
    assert (north.slug, youth.slug) == ("north", "youth")

    # Projects added by hand.
    for budget, code, cost in ((youth, "Y1", 8_000), (youth, "Y2", 9_000), (youth, "Y3", 12_000),
                               (north, "N3", 20_000)):
        form = testapp.get(f"/console/processes/{process.id}/budgets/{budget.id}/projects/new").forms["project-form"]
        form["code"] = code
        form["title"] = f"Youth project {code}"
        form["cost"] = str(cost)
        form.get("sdgs", index=7).checked = True  # goal 8, decent work
        form.submit(status=303)

    # Proposals open; residents submit two proposals.
    _phase(testapp, process.id, "proposals")
    db.expire_all()
    process = db.get(Process, process.id)
    solar, _token = proposals.submit(db, process, proposals.ProposalData(
        title="Rooftop solar cooperative", description="Solar panels on the school roof.",
        estimated_cost=30_000_00, budget_id=north.id, sdgs=[7, 13]))
    casino, _token = proposals.submit(db, process, proposals.ProposalData(
        title="A casino", description="Not a solidarity project.", estimated_cost=10_000_00))
    garden, _token = proposals.submit(db, process, proposals.ProposalData(
        title="Community garden", description="An organic garden with a school plot.", estimated_cost=25_000_00))
    commit(db)
    _phase(testapp, process.id, "review")

    listing = testapp.get(f"/console/processes/{process.id}/proposals", {"q": "solar"})
    assert "Rooftop solar cooperative" in listing.text and "A casino" not in listing.text

    # Accept one with a revised cost, accept another, reject the third with a public reason.
    form = testapp.get(f"/console/processes/{process.id}/proposals/{solar.id}").forms["accept-form"]
    form["budget_id"] = str(north.id)
    form["code"] = "N1"
    form["cost"] = "32000"
    assert "Accepted" in form.submit().follow().text
    form = testapp.get(f"/console/processes/{process.id}/proposals/{garden.id}").forms["accept-form"]
    form["budget_id"] = str(north.id)
    form["code"] = "N2"
    form.submit(status=303)
    form = testapp.get(f"/console/processes/{process.id}/proposals/{casino.id}").forms["decide-form"]
    form["reason"] = "Gambling is not a social and solidarity economy project."
    form.submit("action", value="reject").follow()
    db.expire_all()
    assert db.get(Proposal, casino.id).status == "rejected"
    assert db.get(Proposal, casino.id).public_reason.startswith("Gambling")
    assert [(p.code, p.cost) for p in db.get(Process, process.id).budgets[0].projects] == [
        ("N3", 20_000_00), ("N1", 32_000_00), ("N2", 25_000_00)]  # EUR cents

    # Generate codes: the printable page is the only place they appear.
    form = testapp.get(f"/console/processes/{process.id}/codes").forms["codes-form"]
    form["size"] = "4"
    form["label"] = "Letters, valley"
    printed = form.submit()
    assert printed.headers["Cache-Control"] == "no-store"
    plain = re.findall(r'<span class="code">([A-Z0-9-]+)</span>', printed.text)
    assert len(plain) == 4
    assert "http://localhost/p/valley-2027/vote" in printed.text
    data_url = re.search(r'href="data:text/csv;base64,([^"]+)"', printed.text).group(1)
    assert all(code in base64.b64decode(unquote(data_url)).decode() for code in plain)

    # Voting: the configuration locks, its fingerprint shows.
    page = _phase(testapp, process.id, "voting")
    db.expire_all()
    process = db.get(Process, process.id)
    assert process.config_fingerprint and process.config_fingerprint in page.text

    north, youth = process.budgets
    votes = [(["N1"], ["Y1", "Y2"]), (["N1", "N2"], ["Y3"]), (["N2", "N3"], ["Y1"]), (["N1"], ["Y1", "Y3"])]
    for code, (north_votes, youth_votes) in zip(plain, votes, strict=True):
        voter = codes.find(db, KEY, process, code)
        ballots.cast(db, north, voter, {"approvals": north_votes}, key=KEY)
        ballots.cast(db, youth, voter, {"approvals": youth_votes}, key=KEY)
    commit(db)
    turnout = testapp.get(f"/console/processes/{process.id}/turnout")
    assert "4 ballots in all." in turnout.text
    assert "Funded" not in turnout.text
    assert "Not computed yet" not in testapp.get(f"/console/processes/{process.id}/results").text

    # Close, compute, compare, publish.
    _phase(testapp, process.id, "closed")
    results = testapp.get(f"/console/processes/{process.id}/results")
    results = results.forms["compute-form"].submit().follow()
    assert "Results computed" in results.text
    comparison = results.html.select("table.comparison")
    assert len(comparison) == 2
    rules_shown = {row.th.get_text(" ", strip=True).split()[0] for row in comparison[0].select("tbody tr")}
    assert {"greedy", "equal-shares", "phragmen", "utilitarian"} <= rules_shown
    assert "Voters with at least one funded project" in results.text
    funded = [li.get_text() for li in results.html.select("ul.funded")[0].select("li")]
    assert any("N1" in item for item in funded) and any("N2" in item for item in funded)
    page = results.forms["publish-form"].submit().forms["confirm-form"].submit().follow()
    assert "Results published" in page.text

    kinds = [event.kind for event in audit.events(db, db.get(Process, process.id))]
    for expected in ("process.created", "budget.created", "project.added", "phase.changed",
                     "proposal.submitted", "proposal.accepted", "proposal.rejected", "codes.generated",
                     "ballots.sealed", "tally.computed", "tally.published"):
        assert expected in kinds, expected
    moves = [e.payload["to"] for e in audit.events(db, process) if e.kind == "phase.changed"]
    assert moves == ["proposals", "review", "voting", "closed", "published"]
    log = testapp.get(f"/console/processes/{process.id}/audit")
    assert "The hash chain of this log holds" in log.text
    assert log.text.count("tally.published") == 2
    assert "admin@example.org" in log.text
