"""Write pabulib ``.pb`` files (https://pabulib.org/format).

:func:`write_pb` writes a file that pabutools' own ``parse_pabulib`` reads back to the same
instance and profile (and ``voting_rules.pabulib_read.read_pb`` to the same election).
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

from voting_rules.election import Election, amount_text, incompatible_text

if TYPE_CHECKING:
    from voting_rules.result import TallyResult


def election_as_text(election: Election, result: TallyResult | None = None) -> str:
    """The pabulib text of an election (see :func:`write_pb`)."""
    fmt = election.ballot_format
    meta = dict(election.meta)
    fmt_meta = fmt.to_meta()
    if meta.get("vote_type") == "choose-1" and fmt.kind == "approval" and fmt.max_length == 1:
        fmt_meta["vote_type"] = "choose-1"
    for key in ("min_length", "max_length", "max_sum_cost", "min_sum_points",
                "max_sum_points", "min_points", "max_points"):
        if key not in fmt_meta:
            meta.pop(key, None)
    meta.update({"num_projects": str(len(election.projects)),
                 "num_votes": str(len(election.ballots)),
                 "budget": amount_text(election.budget)})
    meta.update(fmt_meta)
    if election.currency:
        meta["currency"] = election.currency
    if election.name and "description" not in meta:
        meta["description"] = election.name
    if election.incompatible:
        meta["incompatible"] = incompatible_text(election.incompatible)
    else:
        meta.pop("incompatible", None)

    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n")
    out.write("META\n")
    w.writerow(["key", "value"])
    for key, value in meta.items():
        w.writerow([key, value])

    extra_keys: list[str] = []
    for p in election.projects:
        for key in p.extra:
            if key not in extra_keys:
                extra_keys.append(key)
    added = []
    if result is not None:
        added = (["votes", "selected"] if fmt.kind in ("approval", "knapsack")
                 else ["votes", "score", "selected"])
        extra_keys = [k for k in extra_keys if k not in added]
    cols = ["project_id", "cost"]
    if any(p.name for p in election.projects):
        cols.append("name")
    if any(p.categories for p in election.projects):
        cols.append("category")
    cols += extra_keys + added
    out.write("PROJECTS\n")
    w.writerow(cols)
    funded = set(result.funded) if result is not None else set()
    for p in election.projects:
        row = [p.id, amount_text(p.cost)]
        if "name" in cols:
            row.append(p.name or "None")
        if "category" in cols:
            row.append(",".join(p.categories) if p.categories else "None")
        row += [p.extra.get(k, "None") for k in extra_keys]
        if result is not None:
            row.append(str(result.votes.get(p.id, 0)))
            if "score" in added:
                row.append(str(result.scores.get(p.id, 0)))
            row.append("1" if p.id in funded else "0")
        w.writerow(row)

    vote_extra: list[str] = []
    for b in election.ballots:
        for key in b.extra:
            if key not in vote_extra:
                vote_extra.append(key)
    cardinal = fmt.kind in ("cumulative", "scoring")
    vcols = ["voter_id", "vote"] + (["points"] if cardinal else []) + vote_extra
    out.write("VOTES\n")
    w.writerow(vcols)
    for b in election.ballots:
        if cardinal:
            pts = b.points or {}
            if pts:
                row = [b.voter_id, ",".join(pts), ",".join(str(v) for v in pts.values())]
            else:  # pabutools reads an empty cardinal ballot only from "None"
                row = [b.voter_id, "None", "None"]
        else:
            row = [b.voter_id, ",".join(b.ranking if fmt.kind == "ranking" else b.approvals)]
        row += [b.extra.get(k, "None") for k in vote_extra]
        w.writerow(row)
    return out.getvalue()


def write_pb(election: Election, dest: str | os.PathLike | io.TextIOBase | None = None,
             result: TallyResult | None = None) -> str:
    """Write an election as a pabulib file.

    Parameters
    ----------
    election : Election
    dest : path, text file object or None
        Where to write; ``None`` only returns the text.
    result : TallyResult, optional
        When given, PROJECTS gets ``votes`` (and ``score`` for points/rankings)
        and ``selected`` (1 for funded projects).

    Returns
    -------
    str
        The text written.
    """
    text = election_as_text(election, result)
    if dest is None:
        return text
    if isinstance(dest, str | os.PathLike):
        Path(dest).write_text(text, encoding="utf-8")
    else:
        dest.write(text)
    return text
