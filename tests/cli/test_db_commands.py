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


def test_initdb_says_in_one_line_when_a_revision_needs_the_code_key(tmp_path, capsys, monkeypatch):
    """Revision 0007 computes the slots of a voting process's ballots: without the code key it stops."""
    from sqlalchemy import text

    from pbengine.models import get_engine
    from tests.test_migrations_i10 import migrate, seed

    ini = _ini(tmp_path)
    text_ = Path(ini).read_text()
    Path(ini).write_text("\n".join(line for line in text_.splitlines() if not line.startswith("pbengine.code_key")))
    monkeypatch.delenv("PBENGINE_CODE_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    monkeypatch.setenv("PBENGINE_DATABASE_URL", url)
    migrate(url, "0006_i9_ballots")
    seed(url)
    assert main(["initdb", ini]) == 2
    assert "needs the voter-code key (PBENGINE_CODE_KEY)" in capsys.readouterr().err
    engine = get_engine({"sqlalchemy.url": url})
    with engine.connect() as connection:  # nothing was converted
        assert connection.execute(text("SELECT count(*) FROM ballot WHERE voter_code_id IS NOT NULL")).scalar() == 4
    engine.dispose()
    monkeypatch.setenv("PBENGINE_CODE_KEY", "test-code-key")
    assert main(["initdb", ini]) == 0
