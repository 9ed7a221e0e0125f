"""The baseline of bench/cast.py: bare Pyramid + pyramid_tm + zope.sqlalchemy under waitress, one INSERT per POST.

Usage: ``python bench/bare_app.py DATABASE_URL [THREADS]``; prints its port, then serves on 127.0.0.1.
Each POST stores its row and commits (``bench/cast.py`` counts the rows stored after the load).
SQLite gets the same connection settings as pbengine (WAL, synchronous=FULL, busy_timeout, BEGIN IMMEDIATE
for writes), and both have production.ini's pool (its ``sqlalchemy.pool_size``, ``max_overflow`` and
``pool_pre_ping``, read from the file), so the two differ only by what pbengine does per ballot.
The bare app's SQLite writers wait with SQLite's own busy handler; pbengine's take turns on a
Python lock first (``pbengine.models.session``), part of what it does.
"""

from __future__ import annotations

import configparser
import json
import sys
from pathlib import Path

import zope.sqlalchemy
from pyramid.config import Configurator
from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine, event, insert
from sqlalchemy.orm import sessionmaker
from waitress.server import create_server

metadata = MetaData()
items = Table("bench_item", metadata, Column("id", Integer, primary_key=True), Column("payload", Text))


def production_pool() -> dict:
    """production.ini's pool settings, as create_engine arguments."""
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(Path(__file__).resolve().parents[1] / "production.ini")
    app = ini["app:main"]
    return {"pool_size": int(app.get("sqlalchemy.pool_size", "5")),
            "max_overflow": int(app.get("sqlalchemy.max_overflow", "10")),
            "pool_pre_ping": app.get("sqlalchemy.pool_pre_ping", "false").lower() == "true"}


def engine_for(url: str):
    engine = create_engine(url, **production_pool())
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            dbapi_connection.isolation_level = None
            for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=FULL", "busy_timeout=5000"):
                dbapi_connection.execute(f"PRAGMA {pragma}")

        @event.listens_for(engine, "begin")
        def _begin(connection):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    return engine


def app(url: str):
    engine = engine_for(url)
    metadata.create_all(engine)
    factory = sessionmaker(bind=engine)

    def db(request):
        session = factory()
        zope.sqlalchemy.register(session, transaction_manager=request.tm)
        return session

    def create(request):
        row = request.db.execute(insert(items).values(payload=request.body.decode()).returning(items.c.id)).one()
        # zope.sqlalchemy commits only a session it knows wrote, and it does not see a Core INSERT: without
        # this the transaction was rolled back and nothing was stored (before 2026-12-01 the bench compared
        # pbengine with INSERT + ROLLBACK). zope.sqlalchemy's documented call for a Core write.
        zope.sqlalchemy.mark_changed(request.db, transaction_manager=request.tm)
        request.response.status = 201
        return {"id": row.id, "echo": json.loads(request.body)}

    with Configurator(settings={"tm.manager_hook": "pyramid_tm.explicit_manager"}) as config:
        config.include("pyramid_tm")
        config.add_request_method(db, "db", reify=True)
        config.add_route("items", "/items")
        config.add_view(create, route_name="items", request_method="POST", renderer="json")
    return config.make_wsgi_app()


if __name__ == "__main__":
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    server = create_server(app(sys.argv[1]), host="127.0.0.1", port=0, threads=threads, connection_limit=200)
    print(server.effective_port, flush=True)
    server.run()
