"""`pbengine initdb` and `pbengine demo` on a fresh SQLite database, as `make run` does."""

import shutil
from pathlib import Path

from pbengine.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _ini(tmp_path) -> str:
    ini = tmp_path / "test.ini"
    text = (ROOT / "development.ini").read_text()
    text = text.replace("script_location = %(here)s/migrations", f"script_location = {ROOT}/migrations")
    ini.write_text(text)
    shutil.rmtree(tmp_path / "var", ignore_errors=True)
    return str(ini)


def test_initdb_then_demo_loads_once(tmp_path, capsys):
    ini = _ini(tmp_path)
    assert main(["initdb", ini]) == 0
    assert (tmp_path / "var" / "pbengine.sqlite").exists()
    assert main(["demo", ini, "--if-empty"]) == 0
    out = capsys.readouterr().out
    assert "/p/valverde-2027/vote" in out and "admin@example.org" in out
    assert main(["demo", ini, "--if-empty"]) == 0
    assert "nothing loaded" in capsys.readouterr().out
    assert main(["demo", ini]) == 2
    assert "not empty" in capsys.readouterr().err


def test_initdb_with_a_missing_file_says_so(tmp_path, capsys):
    assert main(["initdb", str(tmp_path / "nope.ini")]) == 2
    assert "no such configuration file" in capsys.readouterr().err
