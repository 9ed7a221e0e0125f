"""An owner archives a published process: contact data and code hashes go, the export still verifies."""

from __future__ import annotations

from sqlalchemy import select

from pbengine.models import AuditEvent, Ballot, Process, Proposal, Role, VoterCode
from pbengine.services import export, receipts
from pbengine.verify import verify_files
from tests.console.support import login_as, snapshot
from tests.export.factory import PROPOSER_EMAIL, published_process
from tests.helpers import commit, make_budget, make_process


def test_an_owner_archives_after_a_confirmation_and_the_export_still_verifies(testapp, db):
    published = published_process(db)
    process_id = published.process.id
    before_files = export.build(db, db.get(Process, process_id))
    testapp.login("owner-town-2027@example.org")
    page = testapp.get(f"/console/processes/{process_id}")
    page = page.click(description="Archive the process")
    assert "This cannot be undone." in page.text
    form = page.forms["confirm-form"]
    before = snapshot(db)
    form["confirm"] = "town 2027"
    refused = form.submit(status=422)
    assert "Nothing was changed: type the short name of the process (town-2027) to confirm." in refused.text
    assert snapshot(db) == before
    form = refused.forms["confirm-form"]
    form["confirm"] = "town-2027"
    page = form.submit(status=303).follow()
    assert "Process archived: 1 contact addresses erased, 6 voter code hashes dropped." in page.text

    commit(db)
    assert PROPOSER_EMAIL not in [p.contact_email for p in db.scalars(select(Proposal))]
    assert all(h.startswith("archived:") for h in db.scalars(select(VoterCode.code_hash)))
    assert db.scalars(select(Ballot.slot).where(Ballot.slot.is_not(None))).all() == []
    event = db.scalars(select(AuditEvent).where(AuditEvent.kind == "process.archived")).one()
    assert event.actor == "owner-town-2027@example.org" and event.payload["code_hashes_dropped"] == 6

    after_files = export.build(db, db.get(Process, process_id))
    assert verify_files(after_files) == []  # `pbengine verify` says MATCH
    assert {k: v for k, v in after_files.items() if k.endswith(".pb")} == \
        {k: v for k, v in before_files.items() if k.endswith(".pb")}
    for receipt in published.receipts["citywide"]:
        assert receipts.check_receipt(db, receipt).counted  # voters still find their ballots

    again = testapp.get(f"/console/processes/{process_id}/archive")
    assert "This process is archived" in again.text and "confirm-form" not in again.forms


def test_only_a_published_process_is_archived_and_only_by_an_owner(testapp, db):
    process = make_process(db)
    make_budget(db, process)
    login_as(testapp, db, email="mod@example.org", roles=[(process, Role.MODERATOR)])
    testapp.get(f"/console/processes/{process.id}/archive", status=403)
    testapp.reset()
    owner = login_as(testapp, db, email="owner@example.org", roles=[(db.get(Process, process.id), Role.OWNER)])
    assert owner is not None
    page = testapp.get(f"/console/processes/{process.id}/archive")
    assert "A process can be archived once its results are published." in page.text
    token = testapp.get_csrf_token(f"/console/processes/{process.id}")
    refused = testapp.post(f"/console/processes/{process.id}/archive", {"confirm": "town-2027", "csrf_token": token},
                           status=409)
    assert "Only a published process can be archived." in refused.text
