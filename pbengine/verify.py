"""Check an audit export with no database: only its files, ``voting_rules`` and the standard library.

:func:`verify` recounts every budget from its ``.pb`` file with the parameters in
``result.json``, and checks ``SHA256SUMS``, the audit log's hash chain, and that each
``.pb`` holds exactly the ballots the log sealed at the close (``ballots.sealed``: their
number and the SHA-256 of their sorted receipt hashes). It returns the list of
differences; an empty list means the export MATCHes.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from voting_rules import PabulibError, TallyParams, compute, election_digest, read_pb
from voting_rules.result import exact_json

from .chain import chain_problems, receipts_digest

MAX_FILE_BYTES = 2 * 1024**3
KNOWN_SCHEMAS = {1}


class UnreadableExport(Exception):
    """The path is not an export folder or zip, or its result.json cannot be read."""


# ---------------------------------------------------------------- reading


def load(path: str | Path) -> dict[str, bytes]:
    """The export's files by name, from a folder or a zip (with or without one top folder)."""
    path = Path(path)
    if path.is_dir():
        return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()}
    if not path.is_file():
        raise UnreadableExport(f"{path}: no such folder or file")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            if any(i.file_size > MAX_FILE_BYTES for i in infos):
                raise UnreadableExport(f"{path}: a file in the zip is too large")
            tops = {i.filename.split("/", 1)[0] for i in infos}
            strip = len(tops) == 1 and all("/" in i.filename for i in infos)
            return {(i.filename.split("/", 1)[1] if strip else i.filename): archive.read(i) for i in infos}
    except (zipfile.BadZipFile, OSError) as error:
        raise UnreadableExport(f"{path}: not an export folder or zip ({error})") from None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- checks


def check_sums(files: dict[str, bytes]) -> list[str]:
    if "SHA256SUMS" not in files:
        return ["SHA256SUMS is missing"]
    problems = []
    listed = set()
    for number, line in enumerate(files["SHA256SUMS"].decode("utf-8", "replace").splitlines(), start=1):
        digest, _sep, name = line.partition("  ")
        name = name.lstrip("*")
        if not name:
            problems.append(f"SHA256SUMS line {number} is not '<sha256>  <file>'")
            continue
        listed.add(name)
        if name not in files:
            problems.append(f"SHA256SUMS lists {name}, which is missing")
        elif sha256(files[name]) != digest.strip():
            problems.append(f"{name}: SHA-256 differs from SHA256SUMS")
    for name in sorted(set(files) - listed - {"SHA256SUMS"}):
        problems.append(f"{name} is not listed in SHA256SUMS")
    return problems


def read_log(files: dict[str, bytes]) -> tuple[list[dict], list[str]]:
    if "audit-log.jsonl" not in files:
        return [], ["audit-log.jsonl is missing"]
    lines, problems = [], []
    for number, raw in enumerate(files["audit-log.jsonl"].decode("utf-8", "replace").splitlines(), start=1):
        try:
            line = json.loads(raw)
            if not isinstance(line, dict):
                raise ValueError("not an object")
        except ValueError:
            problems.append(f"audit-log.jsonl line {number} is not a JSON object")
            continue
        lines.append(line)
    return lines, problems


def check_chain(lines: list[dict]) -> list[str]:
    """The audit log's hash chain: each line's hash covers its content and the previous hash."""
    words = {"prev": lambda p: f"previous hash does not match line {p.line - 1}",
             "hash": lambda p: "hash does not match its content",
             "seq": lambda p: f"sequence number {p.seq} out of order"}
    return [f"audit-log.jsonl line {p.line}: {words[p.kind](p)}" for p in chain_problems(lines)]


def counted_receipts(lines: list[dict], budget: str) -> set[str]:
    """Receipt hashes that a log of the older format (one event per ballot) says are counted."""
    cast: set[str] = set()
    replaced: set[str] = set()
    for line in lines:
        payload = line.get("payload") or {}
        receipt = payload.get("receipt_hash")
        if payload.get("budget") != budget or not isinstance(receipt, str):
            continue  # an event that names no receipt accounts for no ballot of the .pb file
        if line.get("kind") == "ballot.cast":
            cast.add(receipt)
        elif line.get("kind") == "ballot.replaced":
            replaced.add(receipt)
    return cast - replaced


def last_event(lines: list[dict], kind: str, budget: str) -> dict | None:
    found = [line for line in lines if line.get("kind") == kind and (line.get("payload") or {}).get("budget") == budget]
    return found[-1]["payload"] if found else None


def last_index(lines: list[dict], kind: str, budget: str) -> int | None:
    found = [i for i, line in enumerate(lines)
             if line.get("kind") == kind and (line.get("payload") or {}).get("budget") == budget]
    return found[-1] if found else None


def _differs(what: str, expected, found) -> str:
    return f"{what}: result.json says {expected}, the recount gives {found}"


def check_budget(entry: dict, files: dict[str, bytes], log: list[dict] | None) -> list[str]:
    slug = entry.get("slug", "?")
    name = entry.get("file") or f"{slug}.pb"
    if name not in files:
        return [f"budget {slug}: {name} is missing"]
    data = files[name]
    problems = []
    if sha256(data) != entry.get("sha256"):
        problems.append(f"budget {slug}: SHA-256 of {name} differs from result.json")
    try:
        election = read_pb(data.decode("utf-8"), validate=True)
        params = TallyParams.from_json(entry.get("parameters") or {})
        result = compute(election, params)
    except (PabulibError, ValueError, UnicodeDecodeError) as error:
        return problems + [f"budget {slug}: {name} cannot be recounted: {error}"]
    tally = entry.get("tally") or {}
    if entry.get("funded") != result.funded:
        problems.append(_differs(f"budget {slug}: funded projects", entry.get("funded"), result.funded))
        if tally.get("pabutools_version") not in (None, result.pabutools_version):
            problems.append(f"budget {slug}: note: counted with pabutools {tally.get('pabutools_version')}, "
                            f"recounted with pabutools {result.pabutools_version}")
    if tally.get("funded", entry.get("funded")) != entry.get("funded"):
        problems.append(f"budget {slug}: the funded projects in result.json disagree with its own tally")
    recounted = {row["id"]: row for row in result.projects()}
    published = {row.get("id"): row for row in tally.get("projects", [])}
    for pid in sorted(set(recounted) | set(published)):
        if pid not in recounted or pid not in published:
            problems.append(f"budget {slug}: project {pid} is only in " + ("result.json" if pid in published
                                                                           else name))
            continue
        for key in ("cost", "votes", "score"):
            if published[pid].get(key) != recounted[pid][key]:
                problems.append(_differs(f"budget {slug}: project {pid} {key}", published[pid].get(key),
                                         recounted[pid][key]))
    selected = {p.id for p in election.projects if p.extra.get("selected") == "1"}
    if selected != set(result.funded):
        problems.append(f"budget {slug}: the 'selected' column of {name} disagrees with the recount "
                        f"({sorted(selected)} vs {sorted(result.funded)})")
    if tally.get("fairness") and exact_json(result.fairness) != tally["fairness"]:
        problems.append(f"budget {slug}: the fairness figures in result.json differ from the recount "
                        f"(pabutools.analysis on {name})")
    if tally.get("num_voters", len(election.ballots)) != len(election.ballots):
        problems.append(_differs(f"budget {slug}: number of ballots", tally.get("num_voters"), len(election.ballots)))
    if tally.get("digest") and election_digest(election) != tally["digest"]:
        problems.append(f"budget {slug}: the ballots or costs in {name} are not the ones the official tally "
                        f"counted (input digest {election_digest(election)[:16]}… vs {tally['digest'][:16]}…)")
    if log is not None:
        problems += check_against_log(slug, entry, [b.voter_id for b in election.ballots], log)
    return problems


def check_against_log(slug: str, entry: dict, voter_ids: list[str], log: list[dict]) -> list[str]:
    """The .pb's ballots are exactly those the audit log sealed at the close, and the tally came after."""
    problems = []
    found = set(voter_ids)  # read_pb refuses a voter id that appears twice
    sealed = last_event(log, "ballots.sealed", slug)
    if sealed is not None:
        if sealed.get("ballots") != len(voter_ids):
            problems.append(f"budget {slug}: the audit log sealed {sealed.get('ballots')} ballot(s) at the close, "
                            f"the .pb file holds {len(voter_ids)}")
        if sealed.get("receipts_sha256") != receipts_digest(found):
            problems.append(f"budget {slug}: the ballots in the .pb file are not the ones the audit log sealed "
                            "at the close (receipts_sha256 differs)")
        tallied = last_index(log, "tally.computed", slug)
        sealed_at = last_index(log, "ballots.sealed", slug)
        if tallied is not None and sealed_at is not None and tallied < sealed_at:
            problems.append(f"budget {slug}: the tally was computed before the ballots were sealed")
    elif any(str(line.get("kind", "")).startswith("ballot.") for line in log):
        expected = counted_receipts(log, slug)  # an export of the older format
        extra = sorted(set(found) - expected)
        missing = sorted(expected - set(found))
        if extra:
            problems.append(f"budget {slug}: {len(extra)} ballot(s) not cast according to the audit log: "
                            + ", ".join(v[:12] for v in extra))
        if missing:
            problems.append(f"budget {slug}: {len(missing)} ballot(s) cast according to the audit log are missing: "
                            + ", ".join(v[:12] for v in missing))
    else:
        problems.append(f"budget {slug}: the audit log does not seal the ballots at the close")
    computed = last_event(log, "tally.computed", slug)
    if computed is None:
        problems.append(f"budget {slug}: the audit log records no tally")
    elif computed.get("funded") != entry.get("funded"):
        problems.append(_differs(f"budget {slug}: funded projects recorded in the audit log",
                                 entry.get("funded"), computed.get("funded")))
    return problems


def verify_files(files: dict[str, bytes]) -> list[str]:
    """Every difference found in an export's files (empty: MATCH)."""
    if "result.json" not in files:
        raise UnreadableExport("result.json is missing: this is not an audit export")
    try:
        result = json.loads(files["result.json"])
        budgets = result["budgets"]
    except (ValueError, KeyError, TypeError) as error:
        raise UnreadableExport(f"result.json cannot be read: {error}") from None
    problems = check_sums(files)
    if result.get("schema_version") not in KNOWN_SCHEMAS:
        problems.append(f"result.json schema_version {result.get('schema_version')!r} is not one this "
                        "version can check")
    log, log_problems = read_log(files)
    problems += log_problems + check_chain(log)
    for entry in budgets:
        problems += check_budget(entry, files, log if "audit-log.jsonl" in files else None)
    named = {e.get("file") for e in budgets}
    for name in sorted(n for n in files if n.endswith(".pb") and n not in named):
        problems.append(f"{name} is not a budget of result.json")
    return problems


def verify(path: str | Path) -> list[str]:
    return verify_files(load(path))


__all__ = ["UnreadableExport", "load", "verify", "verify_files"]

