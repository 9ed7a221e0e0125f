"""Helpers of the console tests: log in as a new organizer, snapshot the database."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from pbengine.models import Base, RateCounter, RateKey, WebSession
from pbengine.services import accounts
from tests.helpers import commit, make_organizer


def login_as(testapp, db, email="admin@example.org", is_admin=False, roles=()):
    """Create an organizer with ``roles`` (``(process, role)`` pairs), commit, and log in through the form."""
    organizer = make_organizer(db, email=email, is_admin=is_admin)
    for process, role in roles:
        accounts.grant_role(db, process, organizer, role)
    commit(db)
    page = testapp.login(email)
    assert page.request.path.startswith("/console"), page.text
    return organizer


def snapshot(db) -> dict[str, list]:
    """Every row of every table (but rate-limit counters and web sessions), to check a refusal wrote nothing."""
    rows = {}
    with db.get_bind().connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in (RateCounter.__tablename__, RateKey.__tablename__, WebSession.__tablename__):
                continue
            rows[table.name] = sorted(repr(tuple(row)) for row in connection.execute(select(table)))
    return rows


def error_beside(page, field: str) -> str:
    """The message shown beside ``field`` (the `.error` paragraph the field's aria-describedby names)."""
    match = re.search(rf'<p class="error" id="f-{re.escape(field)}-error"[^>]*>([^<]+)</p>', page.text)
    assert match, f"no error beside {field}"
    assert f'id="f-{field}"' in page.text
    return html.unescape(match.group(1).strip())


def form_alert(page) -> str:
    match = re.search(r'<p class="flash error" role="alert" id="form-error">([^<]+)</p>', page.text)
    assert match, "no form-level alert"
    return html.unescape(match.group(1).strip())
