"""``pbengine export`` and ``verify``: write a published process's audit export, and check one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .db import process_at

BAD_INPUT = 2


def register(subparsers) -> None:
    """Add the audit subcommands."""
    p = subparsers.add_parser("export", help="write the audit export of a published process")
    p.add_argument("ini", metavar="INI", help="settings file, e.g. production.ini")
    p.add_argument("process", metavar="PROCESS_SLUG")
    p.add_argument("dest", metavar="DIR", help="folder to write (a path ending in .zip writes a zip)")
    p.set_defaults(func=cmd_export)

    p = subparsers.add_parser("verify", help="recount an audit export and check its checksums and log")
    p.add_argument("path", metavar="DIR", help="export folder or .zip")
    p.set_defaults(func=cmd_verify)


def _err(message: str) -> int:
    print(f"pbengine: {message}", file=sys.stderr)
    return BAD_INPUT


def cmd_export(args: argparse.Namespace) -> int:
    """Write the export; exit 2 when the process is unknown or its results are not published."""
    from pbengine.models import get_engine, get_session_factory
    from pbengine.services import export
    from pbengine.services.errors import DomainError
    from pbengine.settings import load_settings

    try:
        settings = load_settings(args.ini)
    except (OSError, LookupError, ValueError) as error:
        return _err(f"{args.ini}: cannot read settings ({error})")
    engine = get_engine(settings)
    try:
        with get_session_factory(engine)() as db:
            process = process_at(db, args.process)
            if process is None:
                return _err(f"no process {args.process!r}")
            try:
                files = export.build(db, process)
            except DomainError as error:
                return _err(f"{args.process}: {error}")
            dest = Path(args.dest)
            if dest.suffix == ".zip":
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(export.as_zip(files, dest.stem))
            else:
                export.write_folder(files, dest)
    finally:
        engine.dispose()
    print(f"wrote {len(files)} files to {dest}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Print MATCH (exit 0), or each difference (exit 1); exit 2 when the input cannot be read."""
    from pbengine.verify import UnreadableExport, verify

    try:
        problems = verify(args.path)
    except UnreadableExport as error:
        return _err(str(error))
    if problems:
        print("DIFFERS")
        for problem in problems:
            print(f"- {problem}")
        return 1
    print("MATCH")
    return 0
