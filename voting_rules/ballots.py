"""Ballot validation and per-project score counting."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from voting_rules.election import Amount, Ballot, BallotFormat, Election, Project


class BallotError(ValueError):
    """A ballot breaks its budget's ballot format.

    Attributes
    ----------
    message : str
        One English sentence naming the ballot, the project and the limit.
    ballot_id, project_id : str or None
    limit : int, Fraction or None
        The limit that was broken, when there is one.
    """

    def __init__(
        self,
        message: str,
        ballot_id: str | None = None,
        project_id: str | None = None,
        limit: Amount | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.ballot_id = ballot_id
        self.project_id = project_id
        self.limit = limit


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def validate_ballot(
    fmt: BallotFormat,
    ballot: Ballot,
    projects: Iterable[Project] | dict[str, Project],
    budget: Amount,
) -> None:
    """Check one ballot against its format; raise :class:`BallotError` if it breaks a rule.

    Parameters
    ----------
    fmt : BallotFormat
    ballot : Ballot
    projects : iterable of Project, or dict id -> Project
        The projects on this budget.
    budget : int
        The budget; the default knapsack limit.

    Raises
    ------
    BallotError
        For example ``"ballot v12: 4 projects ticked, at most 3 allowed"``.
    """
    pmap = projects if isinstance(projects, dict) else {p.id: p for p in projects}
    who = f"ballot {ballot.voter_id}"
    if fmt.kind in ("cumulative", "scoring"):
        if ballot.approvals or ballot.ranking:
            raise BallotError(f"{who}: this budget expects points, not ticks or a ranking",
                              ballot.voter_id)
        named: Sequence[str] = list((ballot.points or {}).keys())
        verb = "given points"
    elif fmt.kind == "ranking":
        if ballot.approvals or ballot.points:
            raise BallotError(f"{who}: this budget expects a ranking", ballot.voter_id)
        named = ballot.ranking
        verb = "ranked"
    else:
        if ballot.points or ballot.ranking:
            raise BallotError(f"{who}: this budget expects ticked projects", ballot.voter_id)
        named = ballot.approvals
        verb = "ticked"

    seen: set[str] = set()
    for pid in named:
        if pid not in pmap:
            raise BallotError(f"{who}: project {pid} is not on this budget",
                              ballot.voter_id, pid)
        if pid in seen:
            raise BallotError(f"{who}: project {pid} appears more than once",
                              ballot.voter_id, pid)
        seen.add(pid)

    n = len(named)
    if fmt.max_length is not None and n > fmt.max_length:
        raise BallotError(
            f"{who}: {_plural(n, 'project')} {verb}, at most {fmt.max_length} allowed",
            ballot.voter_id, None, fmt.max_length)
    if fmt.min_length is not None and n < fmt.min_length:
        raise BallotError(
            f"{who}: {_plural(n, 'project')} {verb}, at least {fmt.min_length} required",
            ballot.voter_id, None, fmt.min_length)
    if fmt.kind == "ranking" and fmt.rank_length is not None and n > fmt.rank_length:
        raise BallotError(
            f"{who}: {_plural(n, 'project')} ranked, at most {fmt.rank_length} allowed",
            ballot.voter_id, None, fmt.rank_length)

    if fmt.kind == "knapsack":
        limit = fmt.max_sum_cost if fmt.max_sum_cost is not None else budget
        total = sum(pmap[p].cost for p in named)
        if total > limit:
            raise BallotError(f"{who}: total cost {total} exceeds the limit {limit}",
                              ballot.voter_id, None, limit)

    if fmt.kind in ("cumulative", "scoring"):
        points = ballot.points or {}
        for pid, value in points.items():
            if not isinstance(value, int) or isinstance(value, bool):
                raise BallotError(f"{who}: points on project {pid} must be a whole number",
                                  ballot.voter_id, pid)
            if value < 0:
                raise BallotError(f"{who}: negative points on project {pid}",
                                  ballot.voter_id, pid, 0)
            if fmt.max_points_per_project is not None and value > fmt.max_points_per_project:
                raise BallotError(
                    f"{who}: {_plural(value, 'point')} on project {pid}, "
                    f"at most {fmt.max_points_per_project} per project",
                    ballot.voter_id, pid, fmt.max_points_per_project)
            if fmt.min_points is not None and value < fmt.min_points:
                raise BallotError(
                    f"{who}: {_plural(value, 'point')} on project {pid}, "
                    f"at least {fmt.min_points} per project",
                    ballot.voter_id, pid, fmt.min_points)
        total = sum(points.values())
        if fmt.max_sum_points is not None and total > fmt.max_sum_points:
            raise BallotError(
                f"{who}: {_plural(total, 'point')} given, at most {fmt.max_sum_points} allowed",
                ballot.voter_id, None, fmt.max_sum_points)
        if fmt.min_sum_points is not None and total < fmt.min_sum_points:
            raise BallotError(
                f"{who}: {_plural(total, 'point')} given, at least {fmt.min_sum_points} required",
                ballot.voter_id, None, fmt.min_sum_points)


def validate_election(election: Election) -> None:
    """Validate every ballot of an election (stops at the first :class:`BallotError`)."""
    pmap = election.project_map()
    for ballot in election.ballots:
        validate_ballot(election.ballot_format, ballot, pmap, election.budget)


def rank_points(election: Election) -> int:
    """Points for first place on a ranking ballot (k for a k-ranking)."""
    fmt = election.ballot_format
    k = fmt.rank_length or fmt.max_length
    if k is None:
        k = max((len(b.ranking) for b in election.ballots), default=0)
    return k


def count_scores(election: Election) -> tuple[dict[str, int], dict[str, int]]:
    """Count each project's score and number of supporters straight from the ballots.

    The score is what the cities' greedy orders by: approvals (approval,
    knapsack), the sum of points (cumulative, scoring), or for a k-ranking
    k points for first place, k-1 for second, ... (never below 1).

    Returns
    -------
    tuple[dict[str, int], dict[str, int]]
        ``(scores, votes)``; ``votes`` counts the voters who support the project.
    """
    scores = {p.id: 0 for p in election.projects}
    votes = {p.id: 0 for p in election.projects}
    kind = election.ballot_format.kind
    if kind in ("cumulative", "scoring"):
        for b in election.ballots:
            for pid, value in (b.points or {}).items():
                scores[pid] += value
                if value > 0:
                    votes[pid] += 1
    elif kind == "ranking":
        k = rank_points(election)
        for b in election.ballots:
            for pos, pid in enumerate(b.ranking):
                scores[pid] += max(k - pos, 1)
                votes[pid] += 1
    else:
        for b in election.ballots:
            for pid in b.approvals:
                votes[pid] += 1
        scores = dict(votes)
    return scores, votes
