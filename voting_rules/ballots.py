"""Ballot validation and per-project score counting."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

from voting_rules.election import Amount, Ballot, BallotFormat, Election, Project


class BallotErrorCode(StrEnum):
    """Which check of :func:`validate_ballot` a ballot fails: one stable code per check.

    The parameters each code's :class:`BallotError` carries (``project_id``, ``limit`` and
    ``params``) are listed beside it.
    """

    WRONG_FORMAT = "wrong_format"  # params: expected (the format's kind)
    RANKING_GAP = "ranking_gap"  # params: place (the first empty one), later (a filled one after it)
    UNKNOWN_PROJECT = "unknown_project"  # project_id
    DUPLICATE_PROJECT = "duplicate_project"  # project_id
    TOO_MANY = "too_many"  # limit (max_length); params: count
    TOO_FEW = "too_few"  # limit (min_length); params: count
    TOO_MANY_RANKED = "too_many_ranked"  # limit (rank_length); params: count
    OVER_COST_LIMIT = "over_cost_limit"  # limit (max_sum_cost or the budget); params: total
    POINTS_NOT_WHOLE = "points_not_whole"  # project_id; params: points
    NEGATIVE_POINTS = "negative_points"  # project_id, limit (0); params: points
    TOO_MANY_POINTS_ON_PROJECT = "too_many_points_on_project"  # project_id, limit; params: points
    TOO_FEW_POINTS_ON_PROJECT = "too_few_points_on_project"  # project_id, limit; params: points
    TOO_MANY_POINTS = "too_many_points"  # limit (max_sum_points); params: total
    TOO_FEW_POINTS = "too_few_points"  # limit (min_sum_points); params: total


class BallotError(ValueError):
    """A ballot breaks its budget's ballot format.

    ``str(error)`` is one English sentence naming the ballot, the project and the limit (for the
    command line and the pabulib reader); an application shows its own message for ``code``,
    filled in with the parameters.

    Attributes
    ----------
    code : BallotErrorCode
        Which check failed.
    message : str
        The English sentence.
    ballot_id, project_id : str or None
    limit : int, Fraction or None
        The limit that was broken, when there is one.
    params : dict
        The other values the check found (``count``, ``total``, ``points``, ``place``, ...).
    """

    def __init__(
        self,
        code: BallotErrorCode,
        message: str,
        ballot_id: str | None = None,
        project_id: str | None = None,
        limit: Amount | None = None,
        **params: Any,
    ) -> None:
        super().__init__(message)
        self.code = BallotErrorCode(code)
        self.message = message
        self.ballot_id = ballot_id
        self.project_id = project_id
        self.limit = limit
        self.params = params


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def validate_ballot(
    fmt: BallotFormat,
    ballot: Ballot,
    projects: Iterable[Project] | dict[str, Project],
    budget: Amount,
) -> None:
    """Check one ballot against its format; raise :class:`BallotError` if it breaks a rule.

    This is the one definition of a valid ballot: the checks run in this order and the first
    that fails is raised, its :class:`BallotErrorCode` saying which.

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
        For example ``"ballot v12: 4 projects ticked, at most 3 allowed"`` (code ``too_many``).
    """
    pmap = projects if isinstance(projects, dict) else {p.id: p for p in projects}
    who = f"ballot {ballot.voter_id}"
    Code = BallotErrorCode

    def refuse(code: BallotErrorCode, message: str, project_id: str | None = None,
               limit: Amount | None = None, **params: object) -> BallotError:
        return BallotError(code, f"{who}: {message}", ballot.voter_id, project_id, limit, **params)

    if fmt.kind in ("cumulative", "scoring"):
        if ballot.approvals or ballot.ranking:
            raise refuse(Code.WRONG_FORMAT, "this budget expects points, not ticks or a ranking",
                         expected=fmt.kind)
        named: Sequence[str] = list((ballot.points or {}).keys())
        verb = "given points"
    elif fmt.kind == "ranking":
        if ballot.approvals or ballot.points:
            raise refuse(Code.WRONG_FORMAT, "this budget expects a ranking", expected=fmt.kind)
        named = ballot.ranking
        verb = "ranked"
        # The places are the voter's: a gap is refused, never closed up (that would move a
        # project to a place the voter did not give it, and change its points).
        if "" in named:
            gap = named.index("") + 1
            later = next((place for place, pid in enumerate(named, 1) if place > gap and pid), None)
            if later is not None:
                raise refuse(Code.RANKING_GAP, f"place {gap} of the ranking is empty but place {later} is filled",
                             place=gap, later=later)
    else:
        if ballot.points or ballot.ranking:
            raise refuse(Code.WRONG_FORMAT, "this budget expects ticked projects", expected=fmt.kind)
        named = ballot.approvals
        verb = "ticked"

    seen: set[str] = set()
    for pid in named:
        if pid not in pmap:
            raise refuse(Code.UNKNOWN_PROJECT, f"project {pid} is not on this budget", pid)
        if pid in seen:
            raise refuse(Code.DUPLICATE_PROJECT, f"project {pid} appears more than once", pid)
        seen.add(pid)

    n = len(named)
    if fmt.max_length is not None and n > fmt.max_length:
        raise refuse(Code.TOO_MANY, f"{_plural(n, 'project')} {verb}, at most {fmt.max_length} allowed",
                     limit=fmt.max_length, count=n)
    if fmt.min_length is not None and n < fmt.min_length:
        raise refuse(Code.TOO_FEW, f"{_plural(n, 'project')} {verb}, at least {fmt.min_length} required",
                     limit=fmt.min_length, count=n)
    if fmt.kind == "ranking" and fmt.rank_length is not None and n > fmt.rank_length:
        raise refuse(Code.TOO_MANY_RANKED, f"{_plural(n, 'project')} ranked, at most {fmt.rank_length} allowed",
                     limit=fmt.rank_length, count=n)

    if fmt.kind == "knapsack":
        limit = fmt.max_sum_cost if fmt.max_sum_cost is not None else budget
        total = sum(pmap[p].cost for p in named)
        if total > limit:
            raise refuse(Code.OVER_COST_LIMIT, f"total cost {total} exceeds the limit {limit}",
                         limit=limit, total=total)

    if fmt.kind in ("cumulative", "scoring"):
        points = ballot.points or {}
        for pid, value in points.items():
            if not isinstance(value, int) or isinstance(value, bool):
                raise refuse(Code.POINTS_NOT_WHOLE, f"points on project {pid} must be a whole number", pid,
                             points=value)
            if value < 0:
                raise refuse(Code.NEGATIVE_POINTS, f"negative points on project {pid}", pid, 0, points=value)
            most = fmt.max_points_per_project
            if most is not None and value > most:
                raise refuse(Code.TOO_MANY_POINTS_ON_PROJECT,
                             f"{_plural(value, 'point')} on project {pid}, at most {most} per project",
                             pid, most, points=value)
            least = fmt.min_points
            if least is not None and value < least:
                raise refuse(Code.TOO_FEW_POINTS_ON_PROJECT,
                             f"{_plural(value, 'point')} on project {pid}, at least {least} per project",
                             pid, least, points=value)
        total = sum(points.values())
        if fmt.max_sum_points is not None and total > fmt.max_sum_points:
            raise refuse(Code.TOO_MANY_POINTS,
                         f"{_plural(total, 'point')} given, at most {fmt.max_sum_points} allowed",
                         limit=fmt.max_sum_points, total=total)
        if fmt.min_sum_points is not None and total < fmt.min_sum_points:
            raise refuse(Code.TOO_FEW_POINTS,
                         f"{_plural(total, 'point')} given, at least {fmt.min_sum_points} required",
                         limit=fmt.min_sum_points, total=total)


def validate_election(election: Election) -> None:
    """Validate every ballot of an election (stops at the first :class:`BallotError`)."""
    pmap = election.project_map()
    for ballot in election.ballots:
        validate_ballot(election.ballot_format, ballot, pmap, election.budget)


def limit_breaches(election: Election) -> list[BallotError]:
    """Every ballot that breaks the election's own limits (a file's META: length, knapsack cost,
    points): the error of each (``str()`` names the voter; ``code`` and its parameters say which limit); the
    count still takes these ballots as they are."""
    pmap = election.project_map()
    found = []
    for ballot in election.ballots:
        try:
            validate_ballot(election.ballot_format, ballot, pmap, election.budget)
        except BallotError as exc:
            found.append(exc)
    return found


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
