"""All rules side by side."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from voting_rules.election import Election
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


def compare(election: Election, rule_names: Sequence[str] | None = None,
            progress: Progress | None = None, completion: str | None = None) -> list[dict]:
    """Run several rules on one election and summarise each.

    Parameters
    ----------
    election : Election
    rule_names : sequence of str, optional
        Defaults to every rule; ``greedy-threshold`` is included only when the
        META names a threshold.
    completion : str, optional
        Equal-shares completion for ``equal-shares`` and ``equal-shares-comparison``
        (default: the META's, else ``add1-greedy``). ``none`` is much faster on
        large files: the ``add1`` variants re-run equal shares once per unit.

    Returns
    -------
    list[dict]
        Per rule: ``rule``, ``funded``, ``spent``, ``share_of_budget_spent``,
        ``share_of_voters_with_a_funded_project`` and ``average_satisfaction``
        (mean over voters of the money spent on projects they support divided
        by the budget); shares are exact fractions as text plus a rounded
        ``percent`` copy for display.
    """
    meta_params = None
    try:
        meta_params = params_from_meta(election.meta)
    except ValueError:
        pass
    threshold = meta_params.threshold if meta_params else None
    if rule_names is None:
        rule_names = [r for r in RULE_NAMES if r != "greedy-threshold" or threshold is not None]
    ctx = Context(election, progress)
    rows = []
    for name in rule_names:
        params = TallyParams(rule=name, threshold=threshold if name == "greedy-threshold"
                             else None)
        if meta_params is not None and meta_params.rule == name:
            params = meta_params
        if completion is not None:
            params = TallyParams(**{**params.to_json(), "completion": completion})
        result = compute(election, params, context=ctx)
        spent_share = Fraction(result.spent, election.budget) if election.budget else Fraction(0)
        avg = average_satisfaction(election, result.funded)
        rows.append({
            "rule": name,
            "params": params.to_json(),
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
