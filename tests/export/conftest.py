"""Fixtures: a published process with ballots in every format, and its export on disk."""

from __future__ import annotations

import pytest

from pbengine.services import export
from tests.export.factory import published_process


@pytest.fixture
def published(db):
    return published_process(db)


@pytest.fixture
def export_files(db, published):
    return export.build(db, published.process)


@pytest.fixture
def export_dir(tmp_path, export_files):
    return export.write_folder(export_files, tmp_path / "town-2027-export")
