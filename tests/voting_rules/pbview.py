"""Helpers shared by the voting_rules tests: where the real files are, and a
comparable view of what pabutools' own parser makes of a file."""

from fractions import Fraction
from pathlib import Path

from pabutools.election import AbstractCardinalBallot, AbstractOrdinalBallot, parse_pabulib

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "pabulib"


def shared(name: str) -> Path:
    return SHARED / name


def pabutools_view(path) -> dict:
    """Everything pabutools reads from a file, in comparable form."""
    instance, profile = parse_pabulib(str(path))
    meta = {p.name: {k: (Fraction(v) if k == "cost" else v) for k, v in m.items()}
            for p, m in instance.project_meta.items()}
    ballots = []
    for b in profile:
        if isinstance(b, AbstractCardinalBallot):
            content = {p.name: Fraction(v) for p, v in b.items()}
        elif isinstance(b, AbstractOrdinalBallot):
            content = [p.name for p in b]
        else:
            content = frozenset(p.name for p in b)
        ballots.append((type(b).__name__, content, dict(b.meta)))
    limits = {k: v for k, v in vars(profile).items() if k.startswith("legal_")}
    return {
        "budget": instance.budget_limit,
        "projects": sorted((p.name, p.cost, frozenset(p.categories)) for p in instance),
        "project_meta": meta,
        "meta": dict(instance.meta),
        "profile_type": type(profile).__name__,
        "limits": limits,
        "ballots": ballots,
    }
