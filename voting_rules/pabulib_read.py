"""Read pabulib ``.pb`` files (https://pabulib.org/format).

:func:`read_pb` validates as it reads and reports the first problem as one
:class:`PabulibError` with a line number. Writing a file is ``voting_rules.pabulib_write``.
"""

from __future__ import annotations

import csv
import io
import os

from voting_rules.ballots import BallotError, validate_ballot
from voting_rules.election import (
    VOTE_TYPES,
    Amount,
    Ballot,
    BallotFormat,
    Election,
    Project,
    parse_amount,
    parse_incompatible,
    parse_whole,
)

SECTIONS = ("meta", "projects", "votes")


class PabulibError(ValueError):
    """A malformed pabulib file; ``str()`` is one line ``"line N: ..."``."""

    def __init__(self, line_no: int, message: str) -> None:
        super().__init__(f"line {line_no}: {message}")
        self.line_no = line_no
        self.message = message


def _load_text(source: str | os.PathLike) -> str:
    if isinstance(source, os.PathLike) or ("\n" not in source and "\r" not in source
                                           and os.path.exists(source)):
        with open(source, encoding="utf-8-sig", newline="") as fh:
            return fh.read()
    if "\n" not in source and source.endswith(".pb"):
        raise FileNotFoundError(f"no such file: {source}")
    return source.lstrip("\ufeff")


def _is_blank(row: list[str]) -> bool:
    return all(not cell.strip() for cell in row)


def read_pb(source: str | os.PathLike, validate: bool = False) -> Election:
    """Read a pabulib file.

    Parameters
    ----------
    source : str or path-like
        A path to a ``.pb`` file, or the file's text.
    validate : bool
        Also check every ballot against the META limits (first failure raised
        as :class:`PabulibError` with the ballot's line).

    Returns
    -------
    Election

    Raises
    ------
    PabulibError
        On the first problem found, with its line number.
    """
    text = _load_text(source)
    if not text.strip():
        raise PabulibError(1, "the file is empty")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    meta: dict[str, str] = {}
    meta_lines: dict[str, int] = {}
    projects: list[Project] = []
    project_ids: set[str] = set()
    ballots: list[Ballot] = []
    voter_ids: set[str] = set()
    ballot_lines: list[int] = []
    seen: dict[str, int] = {}
    section = ""
    header: list[str] = []
    kind = ""

    warnings: list[str] = []

    def fail(msg: str) -> PabulibError:
        return PabulibError(reader.line_num, msg)

    def warn(msg: str) -> None:
        warnings.append(f"line {reader.line_num}: {msg}")

    try:
        for row in reader:
            if _is_blank(row):
                continue
            first = row[0].strip().lower()
            if first in SECTIONS and _is_blank(row[1:]):
                if first in seen:
                    raise fail(f"second {first.upper()} section (first one on line {seen[first]})")
                expected = SECTIONS[len(seen)] if len(seen) < 3 else ""
                if first != expected:
                    raise fail(f"{first.upper()} section found, expected the "
                               f"{expected.upper()} section first")
                seen[first] = reader.line_num
                section = first
                header = []
                for hrow in reader:
                    if not _is_blank(hrow):
                        header = [h.strip() for h in hrow]
                        break
                if not header:
                    raise fail(f"the {first.upper()} section has no header line")
                if len(header) == 1 and "," in header[0]:
                    raise fail(f"{first.upper()} header {header[0]!r} is separated by commas; "
                               "pabulib fields are separated by ';'")
                if section == "meta" and len(header) != 2:
                    raise fail("the META header must be 'key;value'")
                if section == "projects":
                    kind = _start_projects(meta, meta_lines, fail)
                    if "project_id" not in header or "cost" not in header:
                        raise fail("the PROJECTS header needs 'project_id' and 'cost' columns")
                if section == "votes":
                    if "voter_id" not in header or "vote" not in header:
                        raise fail("the VOTES header needs 'voter_id' and 'vote' columns")
                    if kind in ("cumulative", "scoring") and "points" not in header:
                        raise fail(f"{kind} votes need a 'points' column")
                continue
            if not section:
                raise fail("the file must start with a META section")
            if len(row) != len(header):
                sep = " (fields are separated by ';')" if len(row) == 1 and "," in row[0] else ""
                raise fail(f"{len(row)} fields but the {section.upper()} header has "
                           f"{len(header)}{sep}")
            if section == "meta":
                key = row[0].strip()
                meta[key] = row[1].strip()
                meta_lines[key] = reader.line_num
            elif section == "projects":
                proj = _project(dict(zip(header, row, strict=True)), fail)
                if proj.id in project_ids:
                    raise fail(f"duplicate project id {proj.id}")
                project_ids.add(proj.id)
                projects.append(proj)
            else:
                ballot = _ballot(dict(zip(header, row, strict=True)), kind, project_ids, fail, warn)
                if ballot.voter_id in voter_ids:
                    raise fail(f"duplicate voter id {ballot.voter_id}")
                voter_ids.add(ballot.voter_id)
                ballots.append(ballot)
                ballot_lines.append(reader.line_num)
    except csv.Error as exc:
        raise fail(f"unreadable CSV: {exc}") from None

    for name in SECTIONS:
        if name not in seen:
            raise PabulibError(reader.line_num, f"the {name.upper()} section is missing")
    fmt = BallotFormat.from_meta(meta)
    budget = _amount_meta(meta, meta_lines, "budget")
    for key, count in (("num_projects", len(projects)), ("num_votes", len(ballots))):
        declared = _whole_meta(meta, meta_lines, key)
        if declared is not None and declared != count:
            what = "projects" if key == "num_projects" else "votes"
            raise PabulibError(meta_lines[key],
                               f"META {key} is {declared} but the file has {count} {what}")
    election = Election(
        budget=budget,
        projects=projects,
        ballot_format=fmt,
        ballots=ballots,
        currency=meta.get("currency", ""),
        meta=meta,
        name=meta.get("description", ""),
        warnings=warnings,
        incompatible=parse_incompatible(meta.get("incompatible", "")),
    )
    known = {p.id for p in projects}
    for group in election.incompatible:
        if len(group) < 2 or not group <= known:
            raise PabulibError(meta_lines["incompatible"],
                               f"META incompatible {meta['incompatible']!r}: each group needs two "
                               "projects or more of this file, separated by commas (groups by |)")
    if validate:
        pmap = election.project_map()
        for ballot, line in zip(ballots, ballot_lines, strict=True):
            try:
                validate_ballot(fmt, ballot, pmap, budget)
            except BallotError as exc:
                raise PabulibError(line, exc.message) from None
    return election


def _whole_meta(meta: dict, lines: dict, key: str, required: bool = False) -> int | None:
    raw = meta.get(key)
    if raw is None:
        if required:
            raise PabulibError(max(lines.values(), default=1), f"META has no {key}")
        return None
    try:
        return parse_whole(raw.replace(",", "."))
    except ValueError:
        raise PabulibError(lines[key], f"META {key} {raw!r} is not a whole number") from None


def _amount_meta(meta: dict, lines: dict, key: str) -> Amount:
    raw = meta.get(key)
    if raw is None:
        raise PabulibError(max(lines.values(), default=1), f"META has no {key}")
    try:
        return parse_amount(raw)
    except ValueError:
        raise PabulibError(lines[key], f"META {key} {raw!r} is not an amount") from None


def _start_projects(meta: dict, meta_lines: dict, fail) -> str:
    """Check the META before the projects; return the ballot kind."""
    vote_type = meta.get("vote_type")
    if vote_type is None:
        raise fail("META has no vote_type")
    if vote_type not in VOTE_TYPES:
        raise PabulibError(meta_lines["vote_type"],
                           f"unknown vote_type {vote_type!r}; allowed: {', '.join(VOTE_TYPES)}")
    _amount_meta(meta, meta_lines, "budget")
    try:
        BallotFormat.from_meta(meta)
    except ValueError as exc:
        raise fail(str(exc)) from None
    return VOTE_TYPES[vote_type]


def _present(value: str) -> bool:
    return value.strip().lower() != "none"


def _project(fields: dict[str, str], fail) -> Project:
    pid = fields["project_id"].strip()
    if not pid:
        raise fail("empty project_id")
    raw = fields["cost"].strip()
    try:
        cost = parse_amount(raw)
    except ValueError:
        if raw.startswith("-"):
            raise fail(f"cost {raw} of project {pid} is negative") from None
        raise fail(f"cost {raw!r} of project {pid} is not an amount") from None
    categories: tuple[str, ...] = ()
    extra: dict[str, str] = {}
    for key, value in fields.items():
        if key in ("project_id", "cost", "name") or not _present(value):
            continue
        if key in ("category", "categories"):
            categories = tuple(c.strip() for c in value.split(","))
        else:
            extra[key] = value.strip()
    name = fields.get("name", "")
    return Project(pid, cost, name.strip() if _present(name) else "", categories, extra)


def _ids(raw: str, known: set[str], fail) -> list[str]:
    ids = [p.strip() for p in raw.split(",")] if _present(raw) else []
    ids = [p for p in ids if p]
    for pid in ids:
        if pid not in known:
            raise fail(f"vote names project {pid}, which is not in PROJECTS")
    return ids


def _ballot(fields: dict[str, str], kind: str, known: set[str], fail, warn) -> Ballot:
    """One VOTES line. A project named twice counts once (its points added), with a warning."""
    voter = fields["voter_id"].strip()
    if not voter:
        raise fail("empty voter_id")
    if kind == "ranking" and _present(fields["vote"]):
        # A ranking's places are its order: "a,,c" leaves place 2 empty, it is not "a,c".
        places = [p.strip() for p in fields["vote"].split(",")]
        while places and not places[-1]:
            places.pop()
        if "" in places:
            raise fail(f"voter {voter} leaves place {places.index('') + 1} of the ranking empty "
                       f"before a filled place")
    ids = _ids(fields["vote"], known, fail)
    twice = sorted({pid for pid in ids if ids.count(pid) > 1}, key=ids.index)
    extra = {k: v.strip() for k, v in fields.items()
             if k not in ("voter_id", "vote", "points") and _present(v)}
    if kind in ("cumulative", "scoring"):
        raw = fields.get("points", "")
        pts = [p.strip() for p in raw.split(",") if p.strip()] if _present(raw) else []
        if len(pts) != len(ids):
            raise fail(f"voter {voter} lists {len(ids)} projects but {len(pts)} points")
        try:
            values = [parse_whole(p) for p in pts]
        except ValueError:
            raise fail(f"voter {voter} has points that are not whole numbers: {raw}") from None
        points: dict[str, int] = {}
        for pid, value in zip(ids, values, strict=True):
            points[pid] = points.get(pid, 0) + value
        for pid in twice:
            warn(f"voter {voter} names project {pid} {ids.count(pid)} times; its points are added "
                 f"({points[pid]})")
        return Ballot(voter, points=points, extra=extra)
    unique = tuple(dict.fromkeys(ids))
    for pid in twice:
        where = "; its first place is kept" if kind == "ranking" else ""
        warn(f"voter {voter} names project {pid} {ids.count(pid)} times; counted once{where}")
    if kind == "ranking":
        return Ballot(voter, ranking=unique, extra=extra)
    return Ballot(voter, approvals=unique, extra=extra)
