"""Casting under load: pbengine's full cast path beside a bare Pyramid app doing one INSERT, in one run.

Usage: ``python bench/cast.py [--db sqlite,postgresql] [--requests 1600] [--clients 16] [--threads 8]``.

For each database: a fresh database, a process open for voting with one voter code per request;
two waitress servers on 127.0.0.1 (pbengine, and ``bench/bare_app.py`` on the same database);
``--clients`` concurrent keep-alive clients post ``--requests`` requests to each in turn: to pbengine
``POST /api/v1/.../ballots`` (code check, validation, ballot, audit), to the bare app ``POST /items``.
Prints throughput, p50/p99 latency and errors side by side; asserts nothing.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.stress.harness import Client, Server, ballot_path, drop_database, new_database, seed  # noqa: E402

WARMUP = 64


def load(port: int, requests: list, clients: int) -> dict:
    """Send ``requests`` ((path, body) pairs) from ``clients`` threads; throughput and latencies."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    cursor = iter(requests)

    def worker():
        nonlocal errors
        client = Client(port)
        while True:
            with lock:
                item = next(cursor, None)
            if item is None:
                break
            path, body = item
            answer = client.post_json(path, body, {"Idempotency-Key": secrets.token_urlsafe(16)})
            with lock:
                latencies.append(answer.seconds)
                if answer.status not in (200, 201):
                    errors += 1
        client.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    latencies.sort()
    return {"rps": len(latencies) / wall, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000, "errors": errors, "n": len(latencies)}


def bench(kind: str, n: int, clients: int, threads: int, directory: Path) -> tuple[dict, dict]:
    url = new_database(kind, directory)
    try:
        seeded = seed(url, n + WARMUP)
        path = ballot_path(seeded.slug, "citywide")
        ballots = [(path, {"voter_code": code, "approvals": ["p1", "p3"] if i % 2 else ["p2"]})
                   for i, code in enumerate(seeded.codes)]
        items = [("/items", {"n": i, "approvals": ["p1", "p3"]}) for i in range(n + WARMUP)]
        with Server([sys.executable, str(ROOT / "bench" / "bare_app.py"), url, str(threads)]) as bare, \
                Server([sys.executable, "-m", "tests.stress.serve", url, str(threads)]) as app:
            load(bare.port, items[:WARMUP], clients)
            load(app.port, ballots[:WARMUP], clients)
            bare_figures = load(bare.port, items[WARMUP:], clients)
            app_figures = load(app.port, ballots[WARMUP:], clients)
        return app_figures, bare_figures
    finally:
        drop_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="postgresql,sqlite")
    parser.add_argument("--requests", type=int, default=1600)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    print(f"{args.requests} requests, {args.clients} concurrent clients, waitress threads={args.threads}")
    print(f"{'database':<11} {'server':<22} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.db.split(","):
            app, bare = bench(kind, args.requests, args.clients, args.threads, Path(tmp))
            for name, f in (("bare Pyramid INSERT", bare), ("pbengine cast", app)):
                ratio = f"{f['rps'] / bare['rps']:.2f}x" if f is app else ""
                print(f"{kind:<11} {name:<22} {f['rps']:>8.0f} {f['p50']:>8.1f} {f['p99']:>8.1f} "
                      f"{f['errors']:>7} {ratio:>6}")


if __name__ == "__main__":
    main()
