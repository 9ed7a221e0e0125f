"""Casting under load: pbengine's full cast path beside a bare Pyramid app doing one INSERT, in one run.

Usage: ``python bench/cast.py [--db sqlite,postgresql] [--requests 1600] [--clients 16] [--threads N]
[--rounds K] [--before DIR]``.

For each database: a fresh database, a process open for voting with one voter code per request;
two waitress servers on 127.0.0.1 (pbengine, and ``bench/bare_app.py`` on the same database);
``--clients`` concurrent keep-alive clients post ``--requests`` requests to each in turn: to pbengine
``POST /api/v1/.../ballots`` (code check, validation, ballot, audit), to the bare app ``POST /items``.
Prints throughput, p50/p99 latency, errors, the rows each server stored (counted in its database after
the load: every acknowledged request must have stored one) and the server process's CPU time per
request (from ``/proc``, Linux only) side by side; asserts nothing.

``--rounds K``: start every server at once and load them in turn, ``requests / K`` each, K rounds (the
order rotating each round), so that a change in the machine's other load during the run falls on all of them
alike; figures are over all rounds. Default 1: one server after the other, as before.

``--before DIR``: also serve, in the same run, the pbengine of another source tree (for example
``git archive <commit> | tar -x -C DIR``), for a before/after beside the bare app. Each tree's
database is made, migrated and seeded by that tree's own code.

Settings: each pbengine is served with the ``[app:main]`` settings of its own tree's
``production.ini`` (pool size, ``pool_pre_ping``, response validation off, rate limits,
retries), changed only where a bench must: the database URL and the secrets (the seed's code
key). Waitress gets production.ini's ``threads`` (``--threads`` overrides it) and
``max_request_body_size``; ``connection_limit`` is 200 instead of waitress's 100, for both
servers, so that 16 keep-alive clients never queue for a connection. The bare app uses the
same pool (10 + 10) and the same waitress settings.
"""

from __future__ import annotations

import argparse
import configparser
import contextlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import http_load  # noqa: E402

from tests.stress.harness import CODE_KEY, Server, ballot_path  # noqa: E402

WARMUP = 64


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of process ``pid`` (Linux ``/proc``), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(port: int, requests: list, clients: int) -> dict:
    """Send ``requests`` ((path, body) pairs, each with an idempotency key of its own) from ``clients``
    keep-alive connections at once (``bench/http_load.py``: one thread, so the bench's own
    interpreter adds no wait for its lock to a response's time); throughput and latencies."""
    start = time.perf_counter()
    answers = http_load.run_each(port, clients, (
        http_load.Request("POST", path, body, {"Accept": "application/json",
                                               "Idempotency-Key": secrets.token_urlsafe(16)})
        for path, body in requests))
    wall = time.perf_counter() - start
    errors = sum(1 for _seconds, response in answers if response.status not in (200, 201))
    return summary([seconds for seconds, _response in answers], wall, errors)


def summary(latencies: list[float], wall: float, errors: int) -> dict:
    latencies = sorted(latencies)
    return {"rps": len(latencies) / wall, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000, "errors": errors, "n": len(latencies),
            "latencies": latencies, "wall": wall}


def stored(url: str, table: str) -> int:
    """Rows of ``table`` in the database at ``url``."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


def _in_tree(tree: Path, code: str) -> list[str]:
    """A Python command running ``code`` with the modules of source tree ``tree`` first on the path."""
    return [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(tree)!r}); {code}"]


PREPARE = ("import json; from pathlib import Path; from tests.stress.harness import new_database, seed; "
           "url = new_database(sys.argv[1], Path(sys.argv[2])); s = seed(url, int(sys.argv[3])); "
           "print(json.dumps({'url': url, 'slug': s.slug, 'codes': s.codes}))")
DROP = "from tests.stress.harness import drop_database; drop_database(sys.argv[1])"
# pbengine under waitress with the tree's production.ini settings (see the module docstring).
SERVE = ("import configparser, json; from pathlib import Path; from waitress.server import create_server; "
         "from pbengine import main; "
         "ini = configparser.ConfigParser(interpolation=None); ini.read(Path(sys.argv[1]) / 'production.ini'); "
         "settings = {k: v for k, v in ini['app:main'].items() if k != 'use'}; "
         "settings.update(json.loads(sys.argv[2])); "
         "server = create_server(main({}, **settings), host='127.0.0.1', port=0, threads=int(sys.argv[3]), "
         "connection_limit=200, max_request_body_size=int(ini['server:main']['max_request_body_size'])); "
         "print(server.effective_port, flush=True); server.run()")
BENCH_SETTINGS = {"pbengine.secret": "bench-secret", "pbengine.code_key": CODE_KEY}


def production_threads(tree: Path) -> int:
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(tree / "production.ini")
    return int(ini["server:main"]["threads"])


def prepare(tree: Path, kind: str, directory: Path, voters: int) -> dict:
    """A fresh database migrated and seeded by ``tree``'s own code (so each tree gets its own schema)."""
    out = subprocess.run(_in_tree(tree, PREPARE) + [kind, str(directory), str(voters)], cwd=tree, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def bench(kind: str, n: int, clients: int, threads: int, directory: Path, before: Path | None,
          rounds: int = 1) -> dict:
    trees = {"pbengine cast": ROOT} if before is None else {f"pbengine {before.name}": before, "pbengine cast": ROOT}
    databases = {}
    try:
        for name, tree in trees.items():
            databases[name] = prepare(tree, kind, directory, n + WARMUP)
        figures = {}
        shared = databases["pbengine cast"]["url"]  # the bare app's table is made in this database
        runs = [("bare Pyramid INSERT", shared, "bench_item",
                 [sys.executable, str(ROOT / "bench" / "bare_app.py"), shared, str(threads)],
                 [("/items", {"n": i, "approvals": ["p1", "p3"]}) for i in range(n + WARMUP)])]
        for name, tree in trees.items():
            db = databases[name]
            path = ballot_path(db["slug"], "citywide")
            runs.append((name, db["url"], "ballot", _in_tree(tree, SERVE)
                         + [str(tree), json.dumps(dict(BENCH_SETTINGS, **{"sqlalchemy.url": db["url"]})), str(threads)],
                         [(path, {"voter_code": code, "approvals": ["p1", "p3"] if i % 2 else ["p2"]})
                          for i, code in enumerate(db["codes"])]))
        if rounds == 1:
            for name, url, table, argv, requests in runs:
                with Server(argv) as server:
                    load(server.port, requests[:WARMUP], clients)
                    before_cpu = cpu_seconds(server.process.pid)
                    figures[name] = load(server.port, requests[WARMUP:], clients)
                    after_cpu = cpu_seconds(server.process.pid)
                    figures[name]["cpu"] = None if before_cpu is None or after_cpu is None else \
                        (after_cpu - before_cpu) / n * 1000
                figures[name]["stored"] = stored(url, table)
            return figures
        return interleaved(runs, n, clients, rounds)
    finally:
        for name, db in databases.items():
            subprocess.run(_in_tree(trees[name], DROP) + [db["url"]], cwd=trees[name], check=False)


def interleaved(runs: list, n: int, clients: int, rounds: int) -> dict:
    """``--rounds``: every server up at once (idle but one), each loaded with n / rounds requests in turn,
    round after round (the order rotating), so that a change in the machine's other load falls on all."""
    with contextlib.ExitStack() as stack:
        servers = {name: stack.enter_context(Server(argv)) for name, _url, _table, argv, _requests in runs}
        for name, _url, _table, _argv, requests in runs:
            load(servers[name].port, requests[:WARMUP], clients)
        parts: dict[str, list] = {name: [] for name in servers}
        cpu: dict[str, float | None] = {name: 0.0 for name in servers}
        share = n // rounds
        for r in range(rounds):
            for name, _url, _table, _argv, requests in runs[r % len(runs):] + runs[:r % len(runs)]:
                pid = servers[name].process.pid
                before_cpu = cpu_seconds(pid)
                parts[name].append(load(servers[name].port, requests[WARMUP + r * share:WARMUP + (r + 1) * share],
                                        clients))
                after_cpu = cpu_seconds(pid)
                spent = cpu[name]
                cpu[name] = None if spent is None or before_cpu is None or after_cpu is None else \
                    spent + after_cpu - before_cpu
    figures = {}
    for name, url, table, _argv, _requests in runs:
        figures[name] = summary([x for part in parts[name] for x in part["latencies"]],
                                sum(part["wall"] for part in parts[name]), sum(part["errors"] for part in parts[name]))
        spent = cpu[name]
        figures[name]["cpu"] = None if spent is None else spent / (share * rounds) * 1000
        figures[name]["stored"] = stored(url, table)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="postgresql,sqlite")
    parser.add_argument("--requests", type=int, default=1600)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--threads", type=int, default=production_threads(ROOT),
                        help="waitress threads (default: production.ini's)")
    parser.add_argument("--before", type=Path, help="another source tree of pbengine, served in the same run")
    parser.add_argument("--rounds", type=int, default=1,
                        help="all servers up at once, loaded in turn with requests / rounds each, round after round")
    args = parser.parse_args()
    print(f"{args.requests} requests, {args.clients} concurrent clients, waitress threads={args.threads}"
          + (f", {args.rounds} rounds interleaved" if args.rounds > 1 else ""))
    print(f"{'database':<11} {'server':<22} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'stored':>7} "
          f"{'ratio':>6} {'server CPU ms/req':>18}")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.db.split(","):
            figures = bench(kind, args.requests, args.clients, args.threads, Path(tmp), args.before, args.rounds)
            bare = figures["bare Pyramid INSERT"]
            for name, f in figures.items():
                ratio = f"{f['rps'] / bare['rps']:.2f}x" if f is not bare else ""
                cpu = "-" if f["cpu"] is None else f"{f['cpu']:.2f}"
                print(f"{kind:<11} {name:<22} {f['rps']:>8.0f} {f['p50']:>8.1f} {f['p99']:>8.1f} "
                      f"{f['errors']:>7} {f['stored']:>7} {ratio:>6} {cpu:>18}", flush=True)


if __name__ == "__main__":
    main()
