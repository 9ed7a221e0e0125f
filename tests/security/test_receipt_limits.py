"""Receipt checks under concurrency, on two app servers: a known receipt writes nothing; unknown ones are limited."""

from __future__ import annotations

import http.client
import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlparse

from sqlalchemy import func, select

from pbengine.limits import DEFAULTS
from pbengine.models import RateCounter
from pbengine.services import tallies
from tests.helpers import commit
from tests.site.voting import move, open_vote, tick, vote

LIMIT = DEFAULTS["pbengine.lookup_failures_per_minute"]


def _check(url: str, receipt: str) -> tuple[int, str]:
    """A browser's receipt check: GET the form (CSRF cookie and token), POST the receipt."""
    address = urlparse(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    connection.request("GET", "/receipt")
    response = connection.getresponse()
    form = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    connection.request("POST", "/receipt", body=urlencode({"csrf_token": token, "receipt": receipt}),
                       headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    page = response.read().decode()
    connection.close()
    return response.status, ("counted" if "state-counted" in page else "unknown" if "Unknown receipt" in page
                             else "refused" if "Too many wrong attempts" in page else page[:200])


def _rows(db) -> int:
    commit(db)
    return db.scalar(select(func.count()).select_from(RateCounter))


def test_known_receipts_at_once_write_nothing_and_a_burst_of_unknown_ones_gets_only_the_limit(testapp, servers, db):
    process, _budgets, codes = open_vote(db, n_codes=1)
    page = vote(testapp, codes[0], lambda form: tick(form, "p1"))
    receipt = re.search(r'data-receipt="([A-Z0-9-]+)"', page.text).group(1)
    process = move(db, process, "closed")
    tallies.compute_all(db, process)
    move(db, process, "published")
    commit(db)
    urls = servers(2)
    before = _rows(db)
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda i: _check(urls[i % 2], receipt), range(16)))
    assert answers == [(200, "counted")] * 16
    assert _rows(db) == before  # nothing written
    unknown = [f"ACDE-FGHJ-KMNP-{a}{b}" for a in "QRTUVWXY" for b in "3456789"][:LIMIT + 10]
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda i: _check(urls[i % 2], unknown[i]), range(len(unknown))))
    print(f"burst of {len(unknown)} unknown receipts, 2 servers: {answers.count((200, 'unknown'))} answered")
    assert answers.count((200, "unknown")) == LIMIT  # every check from 127.0.0.1
    assert answers.count((429, "refused")) == 10
    assert _check(urls[0], receipt) == (429, "refused")  # once over the limit, a refusal says nothing
