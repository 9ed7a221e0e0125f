"""Test helpers: a WebTest app that can log in and read CSRF tokens, and small factories."""

from __future__ import annotations

import re

import transaction
import webtest

from pbengine.models import Role
from pbengine.services import accounts, budgets, processes
from pbengine.services.projects import ProjectData, add_project

PASSWORD = "correct horse battery"


class TestApp(webtest.TestApp):
    __test__ = False

    def get_csrf_token(self, url: str = "/") -> str:
        page = self.get(url)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match, f"no CSRF token on {url}"
        return match.group(1)

    def login(self, email: str, password: str = PASSWORD):
        page = self.get("/console/login")
        form = page.forms["login-form"]
        form["email"] = email
        form["password"] = password
        return form.submit().maybe_follow()


def commit(db) -> None:
    """Commit the factory session's transaction and start a new one."""
    db.tm.commit()
    db.tm.begin()


def make_organizer(db, email="owner@example.org", is_admin=False, password=PASSWORD):
    return accounts.create_organizer(db, email, email.split("@")[0].title(), password, is_admin=is_admin)


def make_process(db, slug="town-2027", owner=None, role=Role.OWNER, **overrides):
    data = processes.ProcessData(slug=slug, title=overrides.pop("title", "Town SSE budget 2027"),
                                 description="A budget for social and solidarity economy projects.",
                                 **overrides)
    process = processes.create_process(db, data)
    if owner is not None:
        accounts.grant_role(db, process, owner, role)
    return process


def minor(units, process) -> int:
    """Whole currency units (as people write them, ``12.5`` as a string) to the stored minor units."""
    from fractions import Fraction

    from pbengine.money import to_minor

    return to_minor(Fraction(str(units)), process.currency)


def make_budget(db, process, slug="citywide", amount=100_000, kind="approval", projects=None, **fields):
    """A budget; ``amount``, ``max_sum_cost`` and the project costs are in WHOLE currency units."""
    if fields.get("max_sum_cost") is not None:
        fields["max_sum_cost"] = minor(fields["max_sum_cost"], process)
    budget = budgets.add_budget(db, process, budgets.BudgetData(
        slug=slug, name=fields.pop("name", slug.title()), amount=minor(amount, process), ballot_kind=kind,
        **fields))
    if projects is None:
        projects = {"p1": 40_000, "p2": 30_000, "p3": 50_000}
    for code, cost in projects.items():
        add_project(db, budget, ProjectData(code=code, title=f"Project {code}", cost=minor(cost, process)))
    return budget


def rank_correlation(listed: list[str], cast_order: list[str]) -> float:
    """Spearman's rho between the places of the same items in two orders (1: the same order)."""
    place = {h: i for i, h in enumerate(cast_order)}
    n = len(listed)
    d2 = sum((i - place[h]) ** 2 for i, h in enumerate(listed))
    return 1 - 6 * d2 / (n * (n * n - 1))


__all__ = ["PASSWORD", "TestApp", "commit", "make_budget", "minor", "make_organizer", "make_process",
           "rank_correlation", "transaction"]
