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

# pabulib META "rule" -> (rule, completion); every engine rule name too (what the export writes
# when pabulib has no name for a configuration). Any other name, "unknown" included, falls back
# to greedy: see :func:`meta_rule_fallback`.
META_RULES = {
    "greedy": ("greedy", None),
    "greedy-threshold": ("greedy-threshold", None),
    "greedy-no-skip": ("greedy-no-skip", None),
    # greedy that skips a project incompatible with one already funded (the groups: META
    # ``incompatible`` or ``pbengine tally --incompatible``)
    "greedy-exclusive": ("greedy", None),
    "equalshares": ("equal-shares", "none"),
    "equalshares/add1": ("equal-shares", "add1"),
    "equalshares/add1-comparison": ("equal-shares-comparison", "add1-overspend"),
    **{name: (name, None) for name in RULE_NAMES},
}
# META keys the export writes beside "rule", so that a file reads back with exactly its parameters.
META_PARAM_KEYS = ("pbengine_rule", "satisfaction", "completion", "tie_break")


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
        values: dict = json.loads(data) if isinstance(data, str) else data
        known = {"rule", "satisfaction", "completion", "tie_break", "threshold"}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown tally parameter(s): {', '.join(sorted(unknown))}")
        return cls(**{**values, "tie_break": tuple(values.get("tie_break", cls.tie_break))})


def parse_tie_break(text: str) -> tuple[str, ...]:
    """Parse ``"votes,lower-cost,id"`` into a tuple (validated by :class:`TallyParams`)."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


def meta_rule_fallback(meta: dict[str, str]) -> str | None:
    """The META rule name when this engine does not know it and counts with greedy instead.

    ``None`` when the file names a known rule (or pbengine's own ``pbengine_rule``); else the
    name as written (``"unknown"`` for a missing rule). Callers warn before counting.
    """
    if (meta.get("pbengine_rule") or "").strip() in RULE_NAMES:
        return None
    name = (meta.get("rule") or "").strip() or "unknown"
    return None if name in META_RULES else name


def params_from_meta(meta: dict[str, str]) -> TallyParams:
    """The tally parameters a pabulib file's META names.

    A file written by pbengine's export names its exact parameters (``pbengine_rule``,
    ``satisfaction``, ``completion``, ``tie_break``); they are used as written. Otherwise
    ``rule``: ``greedy``/``greedy-threshold``/``greedy-no-skip`` map to the rules of the same
    name (threshold from ``min_project_score_threshold``), ``equalshares/add1`` to
    ``equal-shares`` with completion ``add1``, ``equalshares/add1-comparison`` to
    ``equal-shares-comparison`` with completion ``add1-overspend``, an engine rule name to
    that rule, ``greedy-exclusive`` to ``greedy`` (which skips incompatible projects when the
    election names groups), and anything else (a missing rule, ``unknown``...) to
    ``greedy``: check :func:`meta_rule_fallback` first and say so.

    Raises
    ------
    ValueError
        For parameters that are not valid (an unknown completion, a bad threshold).
    """
    own = (meta.get("pbengine_rule") or "").strip()
    if own in RULE_NAMES:
        rule, completion = own, (meta.get("completion") or "").strip() or None
    else:
        name = (meta.get("rule") or "").strip() or "unknown"
        rule, completion = META_RULES.get(name, ("greedy", None))
    threshold = None
    if rule == "greedy-threshold":
        raw = meta.get("min_project_score_threshold", "0")
        try:
            threshold = int(float(raw))
        except ValueError:
            raise ValueError(f"min_project_score_threshold {raw!r} is not a number") from None
    kwargs: dict = {"completion": completion} if completion else {}
    if own in RULE_NAMES:
        if (meta.get("satisfaction") or "").strip():
            kwargs["satisfaction"] = meta["satisfaction"].strip()
        if (meta.get("tie_break") or "").strip():
            kwargs["tie_break"] = parse_tie_break(meta["tie_break"])
    return TallyParams(rule=rule, threshold=threshold, **kwargs)
