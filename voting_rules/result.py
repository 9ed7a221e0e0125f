"""Computing a tally and its JSON form."""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from fractions import Fraction

import pabutools

from voting_rules.ballots import rank_points
from voting_rules.convert import measure_for
from voting_rules.election import Amount, Election, check_incompatible, incompatible_text
from voting_rules.fairness import fairness
from voting_rules.params import TallyParams
from voting_rules.rules import RULES, Context
from voting_rules.rules.base import Progress

SCHEMA_VERSION = 1


def fraction_text(x: Fraction | int) -> str:
    """An exact number as text: ``"7"`` or ``"123/7"``."""
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def exact(x):
    """An exact number for JSON: an ``int`` when whole, else its fraction text ``"a/b"``."""
    if isinstance(x, Fraction):
        return x.numerator if x.denominator == 1 else fraction_text(x)
    return x


def exact_json(data):
    """``data`` with every ``Fraction`` in it (nested dicts, lists) made JSON-safe by :func:`exact`."""
    if isinstance(data, dict):
        return {key: exact_json(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [exact_json(value) for value in data]
    return exact(data)


def from_exact(x):
    """Inverse of :func:`exact`: ``"a/b"`` back to a ``Fraction``, numbers unchanged."""
    if isinstance(x, str):
        value = Fraction(x)
        return value.numerator if value.denominator == 1 else value
    return x


def election_digest(election: Election) -> str:
    """sha256 (hex) of exactly what the count depends on, in a canonical order.

    Amounts that are not whole are written as fraction text (``"21682941/100"``), so a cost of
    216829.41 is digested exactly; whole amounts stay integers (older digests are unchanged).
    The budget, the vote type (and the points of first place for rankings), each project's
    cost and each ballot's content, sorted by project and voter id: descriptive META, the
    order of the ballots and the file's layout do not change it, so the digest recorded with
    a tally can be recomputed from a published ``.pb`` file.
    """
    fmt = election.ballot_format
    canonical = {
        "budget": exact(election.budget),
        "vote_type": fmt.vote_type,
        "rank_points": rank_points(election) if fmt.kind == "ranking" else None,
        "projects": sorted([p.id, exact(p.cost)] for p in election.projects),
        "ballots": sorted(
            [b.voter_id, sorted(b.approvals), sorted((b.points or {}).items()), list(b.ranking)]
            for b in election.ballots
        ),
    }
    if election.incompatible:  # only then: digests of elections without groups are unchanged
        canonical["incompatible"] = incompatible_text(election.incompatible)
    body = json.dumps(canonical, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass
class TallyResult:
    """A computed result.

    Attributes
    ----------
    rule : str
    params : TallyParams
    funded : list[str]
        Funded project ids in selection order.
    spent, budget : int or Fraction
        Whole currency units, exact (``"a/b"`` text in JSON when not whole).
    scores, votes : dict[str, int]
    costs : dict[str, int or Fraction]
        Per project: score (votes, points or ranking points), supporters, cost.
    num_voters : int
    share_of_voters_with_a_funded_project : Fraction
    pabutools_version : str
    digest : str
        :func:`election_digest` of the input: sha256 of exactly what the count depends on.
    explanation : dict
        Rule-specific (greedy order; equal-shares rounds, prices and the
        unfunded projects' shortfall; comparison counts).
    satisfaction : str
        What was counted as a voter's satisfaction: ``cost``, ``cardinality``, ``points``
        (the points given) or ``rank-points`` (k for first place down to 1).
    fairness : dict
        Figures of pabutools' ``analysis`` module (``voting_rules.fairness``): the share of
        voters with a funded project and the voters by money spent on the projects they
        support. Empty for tallies computed before it was recorded.
    """

    rule: str
    params: TallyParams
    funded: list[str]
    spent: Amount
    budget: Amount
    scores: dict[str, int]
    votes: dict[str, int]
    costs: dict[str, Amount]
    num_voters: int
    share_of_voters_with_a_funded_project: Fraction
    pabutools_version: str
    digest: str
    explanation: dict = field(default_factory=dict)
    satisfaction: str = ""
    fairness: dict = field(default_factory=dict)

    def projects(self) -> list[dict]:
        """One row per project: id, cost, votes, score, funded."""
        chosen = set(self.funded)
        return [{"id": pid, "cost": exact(self.costs[pid]), "votes": self.votes[pid],
                 "score": self.scores[pid], "funded": pid in chosen} for pid in self.costs]

    def to_json(self) -> dict:
        """A JSON-serialisable dict; exact numbers stay exact (fractions as ``"a/b"``)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "rule": self.rule,
            "params": self.params.to_json(),
            "satisfaction": self.satisfaction,
            "funded": list(self.funded),
            "spent": exact(self.spent),
            "budget": exact(self.budget),
            "num_voters": self.num_voters,
            "share_of_voters_with_a_funded_project": fraction_text(
                self.share_of_voters_with_a_funded_project),
            "pabutools_version": self.pabutools_version,
            "digest": self.digest,
            "projects": self.projects(),
            "explanation": exact_json(self.explanation),
            **({"fairness": exact_json(self.fairness)} if self.fairness else {}),
        }

    @classmethod
    def from_json(cls, data: dict | str) -> TallyResult:
        """Inverse of :meth:`to_json`."""
        if isinstance(data, str):
            data = json.loads(data)
        assert isinstance(data, dict)
        rows = data["projects"]
        return cls(
            rule=data["rule"],
            params=TallyParams.from_json(data["params"]),
            funded=list(data["funded"]),
            spent=from_exact(data["spent"]),
            budget=from_exact(data["budget"]),
            scores={r["id"]: r["score"] for r in rows},
            votes={r["id"]: r["votes"] for r in rows},
            costs={r["id"]: from_exact(r["cost"]) for r in rows},
            num_voters=data["num_voters"],
            share_of_voters_with_a_funded_project=Fraction(
                data["share_of_voters_with_a_funded_project"]),
            pabutools_version=data["pabutools_version"],
            digest=data["digest"],
            explanation=data.get("explanation", {}),
            satisfaction=data.get("satisfaction", ""),
            fairness=data.get("fairness", {}),
        )


def compute(election: Election, params: TallyParams, progress: Progress | None = None,
            context: Context | None = None) -> TallyResult:
    """Count an election with one rule.

    Parameters
    ----------
    election : Election
    params : TallyParams
    progress : callable, optional
        Receives short progress messages (the CLI prints them on stderr).
    context : Context, optional
        Counted scores and pabutools objects to reuse across several rules.

    Returns
    -------
    TallyResult

    Raises
    ------
    ValueError
        If the parameters do not suit the rule (for example a threshold rule
        without a threshold).
    """
    if params.rule == "greedy-threshold" and params.threshold is None:
        raise ValueError("rule greedy-threshold needs a threshold")
    check_incompatible(election, params.rule)
    ctx = context if context is not None else Context(election, progress)
    if context is not None and progress is not None:
        ctx.progress = progress
    outcome = RULES[params.rule](election, params, ctx)
    pmap = election.project_map()
    key = ("fairness", frozenset(outcome.funded))
    if key not in ctx.memo:
        ctx.memo[key] = fairness(election, outcome.funded, ctx.bridge)
    figures = copy.deepcopy(ctx.memo[key])
    if "digest" not in ctx.memo:
        ctx.memo["digest"] = election_digest(election)
    return TallyResult(
        rule=params.rule,
        params=params,
        funded=outcome.funded,
        spent=sum(pmap[p].cost for p in outcome.funded),
        budget=election.budget,
        scores=dict(ctx.scores),
        votes=dict(ctx.votes),
        costs={p.id: p.cost for p in election.projects},
        num_voters=len(election.ballots),
        share_of_voters_with_a_funded_project=figures["share_of_voters_with_a_funded_project"],
        pabutools_version=pabutools.__version__,
        digest=ctx.memo["digest"],
        explanation=outcome.explanation,
        satisfaction=measure_for(election, params.satisfaction),
        fairness=figures,
    )
