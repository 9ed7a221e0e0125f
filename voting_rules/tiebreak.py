"""Tie-breaking chains: a total, platform-independent order of projects."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence

from voting_rules.election import Project


def natural_key(project_id: str) -> tuple:
    """Order ids naturally: ``"2" < "10"``, ``"p2" < "p10"``; text compared as text."""
    parts = re.split(r"(\d+)", project_id)
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts) + (
        (2, 0, project_id),
    )


def lottery_key(seed: str, project_id: str) -> str:
    """The lottery position: hex sha256 of ``seed + ":" + project_id`` (lower goes first)."""
    return hashlib.sha256(f"{seed}:{project_id}".encode()).hexdigest()


def chain_key(
    chain: Sequence[str], votes: dict[str, int]
) -> Callable[[Project], tuple]:
    """A sort key for a tie-break chain; the project that sorts first wins the tie.

    Parameters
    ----------
    chain : sequence of str
        Items ``votes`` (more supporters first), ``lower-cost``, ``higher-cost``,
        ``id`` (natural order) and ``lottery:<seed>``. ``id`` is always appended
        so the order is total.
    votes : dict[str, int]
        Number of supporters per project id.
    """
    items = list(chain)
    if "id" not in items:
        items.append("id")

    def key(project: Project) -> tuple:
        pid = _pid(project)
        parts: list = []
        for item in items:
            if item == "votes":
                parts.append(-votes.get(pid, 0))
            elif item == "lower-cost":
                parts.append(project.cost)
            elif item == "higher-cost":
                parts.append(-project.cost)
            elif item == "id":
                parts.append(natural_key(pid))
            else:
                parts.append(lottery_key(item[len("lottery:"):], pid))
        return tuple(parts)

    return key


def _pid(project) -> str:
    return project.id if hasattr(project, "id") else project.name
