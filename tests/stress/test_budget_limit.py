""""Vote in at most N budgets" against a real server: one code casting in N+1 budgets at once stores at most N.

Each code sends its N+1 ballots (one per budget) at the same instant, on N+1 connections. The
casts of one code are serialised (a keyed advisory lock on PostgreSQL, the write lock on SQLite):
exactly N are stored and acknowledged, the others are refused with ``budget_limit_reached``.
"""

from __future__ import annotations

import secrets
import threading

from tests.stress.conftest import size
from tests.stress.harness import CODE_KEY, Client, ballot_path, export_verdict, pbengine_server, run_all, tally

LIMIT = 2
BUDGETS = ("north", "south", "town")  # LIMIT + 1


def _seed(url: str, voters: int) -> tuple[str, list[str]]:
    import transaction

    from pbengine.models import get_engine, get_session_factory, get_tm_session
    from pbengine.services import codes, workflow
    from tests.helpers import make_budget, make_process

    engine = get_engine({"sqlalchemy.url": url})
    tm = transaction.TransactionManager(explicit=True)
    tm.begin()
    db = get_tm_session(get_session_factory(engine), tm)
    process = make_process(db, slug="limit-2027", max_budgets=LIMIT)
    for slug in BUDGETS:
        make_budget(db, process, slug=slug)
    for phase in ("proposals", "review", "voting"):
        workflow.move_to(db, process, phase, code_key=CODE_KEY)
    plain = [code for _ref, code in codes.generate(db, CODE_KEY, process, voters, "Letters").codes]
    tm.commit()
    engine.dispose()
    return "limit-2027", plain


def _ballots_per_code(url: str, slug: str, plain: list[str]) -> list[int]:
    """How many budgets each code has a ballot in, from the slots (needs the code key)."""
    from sqlalchemy import select

    from pbengine.models import Ballot, Process, get_engine, get_session_factory
    from pbengine.services import codes, slots

    engine = get_engine({"sqlalchemy.url": url})
    with get_session_factory(engine)() as db:
        process = db.scalars(select(Process).where(Process.slug == slug)).one()
        stored = set(db.scalars(select(Ballot.slot)))
        counts = [sum(slots.slot(CODE_KEY, b.id, codes.code_hash(CODE_KEY, code)) in stored for b in process.budgets)
                  for code in plain]
    engine.dispose()
    return counts


def test_one_code_casting_in_n_plus_one_budgets_at_once_stores_at_most_n(stress_db, tmp_path):
    n = size(6, 60)
    slug, plain = _seed(stress_db, n)
    answers, receipts = [], set()
    lock = threading.Lock()
    with pbengine_server(stress_db) as server:
        for code in plain:
            start = threading.Barrier(len(BUDGETS), timeout=30)

            def cast(budget, code=code, start=start):
                client = Client(server.port)
                try:
                    start.wait()  # the code's ballots leave together
                    answer = client.post_json(ballot_path(slug, budget), {"voter_code": code, "approvals": ["p1"]},
                                              {"Idempotency-Key": secrets.token_urlsafe(16)})
                finally:
                    client.close()
                with lock:
                    answers.append(answer)
                    if answer.status == 201:
                        receipts.add(answer.body["receipt"])
                return answer

            run_all([lambda b=b: cast(b) for b in BUDGETS], concurrency=len(BUDGETS))
    per_code = _ballots_per_code(stress_db, slug, plain)
    statuses = sorted(a.status for a in answers)
    print(f"\n{n} codes x {len(BUDGETS)} budgets at once, at most {LIMIT}: ballots per code {per_code}, "
          f"answers {statuses.count(201)} x 201, {statuses.count(409)} x 409")
    assert per_code == [LIMIT] * n
    assert statuses == [201] * (LIMIT * n) + [409] * n
    assert {a.body["code"] for a in answers if a.status == 409} == {"budget_limit_reached"}
    result = tally(stress_db, slug, answers, receipts)
    assert (result.lost, result.duplicated, result.server_errors) == (0, 0, 0)
    assert result.acknowledged == result.stored == LIMIT * n
    assert export_verdict(stress_db, slug, tmp_path) == "MATCH"
