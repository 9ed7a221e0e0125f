"""Fairness figures a resident can read, computed by pabutools' ``analysis`` module.

- the share of voters with at least one funded project among those they supported
  (``pabutools.analysis.percent_non_empty_handed``);
- how many voters saw how much money spent on the projects they supported
  (``pabutools.analysis.satisfaction_histogram`` with cost satisfaction, normalised by the budget:
  :class:`voting_rules.convert.FastCostSat`, which gives ``Cost_Sat``'s values from a dict, as Equal
  Shares' own run uses it; a test checks the histogram equals ``Cost_Sat``'s on real files).

Both are measured on the approval of the projects each voter supports (ticked, given points or
ranked), whatever the ballot format. Both depend on a ballot only through the funded projects it
supports, so pabutools gets each ballot cut down to those, identical ones collapsed into one
multi-profile (a city's 61,668 ballots become a few thousand): the same figures, without
pabutools building one satisfaction object per distinct full ballot (seconds on a city file).
pabutools gives the histogram as floats (shares of voters); each bin's voter count is a whole
number, recovered exactly (``round(share * voters)``), and the shares are written as exact
fractions.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from pabutools.analysis import percent_non_empty_handed, satisfaction_histogram
from pabutools.election import ApprovalMultiProfile

from voting_rules.convert import Bridge, FastCostSat, HashedApprovalBallot
from voting_rules.election import Election

# Bins of "money spent on projects I supported": nothing, then quarters of the budget.
HISTOGRAM_BINS = 5


def exact_fraction(value) -> Fraction:
    """A pabutools number (gmpy2 ``mpq``, int or Fraction) as a ``Fraction``."""
    if hasattr(value, "numerator") and hasattr(value, "denominator"):
        return Fraction(int(value.numerator), int(value.denominator))
    return Fraction(value)


def funded_support_profile(bridge: Bridge, funded: list[str]) -> ApprovalMultiProfile:
    """Each ballot as the approval of the funded projects it supports, identical ones collapsed."""
    chosen = frozenset(funded)
    counts: Counter = Counter()
    for ids, mult in bridge.supported_counts():  # distinct ballots: fewer than ballots
        counts[ids & chosen] += mult
    profile = ApprovalMultiProfile(instance=bridge.instance)
    for ids, mult in sorted(counts.items(), key=lambda item: sorted(item[0])):
        profile[HashedApprovalBallot(tuple(bridge.by_id[i] for i in sorted(ids)), name=str(len(profile)))] = mult
    return profile


def share_non_empty_handed(bridge: Bridge, funded: list[str], profile=None) -> Fraction:
    """Share of voters who support at least one funded project (pabutools ``percent_non_empty_handed``)."""
    profile = profile if profile is not None else funded_support_profile(bridge, funded)
    if profile.num_ballots() == 0:
        return Fraction(0)
    allocation = [bridge.by_id[p] for p in funded]
    return exact_fraction(percent_non_empty_handed(bridge.instance, profile, allocation))


def money_histogram(bridge: Bridge, funded: list[str], profile=None, sat_class=FastCostSat) -> list[dict]:
    """Voters by the money spent on the projects they support, in bins of the budget.

    Returns
    -------
    list of dict
        One per bin, in order: ``above`` and ``up_to`` (whole currency units, exact; the first bin
        is exactly 0: ``above`` is None), ``voters`` (how many) and ``share`` (of all voters).
        Bin ``i`` > 0 holds the voters whose money is in ``((i-1)/4, i/4]`` of the budget (the last
        bin also what reaches the budget), as pabutools' ``satisfaction_histogram`` bins them.
        ``sat_class``: the cost satisfaction pabutools measures with (tests pass its ``Cost_Sat``).
    """
    profile = profile if profile is not None else funded_support_profile(bridge, funded)
    voters = profile.num_ballots()
    budget = Fraction(bridge.election.budget)
    step = budget / (HISTOGRAM_BINS - 1)
    if voters == 0 or budget <= 0:
        counts = [0] * HISTOGRAM_BINS
    else:
        allocation = [bridge.by_id[p] for p in funded]
        shares = satisfaction_histogram(bridge.instance, profile, allocation, sat_class,
                                        max_satisfaction=bridge.election.budget, num_bins=HISTOGRAM_BINS)
        counts = [round(share * voters) for share in shares]
    return [{"above": None if i == 0 else step * (i - 1), "up_to": step * i, "voters": n,
             "share": Fraction(n, voters) if voters else Fraction(0)}
            for i, n in enumerate(counts)]


def fairness(election: Election, funded: list[str], bridge: Bridge | None = None) -> dict:
    """The fairness figures of ``funded`` (see the module docstring); exact numbers as Fractions.

    ``bridge``: the election's, if one is at hand (its instance and its ballots counted by the
    projects they support are reused; the profile measured is the cut-down one).
    """
    bridge = bridge if bridge is not None else Bridge(election)
    profile = funded_support_profile(bridge, funded)
    return {
        "computed_by": "pabutools.analysis",
        "share_of_voters_with_a_funded_project": share_non_empty_handed(bridge, funded, profile),
        "money_for_supported_projects": money_histogram(bridge, funded, profile),
    }


__all__ = ["HISTOGRAM_BINS", "fairness", "funded_support_profile", "money_histogram", "share_non_empty_handed"]
