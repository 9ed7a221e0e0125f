"""All rules side by side."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction

from voting_rules.election import APPROVAL_KINDS, EXCLUSION_RULES, Election
from voting_rules.params import RULE_NAMES, TallyParams, params_from_meta
from voting_rules.result import compute, exact, fraction_text
from voting_rules.rules import Context
from voting_rules.rules.base import Progress


def average_satisfaction(election: Election, funded: Sequence[str]) -> Fraction:
    """Average over voters of (cost of funded projects they support) / budget."""
    if not election.ballots or not election.budget:
        return Fraction(0)
    pmap = election.project_map()
    chosen = set(funded)
    total = sum(sum(pmap[p].cost for p in b.supported() if p in chosen)
                for b in election.ballots)
    return Fraction(total, len(election.ballots) * election.budget)


def applicable_rules(election: Election, params: TallyParams) -> list[str]:
    """The rules a comparison runs: every rule that is defined for this election.

    ``greedy-threshold`` needs a threshold; Phragmén is defined on approval ballots only; only
    the greedy rules keep incompatible projects apart.
    """
    names = []
    for name in RULE_NAMES:
        if name == "greedy-threshold" and params.threshold is None:
            continue
        if name == "phragmen" and election.ballot_format.kind not in APPROVAL_KINDS:
            continue
        if election.incompatible and name not in EXCLUSION_RULES:
            continue
        names.append(name)
    return names


class _OutOfTime(Exception):
    """Raised from the progress callback once a comparison's deadline has passed."""


def compare(election: Election, rule_names: Sequence[str] | None = None,
            progress: Progress | None = None, completion: str | None = None,
            params: TallyParams | None = None, context: Context | None = None,
            deadline: float | None = None) -> list[dict]:
    """Run several rules on one election and summarise each.

    Parameters
    ----------
    election : Election
    rule_names : sequence of str, optional
        Defaults to :func:`applicable_rules`.
    completion : str, optional
        Overrides the equal-shares completion of ``params``.
    params : TallyParams, optional
        The budget's own settings (satisfaction, completion, tie-break, threshold); every
        row uses them and changes only the rule. Defaults to what the file's META names.
    context : Context, optional
        Counted scores and pabutools objects to share with a tally already computed.
    deadline : float, optional
        A ``time.monotonic()`` value: a rule still counting then is stopped at its next
        progress step, and it and the rules after it get a row ``{"rule", "params",
        "not_computed": "time"}`` instead of figures (the comparison is informative; a web
        request must not wait for every add1 completion of a city-size vote).

    Returns
    -------
    list[dict]
        Per rule: ``rule``, ``params``, ``funded``, ``spent``, ``share_of_budget_spent``,
        ``share_of_voters_with_a_funded_project`` and ``average_satisfaction`` (mean over
        voters of the money spent on projects they support divided by the budget); shares
        are exact fractions as text plus a rounded ``percent`` copy for display.
    """
    if params is None:
        try:
            params = params_from_meta(election.meta)
        except ValueError:
            params = TallyParams()
    if completion is not None:
        params = replace(params, completion=completion)
    if rule_names is None:
        rule_names = applicable_rules(election, params)
    ctx = context if context is not None else Context(election, progress)
    listener = ctx.progress

    def watch(message: str) -> None:
        if deadline is not None and time.monotonic() > deadline:
            raise _OutOfTime
        if listener is not None:
            listener(message)

    rows = []
    for name in rule_names:
        row_params = replace(params, rule=name)
        ctx.progress = watch
        try:
            if deadline is not None and time.monotonic() > deadline:
                raise _OutOfTime
            result = compute(election, row_params, context=ctx)
        except _OutOfTime:
            rows.append({"rule": name, "params": row_params.to_json(), "not_computed": "time"})
            continue
        finally:
            ctx.progress = listener
        spent_share = Fraction(result.spent, election.budget) if election.budget else Fraction(0)
        avg = average_satisfaction(election, result.funded)
        rows.append({
            "rule": name,
            "params": row_params.to_json(),
            "funded": result.funded,
            "spent": exact(result.spent),
            "share_of_budget_spent": fraction_text(spent_share),
            "share_of_voters_with_a_funded_project": fraction_text(
                result.share_of_voters_with_a_funded_project),
            "average_satisfaction": fraction_text(avg),
            "percent": {
                "budget_spent": round(100 * float(spent_share), 1),
                "voters_with_a_funded_project": round(
                    100 * float(result.share_of_voters_with_a_funded_project), 1),
                "average_satisfaction": round(100 * float(avg), 1),
            },
        })
    return rows
