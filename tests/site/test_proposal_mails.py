"""A proposal's life, told by mail: received → changes requested → edited → accepted, or rejected.

The mails go over SMTP to a real server on a local port (``tests/smtp.py``), in the language the
proposer used on the site, and only once the request's transaction has committed.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from pbengine.models import AuditEvent, Project, Proposal
from tests.console.support import login_as
from tests.helpers import commit, make_budget, make_process

SUN = "sun.proposer@example.org"
CASINO = "casino.proposer@example.org"


def _open(db):
    process = make_process(db, title="Town SSE budget 2027")
    process.translations = {"fr": {"title": "Budget ESS de la ville 2027"},
                            "es": {"title": "Presupuesto ESS de la ciudad 2027"}}
    make_budget(db, process, name="Citywide")
    process.phase = "proposals"
    commit(db)
    return process


def _propose(app, language, **values):
    app.set_cookie("_LOCALE_", language)
    form = app.get("/p/town-2027/propose").forms["propose-form"]
    defaults = {"title": "Solar roof cooperative", "description": "Panels on the school roof.",
                "estimated_cost": "25000", "contact_email": SUN}
    for name, value in (defaults | values).items():
        form[name] = value
    page = form.submit(status=303)
    return page.location.split("http://localhost", 1)[-1]


def _console_decide(app, db, process, proposal_id, action, reason="", status=303, **fields):
    page = app.get(f"/console/processes/{process.id}/proposals/{proposal_id}")
    form = page.forms["accept-form" if action == "accept" else "decide-form"]
    for name, value in fields.items():
        form[name] = value
    if action == "accept":
        return form.submit(status=status)
    form["reason"] = reason
    return form.submit("action", value=action, status=status)


def test_submitted_changes_requested_edited_accepted_each_mails_the_proposer_in_french(
        mail_app, smtp_server, db, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.WARNING, logger="mail.log")  # the test SMTP server's own log (the outside world)
    process = _open(db)
    inbox = smtp_server.inbox

    # Submitted, in French: the mail holds the private link, which nothing else ever shows again.
    status_path = _propose(mail_app, "fr")
    received = inbox.wait_for(1)
    assert len(received) == 1
    mail = received[0]
    assert mail.rcpt_tos == [SUN] and mail.message["To"] == SUN
    assert mail.mail_from == "pb@town.example"
    assert mail.language == "fr"
    assert mail.subject == "Votre proposition «\u00a0Solar roof cooperative\u00a0» a été reçue"
    assert f"http://localhost{status_path}" in mail.body
    assert "Budget ESS de la ville 2027" in mail.body
    proposal = db.scalars(select(Proposal)).one()
    assert proposal.locale == "fr" and proposal.revision == 1

    # The organizer asks for changes: the proposer reads the reason in French, without any link.
    login_as(mail_app, db, email="owner@example.org", is_admin=True)
    _console_decide(mail_app, db, process, proposal.id, "changes",
                    reason="Please split the cost between panels and installation.").follow()
    mails = inbox.wait_for(2)
    assert len(mails) == 2
    changes = mails[1]
    assert changes.rcpt_tos == [SUN] and changes.language == "fr"
    assert changes.subject == "Modifications demandées pour votre proposition «\u00a0Solar roof cooperative\u00a0»"
    assert "Please split the cost between panels and installation." in changes.body
    assert "/proposal/" not in changes.body

    # The proposer edits it through the private link and sends it again: no mail, back to review.
    mail_app.set_cookie("_LOCALE_", "fr")
    page = mail_app.get(status_path)
    form = page.forms["revise-form"]
    assert form["title"].value == "Solar roof cooperative" and form["estimated_cost"].value == "25000"
    form["title"] = "Solar roof cooperative (two schools)"
    form["estimated_cost"] = "31000"
    page = form.submit(status=303).follow()
    assert "Reçue, en attente d’examen" in page.text and "version 2" in page.text
    assert "revise-form" not in page.forms
    db.expire_all()
    proposal = db.get(Proposal, proposal.id)
    assert (proposal.status, proposal.revision, proposal.title) == (
        "submitted", 2, "Solar roof cooperative (two schools)")
    assert proposal.estimated_cost == 3_100_000 and proposal.revised_at is not None
    assert len(inbox.wait_for(3, timeout=0.5)) == 2

    # The organizer sees it was revised, and accepts it: the last mail names the budget and cost.
    mail_app.set_cookie("_LOCALE_", "en")
    listing = mail_app.get(f"/console/processes/{process.id}/proposals")
    assert "Revised (version 2)" in listing.text
    detail = mail_app.get(f"/console/processes/{process.id}/proposals/{proposal.id}")
    assert "Revised by the proposer after your request for changes: version 2" in detail.text
    assert "Your request for changes:" in detail.text
    _console_decide(mail_app, db, process, proposal.id, "accept", code="S1", cost="30000").follow()
    mails = inbox.wait_for(3)
    assert len(mails) == 3
    accepted = mails[2]
    assert accepted.rcpt_tos == [SUN] and accepted.language == "fr"
    assert accepted.subject == ("Votre proposition «\u00a0Solar roof cooperative (two schools)\u00a0» "
                                "est sur le bulletin")
    assert "«\u00a0Citywide\u00a0»" in accepted.body and "30\u202f000\u00a0€" in accepted.body
    project = db.scalars(select(Project).where(Project.proposal_id == proposal.id)).one()
    assert f"http://localhost/p/town-2027/projects/{project.id}" in accepted.body

    # Accepted: the private link shows no form any more, and a posted edit is refused.
    page = mail_app.get(status_path)
    assert "revise-form" not in page.forms
    token = mail_app.get_csrf_token(status_path)
    refused = mail_app.post(status_path, {"csrf_token": token, "title": "Casino", "description": "x",
                                          "estimated_cost": "10"}, status=409)
    assert "can be edited only while the organizers ask for changes" in refused.text
    assert db.get(Proposal, proposal.id).title == "Solar roof cooperative (two schools)"
    assert len(inbox.wait_for(4, timeout=0.5)) == 3

    # No address in a log line or in the audit log.
    assert SUN not in caplog.text
    events = db.scalars(select(AuditEvent)).all()
    assert {e.kind for e in events} >= {"proposal.submitted", "proposal.changes-requested", "proposal.revised",
                                        "proposal.accepted"}
    assert not any(SUN in repr(e.payload) or SUN in (e.actor or "") for e in events)


def test_a_rejected_proposal_mails_the_reason_in_spanish_and_a_refused_decision_mails_nothing(
        mail_app, smtp_server, db):
    process = _open(db)
    _propose(mail_app, "es", title="Casino", description="Games.", contact_email=CASINO)
    assert smtp_server.inbox.wait_for(1)[0].subject == "Su propuesta «Casino» fue recibida"
    proposal = db.scalars(select(Proposal)).one()
    login_as(mail_app, db, email="owner@example.org", is_admin=True)

    # A decision refused (no reason given) writes nothing and sends nothing.
    _console_decide(mail_app, db, process, proposal.id, "reject", reason="  ", status=422)
    assert len(smtp_server.inbox.wait_for(2, timeout=0.5)) == 1

    _console_decide(mail_app, db, process, proposal.id, "reject",
                    reason="Not a social and solidarity economy project.").follow()
    mails = smtp_server.inbox.wait_for(2)
    assert len(mails) == 2
    rejected = mails[1]
    assert rejected.rcpt_tos == [CASINO] and rejected.language == "es"
    assert rejected.subject == "Su propuesta «Casino» no fue aceptada"
    assert "Not a social and solidarity economy project." in rejected.body
    assert "http://localhost/p/town-2027/proposals" in rejected.body


def test_without_an_address_nothing_is_sent(mail_app, smtp_server, db):
    _open(db)
    _propose(mail_app, "en", contact_email="")
    assert db.scalars(select(Proposal)).one().contact_email == ""
    assert smtp_server.inbox.wait_for(1, timeout=0.5) == []


def test_opening_the_vote_reminds_only_the_proposers_who_asked_for_it(mail_app, smtp_server, db):
    process = _open(db)
    _propose(mail_app, "fr", remind_voting=True)
    _propose(mail_app, "en", title="Repair café", contact_email=CASINO)
    inbox = smtp_server.inbox
    assert len(inbox.wait_for(2)) == 2
    solar = db.scalars(select(Proposal).where(Proposal.contact_email == SUN)).one()
    assert solar.remind_voting is True
    login_as(mail_app, db, email="owner@example.org", is_admin=True)
    _console_decide(mail_app, db, process, solar.id, "accept", code="S1").follow()
    assert len(inbox.wait_for(3)) == 3
    for _phase in ("review", "voting"):
        form = mail_app.get(f"/console/processes/{process.id}").forms["phase-form"]
        form.submit().forms["confirm-form"].submit().follow()  # the move's confirmation page first
    mails = inbox.wait_for(4)
    assert len(mails) == 4
    reminder = mails[3]
    assert reminder.rcpt_tos == [SUN] and reminder.language == "fr"
    assert reminder.subject == "Le vote est ouvert\u00a0: Budget ESS de la ville 2027"
    assert "http://localhost/p/town-2027/vote" in reminder.body
    assert "«\u00a0Citywide\u00a0»" in reminder.body
    assert len(inbox.to(CASINO)) == 1  # only its "received" mail
