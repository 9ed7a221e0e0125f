"""Time and peak memory of each rule: voting_rules beside pabutools called directly.

Usage: ``python bench/tally.py [FILE.pb ...] [--skip-direct-mes] [--time-only]``. Defaults to the
largest file (Wrocław 2015) and Warszawa 2026. Prints figures; asserts nothing.
Peak memory is tracemalloc's peak of Python allocations during the call.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.rules import (
    greedy_utilitarian_welfare,
    max_additive_utilitarian_welfare,
    method_of_equal_shares,
    sequential_phragmen,
)

from voting_rules import TallyParams, compute, read_pb
from voting_rules.rules import Context

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "pabulib"
DEFAULT = ["Poland_Wroclaw_2015_150_-_500.pb", "Poland_Warszawa_2026.pb"]


TRACE = "--time-only" not in sys.argv


def measure(fn):
    """Run ``fn``; return its value, seconds and tracemalloc peak in MB (0 with --time-only).

    tracemalloc slows Python several times, so compare seconds between columns
    of one run, or use ``--time-only`` for wall-clock figures.
    """
    if TRACE:
        tracemalloc.start()
    started = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if TRACE else 0
    if TRACE:
        tracemalloc.stop()
    return value, seconds, peak / 2**20


def bench_file(path: str, skip_mes: bool) -> None:
    """Print the figures for one file."""
    print(f"== {Path(path).name}")
    election, s, mb = measure(lambda: read_pb(path))
    print(f"{'read':<34} voting_rules {s:7.2f} s {mb:8.1f} MB", end="")
    (instance, profile), s2, mb2 = measure(lambda: parse_pabulib(path))
    profile.instance = instance
    print(f"   | pabutools parse_pabulib {s2:7.2f} s {mb2:8.1f} MB")
    rows = [
        ("greedy", TallyParams("greedy"),
         lambda: greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)),
        ("utilitarian", TallyParams("utilitarian"),
         lambda: max_additive_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)),
        ("equal-shares (no completion)", TallyParams("equal-shares", completion="none"),
         None if skip_mes else
         lambda: method_of_equal_shares(instance, profile, sat_class=Cost_Sat)),
        ("phragmen", TallyParams("phragmen"),
         lambda: sequential_phragmen(instance, profile)),
    ]
    for label, params, direct in rows:
        result, s, mb = measure(lambda p=params: compute(election, p, context=Context(election)))
        line = f"{label:<34} voting_rules {s:7.2f} s {mb:8.1f} MB ({len(result.funded)} funded)"
        if direct is not None and profile.__class__.__name__ == "ApprovalProfile":
            alloc, s2, mb2 = measure(direct)
            line += f"   | pabutools direct {s2:7.2f} s {mb2:8.1f} MB ({len(alloc)} funded)"
        print(line, flush=True)


def main(argv: list[str]) -> None:
    skip_mes = "--skip-direct-mes" in argv
    files = [a for a in argv if not a.startswith("--")] or [str(SHARED / f) for f in DEFAULT]
    for path in files:
        bench_file(path, skip_mes)


if __name__ == "__main__":
    main(sys.argv[1:])
