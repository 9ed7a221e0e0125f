"""``pbengine export INI PROCESS_SLUG DIR`` writes the export of a published process, and only then."""

from __future__ import annotations

import pytest

from pbengine.cli import main
from pbengine.verify import verify
from tests.export.factory import open_voting
from tests.helpers import commit


@pytest.fixture
def ini(tmp_path, db_url):
    path = tmp_path / "test.ini"
    path.write_text("[app:main]\nuse = egg:pbengine\n"
                    f"sqlalchemy.url = {db_url}\n"
                    "pbengine.secret = s\npbengine.code_key = k\n")
    return str(path)


def test_export_command_writes_a_folder_that_verifies(ini, published, tmp_path, capsys):
    dest = tmp_path / "out"
    assert main(["export", ini, "town-2027", str(dest)]) == 0
    assert "wrote 10 files" in capsys.readouterr().out
    assert verify(dest) == []


def test_export_command_writes_a_zip_when_asked(ini, published, tmp_path):
    dest = tmp_path / "town-2027-export.zip"
    assert main(["export", ini, "town-2027", str(dest)]) == 0
    assert verify(dest) == []


def test_export_command_refuses_an_unpublished_process(ini, db, tmp_path, capsys):
    open_voting(db, slug="still-voting")
    commit(db)
    assert main(["export", ini, "still-voting", str(tmp_path / "out")]) == 2
    assert "published" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_export_command_names_an_unknown_process(ini, db, tmp_path, capsys):
    assert main(["export", ini, "nowhere", str(tmp_path / "out")]) == 2
    assert "no process 'nowhere'" in capsys.readouterr().err
