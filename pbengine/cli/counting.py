"""``pbengine tally``, ``compare`` and ``check``: counting a pabulib file."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from dataclasses import replace

from voting_rules import (
    COMPLETIONS,
    RULE_NAMES,
    SATISFACTIONS,
    PabulibError,
    TallyParams,
    compare,
    compute,
    params_from_meta,
    read_pb,
    validate_election,
)
from voting_rules.ballots import limit_breaches
from voting_rules.election import amount_text, parse_incompatible
from voting_rules.params import meta_rule_fallback, parse_tie_break

BAD_INPUT = 2
SHOWN_WARNINGS = 10


def register(subparsers) -> None:
    """Add the counting subcommands."""
    p = subparsers.add_parser("tally", help="count a .pb file with one rule")
    p.add_argument("file", metavar="FILE.pb")
    p.add_argument("--rule", choices=RULE_NAMES, help="default: the rule the file's META names")
    p.add_argument("--satisfaction", choices=SATISFACTIONS)
    p.add_argument("--completion", choices=COMPLETIONS)
    p.add_argument("--tie-break", metavar="CHAIN",
                   help="comma-separated: votes,lower-cost,higher-cost,id,lottery:SEED")
    p.add_argument("--threshold", type=int, help="minimum score for greedy-threshold")
    _incompatible_option(p)
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(func=cmd_tally)

    p = subparsers.add_parser("compare", help="every rule side by side")
    p.add_argument("file", metavar="FILE.pb")
    p.add_argument("--completion", choices=COMPLETIONS,
                   help="equal-shares completion (none is fastest on large files)")
    _incompatible_option(p)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_compare)

    p = subparsers.add_parser("check", help="validate a .pb file")
    p.add_argument("file", metavar="FILE.pb")
    p.set_defaults(func=cmd_check)


def _incompatible_option(parser) -> None:
    parser.add_argument("--incompatible", metavar="ID,ID", action="append", default=[],
                        help="projects that cannot all be carried out: at most one is funded "
                             "(repeat for several groups; added to the META's 'incompatible')")


def _with_incompatible(election, groups: list[str], by_meta: bool = True):
    """The election with the ``--incompatible`` groups added; warn when greedy-exclusive has none."""
    if groups:
        election = replace(election, incompatible=election.incompatible + tuple(
            group for text in groups for group in parse_incompatible(text)))
    exclusive = (election.meta.get("rule") or "").strip() == "greedy-exclusive"
    if by_meta and exclusive and not election.incompatible:
        _warn("META rule 'greedy-exclusive' names no incompatible projects: counting with plain "
              "greedy (give them with --incompatible ID,ID)")
    return election


def _err(message: str) -> int:
    print(f"pbengine: {message}", file=sys.stderr)
    return BAD_INPUT


def _progress(message: str) -> None:
    print(f"pbengine: {message}", file=sys.stderr, flush=True)


def _warn(message: str) -> None:
    print(f"pbengine: warning: {message}", file=sys.stderr, flush=True)


def _load(path: str, validate: bool = False, quiet: bool = False):
    """Read a file; print on stderr what the reader forgave (a project named twice in a vote)."""
    if not quiet:
        _progress(f"reading {path}")
    election = read_pb(path, validate=validate)
    for message in election.warnings[:SHOWN_WARNINGS]:
        _warn(message)
    if len(election.warnings) > SHOWN_WARNINGS:
        _warn(f"... and {len(election.warnings) - SHOWN_WARNINGS} more lines like these "
              f"({len(election.warnings)} in all)")
    return election


def _warn_fallback(election) -> str | None:
    """Say so when the META rule is unknown and greedy counts instead; return the name."""
    name = meta_rule_fallback(election.meta)
    if name is not None:
        _warn(f"META rule {name!r} is not a rule this engine knows: counting with greedy instead "
              "(choose one with --rule)")
    return name


def _warn_limits(election) -> None:
    breaches = limit_breaches(election)
    if breaches:
        _warn(f"{len(breaches)} of {len(election.ballots)} ballots break the file's own limits "
              f"(first: {breaches[0]}); they are counted as they are")


def cmd_check(args: argparse.Namespace) -> int:
    """Validate a file: print ``OK: N projects, M votes`` or one error line (exit 2)."""
    try:
        election = _load(args.file, validate=True, quiet=True)
        validate_election(election)
        _warn_fallback(election)
        params_from_meta(election.meta)
    except (PabulibError, ValueError, OSError, UnicodeDecodeError) as exc:
        return _err(f"{args.file}: {exc}")
    print(f"OK: {len(election.projects)} projects, {len(election.ballots)} votes")
    return 0


def cmd_tally(args: argparse.Namespace) -> int:
    """Count with one rule and print the funded projects."""
    try:
        election = _with_incompatible(_load(args.file), args.incompatible, by_meta=args.rule is None)
        _warn_limits(election)
        fallback = _warn_fallback(election) if args.rule is None else None
        base = params_from_meta(election.meta) if args.rule is None else TallyParams(args.rule)
        if args.rule is not None and base.rule == "greedy-threshold" and args.threshold is None:
            meta_threshold = election.meta.get("min_project_score_threshold")
            base = TallyParams(base.rule, threshold=int(float(meta_threshold))
                               if meta_threshold else None)
        params = TallyParams(
            rule=base.rule,
            satisfaction=args.satisfaction or base.satisfaction,
            completion=args.completion or base.completion,
            tie_break=parse_tie_break(args.tie_break) if args.tie_break else base.tie_break,
            threshold=args.threshold if args.threshold is not None else base.threshold,
        )
        started = time.perf_counter()
        result = compute(election, params, progress=_progress)
        _progress(f"{params.rule} done in {time.perf_counter() - started:.1f} s")
    except (PabulibError, ValueError, OSError, UnicodeDecodeError) as exc:
        return _err(f"{args.file}: {exc}")
    names = {p.id: p.name for p in election.projects}
    if args.format == "json":
        payload = result.to_json()
        if fallback is not None:
            payload["meta_rule_fallback"] = fallback
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=1)
        print()
    elif args.format == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["project_id", "cost", "votes", "score", "funded", "name"])
        for row in result.projects():
            w.writerow([row["id"], amount_text(row["cost"]), row["votes"], row["score"],
                        int(row["funded"]), names[row["id"]]])
    else:
        print(f"rule: {params.rule}  satisfaction: {params.satisfaction}  "
              f"completion: {params.completion}  tie-break: {','.join(params.tie_break)}")
        print(f"funded {len(result.funded)} of {len(election.projects)} projects, "
              f"spent {amount_text(result.spent)} of {amount_text(result.budget)}")
        print(f"{'project':>14} {'cost':>12} {'votes':>8} {'score':>8}  funded  name")
        order = {pid: i for i, pid in enumerate(result.funded)}
        rows = sorted(result.projects(), key=lambda r: (r["id"] not in order,
                                                        order.get(r["id"], 0), -r["score"]))
        for row in rows:
            print(f"{row['id']:>14} {amount_text(row['cost']):>12} {row['votes']:>8} {row['score']:>8}  "
                  f"{'yes' if row['funded'] else 'no':>6}  {names[row['id']][:50]}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Every rule side by side."""
    try:
        election = _with_incompatible(_load(args.file), args.incompatible)
        _warn_fallback(election)
        rows = compare(election, progress=_progress, completion=args.completion)
    except (PabulibError, ValueError, OSError, UnicodeDecodeError) as exc:
        return _err(f"{args.file}: {exc}")
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    print_comparison(rows)
    return 0


def print_comparison(rows: list[dict]) -> None:
    """The rows of :func:`voting_rules.compare` as a table on stdout."""
    print(f"{'rule':<30} {'funded':>6} {'budget spent':>13} {'voters w/ funded':>17} "
          f"{'avg satisfaction':>17}")
    for row in rows:
        pct = row["percent"]
        print(f"{row['rule']:<30} {len(row['funded']):>6} {pct['budget_spent']:>12}% "
              f"{pct['voters_with_a_funded_project']:>16}% {pct['average_satisfaction']:>16}%")
