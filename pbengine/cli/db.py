"""Database commands: ``initdb``, ``create-admin``, ``demo``, ``shuffle-ballots``."""

from __future__ import annotations

import getpass
import os
import sys
from contextlib import contextmanager
from pathlib import Path


def _fail(message: str) -> int:
    print(f"pbengine: {message}", file=sys.stderr)
    return 2


def _settings(ini: str) -> dict:
    from pbengine.settings import load_settings

    if not Path(ini).is_file():
        raise FileNotFoundError(f"no such configuration file: {ini}")
    return load_settings(ini)


def process_at(db, slug: str):
    """The process whose address is ``slug``, or None."""
    from sqlalchemy import select

    from pbengine.models import Process

    return db.scalars(select(Process).where(Process.slug == slug)).first()


@contextmanager
def session_scope(settings: dict):
    """A session committed on success, rolled back on error (the CLI has no pyramid_tm)."""
    from pbengine.models import get_engine, get_session_factory

    engine = get_engine(settings)
    try:
        with get_session_factory(engine)() as db, db.begin():
            yield db
    finally:
        engine.dispose()


def initdb(args) -> int:
    """Create or upgrade the schema with alembic (``upgrade head``)."""
    from alembic import command
    from alembic.config import Config

    try:
        settings = _settings(args.ini)
    except FileNotFoundError as error:
        return _fail(str(error))
    url = settings["sqlalchemy.url"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    config = Config(args.ini)
    try:
        command.upgrade(config, "head")
    except RuntimeError as error:  # a revision that cannot convert the data as it is (it says why)
        return _fail(str(error))
    print(f"database ready: {url.split('@')[-1]}")
    return 0


def create_admin(args) -> int:
    from pbengine.services import accounts
    from pbengine.services.errors import DomainError

    try:
        settings = _settings(args.ini)
    except FileNotFoundError as error:
        return _fail(str(error))
    password = os.environ.get("PBENGINE_ADMIN_PASSWORD") or getpass.getpass("Password: ")
    try:
        with session_scope(settings) as db:
            accounts.create_organizer(db, args.email, args.name or args.email, password, is_admin=True)
    except DomainError as error:
        return _fail(f"{error.field or 'input'}: {error}")
    print(f"admin {args.email} created")
    return 0


def demo(args) -> int:
    from pbengine.services import demo as demo_service

    try:
        settings = _settings(args.ini)
    except FileNotFoundError as error:
        return _fail(str(error))
    with session_scope(settings) as db:
        if not demo_service.is_empty(db):
            if args.if_empty:
                print("demo: database already has data; nothing loaded")
                return 0
            return _fail("the database is not empty; the demo loads only into an empty database")
        print("loading the demo (two editions, a few hundred ballots)...", file=sys.stderr)
        loaded = demo_service.load(db, settings["pbengine.code_key"])
        current = loaded.current.slug
        samples = "\n".join(f"              {label}: {', '.join(plain)}" for label, plain in loaded.samples.items())
    url = settings.get("pbengine.public_url", "http://127.0.0.1:6543")
    print(f"""
Demo loaded.
  Site:       {url}/p/{current}
  Vote:       {url}/p/{current}/vote   voter codes (each batch is for its district and the town-wide pot):
{samples}
  Results:    {url}/p/valverde-2026/results (last year's edition, published)
  Console:    {url}/console   login {loaded.admin_email} / {loaded.admin_password}
""")
    return 0


def shuffle_ballots(args) -> int:
    """Rewrite the ballots of every voting process in random order (PostgreSQL; run before a backup)."""
    from sqlalchemy import select

    from pbengine.models import Phase, Process
    from pbengine.services import slots

    try:
        settings = _settings(args.ini)
    except FileNotFoundError as error:
        return _fail(str(error))
    with session_scope(settings) as db:
        if db.get_bind().dialect.name == "sqlite":
            print("SQLite keeps ballots in the order of their random ids: nothing to do")
            return 0
        ids = db.scalars(select(Process.id).where(Process.phase == Phase.VOTING).order_by(Process.id)).all()
    for process_id in ids:
        with session_scope(settings) as db:  # one process at a time: its casts wait only for its own
            process = db.get(Process, process_id)
            count = slots.shuffle(db, process)
            print(f"{process.slug}: {count} ballots rewritten in the order of their random ids")
    if not ids:
        print("no process is voting: nothing to do")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("initdb", help="create or upgrade the database schema (alembic upgrade head)")
    p.add_argument("ini", help="configuration file, e.g. development.ini")
    p.set_defaults(func=initdb)

    p = subparsers.add_parser("create-admin", help="create an organizer with admin rights")
    p.add_argument("ini")
    p.add_argument("--email", required=True)
    p.add_argument("--name", default="")
    p.set_defaults(func=create_admin)

    p = subparsers.add_parser("demo", help="load the demo processes into an empty database")
    p.add_argument("ini")
    p.add_argument("--if-empty", action="store_true", help="do nothing (exit 0) if the database has data")
    p.set_defaults(func=demo)

    p = subparsers.add_parser("shuffle-ballots", help="rewrite the ballots of voting processes in random order "
                              "(PostgreSQL keeps rows in the order written; run it before a backup)")
    p.add_argument("ini")
    p.set_defaults(func=shuffle_ballots)
