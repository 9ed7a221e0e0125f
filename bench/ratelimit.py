"""What the voter-code rate limit costs a successful code check, beside two baselines, in one run.

Usage: ``python bench/ratelimit.py [POSTGRESQL_ADMIN_URL]`` (default: the local server, as the
tests use it). Creates and drops its own databases; prints medians; asserts nothing.
check is what a valid voter code costs (one read inside a transaction, here an otherwise empty
one); reserve+release what a login or lookup attempt costs (two short transactions, their
commits not waiting for the disk on PostgreSQL), which a voter code also cost until the voter-code
limits counted wrong codes only; the baselines are an empty transaction and a one-row UPDATE
committed as a request's own transaction is.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from pbengine.models import get_engine, get_session_factory
from pbengine.services.ratelimit import Bucket, check, reserve

ADMIN = sys.argv[1] if len(sys.argv) > 1 else "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def upgrade(url: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).resolve().parents[1] / "migrations"))
    engine = get_engine({"sqlalchemy.url": url})
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    engine.dispose()


BUCKETS = [Bucket("code.browser", "127.0.0.1|", 5), Bucket("code.address", "127.0.0.1", 30),
           Bucket("code.code", "ACDEFGHJKMNP", 5)]



def measure(url: str, n: int = 400) -> tuple[float, float, float, float]:
    upgrade(url)
    engine = get_engine({"sqlalchemy.url": url})
    factory = get_session_factory(engine)
    with engine.begin() as c:
        c.execute(text("CREATE TABLE bench_row (id INTEGER PRIMARY KEY, n INTEGER)"))
        c.execute(text("INSERT INTO bench_row VALUES (1, 0)"))
    reserve(factory, BUCKETS).release()
    valid, wrong, empty, write = [], [], [], []
    for _ in range(n):
        t = time.perf_counter()
        with factory() as db, db.begin():  # a valid code: one read in the request's transaction
            check(factory, BUCKETS, request_db=db)
        valid.append(time.perf_counter() - t)
        t = time.perf_counter()
        reserve(factory, BUCKETS).release()  # a counted attempt (login, lookups), released on success
        wrong.append(time.perf_counter() - t)
        t = time.perf_counter()
        with factory() as db, db.begin():
            db.execute(text("SELECT 1"))
        empty.append(time.perf_counter() - t)
        t = time.perf_counter()
        with factory() as db, db.begin():
            db.execute(text("UPDATE bench_row SET n = n + 1 WHERE id = 1"))
        write.append(time.perf_counter() - t)
    engine.dispose()
    return tuple(statistics.median(xs) * 1000 for xs in (valid, wrong, empty, write))


def main() -> None:
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    name = "pbengine_bench_ratelimit"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        results = {"PostgreSQL": measure(ADMIN.rsplit("/", 1)[0] + f"/{name}")}
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    results["SQLite"] = measure(f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite")
    print("median ms per call   check (valid code)   reserve+release   empty transaction   one-row UPDATE + commit")
    for db_name, (valid, rl, empty, write) in results.items():
        print(f"{db_name:12s}         {valid:8.2f}             {rl:8.2f}          {empty:8.2f}            {write:8.2f}")


if __name__ == "__main__":
    main()
