"""Goals and organisation types in a pabulib file's ``category`` and ``target`` columns.

pabulib writes both columns as comma-separated lists of short lowercase English words
("environmental protection,public space"; "seniors,families with children"), ``None`` when
empty. The export writes:

- ``category``: the project's own categories, then one entry per Sustainable Development Goal,
  ``sdg <n> <the goal's English name>`` ("sdg 7 affordable and clean energy"), commas and
  semicolons left out of the names;
- ``target``: the type of the social and solidarity economy organisation carrying the project
  ("cooperative", "social enterprise", ...), ``None`` when not given.

The import reads them back (:func:`read_tags`): an ``sdg <n>`` category becomes the goal, a known
``target`` the organisation type; other categories stay categories.
"""

from __future__ import annotations

import re

from .. import labels

SDG_TAG = re.compile(r"^sdg\s*(\d{1,2})\b", re.IGNORECASE)


def clean(text: str) -> str:
    """``text`` as one entry of a pabulib list: no comma or semicolon, single spaces."""
    return " ".join(re.sub(r"[,;]", " ", str(text)).split())


def goal_tag(number: int) -> str:
    return clean(f"sdg {number} {str(labels.SDG_NAMES[number]).lower()}")


def type_tag(key: str) -> str:
    label = labels.ORGANISATION_TYPES.get(key)
    return clean(str(label).lower() if label is not None else key.replace("-", " "))


TYPE_BY_TAG = {type_tag(key): key for key in labels.ORGANISATION_TYPES}


def categories_for(categories, sdgs) -> tuple[str, ...]:
    """The ``category`` entries of a project: its own categories, then its goals."""
    own = [clean(c) for c in (categories or []) if clean(c)]
    goals = [goal_tag(int(n)) for n in sorted({int(n) for n in (sdgs or [])}) if int(n) in labels.SDG_NAMES]
    return tuple(own + goals)


def target_for(organisation_type: str | None) -> str | None:
    """The ``target`` entry of a project (None: not given)."""
    return type_tag(organisation_type) if organisation_type else None


def read_tags(categories, target: str | None) -> tuple[list[str], list[int], str | None]:
    """``(categories, goals, organisation type)`` from a file's ``category`` entries and ``target``."""
    own, goals = [], []
    for entry in categories or ():
        match = SDG_TAG.match(entry.strip())
        if match and int(match.group(1)) in labels.SDG_NAMES:
            goals.append(int(match.group(1)))
        elif entry.strip():
            own.append(entry.strip())
    organisation = None
    for entry in (target or "").split(","):
        organisation = organisation or TYPE_BY_TAG.get(clean(entry).lower())
    return own, sorted(set(goals)), organisation


__all__ = ["categories_for", "clean", "goal_tag", "read_tags", "target_for", "type_tag"]
