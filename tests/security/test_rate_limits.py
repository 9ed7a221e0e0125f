"""Rate limits that stop guessing without locking out the innocent, shared by every app server."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from pbengine.models import RateCounter, RateKey
from pbengine.services import ratelimit
from pbengine.services.errors import TooManyAttempts
from pbengine.services.ratelimit import Bucket
from tests.helpers import TestApp
from tests.site.voting import enter_code, open_vote, tick, vote

WRONG = "AAAA-AAAA-AAAA"


def test_a_valid_code_from_a_busy_address_still_votes_after_another_client_failed_five_times(testapp, wsgi_app, db):
    _process, _budgets, codes = open_vote(db)
    for _attempt in range(5):
        assert enter_code(testapp, WRONG).status_int == 401
    assert enter_code(testapp, codes[0]).status_int == 429  # that browser is stopped, even with a valid code
    neighbour = TestApp(wsgi_app, extra_environ={"REMOTE_ADDR": "198.51.100.7"})  # same library address
    assert enter_code(neighbour, codes[1]).status_int == 303


def test_everyone_behind_one_address_shares_a_looser_limit(make_app, db):
    _process, _budgets, codes = open_vote(db)
    app = make_app(**{"pbengine.code_failures_per_address_per_minute": "8"})
    for attempt in range(8):  # a script that drops its cookies is a new browser every time
        app.reset()
        assert enter_code(app, f"AAAA-AAAA-AA{attempt:02d}".replace("0", "A").replace("1", "C")).status_int in (401,)
    app.reset()
    assert enter_code(app, codes[0]).status_int == 429


def test_one_code_tried_from_many_addresses_is_limited(wsgi_app, db):
    open_vote(db)
    for n in range(5):
        client = TestApp(wsgi_app, extra_environ={"REMOTE_ADDR": f"203.0.113.{n + 1}"})
        assert enter_code(client, WRONG).status_int == 401
    client = TestApp(wsgi_app, extra_environ={"REMOTE_ADDR": "203.0.113.99"})
    assert enter_code(client, WRONG).status_int == 429


def test_a_forged_x_forwarded_for_from_an_untrusted_peer_does_not_change_the_client(make_app, db):
    _process, _budgets, codes = open_vote(db)
    app = make_app(**{"pbengine.trusted_proxies": "10.0.0.1"})
    for n in range(5):
        app.extra_environ = {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": f"192.0.2.{n}"}
        assert enter_code(app, WRONG).status_int == 401
    app.extra_environ = {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": "192.0.2.200"}
    assert enter_code(app, codes[0]).status_int == 429


def test_the_trusted_proxy_s_x_forwarded_for_names_the_client(make_app, db):
    _process, _budgets, codes = open_vote(db)
    app = make_app(remote_addr="10.0.0.1", **{"pbengine.trusted_proxies": "10.0.0.0/24"})
    # The client sent a forged entry first; the proxy appended the real peer: the right-most untrusted one counts.
    app.extra_environ["HTTP_X_FORWARDED_FOR"] = "192.0.2.1, 198.51.100.20"
    for _attempt in range(5):
        enter_code(app, WRONG)
    assert enter_code(app, codes[0]).status_int == 429
    app.extra_environ["HTTP_X_FORWARDED_FOR"] = "192.0.2.1, 198.51.100.21, 10.0.0.2"
    assert enter_code(app, codes[0]).status_int == 303  # another client (behind two trusted hops)


def test_login_is_limited_per_address_and_per_account(make_app, db):
    from tests.helpers import commit, make_organizer

    make_organizer(db, email="owner@example.org")
    commit(db)
    app = make_app(**{"pbengine.login_failures_per_account_per_minute": "3"})
    for n in range(3):
        app.extra_environ = {"REMOTE_ADDR": f"203.0.113.{n + 1}"}
        form = app.get("/console/login").forms["login-form"]
        form["email"], form["password"] = "owner@example.org", "wrong password"
        form.submit(status=401)
    app.extra_environ = {"REMOTE_ADDR": "203.0.113.50"}
    form = app.get("/console/login").forms["login-form"]
    form["email"], form["password"] = "owner@example.org", "wrong password"
    assert "Too many wrong attempts" in form.submit(status=429).text


def test_unknown_receipts_and_proposal_links_are_limited(make_app, db):
    _process, _budgets, voter_codes = open_vote(db)
    app = make_app(**{"pbengine.lookup_failures_per_minute": "3"})
    receipt = re.search(r'data-receipt="([A-Z0-9-]+)"', vote(app, voter_codes[0], lambda form: tick(form, "p1")).text
                        ).group(1)
    app.reset()
    for _attempt in range(5):  # a known receipt is not counted, on the site or the API
        form = app.get("/receipt").forms["receipt-form"]
        form["receipt"] = receipt
        assert "state-counted" in form.submit(status=200).text
        assert app.get(f"/api/v1/receipts/{receipt}").json["counted"] is True
    for _attempt in range(3):
        form = app.get("/receipt").forms["receipt-form"]
        form["receipt"] = "ACDE-FGHJ-KMNP-QRTU"
        assert "Unknown receipt" in form.submit(status=200).text
    form = app.get("/receipt").forms["receipt-form"]
    form["receipt"] = "ACDE-FGHJ-KMNP-QRTU"
    assert "Too many wrong attempts" in form.submit(status=429).text
    assert app.get("/api/v1/receipts/ACDEFGHJKMNPQRTU", status=429).json["code"] == "too_many_attempts"
    # once the limit is reached a known receipt is refused alike: the refusal says nothing of the receipt
    form = app.get("/receipt").forms["receipt-form"]
    form["receipt"] = receipt
    refused = form.submit(status=429)
    assert "Too many wrong attempts" in refused.text and "state-counted" not in refused.text
    assert app.get(f"/api/v1/receipts/{receipt}", status=429).json["code"] == "too_many_attempts"
    for _attempt in range(3):
        app.get("/p/town-2027/proposal/not-a-real-token", status=404)
    assert "Too many wrong attempts" in app.get("/p/town-2027/proposal/not-a-real-token", status=429).text


def test_rate_state_is_a_short_tag_under_a_key_that_is_deleted_two_minutes_later(session_factory):
    start = 1_900_000_020.0
    address = "198.51.100.7"
    ratelimit.reserve(session_factory, [Bucket("t.address", address, 5)], now=start)
    with session_factory() as db:
        rows = db.execute(select(RateCounter.scope, RateCounter.tag, RateCounter.count)).all()
        assert rows == [("t.address", rows[0][1], 1)] and 0 <= rows[0][1] < 2 ** 16
        assert address not in repr(db.execute(select(RateKey)).all())
    ratelimit.reserve(session_factory, [Bucket("t.address", "other", 5)], now=start + 180)
    with session_factory() as db:
        assert db.scalars(select(RateKey.minute)).all() == [int((start + 180) // 60)]
        assert db.scalars(select(RateCounter.minute)).all() == [int((start + 180) // 60)]


def test_the_limit_slides_over_the_minute_boundary(session_factory):
    start = 1_900_000_050.0  # ten seconds before a minute ends
    bucket = Bucket("t.slide", "x", 5)
    for _attempt in range(5):
        ratelimit.reserve(session_factory, [bucket], now=start)
    try:
        ratelimit.reserve(session_factory, [bucket], now=start + 15)  # new minute, but 5 failures 15 s ago
    except TooManyAttempts:
        pass
    else:
        raise AssertionError("the previous minute's failures were forgotten at the boundary")
    ratelimit.reserve(session_factory, [bucket], now=start + 75)  # over a minute later: allowed again


def test_a_valid_code_is_refused_exactly_when_one_more_failure_would_be(session_factory):
    start = 1_900_000_020.0
    bucket = Bucket("t.valid", "x", 5)
    ratelimit.check(session_factory, [bucket], now=start)  # nothing counted yet: no key, no row
    for _attempt in range(4):
        ratelimit.reserve(session_factory, [bucket], now=start)
    ratelimit.check(session_factory, [bucket], now=start)  # 4 failures: a fifth would still be checked
    ratelimit.check(session_factory, [bucket], now=start)  # and checking wrote nothing
    ratelimit.reserve(session_factory, [bucket], now=start)
    try:
        ratelimit.check(session_factory, [bucket], now=start)
    except TooManyAttempts:
        pass
    else:
        raise AssertionError("a valid code was checked after the limit of failures was reached")
    with session_factory() as db:
        assert db.scalars(select(RateCounter.count).where(RateCounter.scope == "t.valid")).all() == [5]


def _post(url: str, code: str, key: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"} | ({"Idempotency-Key": key} if key else {})
    request = urllib.request.Request(
        f"{url}/api/v1/processes/town-2027/budgets/citywide/ballots",
        data=json.dumps({"voter_code": code, "approvals": ["p1"]}).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_16_identical_submissions_at_once_all_get_the_receipt_and_wrong_codes_are_still_limited(servers, db):
    from pbengine.models import Ballot

    _process, _budgets, codes = open_vote(db)
    urls = servers(2)  # default limits: 5 failures per client and per code
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda i: _post(urls[i % 2], codes[0], "one-submission-key-0001"), range(16)))
    assert [status for status, _body in answers] == [201] * 16
    assert len({body["receipt"] for _status, body in answers}) == 1
    db.rollback()
    assert len(db.scalars(select(Ballot)).all()) == 1
    # Only wrong codes count: the same address (and API client) is still limited to 5 of them.
    statuses = [_post(urls[n % 2], f"AAAA-AAAA-AAA{letter}")[0] for n, letter in enumerate("CDEFGH")]
    assert statuses == [401] * 5 + [429]
    assert _post(urls[0], codes[1], "another-submission-key-01")[0] == 429  # a refusal says nothing of the code


def test_a_burst_of_60_wrong_codes_on_two_app_servers_lets_through_only_the_limit(servers, db):
    open_vote(db)
    urls = servers(2)
    wrong = [f"AAAA-AAAA-{a}{b}{c}{d}" for a in "CDEF" for b in "GHJK" for c in "MN" for d in "PQ"][:60]
    with ThreadPoolExecutor(max_workers=30) as pool:
        statuses = list(pool.map(lambda i: _post(urls[i % 2], wrong[i])[0], range(60)))
    print(f"burst of 60 wrong codes, 2 servers: {statuses.count(401)} checked, {statuses.count(429)} refused")
    assert statuses.count(401) == 5  # the per-client limit (all from 127.0.0.1, no browser cookie)
    assert statuses.count(429) == 55
