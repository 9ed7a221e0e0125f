"""A published process with ballots in every format, cast with generated voter codes."""

from __future__ import annotations

from dataclasses import dataclass, field

from pbengine.models import Phase, Process
from pbengine.services import ballots, codes, proposals, tallies, workflow
from tests.helpers import commit, make_budget, make_organizer, make_process

CODE_KEY = "test-code-key"  # tests/conftest.py TEST_SETTINGS["pbengine.code_key"]
PROPOSER_EMAIL = "proposer.secret@example.net"

# (budget slug, ballot kind, rule, extra budget fields, ballots)
BUDGETS = [
    ("citywide", "approval", "greedy", {"max_length": 2},
     [{"approvals": ["p1", "p2"]}, {"approvals": ["p1"]}, {"approvals": ["p3"]}, {"approvals": ["p2", "p3"]},
      {"approvals": ["p1", "p3"]}]),
    ("youth", "knapsack", "utilitarian", {},
     [{"approvals": ["p1", "p2"]}, {"approvals": ["p3"]}, {"approvals": ["p2"]}]),
    ("district", "cumulative", "equal-shares", {"max_sum_points": 10, "max_points_per_project": 6},
     [{"points": {"p1": 6, "p2": 4}}, {"points": {"p3": 6, "p1": 4}}, {"points": {"p2": 5, "p3": 5}},
      {"points": {"p1": 2}}]),
    ("green", "ranking", "equal-shares", {"rank_length": 2},
     [{"ranking": ["p2", "p1"]}, {"ranking": ["p3"]}, {"ranking": ["p1", "p3"]}, {"ranking": ["p2"]}]),
]


@dataclass
class Published:
    process: Process
    voter_codes: list[str] = field(default_factory=list)
    receipts: dict[str, list[str]] = field(default_factory=dict)  # budget slug -> receipts of counted ballots


def open_voting(db, slug="town-2027") -> Process:
    owner = make_organizer(db, email=f"owner-{slug}@example.org")
    process = make_process(db, slug=slug, owner=owner)
    for budget_slug, kind, rule, fields, _ballots in BUDGETS:
        make_budget(db, process, slug=budget_slug, kind=kind, rule=rule, **fields)
    workflow.move_to(db, process, Phase.PROPOSALS)
    proposals.submit(db, process, proposals.ProposalData(
        title="A repair café", description="Fix things together.", estimated_cost=1000,
        contact_email=PROPOSER_EMAIL))
    workflow.move_to(db, process, Phase.REVIEW)
    workflow.move_to(db, process, Phase.VOTING)
    return process


def cast_all(db, process: Process, result: Published) -> None:
    batch = codes.generate(db, CODE_KEY, process, 6, "Letters")
    result.voter_codes = [code for _ref, code in batch.codes]
    for budget in process.budgets:
        contents = next(b[4] for b in BUDGETS if b[0] == budget.slug)
        receipts = []
        for code, content in zip(result.voter_codes, contents, strict=False):
            voter_code = codes.find(db, CODE_KEY, process, code)
            receipts.append(ballots.cast(db, budget, voter_code, content, key=CODE_KEY).receipt)
        result.receipts[budget.slug] = receipts
    # One voter changes their mind: the first ballot is replaced, and only the new one counts.
    first = process.budgets[0]
    replaced = ballots.cast(db, first, codes.find(db, CODE_KEY, process, result.voter_codes[0]),
                            {"approvals": ["p2"]}, key=CODE_KEY)
    result.receipts[first.slug][0] = replaced.receipt


def publish(db, process: Process) -> None:
    workflow.move_to(db, process, Phase.CLOSED, code_key=CODE_KEY)
    tallies.compute_all(db, process)
    workflow.move_to(db, process, Phase.PUBLISHED)


def published_process(db, slug="town-2027") -> Published:
    process = open_voting(db, slug)
    result = Published(process)
    cast_all(db, process, result)
    publish(db, process)
    commit(db)
    return result
