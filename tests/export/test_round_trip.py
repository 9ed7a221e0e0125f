"""The export of a published process recounts to the same outcome, with our code and with pabutools."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess

import pytest
from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.rules import greedy_utilitarian_welfare
from pabutools.tiebreaking import min_cost_tie_breaking

from pbengine.cli import main
from pbengine.services import export, export_tally, tallies
from pbengine.services.ballots import receipt_hash
from pbengine.services.errors import PhaseError
from pbengine.verify import verify
from tests.export.factory import BUDGETS, open_voting
from voting_rules import election_digest, read_pb

BUDGET_FILES = [f"{slug}.pb" for slug, *_rest in BUDGETS]


def test_export_holds_one_pb_per_budget_and_the_audit_files(export_files):
    assert sorted(export_files) == sorted(BUDGET_FILES + ["tally.csv", "impact.csv", "result.json",
                                                          "audit-log.jsonl", "README.txt", "SHA256SUMS"])


def test_export_of_a_published_process_verifies_as_match(export_dir, capsys):
    assert verify(export_dir) == []
    assert main(["verify", str(export_dir)]) == 0
    assert capsys.readouterr().out.strip() == "MATCH"


def test_zip_export_verifies_as_match(tmp_path, export_files, capsys):
    path = tmp_path / "town-2027-export.zip"
    path.write_bytes(export.as_zip(export_files, "town-2027-export"))
    assert main(["verify", str(path)]) == 0
    assert capsys.readouterr().out.strip() == "MATCH"


def test_sha256sum_accepts_the_checksum_file(export_dir):
    done = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=export_dir, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": OK") == len(BUDGET_FILES) + 5


@pytest.mark.parametrize("name", BUDGET_FILES)
def test_pabutools_parse_pabulib_reads_every_budget_file_unchanged(export_dir, export_files, name):
    instance, profile = parse_pabulib(str(export_dir / name))
    result = json.loads(export_files["result.json"])
    entry = next(e for e in result["budgets"] if e["file"] == name)
    assert instance.budget_limit == entry["budget"]
    assert {p.name: int(p.cost) for p in instance} == {r["id"]: r["cost"] for r in entry["tally"]["projects"]}
    assert profile.num_ballots() == entry["num_ballots"] == entry["tally"]["num_voters"]


def test_pabutools_alone_computes_the_published_greedy_outcome(export_dir, export_files):
    instance, profile = parse_pabulib(str(export_dir / "citywide.pb"))
    funded = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat,
                                        tie_breaking=min_cost_tie_breaking)
    result = json.loads(export_files["result.json"])
    assert sorted(p.name for p in funded) == sorted(result["budgets"][0]["funded"]) == ["p2", "p3"]


def test_result_json_records_rule_parameters_versions_and_file_digests(export_files, published, db):
    result = json.loads(export_files["result.json"])
    assert result["schema_version"] == export.SCHEMA_VERSION
    assert result["pabutools_version"] and result["pbengine_version"]
    for entry, budget in zip(result["budgets"], published.process.budgets, strict=True):
        tally = tallies.official_tally(db, budget)
        assert entry["sha256"] == hashlib.sha256(export_files[entry["file"]]).hexdigest()
        assert entry["rule"] == budget.rule
        assert entry["parameters"] == tally.params
        assert entry["tie_break"] == ["votes", "lower-cost", "id"] and entry["lottery_seed"] is None
        assert entry["funded"] == tally.result["funded"]
        assert entry["tally"]["explanation"] == tally.result["explanation"]
        # The digest recorded when the tally was computed can be recomputed from the published file.
        assert election_digest(read_pb(export_files[entry["file"]].decode())) == tally.input_digest


def test_ballots_are_listed_by_receipt_hash_not_in_casting_order(export_files, published):
    for slug, receipts in published.receipts.items():
        text = export_files[f"{slug}.pb"].decode()
        voter_ids = [line.split(";")[0] for line in text.split("VOTES\n")[1].splitlines()[1:]]
        assert voter_ids == sorted(receipt_hash(r) for r in receipts)


def test_voter_finds_their_ballot_in_the_pb_file_from_their_receipt(export_files, published):
    text = export_files["citywide.pb"].decode()
    # The first voter replaced their ballot ({"approvals": ["p2"]}): only the new one is listed.
    assert f"{receipt_hash(published.receipts['citywide'][0])};p2\n" in text
    assert f"{receipt_hash(published.receipts['citywide'][1])};p1\n" in text
    district = export_files["district.pb"].decode()
    assert f"{receipt_hash(published.receipts['district'][0])};p1,p2;6,4\n" in district


def test_replaced_ballot_is_not_in_the_export(db, published, export_files):
    from sqlalchemy import select

    from pbengine.models import ReplacedBallot

    old = db.scalars(select(ReplacedBallot)).one()
    assert old.receipt_hash.encode() not in export_files["citywide.pb"]


def test_tally_csv_has_one_row_per_project_with_numbers_as_numbers(export_files):
    rows = list(csv.DictReader(io.StringIO(export_files["tally.csv"].decode())))
    assert len(rows) == 3 * len(BUDGETS)
    district_p1 = next(r for r in rows if r["budget"] == "district" and r["project_id"] == "p1")
    assert district_p1["cost"] == "40000" and district_p1["funded"] == "1"
    # Equal shares: what the supporters paid for it, in total and per supporter.
    assert district_p1["equal_shares_paid_by_supporters"] == "40000.00"
    assert float(district_p1["equal_shares_price_per_supporter"]) > 0


def test_tally_csv_neutralises_text_a_spreadsheet_would_run_as_a_formula():
    data = export_tally.tally_csv([["b", "p1", "=HYPERLINK(\"http://x\")", 40000, -3, 2, 1, "", "+1", "", "", "", ""],
                             ["b", "p2", "@SUM(A1)", 10, 0, 0, 0, "", "-2", "\tx", "", "", ""]])
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert rows[1][2] == "'=HYPERLINK(\"http://x\")" and rows[1][8] == "'+1"
    assert rows[2][2] == "'@SUM(A1)" and rows[2][8] == "'-2" and rows[2][9] == "'\tx"
    assert rows[1][3] == "40000" and rows[1][4] == "-3"


def test_audit_log_holds_every_event_without_actors(db, published, export_files):
    from pbengine.services import audit

    lines = [json.loads(line) for line in export_files["audit-log.jsonl"].decode().splitlines()]
    assert [line["seq"] for line in lines] == [e.seq for e in audit.events(db, published.process)]
    assert audit.verify_chain(lines) == []
    assert all("actor" not in line for line in lines)


def test_export_is_refused_before_results_are_published(db):
    process = open_voting(db)
    with pytest.raises(PhaseError):
        export.build(db, process)


def _positional(profile, k: int):
    """README recipe for rank-points: k points to first place, then one less, never below 1."""
    from pabutools.election import CardinalBallot, CardinalProfile

    cardinal = CardinalProfile(instance=profile.instance)
    for ballot in profile:
        cardinal.append(CardinalBallot({p: max(k - pos, 1) for pos, p in enumerate(ballot)}))
    return cardinal


@pytest.mark.parametrize("slug", ["district", "green"])
def test_an_auditor_following_the_readme_recomputes_equal_shares_with_pabutools(
        export_dir, export_files, slug):
    """Points and rankings count as satisfaction; pabutools alone gives the published funded set."""
    from fractions import Fraction

    from pabutools.election import Additive_Cardinal_Sat, Instance
    from pabutools.rules import method_of_equal_shares
    from pabutools.tiebreaking import TieBreakingRule

    from voting_rules.tiebreak import natural_key

    readme = export_files["README.txt"].decode()
    assert "Additive_Cardinal_Sat" in readme and "final_share" in readme
    instance, profile = parse_pabulib(str(export_dir / f"{slug}.pb"))
    profile.instance = instance
    entry = next(e for e in json.loads(export_files["result.json"])["budgets"] if e["file"] == f"{slug}.pb")
    tally = entry["tally"]
    measure = tally["satisfaction"]
    assert measure == {"district": "points", "green": "rank-points"}[slug]
    if measure == "rank-points":
        profile = _positional(profile, int(instance.meta["max_length"]))
    votes = {p.name: sum(1 for b in profile if p in b) for p in instance}
    tie = TieBreakingRule(lambda inst, prof, p: (-votes[p.name], p.cost, natural_key(p.name)))
    explanation = tally["explanation"]
    share = Fraction(explanation["final_share"] or explanation["starting_share"])
    alloc = method_of_equal_shares(Instance(instance, budget_limit=share * profile.num_ballots()),
                                   profile, sat_class=Additive_Cardinal_Sat, tie_breaking=tie)
    funded = [p.name for p in alloc] + explanation.get("added_by_greedy", [])
    assert sorted(funded) == sorted(entry["funded"])


def test_the_log_seals_each_budget_and_records_no_ballot_and_no_order(published, export_files):
    """No event per ballot: the log neither lists receipt hashes in cast order nor links budgets' ballots."""
    from pbengine.services.ballots import receipt_hash
    from pbengine.services.sealing import receipts_digest

    log = export_files["audit-log.jsonl"].decode()
    lines = [json.loads(line) for line in log.splitlines()]
    assert not [line for line in lines if line["kind"].startswith("ballot.")]
    receipts = [receipt_hash(r) for budget in published.receipts.values() for r in budget]
    assert receipts and not any(r in log for r in receipts)
    seals = {line["payload"]["budget"]: line["payload"] for line in lines if line["kind"] == "ballots.sealed"}
    assert sorted(seals) == sorted(published.receipts)
    for slug, payload in seals.items():
        published_ids = [row.split(";")[0] for row in
                         export_files[f"{slug}.pb"].decode().split("VOTES\n", 1)[1].splitlines()[1:]]
        assert payload["ballots"] == len(published_ids)
        assert payload["receipts_sha256"] == receipts_digest(receipt_hash(r) for r in published.receipts[slug])
    assert seals["citywide"]["replaced"] == 1
