"""The ``pbengine`` command line: each module in ``MODULES`` adds its subcommands.

A module contributes by defining ``register(subparsers)``, which adds parsers
and sets ``func`` (called with the parsed arguments, returns the exit status).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pbengine.cli import audit, counting, db, imports, results, schedule

# Add a module here to add its subcommands (e.g. db, audit).
MODULES = [counting, db, audit, imports, results, schedule]


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every module's subcommands."""
    parser = argparse.ArgumentParser(prog="pbengine", description="Participatory budgeting engine.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module in MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a subcommand; return its exit status (2 for bad input)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("pbengine: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
