"""Fairness figures a resident can read, computed by pabutools' ``analysis`` module.

- the share of voters with at least one funded project among those they supported
  (``pabutools.analysis.percent_non_empty_handed``);
- how many voters saw how much money spent on the projects they supported
  (``pabutools.analysis.satisfaction_histogram`` with ``Cost_Sat``, normalised by the budget).

Both are measured on the approval of the projects each voter supports (ticked, given points or
ranked), whatever the ballot format. pabutools gives the histogram as floats (shares of voters);
each bin's voter count is a whole number, recovered exactly (``round(share * voters)``), and the
shares are then written as exact fractions.
"""

from __future__ import annotations

from fractions import Fraction

from pabutools.analysis import percent_non_empty_handed, satisfaction_histogram
from pabutools.election import Cost_Sat

from voting_rules.convert import Bridge

# Bins of "money spent on projects I supported": nothing, then quarters of the budget.
HISTOGRAM_BINS = 5


def exact_fraction(value) -> Fraction:
    """A pabutools number (gmpy2 ``mpq``, int or Fraction) as a ``Fraction``."""
    if hasattr(value, "numerator") and hasattr(value, "denominator"):
        return Fraction(int(value.numerator), int(value.denominator))
    return Fraction(value)


def share_non_empty_handed(bridge: Bridge, funded: list[str]) -> Fraction:
    """Share of voters who support at least one funded project (pabutools ``percent_non_empty_handed``)."""
    profile = bridge.approval_multiprofile()
    if profile.num_ballots() == 0:
        return Fraction(0)
    allocation = [bridge.by_id[p] for p in funded]
    return exact_fraction(percent_non_empty_handed(bridge.instance, profile, allocation))


def money_histogram(bridge: Bridge, funded: list[str]) -> list[dict]:
    """Voters by the money spent on the projects they support, in bins of the budget.

    Returns
    -------
    list of dict
        One per bin, in order: ``above`` and ``up_to`` (whole currency units, exact; the first bin
        is exactly 0: ``above`` is None), ``voters`` (how many) and ``share`` (of all voters).
        Bin ``i`` > 0 holds the voters whose money is in ``((i-1)/4, i/4]`` of the budget (the last
        bin also what reaches the budget), as pabutools' ``satisfaction_histogram`` bins them.
    """
    profile = bridge.approval_multiprofile()
    voters = profile.num_ballots()
    budget = Fraction(bridge.election.budget)
    step = budget / (HISTOGRAM_BINS - 1)
    if voters == 0 or budget <= 0:
        counts = [0] * HISTOGRAM_BINS
    else:
        allocation = [bridge.by_id[p] for p in funded]
        shares = satisfaction_histogram(bridge.instance, profile, allocation, Cost_Sat,
                                        max_satisfaction=bridge.election.budget, num_bins=HISTOGRAM_BINS)
        counts = [round(share * voters) for share in shares]
    return [{"above": None if i == 0 else step * (i - 1), "up_to": step * i, "voters": n,
             "share": Fraction(n, voters) if voters else Fraction(0)}
            for i, n in enumerate(counts)]


def fairness(bridge: Bridge, funded: list[str]) -> dict:
    """The fairness figures of ``funded`` (see the module docstring); exact numbers as Fractions."""
    return {
        "computed_by": "pabutools.analysis",
        "share_of_voters_with_a_funded_project": share_non_empty_handed(bridge, funded),
        "money_for_supported_projects": money_histogram(bridge, funded),
    }


__all__ = ["HISTOGRAM_BINS", "fairness", "money_histogram", "share_non_empty_handed"]
