"""The export zip on the results page (public once published) and in the console (any role)."""

from __future__ import annotations

import io
import zipfile

import pytest

from pbengine.models import Role
from pbengine.services import accounts
from pbengine.verify import verify
from tests.export.factory import open_voting
from tests.helpers import commit, make_organizer

ZIP = "/p/town-2027/town-2027-export.zip"


def console_url(published):
    return f"/console/processes/{published.process.id}/export.zip"


def test_results_page_zip_is_the_verifiable_export(testapp, published, tmp_path):
    response = testapp.get(ZIP)
    assert response.content_type == "application/zip"
    assert 'filename="town-2027-export.zip"' in response.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.body)).namelist()
    assert "town-2027-export/result.json" in names and "town-2027-export/SHA256SUMS" in names
    path = tmp_path / "download.zip"
    path.write_bytes(response.body)
    assert verify(path) == []


def test_zip_is_404_before_publication(testapp, db):
    open_voting(db, slug="town-2027")
    commit(db)
    testapp.get(ZIP, status=404)


def test_zip_with_another_name_is_404(testapp, published):
    testapp.get("/p/town-2027/other-export.zip", status=404)


@pytest.mark.parametrize("role", [Role.OWNER, Role.MODERATOR, Role.VIEWER])
def test_any_role_on_the_process_downloads_the_export_from_the_console(testapp, db, published, role):
    organizer = make_organizer(db, email=f"{role.value}@example.org")
    accounts.grant_role(db, published.process, organizer, role)
    commit(db)
    testapp.login(f"{role.value}@example.org")
    response = testapp.get(console_url(published))
    assert response.content_type == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"


def test_organizer_without_a_role_on_the_process_gets_403(testapp, db, published):
    make_organizer(db, email="stranger@example.org")
    commit(db)
    testapp.login("stranger@example.org")
    testapp.get(console_url(published), status=403)


def test_anonymous_visitor_is_sent_to_the_login_page(testapp, published):
    response = testapp.get(console_url(published), status=303)
    assert "/console/login" in response.location


def test_console_export_before_publication_explains_why(testapp, db):
    process = open_voting(db, slug="town-2027")
    commit(db)
    testapp.login("owner-town-2027@example.org")
    page = testapp.get(f"/console/processes/{process.id}/export.zip", status=409)
    assert "published" in page.text
