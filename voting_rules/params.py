"""Tally parameters: which rule, satisfaction, completion and tie-breaking."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

RULE_NAMES = (
    "greedy",
    "greedy-threshold",
    "greedy-no-skip",
    "utilitarian",
    "equal-shares",
    "equal-shares-add1-overspend",
    "equal-shares-comparison",
    "phragmen",
)
SATISFACTIONS = ("cost", "cardinality")
COMPLETIONS = ("none", "add1", "add1-greedy", "add1-overspend")
TIE_BREAKS = ("votes", "lower-cost", "higher-cost", "id", "lottery:<seed>")

# pabulib META "rule" -> (rule, completion)
META_RULES = {
    "greedy": ("greedy", None),
    "greedy-threshold": ("greedy-threshold", None),
    "greedy-no-skip": ("greedy-no-skip", None),
    "equalshares": ("equal-shares", "none"),
    "equalshares/add1": ("equal-shares", "add1"),
    "equalshares/add1-comparison": ("equal-shares-comparison", "add1-overspend"),
    "unknown": ("greedy", None),
}


def _check(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; allowed: {', '.join(allowed)}")


@dataclass(frozen=True)
class TallyParams:
    """Everything besides the election that decides an outcome.

    Parameters
    ----------
    rule : str
        One of :data:`RULE_NAMES`.
    satisfaction : str
        ``cost`` (a voter's satisfaction is the money spent on projects they
        support) or ``cardinality`` (the number of such projects). For the greedy
        family ``cost`` orders by votes/points (the cities' rule) and
        ``cardinality`` by votes per unit of cost.
    completion : str
        Equal shares only: ``none``, ``add1`` (raise every voter's share one unit
        at a time until the outcome exhausts the budget), ``add1-greedy``
        (``add1`` then a greedy pass) or ``add1-overspend`` (Wieliczka: keep
        raising one unit per voter until the outcome would overspend).
    tie_break : tuple[str, ...]
        Chain of ``votes``, ``lower-cost``, ``higher-cost``, ``id``,
        ``lottery:<seed>``; ``id`` is implied at the end so that order is total.
    threshold : int, optional
        ``greedy-threshold``: projects scoring less are not eligible.
    """

    rule: str = "greedy"
    satisfaction: str = "cost"
    completion: str = "add1-greedy"
    tie_break: tuple[str, ...] = ("votes", "lower-cost", "id")
    threshold: int | None = None

    def __post_init__(self) -> None:
        _check(self.rule, RULE_NAMES, "rule")
        _check(self.satisfaction, SATISFACTIONS, "satisfaction")
        _check(self.completion, COMPLETIONS, "completion")
        if isinstance(self.tie_break, str):
            object.__setattr__(self, "tie_break", parse_tie_break(self.tie_break))
        else:
            object.__setattr__(self, "tie_break", tuple(self.tie_break))
        for item in self.tie_break:
            if item.startswith("lottery:"):
                if not item[len("lottery:"):]:
                    raise ValueError("tie-break 'lottery:' needs a seed, e.g. 'lottery:2027'")
            else:
                _check(item, TIE_BREAKS[:-1] + ("lottery:<seed>",), "tie-break")
        if self.threshold is not None and (
            not isinstance(self.threshold, int) or self.threshold < 0
        ):
            raise ValueError(f"threshold must be a non-negative whole number, not {self.threshold!r}")

    def to_json(self) -> dict:
        """A JSON-serialisable dict."""
        data = asdict(self)
        data["tie_break"] = list(self.tie_break)
        return data

    @classmethod
    def from_json(cls, data: dict | str) -> TallyParams:
        """Inverse of :meth:`to_json` (accepts the dict or its JSON text)."""
        if isinstance(data, str):
            data = json.loads(data)
        known = {"rule", "satisfaction", "completion", "tie_break", "threshold"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown tally parameter(s): {', '.join(sorted(unknown))}")
        return cls(**{**data, "tie_break": tuple(data.get("tie_break", cls.tie_break))})


def parse_tie_break(text: str) -> tuple[str, ...]:
    """Parse ``"votes,lower-cost,id"`` into a tuple (validated by :class:`TallyParams`)."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


def params_from_meta(meta: dict[str, str]) -> TallyParams:
    """The tally parameters a pabulib file's META ``rule`` names.

    ``greedy``/``greedy-threshold``/``greedy-no-skip`` map to the rules of the same
    name (threshold from ``min_project_score_threshold``), ``equalshares/add1`` to
    ``equal-shares`` with completion ``add1``, ``equalshares/add1-comparison`` to
    ``equal-shares-comparison`` with completion ``add1-overspend``, and a missing
    or ``unknown`` rule to ``greedy``.

    Raises
    ------
    ValueError
        For a rule name this engine does not know.
    """
    name = meta.get("rule", "unknown").strip() or "unknown"
    if name not in META_RULES:
        raise ValueError(f"unknown META rule {name!r}; known: {', '.join(META_RULES)}")
    rule, completion = META_RULES[name]
    threshold = None
    if rule == "greedy-threshold":
        raw = meta.get("min_project_score_threshold", "0")
        try:
            threshold = int(float(raw))
        except ValueError:
            raise ValueError(f"min_project_score_threshold {raw!r} is not a number") from None
    kwargs = {"completion": completion} if completion else {}
    return TallyParams(rule=rule, threshold=threshold, **kwargs)
