"""Every check of voting_rules.validate_ballot has its message for voters, in every language."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pyramid.i18n import make_localizer

import voting_rules
from pbengine.services import ballot_errors
from pbengine.services.errors import BallotInvalid
from tests.voting_rules.test_ballot_format import CODES, check
from voting_rules import BallotError, BallotErrorCode

LOCALE_DIR = str(Path(ballot_errors.__file__).resolve().parent.parent / "locale")


@dataclass
class Project:
    code: str
    title: str

    def localized(self, _field: str, _locale: str | None) -> str:
        return self.title


@dataclass
class Process:
    currency: str = "EUR"


@dataclass
class Budget:
    """What a refusal reads of a budget: its projects' titles and the currency."""

    projects: list = field(default_factory=lambda: [Project(f"p{i}", f"Project {i}") for i in range(1, 7)])
    process: Process = field(default_factory=Process)


def codes_named_in_voting_rules() -> set[str]:
    """Every ``BallotErrorCode.X`` (or ``Code.X``) the source of voting_rules names."""
    names = set()
    for path in Path(voting_rules.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id in ("BallotErrorCode", "Code"):
                names.add(node.attr)
    return names


def test_every_code_voting_rules_raises_has_a_message():
    assert codes_named_in_voting_rules() <= set(BallotErrorCode.__members__)
    assert set(ballot_errors.MESSAGES) == set(BallotErrorCode)


@pytest.mark.parametrize("locale", ["fr", "es"])
@pytest.mark.parametrize(("fmt", "bad", "code", "_project", "_limit", "_params"), CODES,
                         ids=[case[2] for case in CODES])
def test_each_refusal_is_translated_and_filled_in(locale, fmt, bad, code, _project, _limit, _params):
    with pytest.raises(BallotError) as raised:
        check(fmt, bad)
    refusal = ballot_errors.refusal(Budget(), raised.value, locale)
    assert isinstance(refusal, BallotInvalid) and refusal.reason == code
    english = refusal.message.interpolate()
    said = make_localizer(locale, [LOCALE_DIR]).translate(refusal.message)
    assert said != english and "${" not in said and "${" not in english
    if raised.value.project_id in {"p1", "p2"}:  # a project on the ballot is named by its title
        assert f"Project {raised.value.project_id[1:]}" in said


def test_a_refusal_about_one_project_or_place_is_shown_beside_its_field():
    def beside(code):
        fmt, ballot = next(case[:2] for case in CODES if case[2] == code)
        with pytest.raises(BallotError) as raised:
            check(fmt, ballot)
        return ballot_errors.refusal(Budget(), raised.value).field

    assert beside("ranking_gap") == "rank-2"  # the empty place
    assert beside("negative_points") == "points-p1"
    assert beside("too_many") is None  # the whole ballot
