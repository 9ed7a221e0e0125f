"""pbengine tally / compare / check on real and malformed files."""

import csv
import io
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from pbengine.cli import main
from tests.conftest import SHARED_PABULIB
from voting_rules import read_pb, write_pb

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / ".." / "shared" / "pabulib"

GOOD = """META
key;value
description;test
num_projects;2
num_votes;2
budget;100
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name
p1;60;One
p2;50;Two
VOTES
voter_id;vote
v1;p1,p2
v2;p1
"""

MALFORMED = {
    "empty file": ("", "line 1: the file is empty"),
    "no votes section": (GOOD.split("VOTES")[0], "the VOTES section is missing"),
    "unknown project in a vote": (GOOD.replace("v2;p1", "v2;p9"),
                                  "vote names project p9, which is not in PROJECTS"),
    "negative cost": (GOOD.replace("p2;50", "p2;-50"), "cost -50 of project p2 is negative"),
    "cost not a number": (GOOD.replace("p2;50", "p2;50x"), "cost '50x' of project p2 is not an amount"),
    "budget not a number": (GOOD.replace("budget;100", "budget;lots"),
                            "META budget 'lots' is not an amount"),
    "duplicate project id": (GOOD.replace("p2;50;Two", "p1;50;Two"), "duplicate project id p1"),
    "duplicate voter id": (GOOD.replace("v2;p1", "v1;p1"), "duplicate voter id v1"),
    "comma delimiter": (GOOD.replace(";", ","), "separated by commas"),
    "missing vote column": (GOOD.replace("voter_id;vote", "voter_id;ballot"),
                            "needs 'voter_id' and 'vote' columns"),
    "row longer than header": (GOOD.replace("p1;60;One", "p1;60;One;extra"),
                               "4 fields but the PROJECTS header has 3"),
    "num_votes disagrees": (GOOD.replace("num_votes;2", "num_votes;3"),
                            "META num_votes is 3 but the file has 2 votes"),
    "unknown vote type": (GOOD.replace("vote_type;approval", "vote_type;stars"),
                          "unknown vote_type 'stars'"),
    "ballot over max_length": (GOOD.replace("rule;greedy", "rule;greedy\nmax_length;1"),
                               "ballot v1: 2 projects ticked, at most 1 allowed"),
    "incompatible unknown project": (GOOD.replace("rule;greedy\n", "rule;greedy\nincompatible;p1,p9\n"),
                                     "line 9: META incompatible 'p1,p9': each group needs two projects"),
    "sections out of order": ("PROJECTS\nproject_id;cost\np1;1\n" + GOOD,
                              "PROJECTS section found, expected the META section first"),
}


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_check_reports_one_line_and_exit_2_for_malformed_file(case, tmp_path, capsys):
    text, expected = MALFORMED[case]
    path = tmp_path / "bad.pb"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(["check", str(path)], capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and expected in err
    assert "Traceback" not in err


def test_check_accepts_a_good_file(tmp_path, capsys):
    path = tmp_path / "good.pb"
    path.write_text(GOOD, encoding="utf-8")
    assert run(["check", str(path)], capsys)[:2] == (0, "OK: 2 projects, 2 votes\n")


def test_check_error_names_the_line(tmp_path, capsys):
    path = tmp_path / "bad.pb"
    path.write_text(GOOD.replace("v2;p1", "v2;p9"), encoding="utf-8")
    err = run(["check", str(path)], capsys)[2]
    assert "line 16:" in err


def test_missing_file_is_bad_input(capsys):
    code, _, err = run(["check", "/nonexistent/file.pb"], capsys)
    assert code == 2 and "no such file" in err


def test_tally_json_lists_funded_projects(tmp_path, capsys):
    path = tmp_path / "good.pb"
    path.write_text(GOOD, encoding="utf-8")
    code, out, _ = run(["tally", str(path), "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["funded"] == ["p1"] and data["rule"] == "greedy"
    assert data["params"]["tie_break"] == ["votes", "lower-cost", "id"]


def test_tally_on_real_file_follows_meta_rule(capsys):
    path = SHARED / "Poland_Warszawa_2017_Nadwisle.pb"
    code, out, err = run(["tally", str(path), "--format", "csv"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "project_id,cost,votes,score,funded,name"
    assert len(lines) == 6
    assert "greedy done" in err


def test_tally_with_bad_tie_break_is_bad_input(tmp_path, capsys):
    path = tmp_path / "good.pb"
    path.write_text(GOOD, encoding="utf-8")
    code, _, err = run(["tally", str(path), "--tie-break", "coin"], capsys)
    assert code == 2 and "unknown tie-break 'coin'" in err


def test_unknown_rule_is_refused_by_argparse(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["tally", "x.pb", "--rule", "borda"])
    assert exit_.value.code == 2


def test_compare_prints_every_rule(capsys):
    code, out, _ = run(["compare", str(SHARED / "Switzerland_Zurich_D10.pb")], capsys)
    assert code == 0
    for rule in ("greedy", "equal-shares", "utilitarian"):
        assert rule in out
    assert "phragmen" not in out  # defined on approvals; Zurich's ballots give points


def test_installed_console_script_exits_2_on_malformed_file(tmp_path):
    script = Path(sys.executable).parent / "pbengine"
    path = tmp_path / "bad.pb"
    path.write_text(GOOD.replace("budget;100", "budget;lots"), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([str(script), "check", str(path)], capture_output=True, text=True,
                          env=env, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith("line 6: META budget 'lots' is not an amount")
    assert proc.stderr.count("\n") == 1


def _file(tmp_path, text, name="f.pb"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_tally_reads_a_budget_and_costs_with_cents_exactly(tmp_path, capsys):
    text = GOOD.replace("budget;100", "budget;110.50").replace("p1;60;One", "p1;60.25;One") \
        .replace("p2;50;Two", "p2;50.25;Two")
    code, out, err = run(["tally", _file(tmp_path, text), "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["funded"] == ["p1", "p2"]
    assert data["spent"] == "221/2" and data["budget"] == "221/2"
    code, out, _ = run(["tally", _file(tmp_path, text), "--format", "csv"], capsys)
    assert "p1,60.25,2,2,1,One" in out.splitlines()
    code, out, _ = run(["tally", _file(tmp_path, text)], capsys)
    assert "spent 110.5 of 110.5" in out


def test_a_project_named_twice_in_a_vote_counts_once_with_a_warning_naming_the_line(tmp_path, capsys):
    path = _file(tmp_path, GOOD.replace("v2;p1", "v2;p1,p1"))
    code, out, err = run(["tally", path, "--format", "json"], capsys)
    assert code == 0
    assert "warning: line 16: voter v2 names project p1 2 times; counted once" in err
    data = json.loads(out)
    assert {r["id"]: r["votes"] for r in data["projects"]} == {"p1": 2, "p2": 1}
    code, out, err = run(["check", path], capsys)
    assert code == 0 and out == "OK: 2 projects, 2 votes\n" and "line 16" in err


CUMULATIVE = """META
key;value
num_projects;2
num_votes;2
budget;100
vote_type;cumulative
max_sum_points;10
rule;greedy
PROJECTS
project_id;cost
p1;60
p2;50
VOTES
voter_id;vote;points
v1;p2,p1,p2;3,1,4
v2;p1;5
"""


def test_cumulative_points_for_a_project_named_twice_are_added(tmp_path, capsys):
    code, out, err = run(["tally", _file(tmp_path, CUMULATIVE), "--format", "json"], capsys)
    assert code == 0 and "line 15: voter v1 names project p2 2 times; its points are added (7)" in err
    scores = {r["id"]: r["score"] for r in json.loads(out)["projects"]}
    assert scores == {"p1": 6, "p2": 7}
    assert json.loads(out)["funded"] == ["p2"]


@pytest.mark.parametrize("name", ["unknown", "greedy-in-districts", None])
def test_an_unknown_meta_rule_is_counted_with_greedy_after_a_warning(tmp_path, capsys, name):
    text = GOOD.replace("rule;greedy\n", f"rule;{name}\n" if name else "")
    code, out, err = run(["tally", _file(tmp_path, text), "--format", "json"], capsys)
    assert code == 0
    shown = name or "unknown"
    assert f"warning: META rule '{shown}' is not a rule this engine knows: counting with greedy instead" in err
    data = json.loads(out)
    assert data["rule"] == "greedy" and data["meta_rule_fallback"] == shown
    code, out, err = run(["check", _file(tmp_path, text)], capsys)
    assert code == 0 and "counting with greedy instead" in err


def test_a_known_meta_rule_records_no_fallback(tmp_path, capsys):
    code, out, err = run(["tally", _file(tmp_path, GOOD), "--format", "json"], capsys)
    assert "meta_rule_fallback" not in json.loads(out) and "warning" not in err


def test_tally_warns_with_a_count_about_ballots_breaking_the_files_limits(tmp_path, capsys):
    text = GOOD.replace("rule;greedy", "rule;greedy\nmax_length;1")
    code, out, err = run(["tally", _file(tmp_path, text), "--format", "json"], capsys)
    assert code == 0
    assert ("warning: 1 of 2 ballots break the file's own limits (first: ballot v1: 2 projects ticked, "
            "at most 1 allowed); they are counted as they are") in err
    assert json.loads(out)["funded"] == ["p1"]


@pytest.mark.parametrize(("rule", "completion"), [
    ("greedy", "add1-greedy"), ("greedy-threshold", "add1-greedy"), ("greedy-no-skip", "none"),
    ("utilitarian", "none"), ("phragmen", "none"), ("equal-shares", "add1-greedy"),
    ("equal-shares", "none"), ("equal-shares", "add1"), ("equal-shares-add1-overspend", "add1-overspend"),
    ("equal-shares-comparison", "add1-overspend"), ("equal-shares-comparison", "add1"),
])
def test_every_rule_the_export_writes_reads_back_without_rule(tmp_path, capsys, rule, completion):
    from pbengine.services.export_pb import budget_meta_rule  # the export's own META
    from voting_rules import TallyParams, read_pb, write_pb

    params = TallyParams(rule=rule, completion=completion, satisfaction="cardinality",
                         tie_break=("lower-cost", "id"), threshold=1 if rule == "greedy-threshold" else None)
    election = read_pb(GOOD)
    election.meta = {**election.meta, **budget_meta_rule(params)}
    path = _file(tmp_path, write_pb(election))
    code, out, err = run(["tally", path, "--format", "json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["params"] == params.to_json() and "meta_rule_fallback" not in data
    assert run(["check", path], capsys)[0] == 0
    code, out, err = run(["compare", path, "--format", "json"], capsys)
    assert code == 0 and "warning" not in err


BEMOWO = SHARED_PABULIB / "Poland_Warszawa_2022_Bemowo.pb"


def _funded_by_csv(out: str) -> set[str]:
    rows = list(csv.DictReader(io.StringIO(out)))
    return {r["project_id"] for r in rows if r["funded"] == "1"}


def test_bemowo_with_its_incompatible_pair_reproduces_what_the_city_funded(capsys):
    selected = {p.id for p in read_pb(BEMOWO).projects if p.extra["selected"] == "1"}
    code, out, err = run(["tally", str(BEMOWO), "--format", "csv"], capsys)
    assert code == 0 and "names no incompatible projects" in err
    assert _funded_by_csv(out) == selected | {"153"}  # plain greedy funds 153 beside 773
    code, out, err = run(["tally", str(BEMOWO), "--incompatible", "773,153", "--format", "csv"], capsys)
    assert code == 0 and "warning" not in err
    assert _funded_by_csv(out) == selected


def test_the_incompatible_groups_an_export_writes_are_read_back_without_an_option(tmp_path, capsys):
    election = replace(read_pb(BEMOWO), incompatible=(frozenset({"773", "153"}),))
    path = tmp_path / "bemowo.pb"
    write_pb(election, path)
    assert "incompatible;153,773" in path.read_text(encoding="utf-8")
    code, out, err = run(["tally", str(path), "--format", "csv"], capsys)
    assert code == 0
    assert _funded_by_csv(out) == {p.id for p in election.projects if p.extra["selected"] == "1"}


@pytest.mark.parametrize(("argv", "message"), [
    (["--incompatible", "773,999"], "incompatible projects 999 are not in this election"),
    (["--incompatible", "773"], "an incompatible group needs two projects or more: 773"),
    (["--rule", "equal-shares", "--incompatible", "773,153"],
     "equal-shares cannot keep incompatible projects apart"),
])
def test_incompatible_groups_that_cannot_be_kept_are_refused_with_exit_2(capsys, argv, message):
    code, out, err = run(["tally", str(BEMOWO), *argv], capsys)
    assert code == 2 and out == "" and message in err
