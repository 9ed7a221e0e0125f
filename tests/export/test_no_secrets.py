"""No secret seen while the process ran is in any exported byte."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import select

from pbengine.models import Process, RateKey, VoterCode, WebSession
from pbengine.services import codes
from pbengine.services.codes import normalise
from tests.conftest import TEST_SETTINGS
from tests.export.factory import CODE_KEY, PROPOSER_EMAIL, open_voting, publish
from tests.helpers import commit

CLIENT_IP = "198.51.100.7"  # the testapp's REMOTE_ADDR


def test_export_holds_no_voter_code_session_address_or_email(testapp, db):
    process = open_voting(db, slug="town-2027")
    voter_codes = [code for _ref, code in codes.generate(db, CODE_KEY, process, 3, "Letters").codes]
    commit(db)
    owner_email = "owner-town-2027@example.org"
    testapp.login(owner_email)
    csrf_token = testapp.get_csrf_token("/console")
    session_cookie = testapp.cookies["pbsession"]
    csrf_cookie = testapp.cookies["pbcsrf"]
    for code, budget in zip(voter_codes, ["citywide", "youth", "citywide"], strict=True):
        testapp.post_json(f"/api/v1/processes/town-2027/budgets/{budget}/ballots",
                          {"voter_code": code, "approvals": ["p2"]}, status=201)
    testapp.post_json("/api/v1/processes/town-2027/budgets/citywide/ballots",
                      {"voter_code": "WRON-GCOD-EAAA", "approvals": ["p2"]}, status=401)
    publish(db, db.get(Process, process.id))  # the factory session was closed by the commit
    commit(db)

    archive = zipfile.ZipFile(io.BytesIO(testapp.get("/p/town-2027/town-2027-export.zip").body))
    exported = {name: archive.read(name) for name in archive.namelist()}
    assert len(exported) == 10  # 4 .pb, tally.csv, impact.csv, result.json, log, README, sums
    secrets = {CLIENT_IP, PROPOSER_EMAIL, owner_email, session_cookie, csrf_token, csrf_cookie,
               TEST_SETTINGS["pbengine.code_key"], TEST_SETTINGS["pbengine.secret"]}
    for code in voter_codes:
        secrets |= {code, normalise(code), code.lower()}
    secrets |= set(db.scalars(select(VoterCode.code_hash)))
    secrets |= set(db.scalars(select(RateKey.key))) | set(db.scalars(select(WebSession.id_hash)))
    assert len(secrets) > 15 and all(len(s) >= 8 for s in secrets)
    for name, data in exported.items():
        text = data.decode("utf-8").lower()
        for secret in secrets:
            assert secret.lower() not in text, f"{name} holds a secret"
