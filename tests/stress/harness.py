"""Real servers under load: fresh databases, waitress subprocesses on loopback, HTTP clients, counts.

Everything here talks to ``127.0.0.1`` only, and every loop is bounded.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[2]
CODE_KEY = "test-code-key"  # tests/conftest.py TEST_SETTINGS


# ---------------------------------------------------------------- databases


def new_database(kind: str, directory: Path) -> str:
    """A fresh, migrated database URL (``sqlite`` in ``directory``, or a new PostgreSQL database)."""
    from tests.conftest import _postgres_url, upgrade

    url = f"sqlite:///{directory / f'stress-{secrets.token_hex(3)}.sqlite'}" if kind == "sqlite" else _postgres_url()
    upgrade(url)
    return url


def drop_database(url: str) -> None:
    from tests.conftest import _drop_postgres

    if url.startswith("postgresql"):
        _drop_postgres(url)


@dataclass
class Seeded:
    slug: str
    budgets: list[str]
    codes: list[str]


def seed(url: str, voters: int, slug: str = "stress-2027") -> Seeded:
    """A process open for voting (the export factory's four budgets) and ``voters`` voter codes."""
    import transaction

    from pbengine.models import get_engine, get_session_factory, get_tm_session
    from pbengine.services import codes
    from tests.export.factory import open_voting

    engine = get_engine({"sqlalchemy.url": url})
    tm = transaction.TransactionManager(explicit=True)
    tm.begin()
    db = get_tm_session(get_session_factory(engine), tm)
    process = open_voting(db, slug=slug)
    budgets = [b.slug for b in process.budgets]
    batch = codes.generate(db, CODE_KEY, process, voters, "Stress")
    plain = [code for _ref, code in batch.codes]
    tm.commit()
    engine.dispose()
    return Seeded(slug, budgets, plain)


# ---------------------------------------------------------------- servers


class Server:
    """One waitress process serving the app on 127.0.0.1 (``argv`` prints its port first)."""

    def __init__(self, argv: list[str], env: dict | None = None):
        self.argv = argv
        self.env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line.strip().isdigit():
            self.process.kill()
            raise RuntimeError(f"server did not start: {line!r} {self.process.stderr.read()[-2000:]}")
        self.port = int(line)
        # Drain stderr so that a chatty server never blocks on a full pipe.
        self.errors: list[str] = []
        threading.Thread(target=lambda: self.errors.extend(self.process.stderr), daemon=True).start()

    def kill(self) -> None:
        """``kill -9``: no cleanup, no answer to requests in flight."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def pbengine_server(url: str, threads: int = 8) -> Server:
    return Server([sys.executable, "-m", "tests.stress.serve", url, str(threads)])


# ---------------------------------------------------------------- clients


@dataclass
class Answer:
    status: int  # 0: no answer (connection refused, reset, timed out)
    body: dict | str | None = None
    headers: dict = field(default_factory=dict)
    seconds: float = 0.0


class Client:
    """One keep-alive HTTP connection to 127.0.0.1:port (reconnects after an error)."""

    def __init__(self, port: int, timeout: float = 30):
        self.port = port
        self.timeout = timeout
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Answer:
        start = time.perf_counter()
        for _attempt in range(2):  # one reconnect when a kept-alive connection was closed by the server
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                raw = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
                self.close()
                if _attempt == 0 and isinstance(error, http.client.RemoteDisconnected):
                    continue
                return Answer(0, str(error), seconds=time.perf_counter() - start)
            except (OSError, http.client.HTTPException) as error:  # e.g. IncompleteRead: killed mid-answer
                self.close()
                return Answer(0, str(error), seconds=time.perf_counter() - start)
            text = raw.decode("utf-8", "replace")
            kind = response.getheader("Content-Type", "")
            parsed = json.loads(text) if kind.startswith("application/json") and text else text
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return Answer(response.status, parsed, dict(response.getheaders()), time.perf_counter() - start)
        return Answer(0, "no answer", seconds=time.perf_counter() - start)

    def post_json(self, path: str, body: dict, headers: dict | None = None) -> Answer:
        return self.request("POST", path, json.dumps(body).encode(),
                            {"Content-Type": "application/json", **(headers or {})})

    def post_form(self, path: str, fields: list[tuple[str, str]], headers: dict | None = None) -> Answer:
        return self.request("POST", path, urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def ballot_path(slug: str, budget: str) -> str:
    return f"/api/v1/processes/{slug}/budgets/{budget}/ballots"


def run_all(jobs, concurrency: int) -> list:
    """Run the callables in ``jobs`` on ``concurrency`` threads; their results in order."""
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(lambda job: job(), jobs))


# ---------------------------------------------------------------- what the database holds


@dataclass
class Tally:
    acknowledged: int
    stored: int
    lost: int
    duplicated: int
    server_errors: int
    chain_problems: list[str]

    def line(self, label: str) -> str:
        chain = "verifies" if not self.chain_problems else f"BROKEN ({len(self.chain_problems)} problems)"
        return (f"{label}: acknowledged {self.acknowledged}, stored {self.stored}, lost {self.lost}, "
                f"duplicated {self.duplicated}, 5xx {self.server_errors}, audit chain {chain}")


def stored_ballots(url: str) -> list[tuple[str, str | None, int, bool]]:
    """(receipt hash, slot, budget id, counted) of every ballot, counted or replaced."""
    from pbengine.models import Ballot, ReplacedBallot, get_engine

    engine = get_engine({"sqlalchemy.url": url})
    with engine.connect() as connection:
        rows = [(*row, True) for row in connection.execute(
            select(Ballot.receipt_hash, Ballot.slot, Ballot.budget_id))]
        rows += [(digest, None, budget_id, False) for digest, budget_id in connection.execute(
            select(ReplacedBallot.receipt_hash, ReplacedBallot.budget_id))]
    engine.dispose()
    return rows


def chain_problems(url: str, slug: str) -> list[str]:
    from pbengine.models import Process, get_engine, get_session_factory
    from pbengine.services import audit

    engine = get_engine({"sqlalchemy.url": url})
    with get_session_factory(engine)() as db:
        process = db.scalars(select(Process).where(Process.slug == slug)).one()
        problems = [str(p) for p in audit.verify_chain([audit.as_line(e) for e in audit.events(db, process)])]
    engine.dispose()
    return problems


def tally(url: str, slug: str, answers: list[Answer], receipts: set[str]) -> Tally:
    """Compare what the clients were told (201/200 receipts) with what the database holds."""
    from pbengine.services.ballots import receipt_hash

    rows = stored_ballots(url)
    counted = {}
    for digest, slot, budget_id, current in rows:
        if current:
            counted.setdefault((slot, budget_id), []).append(digest)
    stored_hashes = {row[0] for row in rows}
    acknowledged = {receipt_hash(r) for r in receipts}
    return Tally(
        acknowledged=len(acknowledged),
        stored=len(rows),
        lost=len(acknowledged - stored_hashes),
        duplicated=sum(len(v) - 1 for v in counted.values()),
        server_errors=sum(1 for a in answers if a.status >= 500),
        chain_problems=chain_problems(url, slug),
    )


def export_verdict(url: str, slug: str, directory: Path) -> str:
    """Close (unless closed), count and publish the process, write its export, and run ``pbengine verify`` on it."""
    import transaction

    from pbengine.models import Phase, Process, get_engine, get_session_factory, get_tm_session
    from pbengine.services import export, tallies, workflow
    from pbengine.verify import verify

    engine = get_engine({"sqlalchemy.url": url})
    tm = transaction.TransactionManager(explicit=True)
    tm.begin()
    db = get_tm_session(get_session_factory(engine), tm)
    process = db.scalars(select(Process).where(Process.slug == slug)).one()
    if process.phase == Phase.VOTING:
        workflow.move_to(db, process, Phase.CLOSED, code_key=CODE_KEY)
    if process.phase == Phase.CLOSED:  # closed here, or by the test during the load
        tallies.compute_all(db, process)
        workflow.move_to(db, process, Phase.PUBLISHED)
    files = export.build(db, process)
    tm.commit()
    engine.dispose()
    folder = export.write_folder(files, directory / f"export-{secrets.token_hex(3)}")
    problems = verify(folder)
    return "MATCH" if not problems else "DIFFERS: " + "; ".join(problems[:5])


def count_rows(url: str, model) -> int:
    from pbengine.models import get_engine

    engine = get_engine({"sqlalchemy.url": url})
    with engine.connect() as connection:
        n = connection.scalar(select(func.count()).select_from(model))
    engine.dispose()
    return n
