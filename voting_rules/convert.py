"""Bridge to pabutools: instances, multi-profiles, tie-breaking and score profiles.

Identical ballots are collapsed into pabutools multi-profiles (one object per
distinct ballot, with its multiplicity), which is what keeps city-scale files
fast and small in memory.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from pabutools.election import (
    ApprovalMultiProfile,
    CardinalMultiProfile,
    FrozenApprovalBallot,
    FrozenCardinalBallot,
    GroupSatisfactionMeasure,
    Instance,
    SatisfactionMeasure,
)
from pabutools.election import Project as PbProject
from pabutools.tiebreaking import TieBreakingRule

from voting_rules.ballots import rank_points
from voting_rules.election import Amount, Election
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
        self._satisfaction: dict[str, SatisfactionData] = {}

    def supported_counts(self) -> Collection[tuple[frozenset[str], int]]:
        """(set of projects, how many ballots support exactly those): ticked, given points or ranked.

        Read from the approval multi-profile when it was built (its distinct ballots), else
        counted from the ballots; not kept (the profile holds the same, city files are large).
        """
        if self._approval is not None:
            return [(frozenset(p.name for p in ballot), mult) for ballot, mult in self._approval.items()]
        return Counter(frozenset(b.supported()) for b in self.election.ballots).items()

    def approval_multiprofile(self) -> ApprovalMultiProfile:
        """Every ballot as the approval of the projects it supports, identical ones collapsed.

        Approval and knapsack ballots are taken as they are; cumulative/scoring
        ballots approve every project given points, rankings every ranked project.
        """
        if self._approval is None:
            counts = Counter(frozenset(b.supported()) for b in self.election.ballots)
            profile = ApprovalMultiProfile(instance=self.instance)
            for ids, mult in counts.items():
                ballot = HashedApprovalBallot(
                    tuple(self.by_id[i] for i in sorted(ids)), name=str(len(profile))
                )
                profile[ballot] = mult
            self._approval = profile
        return self._approval

    def satisfaction(self, measure: str) -> SatisfactionData:
        """Each distinct ballot's satisfaction per project under ``measure`` (see :func:`measure_for`).

        ``cost`` and ``cardinality`` are pabutools' ``Cost_Sat`` and ``Cardinality_Sat`` on the
        approval multi-profile; ``points`` is ``Additive_Cardinal_Sat`` on the points given;
        ``rank-points`` is the same on the positional points of a ranking (k for first place
        down to 1, as greedy counts them).
        """
        if measure not in self._satisfaction:
            if measure in ("cost", "cardinality"):
                profile = self.approval_multiprofile()
                sat_class = FastCostSat if measure == "cost" else FastCardinalitySat
                sat_profile = profile.as_sat_profile(sat_class)
            else:
                profile = self.points_multiprofile(measure)
                sat_profile = profile.as_sat_profile(FastPointsSat)
            # each distinct ballot's satisfaction per project, read-only (the measure's own dict)
            ballots = [(sat.values, mult) for sat, mult in sat_profile.items()]
            self._satisfaction[measure] = SatisfactionData(measure, profile, sat_profile, ballots)
        return self._satisfaction[measure]

    def points_multiprofile(self, measure: str) -> CardinalMultiProfile:
        """Cardinal ballots holding the points (or positional points) of each ballot, collapsed."""
        if measure == "rank-points":
            k = rank_points(self.election)
            counts = Counter(
                frozenset((pid, max(k - pos, 1)) for pos, pid in enumerate(b.ranking))
                for b in self.election.ballots)
        else:
            counts = Counter(frozenset((pid, v) for pid, v in (b.points or {}).items() if v > 0)
                             for b in self.election.ballots)
        profile = CardinalMultiProfile(instance=self.instance)
        for items, mult in counts.items():
            ballot = HashedCardinalBallot({self.by_id[pid]: v for pid, v in sorted(items)},
                                          name=str(len(profile)))
            profile[ballot] = mult
        return profile


class HashedApprovalBallot(FrozenApprovalBallot):
    """pabutools' frozen approval ballot, its hash computed once.

    pabutools hashes a ballot each time it files it in a profile, a satisfaction profile or
    looks up its multiplicity, and its hash hashes every project (a Python call each): on a
    city file, millions of calls. The value is the same; only when it is computed differs.
    """

    def __init__(self, init=(), name: str | None = None, meta: dict | None = None) -> None:
        super().__init__(init, name=name, meta=meta)
        self._hash = tuple.__hash__(self)

    def __hash__(self):
        return self._hash


class HashedCardinalBallot(FrozenCardinalBallot):
    """pabutools' frozen cardinal ballot, its hash computed once (see :class:`HashedApprovalBallot`)."""

    def __init__(self, init=(), name: str | None = None, meta: dict | None = None) -> None:
        super().__init__(init, name=name, meta=meta)
        self._hash = tuple.__hash__(tuple(self.keys()))

    def __hash__(self):
        return self._hash


@dataclass
class SatisfactionData:
    """One satisfaction measure over the distinct ballots of an election.

    Attributes
    ----------
    measure : str
    profile : pabutools multi-profile
    sat_profile : pabutools satisfaction profile (one measure per distinct ballot)
    ballots : list of (dict project id -> satisfaction, multiplicity)
    """

    measure: str
    profile: ApprovalMultiProfile | CardinalMultiProfile
    sat_profile: GroupSatisfactionMeasure
    ballots: list


def measure_for(election: Election, satisfaction: str) -> str:
    """The satisfaction Equal Shares uses: the budget's for ticks, the points otherwise."""
    kind = election.ballot_format.kind
    if kind in ("cumulative", "scoring"):
        return "points"
    if kind == "ranking":
        return "rank-points"
    return satisfaction


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

    def __init__(self, totals: dict[str, Amount]) -> None:
        super().__init__()
        self.totals = totals

    def __iter__(self):
        return iter(())

    def multiplicity(self, sat) -> int:  # pragma: no cover - never called
        return 1

    def remove_satisfied(self, sat_bound, projects):  # pragma: no cover - never called
        raise NotImplementedError

    def total_satisfaction_project(self, project) -> Amount:
        return self.totals.get(project.name, 0)

    def total_satisfaction(self, projects) -> Amount:
        return sum((self.total_satisfaction_project(p) for p in projects), 0)


class _FastSat(SatisfactionMeasure):
    """Additive satisfaction looked up by project name in a precomputed dict.

    Gives the same values as pabutools' own measure (``Cost_Sat``, ``Cardinality_Sat``,
    ``Additive_Cardinal_Sat``), which look the project up in the ballot, so MES computes
    the same outcome, faster. ``values`` maps project id -> satisfaction (positive only).
    """

    def __init__(self, instance, profile, ballot) -> None:
        super().__init__(instance, profile, ballot)
        self.values = self.compute_values(ballot)

    def compute_values(self, ballot) -> dict:  # pragma: no cover - overridden
        raise NotImplementedError

    def sat_project(self, project):
        return self.values.get(project.name, 0)

    def sat(self, projects):
        values = self.values
        return sum(values.get(p.name, 0) for p in projects)


class FastCostSat(_FastSat):
    """Cost satisfaction: the cost of each approved project (``Cost_Sat``)."""

    def compute_values(self, ballot) -> dict:
        return {p.name: p.cost for p in ballot}


class FastCardinalitySat(_FastSat):
    """Cardinality satisfaction: 1 per approved project (``Cardinality_Sat``)."""

    def compute_values(self, ballot) -> dict:
        return {p.name: 1 for p in ballot}


class FastPointsSat(_FastSat):
    """The points a cardinal ballot gives each project (``Additive_Cardinal_Sat``)."""

    def compute_values(self, ballot) -> dict:
        return {p.name: v for p, v in ballot.items() if v > 0}
