"""A city-size vote in the platform: import, compute, then public pages under 16 concurrent clients.

Usage: ``python bench/city.py [--database URL] [--file FILE.pb] [--clients 16] [--requests 40]
[--comparison-cap SECONDS] [--processes 1,2]``. Default database: a new SQLite file in a temporary folder;
``--database postgresql+psycopg://postgres@127.0.0.1:5432/postgres`` creates (and drops) a
scratch database on that server. Default file: Warszawa 2026 (61,668 ballots, 83 projects).

1. create a process and import the file with ``pbengine import-pb``'s service;
2. open and close voting (one online ballot is cast, for a real receipt to check);
3. compute the official tally with the service the console's POST uses (its comparison stops
   12 s after it began), then again as ``pbengine compute`` does, with every rule compared and no
   time limit (in a child process stopped after ``--comparison-cap`` seconds if it runs longer);
4. publish, serve the app with waitress on 127.0.0.1 in a process of its own, request each page
   once (printed: the first request renders what the later ones reuse), then let N clients loop
   over the public project list, the results page, a static file (printed first: the floor, what
   any request costs here) and a receipt check (GET the form, POST the receipt). The clients are
   ``bench/http_load.py``: keep-alive connections in one thread's ``selectors`` loop, as light
   as a remote browser's requests (full 200 pages, no conditional requests). This is done once
   per ``--processes`` count: with 2, two waitress processes listen on one port (``SO_REUSEPORT``:
   the kernel shares the connections out, as a load balancer in front of N stateless processes
   would), so the app uses both cores instead of one interpreter's. Then each page alone under the
   same clients, for the app servers' CPU time per check (from ``/proc``: what a page costs the
   server, far less swayed than the times by the rest of the machine's load).

Prints figures (targets beside them); asserts nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
SHARED = ROOT / ".." / "shared" / "pabulib"
KEY = "bench-code-key"


def settings_for(url: str) -> dict:
    return {"sqlalchemy.url": url, "pbengine.secret": "bench-secret", "pbengine.code_key": KEY,
            "pbengine.public_url": "http://127.0.0.1", "pbengine.code_failures_per_minute": "1000",
            "pyramid.default_locale_name": "en", "retry.attempts": "3"}


def upgrade(url: str) -> None:
    """``alembic upgrade head`` on ``url`` (what ``pbengine initdb`` does)."""
    from alembic import command
    from alembic.config import Config

    from pbengine.models import get_engine

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    engine = get_engine({"sqlalchemy.url": url})
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    engine.dispose()


def scratch_database(url: str | None, folder: Path) -> tuple[str, callable]:
    """A fresh database URL, migrated to head, and a function that removes it."""
    from sqlalchemy import create_engine, text

    if not url:
        url = f"sqlite:///{folder / 'city.sqlite'}"
        upgrade(url)
        return url, lambda: None
    name = f"pbengine_bench_{secrets.token_hex(3)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    scratch = re.sub(r"/[^/]*$", f"/{name}", url)
    upgrade(scratch)

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return scratch, drop


def session(settings):
    from pbengine.models import get_engine, get_session_factory

    engine = get_engine(settings)
    return engine, get_session_factory(engine)


def step(label: str, seconds: float, baseline: str = "", target: str = "") -> None:
    print(f"  {label:<50} {seconds:7.2f} s   {baseline:<34} {target}", flush=True)


def file_baselines(path: Path) -> tuple[float, float]:
    """Seconds to read the file, and to count it with its META rule, with no database."""
    from voting_rules import compute, params_from_meta, read_pb

    started = time.perf_counter()
    election = read_pb(path)
    read = time.perf_counter() - started
    started = time.perf_counter()
    compute(election, params_from_meta(election.meta))
    return read, time.perf_counter() - started


def prepare(settings, path: Path) -> tuple[str, str, float]:
    """Create the process and import the file; return (process slug, a receipt, import seconds)."""
    from pbengine.models import Phase
    from pbengine.services import ballots, codes, pb_import, processes, workflow
    from pbengine.services.processes import ProcessData

    engine, factory = session(settings)
    with factory() as db, db.begin():
        process = processes.create_process(db, ProcessData(slug="city", title="City vote", currency="PLN"))
        started = time.perf_counter()
        pb_import.import_pb(db, process, path.name, path.read_bytes(), slug="city")
        seconds = time.perf_counter() - started
        for phase in (Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING):
            workflow.move_to(db, process, phase)
        batch = codes.generate(db, KEY, process, 1, "bench")
        voter = codes.find(db, KEY, process, batch.codes[0][1])
        budget = process.budgets[0]
        cheapest = min(budget.projects, key=lambda p: p.cost).code
        content = ({"points": {cheapest: 1}} if budget.ballot_kind == "cumulative" else
                   {"ranking": [cheapest]} if budget.ballot_kind == "ranking" else {"approvals": [cheapest]})
        receipt = ballots.cast(db, budget, voter, content, key=KEY).receipt
        workflow.move_to(db, process, Phase.CLOSED, code_key=KEY)
    engine.dispose()
    return "city", receipt, seconds


def compute(settings) -> float:
    from pbengine.models import Process
    from pbengine.services import tallies

    engine, factory = session(settings)
    with factory() as db, db.begin():
        process = db.query(Process).filter_by(slug="city").one()
        started = time.perf_counter()
        tallies.compute_all(db, process)
        seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def _comparison_child(settings, out) -> None:
    from pbengine.models import Process
    from pbengine.services import tallies

    engine, factory = session(settings)
    with factory() as db, db.begin():
        process = db.query(Process).filter_by(slug="city").one()
        started = time.perf_counter()
        tallies.compute_all(db, process, comparison_seconds=None)  # what `pbengine compute` does
        out.put(time.perf_counter() - started)
    engine.dispose()


def comparison(settings, cap: float) -> float | None:
    """Seconds to compute (and keep) the tally with every rule compared, no time limit
    (``pbengine compute``), or None if it ran past ``cap``."""
    queue = multiprocessing.get_context("spawn").Queue()
    child = multiprocessing.get_context("spawn").Process(target=_comparison_child, args=(settings, queue))
    child.start()
    child.join(cap)
    if child.is_alive():
        child.terminate()
        child.join()
        return None
    return queue.get() if not queue.empty() else None


def publish(settings) -> None:
    from pbengine.models import Phase, Process
    from pbengine.services import workflow

    engine, factory = session(settings)
    with factory() as db, db.begin():
        workflow.move_to(db, db.query(Process).filter_by(slug="city").one(), Phase.PUBLISHED)
    engine.dispose()


def _listening_socket(port: int = 0):
    """A socket on 127.0.0.1 that other processes may bind too (SO_REUSEPORT: the kernel shares the
    connections out among the processes listening on the port, as a load balancer would)."""
    import socket

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    return sock


def _serve_child(settings, port, ports) -> None:
    import logging

    from waitress.server import create_server

    from pbengine import main

    # Waitress logs a warning each time a request waits for a thread: 16 clients on 8 threads always do.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    server = create_server(main({}, **settings), sockets=[_listening_socket(port)], threads=8)
    ports.put(int(server.effective_port))
    server.run()


def serve(settings, processes: int = 1):
    """The app under waitress, in ``processes`` processes of their own (as deployed: N stateless
    waitress processes behind a load balancer) on one port, not sharing the clients' interpreter."""
    context = multiprocessing.get_context("spawn")
    ports = context.Queue()
    children = []
    port = 0
    for _ in range(processes):
        child = context.Process(target=_serve_child, args=(settings, port, ports), daemon=True)
        child.start()
        children.append(child)
        port = ports.get(timeout=120)
    return children, port


def _steps(receipt: str) -> list:
    """One client's loop: the project list, the results page, a static file (the floor: what any
    request costs on this machine), then a receipt check as a browser makes it (GET the form,
    POST it with the form's CSRF token and the cookie that came with it)."""
    from urllib.parse import urlencode

    from http_load import Step

    def form(previous) -> str:
        token = re.search(rb'name="csrf_token" value="([^"]+)"', previous.body if previous else b"")
        return urlencode({"csrf_token": token.group(1).decode() if token else "", "receipt": receipt})

    return [Step("projects", "GET", "/p/city/projects"), Step("results", "GET", "/p/city/results"),
            Step("static", "GET", "/static/site.css"), Step("receipt", "GET", "/receipt"),
            Step("receipt", "POST", "/receipt", body=form,
                 check=lambda response: response.status == 200 and b"state-counted" in response.body)]


def warm_up(port: int, receipt: str, processes: int) -> dict[str, float]:
    """One request of each page, one after the other, before the clients start: seconds each. Then
    the same on 8 more connections per process (the kernel hands each new connection to one of the
    processes: each of them renders its own first pages before the clients are timed, as each
    server of a city's deployment has long done)."""
    import http_load

    first = http_load.once(port, _steps(receipt))
    for _ in range(8 * processes):
        http_load.once(port, _steps(receipt))
    return first


def load(port: int, clients: int, requests: int, receipt: str) -> dict[str, list[float]]:
    import http_load

    times, errors = http_load.run(port, clients, requests, _steps(receipt))
    if errors:
        print(f"  {len(errors)} failed requests, first: {errors[0]}")
    return times


def _cpu_seconds(pids: list[int]) -> float | None:
    """CPU time (user + system, every thread) the processes ``pids`` have used so far; None where
    ``/proc`` is not there to tell."""
    import os

    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_per_check(port: int, pids: list[int], clients: int, requests: int, receipt: str) -> dict[str, float]:
    """The app servers' CPU milliseconds per check of each page (the receipt check: its GET and POST),
    each page loaded alone by ``clients`` clients ``requests`` times: what a page costs the server,
    much less swayed than the times by what else runs on the machine."""
    import http_load

    steps = _steps(receipt)
    found = {}
    for name in ("projects", "results", "static", "receipt"):
        mine = [step for step in steps if step.name == name]
        before = _cpu_seconds(pids)
        http_load.run(port, clients, requests, mine)
        after = _cpu_seconds(pids)
        if before is None or after is None:
            return {}
        found[name] = 1000 * (after - before) / (clients * requests)
    return found


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else (values[0] if values else 0.0)


def main_(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="PostgreSQL server URL (default: a temporary SQLite file)")
    parser.add_argument("--file", default=str(SHARED / "Poland_Warszawa_2026.pb"))
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=40, help="loops per client")
    parser.add_argument("--comparison-cap", type=float, default=120.0)
    parser.add_argument("--processes", type=lambda text: [int(n) for n in text.split(",")], default=[1, 2],
                        help="waitress processes sharing the port, one load run each (default: 1,2)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url, drop = scratch_database(args.database, Path(folder))
        try:
            settings = settings_for(url)
            print(f"city bench: {Path(args.file).name} on {url.split('://')[0]}, {args.clients} clients",
                  flush=True)
            read, count = file_baselines(Path(args.file))
            print(f"  {'step':<50} {'time':>9}   {'baseline, same run':<34} target")
            _slug, receipt, seconds = prepare(settings, Path(args.file))
            step("import-pb (projects + ballots, one transaction)", seconds,
                 f"read_pb alone {read:.2f} s", "<= 15 s")
            tally = compute(settings)
            step("official tally (console POST service)", tally, f"same rule on the file {count:.2f} s",
                 "with comparison <= 15 s")
            seconds = comparison(settings, args.comparison_cap)
            label = "pbengine compute (tally, every rule compared)"
            if seconds is None:
                print(f"  {label:<50} > {args.comparison_cap:.0f} s (stopped)", flush=True)
            else:
                step(label, seconds, "a command: no time limit")
            publish(settings)
            for processes in args.processes:
                servers, port = serve(settings, processes)
                try:
                    first = warm_up(port, receipt, processes)
                    began = time.perf_counter()
                    times = load(port, args.clients, args.requests, receipt)
                    wall = time.perf_counter() - began
                    cpu = cpu_per_check(port, [server.pid for server in servers], args.clients, args.requests,
                                        receipt)
                finally:
                    for server in servers:
                        server.terminate()
                        server.join()
                print(f"  {_plural(processes, 'waitress process', 'waitress processes')} of 8 threads "
                      "on one port, each in its own process")
                print("  first request of each page, one client (renders what later requests reuse): "
                      + ", ".join(f"{name} {1000 * seconds:.0f} ms" for name, seconds in first.items()))
                total = sum(len(v) for v in times.values())
                print(f"  {args.clients} clients, {total} page loads in {wall:.1f} s")
                floor = 1000 * p95(times["static"])
                for name in ("static", "projects", "results", "receipt"):
                    values = times[name]
                    target = ("the floor: a static file, same clients" if name == "static" else
                              f"target p95 < 50 ms (floor {floor:.1f} ms)")
                    print(f"  {name:<10} median {1000 * statistics.median(values):7.1f} ms   "
                          f"p95 {1000 * p95(values):7.1f} ms   {target}   ({len(values)} requests)")
                if cpu:
                    print("  app servers' CPU per check, each page alone (receipt: GET + POST): "
                          + ", ".join(f"{name} {ms:.2f} ms" for name, ms in cpu.items()))
        finally:
            drop()


if __name__ == "__main__":
    main_()
