"""Fixtures: a process open for voting with fresh voter codes, and a published one."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pbengine.services import codes
from tests.export.factory import CODE_KEY, open_voting, published_process
from tests.helpers import commit


@dataclass
class Voting:
    slug: str
    codes: list[str]


@pytest.fixture
def voting(db):
    process = open_voting(db, slug="vote-now")
    batch = codes.generate(db, CODE_KEY, process, 4, "Letters")
    commit(db)
    return Voting(process.slug, [code for _ref, code in batch.codes])


@pytest.fixture
def published(db):
    return published_process(db)
