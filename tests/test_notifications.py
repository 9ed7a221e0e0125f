"""The mail delivery: configured from the ini, written only on commit, and never at the proposal's expense."""

from __future__ import annotations

import email
import email.policy
import logging

import pytest
from sqlalchemy import select

from pbengine.models import Proposal
from pbengine.notifications import delivery_of, mailer_from_settings
from pbengine.settings import load_settings
from tests.conftest import ROOT
from tests.helpers import TestApp, commit, make_budget, make_process
from tests.smtp import free_port

ADDRESS = "private.proposer@example.org"


def _app(settings, **mail):
    from pbengine import main

    return TestApp(main({}, **settings | mail), extra_environ={"REMOTE_ADDR": "198.51.100.7"})


def _open(db):
    process = make_process(db)
    make_budget(db, process)
    process.phase = "proposals"
    commit(db)


def _submit(app, status=303, **values):
    form = app.get("/p/town-2027/propose").forms["propose-form"]
    for name, value in ({"title": "Repair café", "description": "In the library.", "estimated_cost": "9000",
                         "contact_email": ADDRESS} | values).items():
        form[name] = value
    return form.submit(status=status)


def test_files_delivery_writes_a_mail_only_for_a_request_that_commits(settings, session_factory, db, tmp_path):
    _open(db)
    app = _app(settings, **{"mail.delivery": "files", "mail.directory": str(tmp_path / "mail")})
    _submit(app, estimated_cost="0", status=422)
    assert not (tmp_path / "mail").exists() or list((tmp_path / "mail").iterdir()) == []
    _submit(app)
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["To"] == ADDRESS and str(message["Subject"]) == "Your proposal “Repair café” was received"


def test_a_mail_server_that_cannot_be_reached_loses_the_mail_not_the_proposal(settings, session_factory, db,
                                                                                caplog):
    _open(db)
    app = _app(settings, **{"mail.delivery": "smtp", "mail.host": "127.0.0.1", "mail.port": str(free_port())})
    caplog.set_level(logging.DEBUG)
    page = _submit(app).follow()
    assert "your proposal was received" in page.text
    assert db.scalars(select(Proposal)).one().contact_email == ADDRESS
    failures = [r for r in caplog.records if r.name == "pbengine.notifications"]
    assert [r.getMessage() for r in failures] == ["a notification mail could not be delivered (ConnectionRefusedError)"]
    assert ADDRESS not in caplog.text


def test_without_mail_settings_nothing_is_sent_and_the_proposal_is_kept(testapp, db):
    _open(db)
    _submit(testapp)
    assert db.scalars(select(Proposal)).one().contact_email == ADDRESS


def test_development_writes_mails_into_var_mail_and_production_sends_them_over_smtp():
    development = load_settings(str(ROOT / "development.ini"))
    assert delivery_of(development) == "files"
    assert development["mail.directory"] == str(ROOT / "var" / "mail")
    production = load_settings(str(ROOT / "production.ini"))
    assert delivery_of(production) == "smtp"
    mailer = mailer_from_settings(production)
    smtp = mailer.smtp_mailer.inner
    assert (smtp.hostname, smtp.port, smtp.force_tls) == ("smtp.example.org", 587, True)
    assert mailer.default_sender == production["mail.default_sender"]


def test_an_unknown_delivery_is_refused_at_start():
    with pytest.raises(ValueError, match="mail.delivery must be one of smtp, files, none"):
        delivery_of({"mail.delivery": "pigeon"})
