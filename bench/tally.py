"""Equal Shares on every shared Pabulib file: voting_rules beside pabutools called directly.

Usage::

    python bench/tally.py [FILE.pb ...] [--cap SECONDS] [--no-direct] [--repeat N]

For each file (default: every file in ../shared/pabulib, plus two made-up elections with few
voters and a large budget) it prints the wall-clock time of the count (the file is read
first, outside the timing, on both sides), the peak memory (RSS of a fresh process) and
the number of MES runs, and how much of the time is pabutools' own run at the final share
(the run that decides the outcome, a floor no completion can go under), of ``equal-shares``
with the completions ``none``,
``add1`` and ``add1-greedy`` (and the file's own META rule when it is an Equal Shares
variant), beside pabutools' ``method_of_equal_shares(..., sat_class=Cost_Sat,
voter_budget_increment=1)`` on the file as ``parse_pabulib`` reads it (``Additive_Cardinal_Sat``
for points), stopped at ``--cap``
seconds (default 60). Every measurement runs in its own process, so memory figures do not
mix. Prints figures; asserts nothing.

``--repeat N`` (default 1) measures each figure N times, each in a fresh process, and prints
the fastest, followed by the slowest in brackets (``[max ...]``); the ``add1`` count and
pabutools direct take turns (direct, ours, direct, ours, ...), so that both sides meet the same
load, and their ratio is that of the two minima. On a shared machine the minimum of a few
fresh processes is steadier than one of them; it is applied to both sides alike.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "pabulib"
SYNTHETIC = ("synthetic:7-voters", "synthetic:3-voters")


def synthetic(name: str):
    """Few voters and a large budget: the share must rise by tens of thousands of units."""
    from voting_rules import Ballot, BallotFormat, Election, Project

    if name == "synthetic:7-voters":
        projects = [Project("A", 60_000), Project("B", 30_000), Project("C", 10_000)]
        ballots = [Ballot("v1", approvals=("A", "B"))] + [
            Ballot(f"v{i}", approvals=("B", "C")) for i in range(2, 8)]
        return Election(100_000, projects, BallotFormat(), ballots, meta={"rule": "equalshares/add1"})
    projects = [Project(f"p{i}", c) for i, c in enumerate([40_000, 35_000, 25_000, 15_000, 9_000])]
    ballots = [Ballot("v1", approvals=("p0", "p3")), Ballot("v2", approvals=("p1", "p3", "p4")),
               Ballot("v3", approvals=("p2", "p4"))]
    return Election(98_600, projects, BallotFormat(), ballots, meta={"rule": "equalshares/add1"})


def load(path: str):
    from voting_rules import read_pb

    return synthetic(path) if path.startswith("synthetic:") else read_pb(path)


def one(path: str, mode: str) -> dict:
    """Run one measurement in this process; return its figures."""
    import resource

    deciding: list[float] = []
    if mode == "direct":
        from pabutools.election import AbstractCardinalProfile, Additive_Cardinal_Sat, Cost_Sat, parse_pabulib
        from pabutools.rules import method_of_equal_shares

        instance, profile = parse_pabulib(path)
        profile.instance = instance
        # the satisfaction voting_rules counts: the points of cumulative ballots, else the cost
        sat = Additive_Cardinal_Sat if isinstance(profile, AbstractCardinalProfile) else Cost_Sat
        started = time.perf_counter()
        alloc = method_of_equal_shares(instance, profile, sat_class=sat, voter_budget_increment=1)
        funded, runs = len(alloc), None
    else:
        import voting_rules.rules.mes as mes_module
        from voting_rules import TallyParams, compute, params_from_meta

        decide = mes_module.method_of_equal_shares

        def timed(*args, **kwargs):  # pabutools' own run at the final share, which decides
            began = time.perf_counter()
            try:
                return decide(*args, **kwargs)
            finally:
                deciding.append(time.perf_counter() - began)

        mes_module.method_of_equal_shares = timed
        election = load(path)
        if mode == "meta":
            params = params_from_meta(election.meta)
        else:
            params = TallyParams("equal-shares", completion=mode)
        started = time.perf_counter()
        result = compute(election, params)
        funded = len(result.funded)
        runs = result.explanation.get("mes_runs", 0) + result.explanation.get("mes_checks", 0)
        runs = max(runs, 1)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "mb": peak, "funded": funded, "runs": runs,
            "deciding": sum(deciding) if deciding else None}


def fastest(runs: list[dict | None]) -> dict | None:
    """The fastest of repeated measurements, with the slowest time; None or a refusal if any was."""
    for figures in runs:
        if figures is None or "error" in figures:
            return figures
    best = dict(min(runs, key=lambda figures: figures["seconds"]))  # type: ignore[index]
    if len(runs) > 1:
        best["slowest"] = max(figures["seconds"] for figures in runs)  # type: ignore[index]
    return best


def measure(path: str, mode: str, cap: float) -> dict | None:
    """One measurement in a fresh process; None when it did not finish within ``cap`` seconds."""
    try:
        out = subprocess.run([sys.executable, __file__, "--one", path, mode], capture_output=True,
                             text=True, timeout=cap, check=True, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return None
    except subprocess.CalledProcessError as error:
        return {"error": error.stderr.strip().splitlines()[-1] if error.stderr.strip() else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def cell(figures: dict | None, cap: float) -> str:
    if figures is None:
        return f"{'> ' + str(int(cap)) + ' s':>10} {'':>8} {'':>6} {'':>8}"
    if "error" in figures:
        return f"{'refused':>10} {'':>8} {'':>6} {'':>8}"
    runs = "" if figures["runs"] is None else str(figures["runs"])
    deciding = "" if figures.get("deciding") is None else f"{figures['deciding']:.2f} s"
    slowest = f" [max {figures['slowest']:.2f} s]" if "slowest" in figures else ""
    return f"{figures['seconds']:8.2f} s {figures['mb']:5.0f} MB {runs:>6} {deciding:>8}{slowest}"


def meta(path: str) -> dict[str, str]:
    """The file's META section, read as text: the bench process never loads a whole election, so
    that the fresh processes it starts (which inherit its peak memory) report their own."""
    if path.startswith("synthetic:"):
        return dict(synthetic(path).meta)
    entries = {}
    with open(path, encoding="utf-8-sig") as handle:
        next(handle, None)  # META
        for line in handle:
            key, _, value = line.rstrip("\n").partition(";")
            if key.strip().upper() in ("PROJECTS", "VOTES"):
                break
            entries[key.strip()] = value.strip()
    return entries


def meta_rule(path: str) -> str:
    return meta(path).get("rule", "")


def meta_vote_type(path: str) -> str:
    return meta(path).get("vote_type", "")


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(one(argv[1], argv[2])))
        return
    cap = float(argv[argv.index("--cap") + 1]) if "--cap" in argv else 60.0
    direct = "--no-direct" not in argv
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 1
    files = [a for a in argv if a.endswith(".pb") or a.startswith("synthetic:")]
    if not files:
        files = [str(p) for p in sorted(SHARED.glob("*.pb"), key=os.path.getsize)] + list(SYNTHETIC)
    print(f"Equal Shares, wall clock / peak RSS / MES runs (runs + checks of the fast completion) / "
          f"of the wall clock, pabutools' own run at the final share that decides the outcome; "
          f"pabutools direct capped at {cap:.0f} s, {os.cpu_count()} cores"
          + (f"; fastest of {repeat} fresh processes [slowest]" if repeat > 1 else ""))
    header = f"{'file':<42} {'completion':<16} {'voting_rules':>35}   {'pabutools direct (add1)':>26}"
    print(header)
    print("-" * len(header))
    for path in files:
        name = Path(path).name
        modes = ["none", "add1", "add1-greedy"]
        if meta_rule(path).startswith("equalshares/add1-comparison"):
            modes.append("meta")
        ordinal = meta_vote_type(path) == "ordinal"  # pabutools has no points for a ranking
        compared = direct and not ordinal and not path.startswith("synthetic:")
        reference: dict | str | None = "-"
        pair: list = []  # (direct, add1) measured in turns, so that both meet the same load
        for _ in range(repeat if compared else 0):
            capped = bool(pair) and pair[-1][0] is None  # past the cap once: not tried again
            pair.append((None if capped else measure(path, "direct", cap), measure(path, "add1", 3600)))
        if compared:
            reference = fastest([ref for ref, _ in pair])
        for mode in modes:
            if mode == "add1" and pair:
                ours = fastest([add1 for _, add1 in pair])
            else:
                ours = fastest([measure(path, mode, 3600) for _ in range(repeat)])
            label = "META rule" if mode == "meta" else mode
            ref = ""
            if mode == "add1" and reference != "-":
                ref = cell(reference, cap)
                if reference and "seconds" in reference and ours and "seconds" in ours:
                    ref += f"  ({reference['seconds'] / ours['seconds']:.0f}x)"
            print(f"{name:<42} {label:<16} {cell(ours, cap):>35}   {ref}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
