"""The public audit export of a published process: one folder of files, or a zip of it.

Files (and nothing else; each built from an explicit list of fields):

- ``<budget>.pb`` — pabulib file per budget; VOTES keyed by receipt hash, sorted by it (random order);
- ``tally.csv`` — one row per project with the rule's numbers;
- ``result.json`` — rule, parameters, versions, digests, funded sets, explanations, impact figures;
- ``impact.csv`` — money and funded projects per budget and goal (SDG) and per organisation type;
- ``audit-log.jsonl`` — the hash-chained event log, without actors;
- ``README.txt`` and ``SHA256SUMS`` (``sha256sum -c`` format, over every other file).

No voter code, session, address, organizer or proposer identity is ever read here.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

from voting_rules import TallyResult, write_pb
from voting_rules.election import amount_text
from voting_rules.result import exact

from .. import __version__
from ..i18n import _
from ..models import Budget, Process
from ..money import to_units
from . import audit, impact, pabulib_tags
from .errors import PhaseError
from .phases import results_public
from .rule_inputs import ballot_format
from .tallies import election_of, official_tally
from .translations import TRANSLATED_LOCALES

SCHEMA_VERSION = 1
RESULT = "result.json"
TALLY = "tally.csv"
IMPACT = "impact.csv"
AUDIT_LOG = "audit-log.jsonl"
README = "README.txt"
SUMS = "SHA256SUMS"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# pabulib META ``rule`` for the configurations pabulib names; others keep the engine's rule name.
PABULIB_RULES = {
    ("greedy", None): "greedy",
    ("greedy-threshold", None): "greedy-threshold",
    ("greedy-no-skip", None): "greedy-no-skip",
    ("equal-shares", "none"): "equalshares",
    ("equal-shares", "add1"): "equalshares/add1",
    ("equal-shares-comparison", "add1-overspend"): "equalshares/add1-comparison",
}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def zip_name(process: Process) -> str:
    return f"{process.slug}-export.zip"


def pb_name(budget: Budget) -> str:
    return f"{budget.slug}.pb"


def ensure_exportable(process: Process) -> None:
    if not results_public(process):
        raise PhaseError(_("The audit export is available once the results are published."))


# ---------------------------------------------------------------- the .pb files


def meta_rule(params) -> str:
    completion = params.completion if params.rule.startswith("equal-shares") else None
    return PABULIB_RULES.get((params.rule, completion), params.rule)


def budget_meta_rule(params) -> dict[str, str]:
    """The META entries naming the tally's parameters (``voting_rules.params_from_meta`` reads
    them back exactly)."""
    meta = {
        "rule": meta_rule(params),
        "pbengine_rule": params.rule,
        "satisfaction": params.satisfaction,
        "completion": params.completion,
        "tie_break": ",".join(params.tie_break),
    }
    if params.threshold is not None:
        meta["min_project_score_threshold"] = str(params.threshold)
    return meta


def budget_election(db, budget: Budget, result: TallyResult):
    """The budget's election with export META, ballots sorted by their (random) receipt hash."""
    election = election_of(db, budget)
    meta = dict(election.meta)
    meta.update(budget_meta_rule(result.params))
    meta.update({"ballot_format": budget.ballot_kind, "currency": budget.process.currency,
                 # what was counted as a voter's satisfaction: cost, cardinality, points or rank-points
                 "satisfaction_measure": result.satisfaction})
    election.meta = {k: v for k, v in meta.items() if v not in (None, "")}
    election.ballots = sorted(election.ballots, key=lambda b: b.voter_id)
    # Goals in "category", organisation types in "target", as pabulib writes them (pabulib_tags).
    by_code = {p.code: p for p in budget.projects}
    tagged = []
    for project in election.projects:
        source = by_code.get(project.id)
        if source is None:
            tagged.append(project)
            continue
        target = pabulib_tags.target_for(source.organisation_type)
        tagged.append(dataclasses.replace(
            project, categories=pabulib_tags.categories_for(source.categories, source.sdgs),
            extra={**project.extra, **({"target": target} if target else {})}))
    election.projects = tagged
    if election.ballot_format.kind == "knapsack" and election.ballot_format.max_sum_cost is None:
        # The knapsack limit defaults to the budget: say so, so that the file reads back as knapsack.
        election.ballot_format = dataclasses.replace(election.ballot_format, max_sum_cost=election.budget)
    return election


# ---------------------------------------------------------------- tally.csv


def cell(value):
    """A CSV cell a spreadsheet will not run as a formula; numbers stay numbers."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | Decimal):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def exact_amount(value) -> Decimal:
    """A counted amount (int or ``"a/b"`` with a decimal form, like a cost) as an exact decimal."""
    return Decimal(amount_text(Fraction(value)))


def money(fraction_text: str | None) -> Decimal | str:
    if not fraction_text:  # None or ""
        return ""
    value = Decimal(Fraction(fraction_text).numerator) / Decimal(Fraction(fraction_text).denominator)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


TALLY_COLUMNS = ["budget", "project_id", "name", "cost", "votes", "score", "funded", "selection_order",
                 "greedy_decision", "equal_shares_price_per_supporter", "equal_shares_paid_by_supporters",
                 "equal_shares_supporters", "equal_shares_short_by", "name_fr", "name_es"]


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


def tally_rows(budget: Budget, payload: dict) -> list[list]:
    explanation = payload.get("explanation") or {}
    greedy = {step["project"]: step for step in explanation.get("order", [])}
    rounds = {r["project"]: r for r in explanation.get("rounds", [])}
    unfunded = {u["project"]: u for u in explanation.get("unfunded", [])}
    order = {pid: i for i, pid in enumerate(payload.get("funded", []), start=1)}
    projects = {p.code: p for p in budget.projects}
    rows = []
    for row in payload.get("projects", []):
        pid = row["id"]
        paid = rounds.get(pid, {}).get("paid", [])
        rows.append([
            budget.slug, pid, projects[pid].title if pid in projects else "", exact_amount(row["cost"]), row["votes"],
            row["score"],
            int(row["funded"]), order.get(pid, ""), greedy.get(pid, {}).get("decision", ""),
            money(rounds[pid]["price_per_supporter"]) if pid in rounds else "",
            money(str(sum((Fraction(p["amount"]) * p["voters"] for p in paid), Fraction(0)))) if paid else "",
            sum(p["voters"] for p in paid) if paid else "",
            money(unfunded[pid]["short_by"]) if pid in unfunded else "",
            *((projects[pid].translated("title", locale) or "") if pid in projects else ""
              for locale in TRANSLATED_LOCALES),
        ])
    return rows


def csv_bytes(columns: list[str], rows) -> bytes:
    """A CSV file (UTF-8, ``\\n`` line ends) of ``columns`` and ``rows``, every value through :func:`cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def tally_csv(budget_rows: list[list]) -> bytes:
    return csv_bytes(TALLY_COLUMNS, budget_rows)


# ---------------------------------------------------------------- result.json, log, readme


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


README_TEXT = """Audit export of participatory budgeting process "{slug}" (pbengine {version})

Files
  <budget>.pb      one pabulib file per budget (https://pabulib.org/format): projects, costs,
                   votes, the funded set ("selected"), and every counted ballot. A ballot's
                   voter_id is the SHA-256 of the voter's receipt, so each voter can find their
                   own ballot and nobody can link it to a person. Ballots are sorted by that
                   hash, so the order says nothing about when anyone voted.
                   PROJECTS "category": the project's categories, then one entry per
                   Sustainable Development Goal, "sdg <n> <goal>" (sdg 7 affordable and clean
                   energy); "target": the type of organisation carrying the project
                   (cooperative, association, mutual, foundation, social enterprise, informal
                   group of residents); comma-separated, None when empty, as in pabulib.
  tally.csv        one row per project: cost, votes, score, funded, and the rule's numbers;
                   name_fr and name_es: the project's title in French and Spanish, where the
                   organizers gave one ("name" and the .pb files keep the original titles).
  impact.csv       what the money funds, per budget: one row per Sustainable Development Goal
                   (dimension "sdg", key 1-17, empty key: projects that name no goal) and per
                   organisation type (dimension "organisation_type", empty key: not given), with
                   the funded projects and their money, beside the projects on the ballot and
                   their cost. Amounts in minor units (cents: *_minor columns) and as exact
                   decimals. A project with several goals counts once for each of its goals, so
                   the "sdg" rows can add up to more than the budget. result.json holds the same
                   figures under each budget's "impact".
  result.json      rule, parameters, tie-break chain, versions, the SHA-256 of each .pb file,
                   the funded projects and the rule's round-by-round explanation; for readers,
                   the organizers' texts in French and Spanish ("translations",
                   "project_translations", "category_names"; not part of any count).
  audit-log.jsonl  every recorded event of the process (phases, configuration, codes issued,
                   tallies); each line holds the hash of the one before. Ballots are not events
                   of the log: when voting closed, the log sealed each budget's ballots in one
                   "ballots.sealed" event: how many are counted, how many were replaced, and
                   receipts_sha256, the SHA-256 of their receipt hashes sorted, one per line.
  SHA256SUMS       checksums of all the files above.

What this proves, and what it hides
  The ballots of each .pb are exactly the ones sealed when voting closed: none was dropped,
  added or changed afterwards, and each counts once. A voter who kept a receipt can find its
  hash in the .pb (or see that it was replaced by a later ballot of theirs). Nothing here
  tells in which order, on which day or at what time ballots were cast, nor which ballots of
  different budgets come from the same voter: the log holds no event per ballot, and the
  seal covers a whole budget at once. The engine's database does not link them either: a
  ballot is stored without its voter code, under a keyed hash that let the voter replace it
  while voting was open, and those hashes were erased when voting closed (this export cannot
  prove that; the engine's source and tests show it).

How to check
  1. sha256sum -c SHA256SUMS
  2. pbengine verify .        (or: pbengine verify {slug}-export.zip)
     recounts every budget from its .pb file and result.json alone, checks the checksums,
     the audit-log hash chain and each budget's seal, and prints MATCH or exactly what differs.
     The seal by hand: sed '1,/^VOTES/d' <budget>.pb | sed 1d | cut -d';' -f1 | LC_ALL=C sort | sha256sum
  3. Or with pabutools directly (pip install pabutools=={pabutools}):
       from pabutools.election import parse_pabulib
       instance, profile = parse_pabulib("<budget>.pb")
       profile.instance = instance
     then run the rule that result.json names on them. For Equal Shares (rule equal-shares):
       from pabutools.election import Instance, Cost_Sat, Cardinality_Sat, Additive_Cardinal_Sat
       from pabutools.rules import method_of_equal_shares
     The satisfaction is META "satisfaction_measure" (also "satisfaction" in result.json):
       cost -> Cost_Sat, cardinality -> Cardinality_Sat, points -> Additive_Cardinal_Sat on the
       points of the file's cumulative ballots; rank-points -> Additive_Cardinal_Sat on ballots
       that give k points to a k-ranking's first place, k-1 to the second, ..., never below 1.
     With a completion ("add1", "add1-greedy", "add1-overspend") every voter's share was raised
     one unit at a time; result.json "explanation" gives the share where that stopped
     ("final_share"). Run method_of_equal_shares(Instance(instance, budget_limit=final_share
     * number of voters), profile, sat_class=..., tie_breaking=...) and compare with "funded"
     (for add1-greedy, the projects in "added_by_greedy" were then added by greedy).
     Ties between projects of equal price follow META "tie_break": "votes" = more supporters
     first, "lower-cost" = cheaper first, "id" = project id in natural order (2 before 10).
     A budget whose META has "incompatible" (groups of project ids separated by |, e.g.
     773,153) funds at most one project of each group: greedy skips a project incompatible
     with one already funded. With pabutools, run its greedy without the projects of each
     group that a funded project rules out, or let pbengine verify do it.
"""


def readme(process: Process, pabutools_version: str) -> bytes:
    return README_TEXT.format(slug=process.slug, version=__version__, pabutools=pabutools_version).encode()


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
