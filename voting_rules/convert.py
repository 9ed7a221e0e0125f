"""Bridge to pabutools: instances, multi-profiles, tie-breaking and score profiles.

Identical ballots are collapsed into pabutools multi-profiles (one object per
distinct ballot, with its multiplicity), which is what keeps city-scale files
fast and small in memory.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from pabutools.election import (
    ApprovalMultiProfile,
    FrozenApprovalBallot,
    Instance,
)
from pabutools.election import Project as PbProject
from pabutools.election.satisfaction.satisfactionmeasure import (
    GroupSatisfactionMeasure,
    SatisfactionMeasure,
)
from pabutools.tiebreaking import TieBreakingRule

from voting_rules.election import Election
from voting_rules.tiebreak import chain_key


class Bridge:
    """pabutools objects for one election (built once, shared by the rules).

    Attributes
    ----------
    instance : pabutools Instance
        Projects with their costs; ``budget_limit`` is the election budget.
    by_id : dict[str, pabutools Project]
    """

    def __init__(self, election: Election) -> None:
        self.election = election
        self.by_id = {p.id: PbProject(p.id, p.cost, set(p.categories)) for p in election.projects}
        self.instance = Instance(self.by_id.values(), budget_limit=election.budget)
        self._approval: ApprovalMultiProfile | None = None

    def approval_multiprofile(self) -> ApprovalMultiProfile:
        """Every ballot as the approval of the projects it supports, identical ones collapsed.

        Approval and knapsack ballots are taken as they are; cumulative/scoring
        ballots approve every project given points, rankings every ranked project.
        """
        if self._approval is None:
            counts = Counter(frozenset(b.supported()) for b in self.election.ballots)
            profile = ApprovalMultiProfile(instance=self.instance)
            for ids, mult in counts.items():
                ballot = FrozenApprovalBallot(
                    tuple(self.by_id[i] for i in sorted(ids)), name=str(len(profile))
                )
                profile[ballot] = mult
            self._approval = profile
        return self._approval


def tie_breaking_rule(chain: Collection[str], votes: dict[str, int]) -> TieBreakingRule:
    """A pabutools :class:`TieBreakingRule` for our chain (always total: ends with id)."""
    key = chain_key(tuple(chain), votes)
    return TieBreakingRule(lambda inst, prof, proj: key(proj))


class ScoreSatProfile(GroupSatisfactionMeasure):
    """A satisfaction profile that knows only each project's total satisfaction.

    pabutools' greedy (additive) and utilitarian rules only ever ask a
    satisfaction profile for ``total_satisfaction_project``; the total is known
    from counting the ballots once, so no per-voter objects are built.

    Parameters
    ----------
    totals : dict[str, int]
        Total satisfaction per project id.
    """

    def __init__(self, totals: dict[str, int]) -> None:
        super().__init__()
        self.totals = totals

    def __iter__(self):
        return iter(())

    def multiplicity(self, sat) -> int:  # pragma: no cover - never called
        return 1

    def remove_satisfied(self, sat_bound, projects):  # pragma: no cover - never called
        raise NotImplementedError

    def total_satisfaction_project(self, project) -> int:
        return self.totals.get(project.name, 0)

    def total_satisfaction(self, projects) -> int:
        return sum(self.total_satisfaction_project(p) for p in projects)


class _FastApprovalSat(SatisfactionMeasure):
    """Additive satisfaction of an approval ballot with an O(1) membership test.

    Same values as pabutools' ``Cost_Sat`` / ``Cardinality_Sat`` (which look the
    project up in the ballot tuple), so MES computes the same outcome, faster.
    """

    per_project_cost = True

    def __init__(self, instance, profile, ballot) -> None:
        super().__init__(instance, profile, ballot)
        self.names = frozenset(p.name for p in ballot)

    def sat_project(self, project) -> int:
        if project.name in self.names:
            return project.cost if self.per_project_cost else 1
        return 0

    def sat(self, projects) -> int:
        return sum(self.sat_project(p) for p in projects)


class FastCostSat(_FastApprovalSat):
    """Cost satisfaction: the cost of each approved project."""


class FastCardinalitySat(_FastApprovalSat):
    """Cardinality satisfaction: 1 per approved project."""

    per_project_cost = False
