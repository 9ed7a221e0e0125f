"""Stress tests: real waitress servers in subprocesses on 127.0.0.1, on SQLite and PostgreSQL.

``make test`` runs small versions; ``make stress`` (PBENGINE_STRESS=full) the full ones.
"""

from __future__ import annotations

import os

import pytest

from tests.stress.harness import drop_database, new_database

FULL = os.environ.get("PBENGINE_STRESS") == "full"


def size(small: int, full: int) -> int:
    return full if FULL else small


@pytest.fixture(params=["sqlite", "postgresql"])
def stress_db(request, tmp_path):
    url = new_database(request.param, tmp_path)
    try:
        yield url
    finally:
        drop_database(url)
