"""Residents propose projects: validation beside each field, a private status link, the public reason."""

import html
import re

from sqlalchemy import select

from pbengine.models import Process, Proposal
from pbengine.services import proposals
from tests.helpers import commit, make_budget, make_process


def _open(db, phase="proposals"):
    process = make_process(db)
    make_budget(db, process)
    process.phase = phase
    commit(db)
    return process


def _form(testapp, **values):
    form = testapp.get("/p/town-2027/propose").forms["propose-form"]
    defaults = {"title": "Solar roof cooperative", "description": "Panels on the school roof, owned by residents.",
                "estimated_cost": "25000", "organisation_type": "cooperative", "organisation_name": "SunCoop",
                "location": "North school", "contact_email": "sun@example.org"}
    for name, value in (defaults | values).items():
        form[name] = value
    return form


def test_a_valid_proposal_is_stored_and_the_private_status_link_shown(testapp, db):
    _open(db)
    form = _form(testapp)
    form.get("sdgs", index=6).checked = True   # 7. Affordable and clean energy
    form.get("sdgs", index=12).checked = True  # 13. Climate action
    page = form.submit(status=303).follow()
    assert "your proposal was received" in page.text
    assert "Received, waiting for review" in page.text
    assert "sun@example.org" not in page.text
    stored = db.scalars(select(Proposal)).one()
    assert stored.sdgs == [7, 13] and stored.organisation_type == "cooperative"
    assert stored.contact_email == "sun@example.org"


def test_the_form_lists_the_seventeen_goals_by_name(testapp, db):
    _open(db)
    page = testapp.get("/p/town-2027/propose")
    assert len(page.forms["propose-form"].fields["sdgs"]) == 17
    assert "Affordable and clean energy" in page.text and "Partnerships for the goals" in page.text


def test_a_missing_title_is_refused_beside_the_field_and_the_form_keeps_its_values(testapp, db):
    _open(db)
    page = _form(testapp, title="").submit(status=422)
    assert 'id="f-title-error"' in page.text and "This field is required." in page.text
    assert "Panels on the school roof" in page.text
    assert db.scalars(select(Proposal)).first() is None


def test_a_cost_that_is_not_a_number_is_refused(testapp, db):
    _open(db)
    page = _form(testapp, estimated_cost="a lot").submit(status=422)
    assert 'id="f-estimated_cost-error"' in page.text and "Enter an amount like 12,500.50." in page.text


def test_a_zero_cost_is_refused(testapp, db):
    _open(db)
    page = _form(testapp, estimated_cost="0").submit(status=422)
    assert "The cost must be a positive amount." in page.text


def test_a_bad_email_is_refused(testapp, db):
    _open(db)
    page = _form(testapp, contact_email="not-an-email").submit(status=422)
    assert 'id="f-contact_email-error"' in page.text and "Enter a valid email address." in page.text


def test_proposals_are_refused_outside_the_proposals_phase(testapp, db):
    _open(db, phase="review")
    page = testapp.get("/p/town-2027/propose")
    assert "This process is not accepting proposals now." in page.text
    assert "propose-form" not in page.forms
    token = testapp.get_csrf_token("/p/town-2027/propose")
    testapp.post("/p/town-2027/propose", {"csrf_token": token, "title": "x", "description": "y",
                                          "estimated_cost": "10"}, status=409)
    assert db.scalars(select(Proposal)).first() is None


def test_the_status_page_shows_the_organizers_public_reason(testapp, db):
    process = _open(db)
    proposal, token = proposals.submit(db, process, proposals.ProposalData(
        title="Casino", description="Games.", estimated_cost=5_000))
    proposals.reject(db, proposal, "Not a solidarity economy project.")
    commit(db)
    page = testapp.get(f"/p/town-2027/proposal/{token}")
    assert "Not accepted" in page.text and "Not a solidarity economy project." in page.text
    testapp.get("/p/town-2027/proposal/wrong-token", status=404)


# ---------------------------------------------------------------- revising, the public list


def _asked_for_changes(db, phase="proposals", **data):
    process = _open(db)
    defaults = {"title": "Repair café", "description": "In the library.", "estimated_cost": 900_000,
                "contact_email": "repair@example.org"}
    proposal, token = proposals.submit(db, process, proposals.ProposalData(**(defaults | data)))
    proposals.request_changes(db, proposal, "Say which days it opens.")
    proposal.process.phase = phase  # ``process`` was left behind by _open's commit
    commit(db)
    return process, proposal, token


def test_the_proposer_edits_a_proposal_asked_for_changes_and_it_goes_back_to_review(testapp, db):
    _process, proposal, token = _asked_for_changes(db)
    page = testapp.get(f"/p/town-2027/proposal/{token}")
    assert "Say which days it opens." in page.text
    form = page.forms["revise-form"]
    assert form["description"].value == "In the library." and form["contact_email"].value == "repair@example.org"
    form["description"] = "In the library, every Saturday."
    page = form.submit(status=303).follow()
    assert "Your proposal was sent again." in page.text and "Received, waiting for review" in page.text
    assert "Sent again: version 2" in page.text and "revise-form" not in page.forms
    db.expire_all()
    stored = db.get(Proposal, proposal.id)
    assert (stored.status, stored.revision, stored.description) == ("submitted", 2, "In the library, every Saturday.")
    assert stored.contact_email == "repair@example.org"


def test_an_invalid_edit_is_refused_beside_its_field_and_changes_nothing(testapp, db):
    _process, proposal, token = _asked_for_changes(db)
    form = testapp.get(f"/p/town-2027/proposal/{token}").forms["revise-form"]
    form["title"] = "A better title"
    form["estimated_cost"] = "0"
    page = form.submit(status=422)
    assert 'id="f-estimated_cost-error"' in page.text and "The cost must be a positive amount." in page.text
    assert page.forms["revise-form"]["title"].value == "A better title"
    db.expire_all()
    stored = db.get(Proposal, proposal.id)
    assert (stored.status, stored.revision, stored.title) == ("changes-requested", 1, "Repair café")


def test_an_edit_is_refused_with_a_message_unless_changes_are_requested(testapp, db):
    process = _open(db)
    _proposal, token = proposals.submit(db, process, proposals.ProposalData(
        title="Repair café", description="In the library.", estimated_cost=900_000))
    commit(db)
    page = testapp.get(f"/p/town-2027/proposal/{token}")
    assert "revise-form" not in page.forms
    csrf = testapp.get_csrf_token(f"/p/town-2027/proposal/{token}")
    page = testapp.post(f"/p/town-2027/proposal/{token}", {"csrf_token": csrf, "title": "Casino",
                                                            "description": "Games.", "estimated_cost": "10"},
                        status=409)
    assert ("This proposal can be edited only while the organizers ask for changes; its status is now "
            "“Received, waiting for review”.") in page.text
    assert db.scalars(select(Proposal)).one().title == "Repair café"


def test_an_edit_is_refused_once_voting_has_opened(testapp, db):
    _process, proposal, token = _asked_for_changes(db, phase="voting")
    page = testapp.get(f"/p/town-2027/proposal/{token}")
    assert "revise-form" not in page.forms and "Say which days it opens." in page.text
    csrf = testapp.get_csrf_token(f"/p/town-2027/proposal/{token}")
    page = testapp.post(f"/p/town-2027/proposal/{token}", {"csrf_token": csrf, "title": "Other",
                                                            "description": "x", "estimated_cost": "10"}, status=409)
    assert "Voting has opened: proposals can no longer be changed." in page.text
    db.expire_all()
    assert db.get(Proposal, proposal.id).title == "Repair café"


def test_an_edit_needs_the_csrf_token_and_a_known_link(testapp, db):
    _process, proposal, token = _asked_for_changes(db)
    testapp.post(f"/p/town-2027/proposal/{token}", {"title": "Other", "description": "x",
                                                     "estimated_cost": "10"}, status=400)
    csrf = testapp.get_csrf_token(f"/p/town-2027/proposal/{token}")
    testapp.post("/p/town-2027/proposal/not-the-token", {"csrf_token": csrf, "title": "Other",
                                                          "description": "x", "estimated_cost": "10"}, status=404)
    db.expire_all()
    assert db.get(Proposal, proposal.id).title == "Repair café"


def test_the_public_list_shows_every_proposal_its_status_and_reason_but_no_contact(testapp, db):
    process = db.get(Process, _open(db).id)
    solar, _ = proposals.submit(db, process, proposals.ProposalData(
        title="Solar roof", description="Panels.", estimated_cost=2_500_000, contact_email="sun@example.org"))
    casino, _ = proposals.submit(db, process, proposals.ProposalData(
        title="Casino", description="Games.", estimated_cost=500_000, contact_email="casino@example.org"))
    proposals.submit(db, process, proposals.ProposalData(title="Bike repair", description="Tools.",
                                                         estimated_cost=100_000))
    proposals.accept(db, solar, process.budgets[0], "S1", reason="Priced by the city's engineers.")
    proposals.reject(db, casino, "Not a solidarity economy project.")
    commit(db)
    home = testapp.get("/p/town-2027")
    page = home.click(href="/p/town-2027/proposals", index=0)
    assert "3 proposals." in page.text
    cards = {card.h2.get_text(strip=True): card.get_text(" ", strip=True)
             for card in page.html.select("#proposals .card")}
    assert set(cards) == {"Solar roof", "Casino", "Bike repair"}
    assert "Accepted: the project is on the ballot" in cards["Solar roof"]
    assert "Priced by the city's engineers." in cards["Solar roof"] and "Citywide" in cards["Solar roof"]
    assert "Not accepted" in cards["Casino"] and "Not a solidarity economy project." in cards["Casino"]
    assert "Received, waiting for review" in cards["Bike repair"]
    assert "sun@example.org" not in page.text and "casino@example.org" not in page.text
    project = page.html.select_one(f"#proposal-{solar.id} a")
    assert testapp.get(project["href"]).status_int == 200


def test_the_public_list_of_a_draft_process_is_not_found(testapp, db):
    _open(db, phase="draft")
    testapp.get("/p/town-2027/proposals", status=404)


def test_the_public_list_in_french(testapp, db):
    process = _open(db)
    proposals.submit(db, process, proposals.ProposalData(title="Solar roof", description="x", estimated_cost=10))
    commit(db)
    page = testapp.get("/p/town-2027/proposals", headers={"Accept-Language": "fr"})
    assert "1 proposition." in page.text and "Reçue, en attente d’examen" in page.text


def test_an_empty_proposal_names_each_missing_field(testapp, db):
    _open(db)
    form = testapp.get("/p/town-2027/propose").forms["propose-form"]
    page = form.submit(status=422)
    for field in ("title", "description", "estimated_cost"):
        assert f'id="f-{field}-error"' in page.text
        assert re.search(rf'id="f-{field}"[^>]*aria-describedby="[^"]*f-{field}-error', page.text, re.S)
    summary = re.search(r'<div class="error-summary".*?</div>', page.text, re.S).group(0)
    assert '<a href="#f-title">Title of the project: This field is required.</a>' in summary
    assert '<a href="#f-estimated_cost">Estimated cost: This field is required.</a>' in summary
    assert "What is it, who benefits, and why?: This field is required." in html.unescape(summary)
    assert db.scalars(select(Proposal)).first() is None


def test_a_proposal_with_a_bad_cost_and_a_bad_email_reports_both(testapp, db):
    _open(db)
    page = _form(testapp, estimated_cost="a lot", contact_email="not an address").submit(status=422)
    assert 'id="f-estimated_cost-error"' in page.text and 'id="f-contact_email-error"' in page.text
    assert "Enter a valid email address." in page.text
