"""Imports only point down: voting_rules is pure, services and models know no HTTP, no cycles.

Every import counts, at the top of a file or inside a function: an import hidden in a function
still makes the modules depend on each other, and moving it to the top would break the app.
"""

import ast
import itertools
import re
import sys
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


# ---------------------------------------------------------------- cycles


def module_graph(root: Path, packages: tuple[str, ...]) -> dict[str, set[str]]:
    """``{module: modules it imports}`` for the packages under ``root``, imports in functions included.

    ``from . import x`` points to module ``x`` when it is one, else to the package; an import of a
    name points to the deepest module of the dotted path that exists (``pbengine.models.Phase`` is
    ``pbengine.models``). Imports under ``if TYPE_CHECKING:`` run only for the type checker.
    """
    files = {}
    for package in packages:
        for path in (root / package).rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            files[".".join(parts)] = path

    def known(name: str) -> str | None:
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for module, path in files.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        tree = ast.parse(path.read_text())
        type_only = {id(node) for guard in ast.walk(tree)
                     if isinstance(guard, ast.If) and "TYPE_CHECKING" in ast.unparse(guard.test)
                     for statement in guard.body for node in ast.walk(statement)}
        targets = set()
        for node in ast.walk(tree):
            if id(node) in type_only:
                continue
            if isinstance(node, ast.Import):
                targets |= {known(alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                targets |= {known(f"{source}.{alias.name}") for alias in node.names}
        graph[module] = {t for t in targets if t and t != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = itertools.count()

    def visit(node: str) -> None:
        index[node] = low[node] = next(counter)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(graph) + 100))
    try:
        for node in sorted(graph):
            if node not in index:
                visit(node)
    finally:
        sys.setrecursionlimit(limit)
    return sorted(found)


def test_no_import_cycle_among_pbengine_modules_even_through_imports_in_functions():
    graph = module_graph(ROOT, ("pbengine", "voting_rules"))
    assert "pbengine.services.workflow" in graph and graph["pbengine.services.workflow"]
    assert cycles(graph) == []


def test_a_cycle_kept_alive_by_an_import_inside_a_function_is_caught(tmp_path):
    package = tmp_path / "planted"
    (package / "services").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "services" / "__init__.py").write_text("")
    (package / "services" / "processes.py").write_text(
        "def move_to():\n    from .tallies import freeze\n\n    freeze()\n")
    (package / "services" / "tallies.py").write_text("from .ballots import cast\n\ndef freeze():\n    pass\n")
    (package / "services" / "ballots.py").write_text("from planted.services.processes import move_to\n")
    (package / "services" / "typed.py").write_text(
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from . import lonely\n")
    (package / "services" / "lonely.py").write_text("from . import typed\n")

    graph = module_graph(tmp_path, ("planted",))

    assert graph["planted.services.processes"] == {"planted.services.tallies"}
    assert cycles(graph) == [["planted.services.ballots", "planted.services.processes",
                              "planted.services.tallies"]]


def test_cycles_reports_each_strongly_connected_group_once():
    graph = {"a": {"b"}, "b": {"a", "c"}, "c": {"d"}, "d": {"c"}, "e": {"a"}, "f": set()}
    assert cycles(graph) == [["a", "b"], ["c", "d"]]


def test_the_app_imports_none_of_the_test_extras():
    """`make run` installs only `pip install -e .`: the test extras must never be needed to run."""
    test_extras = ("pytest", "webtest", "hypothesis", "playwright", "axe_playwright_python", "jsonschema",
                   "ruff", "mypy")
    assert offenders("pbengine", test_extras) == []
    assert offenders("voting_rules", test_extras) == []


PHASE_COMPARISON = re.compile(r"\.phase\s*(==|!=|\bin\b|\bnot\s+in\b|\bis\b)")


def test_views_and_templates_ask_services_phases_what_a_phase_allows():
    """No view, console page, API module, context factory or template compares phase names."""
    places = [*(ROOT / "pbengine" / "templates").rglob("*.jinja2"), ROOT / "pbengine" / "resources.py",
              *(path for area in ("views", "console", "api") for path in (ROOT / "pbengine" / area).rglob("*.py"))]
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in places for number, line in enumerate(path.read_text().splitlines(), 1)
             if PHASE_COMPARISON.search(line)]
    assert found == []
