"""``pbengine import-pb INI PROCESS FILE.pb``: load a budget with its projects and ballots."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .db import _fail, _settings, process_at, session_scope


def import_pb(args) -> int:
    """Import one pabulib file as a new budget of a process (all or nothing; exit 2 on any problem)."""
    from pbengine.services import pb_import
    from pbengine.services.errors import DomainError

    try:
        settings = _settings(args.ini)
        content = Path(args.file).read_bytes()
    except (FileNotFoundError, IsADirectoryError, PermissionError) as error:
        return _fail(str(error) if "configuration" in str(error) else f"{args.file}: cannot read the file ({error})")
    started = time.perf_counter()
    try:
        with session_scope(settings) as db:
            process = process_at(db, args.process)
            if process is None:
                return _fail(f"no process with the address {args.process!r}")
            done = pb_import.import_pb(db, process, args.file, content, slug=args.budget, name=args.name,
                                       actor="command line")
            slug, projects, ballots = done.budget.slug, done.projects, done.ballots
            warnings = done.warnings
    except DomainError as error:
        where = f" ({error.field})" if error.field and error.field != "file" else ""
        return _fail(f"{args.file}: {error}{where}; nothing was imported")
    for message in warnings[:10]:
        print(f"pbengine: warning: {message}", file=sys.stderr)
    if len(warnings) > 10:
        print(f"pbengine: warning: ... and {len(warnings) - 10} more ({len(warnings)} in all)", file=sys.stderr)
    print(f"imported budget {slug!r} into {args.process!r}: {projects} projects, {ballots} ballots "
          f"(channel imported) in {time.perf_counter() - started:.1f} s")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("import-pb", help="load a budget with its projects and ballots from a .pb file")
    p.add_argument("ini")
    p.add_argument("process", metavar="PROCESS", help="the process's address (slug)")
    p.add_argument("file", metavar="FILE.pb")
    p.add_argument("--budget", metavar="SLUG", help="the new budget's address (default: from the file name)")
    p.add_argument("--name", help="the new budget's name (default: the file's META subunit)")
    p.set_defaults(func=import_pb)
