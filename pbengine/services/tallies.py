"""Computing, comparing and publishing results with ``voting_rules``."""

from __future__ import annotations

import time

from sqlalchemy import select

from voting_rules import Context, Election, compare, compute
from voting_rules.rules.base import Progress

from ..i18n import _
from ..models import Budget, Process, Tally
from ..money import to_units
from . import audit
from .ballots import current_contents, rule_projects, to_rule_ballot
from .config_lock import ensure_configuration_unchanged
from .errors import PhaseError
from .phases import can_compute
from .rule_inputs import ballot_format, incompatible_groups, tally_params


def election_of(db, budget: Budget) -> Election:
    """The budget as a pure election: projects, format and the current ballots (by receipt hash)."""
    process = budget.process
    return Election(
        name=f"{process.slug}/{budget.slug}",
        budget=to_units(budget.amount, process.currency),
        currency=process.currency,
        projects=rule_projects(budget),
        ballot_format=ballot_format(budget),
        ballots=[to_rule_ballot(receipt, content) for receipt, content in current_contents(db, budget)],
        incompatible=incompatible_groups(budget),
        meta={
            "description": budget.name,
            "unit": process.title,
            "subunit": budget.name,
            "instance": process.slug,
            "date_begin": process.voting_start.strftime("%d.%m.%Y") if process.voting_start else "",
            "date_end": process.voting_end.strftime("%d.%m.%Y") if process.voting_end else "",
        },
    )


def official_tally(db, budget: Budget) -> Tally | None:
    return db.scalars(select(Tally).where(Tally.budget_id == budget.id, Tally.official.is_(True))
                      .order_by(Tally.id.desc())).first()


# The rule comparison shown beside a tally is informative: rules still counting this many seconds
# after the computation began (reading the ballots and the official tally included) are listed as
# not computed, so that computing a city-size vote fits in one web request, whatever the official
# rule took.
COMPARISON_SECONDS = 12.0


def compute_budget(db, budget: Budget, actor: str = "",
                   comparison_seconds: float | None = COMPARISON_SECONDS,
                   progress: Progress | None = None) -> Tally:
    """Compute ``budget`` with its configured rule and keep it as the official tally.

    The official rule always runs to the end; the comparison of the other rules stops
    ``comparison_seconds`` after this call began (see :func:`voting_rules.compare`), or runs
    to the end too when it is ``None`` (``pbengine compute``, outside a web request).
    ``progress`` is told how long computations advance.
    """
    deadline = None if comparison_seconds is None else time.monotonic() + comparison_seconds
    process = budget.process
    if not can_compute(process):
        raise PhaseError(_("Results can be computed once voting is closed "
                           "and until they are published."))
    ensure_configuration_unchanged(process)
    params = tally_params(budget)
    election = election_of(db, budget)
    context = Context(election, progress)
    result = compute(election, params, context=context)
    previous = official_tally(db, budget)
    for old in db.scalars(select(Tally).where(Tally.budget_id == budget.id, Tally.official.is_(True))):
        old.official = False
    payload = result.to_json()
    tally = Tally(budget_id=budget.id, rule=params.rule, params=params.to_json(),
                  pabutools_version=payload.get("pabutools_version", ""),
                  input_digest=payload.get("digest", ""), result=payload, official=True)
    # Every rule with this budget's own settings, counted once on the same ballots.
    tally.comparison = _kept_rows(previous, tally, compare(election, params=params, context=context,
                                                           deadline=deadline))
    db.add(tally)
    db.flush()
    audit.record(db, process, "tally.computed",
                 {"budget": budget.slug, "rule": params.rule, "digest": tally.input_digest,
                  "funded": payload.get("funded", [])}, actor)
    return tally


def _kept_rows(previous: Tally | None, tally: Tally, rows: list[dict]) -> list[dict]:
    """``rows``, where a row was not computed in time, as the official tally ``tally`` replaces had it.

    Only if that tally counted the same input (digest) with the same settings but the rule and the
    same pabutools: then every row is the same, so the whole comparison ``pbengine compute`` kept
    is not lost when the console's button computes the results again.
    """
    def settings(params: dict) -> dict:
        return {k: v for k, v in params.items() if k != "rule"}

    if (previous is None or not previous.comparison or previous.input_digest != tally.input_digest
            or previous.pabutools_version != tally.pabutools_version
            or settings(previous.params) != settings(tally.params)):
        return rows
    kept = {row["rule"]: row for row in previous.comparison if "not_computed" not in row}
    return [kept.get(row["rule"], row) if row.get("not_computed") else row for row in rows]


def compute_all(db, process: Process, actor: str = "",
                comparison_seconds: float | None = COMPARISON_SECONDS,
                progress: Progress | None = None) -> list[Tally]:
    """:func:`compute_budget` for every budget of ``process``."""
    return [compute_budget(db, budget, actor, comparison_seconds, progress) for budget in process.budgets]


def comparison(db, budget: Budget) -> list[dict]:
    """Every rule side by side on the ballots of the official tally (console only, not audited).

    Computed with the tally, by :func:`compute_budget` (a POST), and kept with it: every row
    uses the budget's own satisfaction, completion, tie-break and threshold, only the rule
    changes. Reading it never computes anything.
    """
    tally = official_tally(db, budget)
    return (tally.comparison or []) if tally is not None else []


def _publishable_tallies(db, process: Process) -> list[tuple[Budget, Tally]]:
    """The official tally of every budget; :class:`PhaseError` naming the budgets that have none."""
    found, missing = [], []
    for budget in process.budgets:
        tally = official_tally(db, budget)
        if tally is None:
            missing.append(budget.name)
        else:
            found.append((budget, tally))
    if missing:
        raise PhaseError(_("Compute the results of every budget before "
                           "publishing (missing: ${names}).", mapping={"names": ", ".join(missing)}))
    return found


def ensure_publishable(db, process: Process) -> None:
    ensure_configuration_unchanged(process)
    _publishable_tallies(db, process)


def freeze(db, process: Process, actor: str = "") -> None:
    for budget, tally in _publishable_tallies(db, process):
        tally.frozen = True
        audit.record(db, process, "tally.published",
                     {"budget": budget.slug, "digest": tally.input_digest}, actor)
