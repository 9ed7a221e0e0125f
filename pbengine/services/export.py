"""The public audit export of a published process: one folder of files, or a zip of it.

Files (and nothing else; each built from an explicit list of fields):

- ``<budget>.pb`` — pabulib file per budget; VOTES keyed by receipt hash, sorted by it (random order);
- ``tally.csv`` — one row per project with the rule's numbers;
- ``result.json`` — rule, parameters, versions, digests, funded sets, explanations, impact figures;
- ``impact.csv`` — money and funded projects per budget and goal (SDG) and per organisation type;
- ``audit-log.jsonl`` — the hash-chained event log, without actors;
- ``README.txt`` and ``SHA256SUMS`` (``sha256sum -c`` format, over every other file).

The ``.pb`` files are built in ``services/export_pb.py``, ``tally.csv`` in ``services/export_tally.py``,
``impact.csv`` in ``services/impact.py`` and ``README.txt`` in ``services/export_readme.py``; this
module names the files, writes ``result.json``, the log and the sums, and puts them together.

No voter code, session, address, organizer or proposer identity is ever read here.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

from voting_rules import TallyResult, write_pb
from voting_rules.result import exact

from .. import __version__
from ..i18n import _
from ..models import Budget, Process
from ..money import to_units
from . import audit, impact
from .errors import PhaseError
from .export_pb import budget_election
from .export_readme import readme
from .export_tally import tally_csv, tally_rows
from .phases import results_public
from .rule_inputs import ballot_format
from .tallies import official_tally
from .translations import TRANSLATED_LOCALES

SCHEMA_VERSION = 1
RESULT = "result.json"
TALLY = "tally.csv"
IMPACT = "impact.csv"
AUDIT_LOG = "audit-log.jsonl"
README = "README.txt"
SUMS = "SHA256SUMS"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def zip_name(process: Process) -> str:
    return f"{process.slug}-export.zip"


def pb_name(budget: Budget) -> str:
    return f"{budget.slug}.pb"


def ensure_exportable(process: Process) -> None:
    if not results_public(process):
        raise PhaseError(_("The audit export is available once the results are published."))


# ---------------------------------------------------------------- result.json, log, sums


def _translations(obj, fields: tuple[str, ...]) -> dict:
    """``{"fr": {"name": ...}}`` of ``obj``: only the fields and languages given."""
    found = {}
    for locale in TRANSLATED_LOCALES:
        entry = {f: obj.translated(f, locale) for f in fields if obj.translated(f, locale)}
        if entry:
            found[locale] = entry
    return found


def category_names(process: Process) -> dict:
    """``{"energy": {"fr": "énergie", "es": "energía"}}`` for the categories named per language."""
    names: dict[str, dict[str, str]] = {}
    for locale in TRANSLATED_LOCALES:
        for category, name in (((process.translations or {}).get(locale) or {}).get("categories") or {}).items():
            if name:
                names.setdefault(category, {})[locale] = name
    return dict(sorted(names.items()))


def lottery_seed(tie_break) -> str | None:
    return next((t.split(":", 1)[1] for t in tie_break if t.startswith("lottery:")), None)


def budget_entry(budget: Budget, result: TallyResult, payload: dict, pb_bytes: bytes, num_ballots: int,
                 figures: impact.Impact) -> dict:
    params = result.params
    return {
        "slug": budget.slug,
        "name": budget.name,
        # for readers: the name and description, and the projects' texts, in French and Spanish
        "translations": _translations(budget, ("name", "description")),
        "project_translations": {p.code: t for p in sorted(budget.projects, key=lambda p: p.code)
                                 if (t := _translations(p, ("title", "description")))},
        "file": pb_name(budget),
        "sha256": sha256(pb_bytes),
        "budget": exact(to_units(budget.amount, budget.process.currency)),
        "ballot_format": {"kind": budget.ballot_kind, **ballot_format(budget).to_meta()},
        "rule": params.rule,
        "parameters": params.to_json(),
        "tie_break": list(params.tie_break),
        "lottery_seed": lottery_seed(params.tie_break),
        "num_ballots": num_ballots,
        "funded": list(result.funded),
        "tally_input_digest": payload.get("digest", ""),
        # Per goal and organisation type, in minor units (not part of the recount: the .pb has no goals).
        "impact": figures.to_json(),
        "tally": payload,
    }


def audit_log(db, process: Process) -> bytes:
    lines = [json.dumps(audit.as_line(e), sort_keys=True, ensure_ascii=False) for e in audit.events(db, process)]
    return ("\n".join(lines) + "\n" if lines else "").encode("utf-8")


def sums(files: dict[str, bytes]) -> bytes:
    return "".join(f"{sha256(data)}  {name}\n" for name, data in sorted(files.items())).encode()


# ---------------------------------------------------------------- the whole export


def build(db, process: Process) -> dict[str, bytes]:
    """Every file of the export, by name (``SHA256SUMS`` last)."""
    ensure_exportable(process)
    files: dict[str, bytes] = {}
    entries = []
    rows: list[list] = []
    figures: list[tuple[Budget, impact.Impact]] = []
    for budget in process.budgets:
        tally = official_tally(db, budget)
        if tally is None:
            raise PhaseError(_("Budget “${name}” has no official result.", mapping={"name": budget.name}))
        result = TallyResult.from_json(tally.result)
        election = budget_election(db, budget, result)
        pb_bytes = write_pb(election, result=result).encode("utf-8")
        files[pb_name(budget)] = pb_bytes
        figures.append((budget, impact.budget_impact(budget, tally.result)))
        entries.append(budget_entry(budget, result, tally.result, pb_bytes, len(election.ballots), figures[-1][1]))
        rows += tally_rows(budget, tally.result)
    # The pabutools that computed the official tallies (recorded in each tally).
    pabutools_version = entries[0]["tally"].get("pabutools_version", "") if entries else ""
    files[TALLY] = tally_csv(rows)
    files[IMPACT] = impact.csv_bytes(figures)
    files[RESULT] = (json.dumps({
        "schema_version": SCHEMA_VERSION,
        "process": {"slug": process.slug, "title": process.title, "currency": process.currency,
                    "translations": _translations(process, ("title", "description")),
                    "category_names": category_names(process),
                    "voting_start": process.voting_start.isoformat() if process.voting_start else None,
                    "voting_end": process.voting_end.isoformat() if process.voting_end else None,
                    "configuration_fingerprint": process.config_fingerprint},
        "pbengine_version": __version__,
        "pabutools_version": pabutools_version,
        "budgets": entries,
    }, indent=1, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
    files[AUDIT_LOG] = audit_log(db, process)
    files[README] = readme(process, pabutools_version)
    files[SUMS] = sums(files)
    return files


def write_folder(files: dict[str, bytes], directory: str | Path) -> Path:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return directory


def as_zip(files: dict[str, bytes], folder: str) -> bytes:
    """A zip of the files inside one folder; fixed timestamps, so equal files give an equal zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()


__all__ = ["as_zip", "build", "write_folder", "zip_name"]
