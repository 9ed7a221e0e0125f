"""voting_rules reaches pabutools through its public packages only, at the version setup.py pins.

A new pabutools release is taken on purpose: this test fails until setup.py's pin is moved and the
suite (which compares every rule with pabutools' own result) has run on it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pabutools
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[2]
# The modules of pabutools that voting_rules may import from: its documented packages.
PUBLIC = {"pabutools", "pabutools.analysis", "pabutools.election", "pabutools.rules", "pabutools.fractions",
          "pabutools.tiebreaking"}


def _pin() -> SpecifierSet:
    setup = (ROOT / "setup.py").read_text(encoding="utf-8")
    return SpecifierSet(re.search(r'"pabutools([^"]+)"', setup).group(1))


def test_the_installed_pabutools_is_the_pinned_one():
    assert pabutools.__version__ in _pin(), f"pabutools {pabutools.__version__} is not {_pin()} (setup.py)"


def test_voting_rules_imports_only_public_pabutools_packages():
    private = []
    for path in sorted((ROOT / "voting_rules").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module] if isinstance(node, ast.ImportFrom) and node.module else
                     [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            private += [f"{path.relative_to(ROOT)}: {n}" for n in names
                        if n.split(".")[0] == "pabutools" and n not in PUBLIC]
    assert private == []
