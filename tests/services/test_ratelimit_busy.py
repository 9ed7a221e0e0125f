"""A rate-limit check only reads: SQLite's write lock held by another app server is no 500."""

from __future__ import annotations

import pytest

from pbengine.models.sqlite import DatabaseBusy
from pbengine.services import ratelimit
from pbengine.services.errors import TooManyAttempts


def test_a_check_reads_on_when_the_minutes_key_cannot_be_written_now(session_factory):
    calls = []

    def factory():
        calls.append(1)
        if len(calls) > 1:  # the short transaction that would create the minute's key
            raise DatabaseBusy("database is locked")
        return session_factory()

    ratelimit._keys.clear()
    bucket = ratelimit.Bucket("receipt-address", "203.0.113.9", limit=3)
    ratelimit.check(factory, [bucket], now=1_000_000.0)  # no key, no counters: allowed
    assert len(calls) == 2
    # once failures are counted, the same check refuses as before
    for _ in range(3):
        ratelimit.reserve(session_factory, [bucket], now=1_000_000.0)
    ratelimit._keys.clear()
    calls.clear()
    with pytest.raises(TooManyAttempts):
        ratelimit.check(factory, [bucket], now=1_000_000.0)
