"""The election data model: projects, ballot formats, ballots and elections.

Everything here is a plain, immutable-by-convention dataclass using only the
standard library, so that the web layer, the command line and a notebook can
build elections without touching pabutools.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

# Money in voting_rules: an exact number of WHOLE currency units, ``int`` when whole, else a
# ``Fraction`` (216829.41 is ``Fraction(21682941, 100)``), so one unit is still one unit.
Amount = int | Fraction

BALLOT_KINDS = ("approval", "knapsack", "cumulative", "scoring", "ranking")
# Kinds whose ballots are plain approvals (ticks), the only ones Phragmén is defined on.
APPROVAL_KINDS = ("approval", "knapsack")

# pabulib META vote_type -> our ballot kind ("knapsack" is approval + max_sum_cost)
VOTE_TYPES = {
    "approval": "approval",
    "choose-1": "approval",
    "cumulative": "cumulative",
    "scoring": "scoring",
    "ordinal": "ranking",
}


@dataclass(frozen=True)
class Project:
    """A project on a budget's ballot.

    Parameters
    ----------
    id : str
        The project id (pabulib ``project_id``).
    cost : int or Fraction
        The cost in whole currency units, exact (see :data:`Amount`); non-negative.
    name : str
        Human-readable title.
    categories : tuple[str, ...]
        Categories (pabulib ``category`` column, comma-separated there).
    extra : dict
        Any other PROJECTS column, as strings (for example ``votes``, ``selected``).
    """

    id: str
    cost: Amount
    name: str = ""
    categories: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class BallotFormat:
    """What a valid ballot looks like.

    Parameters
    ----------
    kind : str
        ``approval`` (tick projects, optionally k-approval with min/max length),
        ``knapsack`` (tick projects whose total cost is at most ``max_sum_cost``,
        by default the budget), ``cumulative`` (spread ``max_sum_points`` points),
        ``scoring`` (a score per project) or ``ranking`` (order up to
        ``rank_length`` projects).
    min_length, max_length : int, optional
        Fewest / most projects a ballot names.
    max_sum_cost : int or Fraction, optional
        Knapsack limit on the total cost of the ticked projects (an :data:`Amount`).
    max_sum_points, min_sum_points : int, optional
        Limits on the total points of a cumulative ballot.
    max_points_per_project, min_points : int, optional
        Limits on the points given to one project.
    rank_length : int, optional
        For rankings: how many projects are ranked (first place scores
        ``rank_length`` points, the next one less, ...).
    """

    kind: str = "approval"
    min_length: int | None = None
    max_length: int | None = None
    max_sum_cost: Amount | None = None
    max_sum_points: int | None = None
    min_sum_points: int | None = None
    max_points_per_project: int | None = None
    min_points: int | None = None
    rank_length: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in BALLOT_KINDS:
            raise ValueError(
                f"unknown ballot kind {self.kind!r}; allowed: {', '.join(BALLOT_KINDS)}"
            )

    @property
    def vote_type(self) -> str:
        """The pabulib ``vote_type`` for this format."""
        return {
            "approval": "approval",
            "knapsack": "approval",
            "cumulative": "cumulative",
            "scoring": "scoring",
            "ranking": "ordinal",
        }[self.kind]

    def to_meta(self) -> dict[str, str]:
        """Return the pabulib META entries describing this format."""
        meta = {"vote_type": self.vote_type}
        pairs = [
            ("min_length", self.min_length),
            ("max_length", self.max_length if self.kind != "ranking" else
             self.max_length or self.rank_length),
            ("max_sum_cost", self.max_sum_cost),
            ("min_sum_points", self.min_sum_points),
            ("max_sum_points", self.max_sum_points),
            ("min_points", self.min_points),
            ("max_points", self.max_points_per_project),
        ]
        for key, value in pairs:
            if value is not None:
                meta[key] = amount_text(value) if key == "max_sum_cost" else str(value)
        return meta

    @classmethod
    def from_meta(cls, meta: dict[str, str]) -> BallotFormat:
        """Build a format from pabulib META entries.

        ``choose-1`` becomes approval with ``max_length`` 1; approval with a
        ``max_sum_cost`` becomes ``knapsack``. Raises ``ValueError`` on an unknown
        vote type or a limit that is not a whole number.
        """
        vote_type = meta.get("vote_type", "approval").strip()
        if vote_type not in VOTE_TYPES:
            raise ValueError(
                f"unknown vote_type {vote_type!r}; allowed: {', '.join(VOTE_TYPES)}"
            )
        kind = VOTE_TYPES[vote_type]

        def num(key: str) -> int | None:
            raw = meta.get(key)
            if raw is None or raw.strip() == "" or raw.strip().lower() == "none":
                return None
            try:
                return parse_whole(raw)
            except ValueError:
                raise ValueError(f"META {key} must be a whole number, not {raw!r}") from None

        max_sum_cost = None
        raw_cost = meta.get("max_sum_cost")
        if raw_cost is not None and raw_cost.strip() and raw_cost.strip().lower() != "none":
            try:
                max_sum_cost = parse_amount(raw_cost)
            except ValueError:
                raise ValueError(f"META max_sum_cost must be an amount, not {raw_cost!r}") from None

        max_length = num("max_length")
        if vote_type == "choose-1" and max_length is None:
            max_length = 1
        if kind == "approval" and max_sum_cost is not None:
            kind = "knapsack"
        return cls(
            kind=kind,
            min_length=num("min_length"),
            max_length=max_length,
            max_sum_cost=max_sum_cost,
            max_sum_points=num("max_sum_points"),
            min_sum_points=num("min_sum_points"),
            max_points_per_project=num("max_points"),
            min_points=num("min_points"),
            rank_length=max_length if kind == "ranking" else None,
        )


def parse_whole(raw: str) -> int:
    """Parse a whole number written as ``12``, ``12.0`` or ``12.00``; else ``ValueError``."""
    text = raw.strip()
    if text.isdigit():
        return int(text)
    head, dot, tail = text.partition(".")
    if dot and head.isdigit() and tail and set(tail) == {"0"}:
        return int(head)
    raise ValueError(f"not a whole number: {raw!r}")


def parse_amount(raw: str) -> Amount:
    """Parse an amount of money written ``12``, ``12.50`` or ``12,50`` exactly; else ``ValueError``.

    Returns an ``int`` when the amount is whole (``12.00`` is ``12``), else a ``Fraction``
    (``216829.41`` is ``Fraction(21682941, 100)``). Negative amounts are refused.
    """
    text = raw.strip().replace(",", ".")
    head, dot, tail = text.partition(".")
    if not head.isdigit() or (dot and not (tail.isdigit() and tail.isascii())) or not head.isascii():
        raise ValueError(f"not an amount: {raw!r}")
    value = Fraction(int(head + tail), 10 ** len(tail)) if dot else Fraction(int(head))
    return int(value) if value.denominator == 1 else value


def amount_text(value: Amount) -> str:
    """An amount as exact decimal text, the inverse of :func:`parse_amount`: ``12``, ``216829.41``.

    Raises ``ValueError`` for a fraction that has no finite decimal form (like 1/3).
    """
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    twos = fives = 0
    den = value.denominator
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den != 1:
        raise ValueError(f"{value} has no exact decimal form")
    digits = max(twos, fives)
    sign = "-" if value < 0 else ""
    whole, part = divmod(abs(int(value * 10 ** digits)), 10 ** digits)
    return f"{sign}{whole}.{part:0{digits}d}"


@dataclass(frozen=True)
class Ballot:
    """One voter's ballot.

    Exactly one of the three shapes is used, according to the ballot format:
    ``approvals`` for approval/knapsack, ``points`` for cumulative/scoring
    (project id -> points, in the order the voter gave them), ``ranking`` for
    rankings (best first).

    Parameters
    ----------
    voter_id : str
        Anonymous voter id (in an export: the receipt hash).
    approvals : tuple[str, ...]
        Ticked project ids.
    points : dict[str, int], optional
        Points per project id.
    ranking : tuple[str, ...]
        Ranked project ids, best first.
    extra : dict
        Other VOTES columns (age, sex, neighborhood, ...), as strings.
    """

    voter_id: str
    approvals: tuple[str, ...] = ()
    points: dict[str, int] | None = field(default=None, hash=False)
    ranking: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def supported(self) -> tuple[str, ...]:
        """The project ids this ballot supports (ticked, given points > 0, or ranked)."""
        if self.points is not None:
            return tuple(p for p, v in self.points.items() if v > 0)
        if self.ranking:
            return self.ranking
        return self.approvals


@dataclass
class Election:
    """One budget's election: the projects, the ballot format and the ballots.

    Parameters
    ----------
    budget : int or Fraction
        Money available, in whole currency units, exact (see :data:`Amount`).
    projects : list[Project]
    ballot_format : BallotFormat
    ballots : list[Ballot]
    currency : str
    meta : dict
        Other pabulib META entries (kept verbatim for export).
    name : str
    warnings : list[str]
        What the reader forgave, one line each (``"line 12: voter 7 names project 3 twice; ..."``).
    incompatible : tuple of frozenset
        Groups of projects that cannot all be carried out: at most one project of each group is
        funded (Warszawa Bemowo 2022: 773 and 153 target the same site). Only the greedy rules
        can respect them; see :func:`check_incompatible`.
    """

    budget: Amount
    projects: list[Project]
    ballot_format: BallotFormat
    ballots: list[Ballot]
    currency: str = ""
    meta: dict = field(default_factory=dict)
    name: str = ""
    warnings: list[str] = field(default_factory=list, compare=False)
    incompatible: tuple[frozenset[str], ...] = ()

    def project_map(self) -> dict[str, Project]:
        """Projects by id."""
        return {p.id: p for p in self.projects}

    def excluded_by(self, funded: Iterable[str]) -> dict[str, str]:
        """Projects that cannot be funded beside ``funded``: project -> the funded one it excludes."""
        out: dict[str, str] = {}
        for pid in funded:
            for group in self.incompatible:
                if pid in group:
                    out.update({other: pid for other in group if other != pid and other not in out})
        return out


# The rules that can keep incompatible projects apart (they fund one project at a time in a
# fixed order, so the later project of a group is skipped).
EXCLUSION_RULES = ("greedy", "greedy-threshold", "greedy-no-skip")


def parse_incompatible(text: str) -> tuple[frozenset[str], ...]:
    """``"773,153|12,14"`` (pbengine's META ``incompatible``): groups separated by ``|``."""
    groups = []
    for part in text.split("|"):
        ids = [pid.strip() for pid in part.split(",") if pid.strip()]
        if ids:
            groups.append(frozenset(ids))
    return tuple(groups)


def incompatible_text(groups: Iterable[frozenset[str]]) -> str:
    """Inverse of :func:`parse_incompatible` (sorted, so the text is canonical)."""
    return "|".join(",".join(sorted(group)) for group in sorted(groups, key=sorted))


def check_incompatible(election: Election, rule: str) -> None:
    """Refuse groups that name unknown projects or one project, and rules that cannot keep them.

    Raises
    ------
    ValueError
    """
    known = {p.id for p in election.projects}
    for group in election.incompatible:
        if len(group) < 2:
            raise ValueError(f"an incompatible group needs two projects or more: {','.join(sorted(group))}")
        unknown = sorted(group - known)
        if unknown:
            raise ValueError(f"incompatible projects {', '.join(unknown)} are not in this election")
    if election.incompatible and rule not in EXCLUSION_RULES:
        raise ValueError(f"{rule} cannot keep incompatible projects apart; use one of "
                         f"{', '.join(EXCLUSION_RULES)}")
