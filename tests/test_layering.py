"""Imports only point down: voting_rules is pure, services and models know no HTTP."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(package: Path) -> dict[str, set[str]]:
    found = {}
    for path in package.rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
            elif isinstance(node, ast.ImportFrom) and node.level > 0:
                names.add("." * node.level + (node.module or ""))
        found[str(path.relative_to(ROOT))] = names
    return found


def offenders(package: str, forbidden: tuple[str, ...], relative_forbidden: tuple[str, ...] = ()):
    bad = []
    for path, names in imported_modules(ROOT / package).items():
        for name in names:
            if name.startswith(forbidden) or any(name.startswith(r) for r in relative_forbidden):
                bad.append(f"{path}: {name}")
    return bad


def test_voting_rules_imports_neither_the_web_nor_the_database():
    assert offenders("voting_rules", ("pbengine", "pyramid", "sqlalchemy", "zope", "transaction",
                                      "webob")) == []


def test_services_know_nothing_of_http():
    assert offenders("pbengine/services", ("pyramid", "webob"),
                     ("..views", "..console", "..api", "..resources", "..security")) == []


def test_models_know_nothing_of_pyramid_or_services():
    assert offenders("pbengine/models", ("pyramid", "webob", "pbengine.services", "voting_rules"),
                     ("..services", "..views")) == []
