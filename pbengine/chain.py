"""What the audit log's hash chain and the sealed ballots are, defined once.

Pure: the standard library only, so that :mod:`pbengine.verify` (no database) and
:mod:`pbengine.services.audit` (which appends events) share one definition. An event's hash
covers the previous hash, its sequence number, kind, payload and time, in canonical JSON; the
close seals a budget's ballots with the SHA-256 of their sorted receipt hashes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

GENESIS = "0" * 64


def canonical(obj) -> str:
    """The canonical JSON text hashed everywhere: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(prev_hash: str | None, seq, kind, payload, at) -> str:
    """The hash of one event (``prev_hash`` None only when checking a log whose previous line has none)."""
    body = canonical({"prev": prev_hash, "seq": seq, "kind": kind, "payload": payload, "at": at})
    return hashlib.sha256(body.encode()).hexdigest()


def receipts_digest(receipt_hashes) -> str:
    """SHA-256 of the sorted receipt hashes, each followed by a newline (``sort | sha256sum``)."""
    return hashlib.sha256("".join(f"{h}\n" for h in sorted(receipt_hashes)).encode()).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    """One break in the chain, at ``line`` (1-based): ``prev`` (the previous hash does not match
    the line before), ``hash`` (the hash does not match the content) or ``seq`` (out of order)."""

    line: int
    kind: str
    seq: object = None


def chain_problems(lines: list[dict]) -> list[ChainProblem]:
    """Every break in a sequence of public event lines (``audit-log.jsonl``); empty when it holds."""
    problems = []
    prev: str | None = GENESIS
    for index, line in enumerate(lines, start=1):
        if line.get("prev") != prev:
            problems.append(ChainProblem(index, "prev"))
        if line.get("hash") != event_hash(prev, line.get("seq"), line.get("kind"), line.get("payload"),
                                          line.get("at")):
            problems.append(ChainProblem(index, "hash"))
        if line.get("seq") != index:
            problems.append(ChainProblem(index, "seq", line.get("seq")))
        prev = line.get("hash")
    return problems
