"""Every kind of tampering with an export is caught by ``pbengine verify``, even with fixed-up checksums."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pytest

from pbengine.cli import main
from pbengine.services import export
from pbengine.verify import verify

NEW_VOTER = "f" * 64


def rewrite(folder, name, change):
    path = folder / name
    path.write_text(change(path.read_text()))


def fix_checksums(folder):
    """What a careful forger does: make result.json and SHA256SUMS agree with the edited files."""
    result = json.loads((folder / "result.json").read_text())
    for entry in result["budgets"]:
        entry["sha256"] = hashlib.sha256((folder / entry["file"]).read_bytes()).hexdigest()
    (folder / "result.json").write_text(json.dumps(result))
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "SHA256SUMS"}
    (folder / "SHA256SUMS").write_bytes(export.sums(files))


def set_num_votes(text, delta):
    head, rest = text.split("num_votes;", 1)
    number, tail = rest.split("\n", 1)
    return f"{head}num_votes;{int(number) + delta}\n{tail}"


def votes_of(text):
    head, votes = text.split("VOTES\n")
    return head, votes.splitlines(keepends=True)


def add_ballot(text):
    return set_num_votes(text, 1) + f"{NEW_VOTER};p1,p2\n"


def remove_ballot(text):
    head, lines = votes_of(text)
    return set_num_votes(head, -1) + "VOTES\n" + "".join(lines[:-1])


def change_ballot(text):
    head, lines = votes_of(text)
    voter, vote = lines[1].rstrip("\n").split(";")
    lines[1] = f"{voter};{'p1' if vote != 'p1' else 'p2'}\n"
    return head + "VOTES\n" + "".join(lines)


def change_voter(text):
    """Swap one ballot for a forged one with the same choices: the recount agrees, the seal does not."""
    head, lines = votes_of(text)
    _voter, vote = lines[1].rstrip("\n").split(";")
    lines[1] = f"{NEW_VOTER};{vote}\n"
    return head + "VOTES\n" + "".join(lines)


def duplicate_ballot(text):
    head, lines = votes_of(text)
    return set_num_votes(head, 1) + "VOTES\n" + "".join(lines + [lines[-1]])


def change_cost(text):
    return text.replace("\np1;40000;", "\np1;10000;", 1)


def assert_caught(folder, capsys, *expected):
    problems = verify(folder)
    for fragment in expected:
        assert any(fragment in p for p in problems), problems
    capsys.readouterr()
    assert main(["verify", str(folder)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("DIFFERS\n") and "MATCH" not in out


@pytest.mark.parametrize(("change", "expected"), [
    (add_ballot, ["citywide: project p1 votes", "the audit log sealed 5 ballot(s) at the close, the .pb file holds 6",
                   "not the ones the audit log sealed"]),
    (remove_ballot, ["citywide: number of ballots", "the .pb file holds 4", "not the ones the audit log sealed"]),
    (change_voter, ["not the ones the audit log sealed"]),
    (duplicate_ballot, ["duplicate voter id"]),
    (change_ballot, ["citywide: project p"]),
    (change_cost, ["citywide: project p1 cost: result.json says 40000, the recount gives 10000"]),
])
def test_recount_catches_an_edited_pb_file_even_with_fixed_checksums(export_dir, capsys, change, expected):
    rewrite(export_dir, "citywide.pb", change)
    fix_checksums(export_dir)
    assert_caught(export_dir, capsys, *expected)


def test_checksums_catch_an_edited_pb_file(export_dir, capsys):
    rewrite(export_dir, "citywide.pb", change_cost)
    assert_caught(export_dir, capsys, "citywide.pb: SHA-256 differs from SHA256SUMS",
                  "SHA-256 of citywide.pb differs from result.json")


def test_changed_funded_set_in_result_json_is_caught(export_dir, capsys):
    def change(text):
        result = json.loads(text)
        result["budgets"][0]["funded"] = ["p1", "p2"]
        return json.dumps(result)

    rewrite(export_dir, "result.json", change)
    fix_checksums(export_dir)
    assert_caught(export_dir, capsys, "citywide: funded projects: result.json says ['p1', 'p2']")


def test_edited_audit_log_line_breaks_the_chain(export_dir, capsys):
    def change(text):
        lines = text.splitlines()
        line = json.loads(lines[2])
        line["payload"]["amount"] = 1
        lines[2] = json.dumps(line, sort_keys=True)
        return "\n".join(lines) + "\n"

    rewrite(export_dir, "audit-log.jsonl", change)
    fix_checksums(export_dir)
    assert_caught(export_dir, capsys, "audit-log.jsonl line 3: hash does not match its content")


def test_removed_audit_log_line_breaks_the_chain(export_dir, capsys):
    rewrite(export_dir, "audit-log.jsonl", lambda text: "\n".join(text.splitlines()[:4] + text.splitlines()[5:]) + "\n")
    fix_checksums(export_dir)
    assert_caught(export_dir, capsys, "audit-log.jsonl line 5: previous hash does not match line 4")


def log_lines(folder):
    return [json.loads(line) for line in (folder / "audit-log.jsonl").read_text().splitlines()]


def test_forged_seal_breaks_the_chain(export_dir, capsys):
    """A forger who adds a ballot and edits the seal to match must rewrite the log's hashes too."""
    rewrite(export_dir, "citywide.pb", add_ballot)
    lines = log_lines(export_dir)
    seal = next(line for line in lines if line["kind"] == "ballots.sealed" and line["payload"]["budget"] == "citywide")
    seal["payload"]["ballots"] += 1
    (export_dir / "audit-log.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    fix_checksums(export_dir)
    assert_caught(export_dir, capsys, f"audit-log.jsonl line {seal['seq']}: hash does not match its content")


def test_a_log_that_does_not_seal_the_ballots_is_reported(export_dir, capsys):
    from pbengine.services import audit

    kept, prev = [], audit.GENESIS
    for line in log_lines(export_dir):  # a consistent chain, re-hashed, without the seals
        if line["kind"] == "ballots.sealed":
            continue
        line.update(seq=len(kept) + 1, prev=prev)
        line["hash"] = prev = audit.event_hash(prev, line["seq"], line["kind"], line["payload"], line["at"])
        kept.append(line)
    (export_dir / "audit-log.jsonl").write_text("".join(json.dumps(line) + "\n" for line in kept))
    fix_checksums(export_dir)
    assert_caught(export_dir, capsys, "budget citywide: the audit log does not seal the ballots at the close")


def test_added_file_is_reported(export_dir, capsys):
    (export_dir / "extra.pb").write_text("META\n")
    assert_caught(export_dir, capsys, "extra.pb is not listed in SHA256SUMS", "extra.pb is not a budget")


def test_verify_chain_agrees_with_the_service(export_files):
    from pbengine.services import audit
    from pbengine.verify import check_chain

    lines = [json.loads(line) for line in export_files["audit-log.jsonl"].decode().splitlines()]
    assert check_chain(lines) == audit.verify_chain(lines) == []
    lines[1]["kind"] = "forged"
    assert len(check_chain(lines)) == len(audit.verify_chain(lines)) > 0


@pytest.mark.parametrize("make", ["missing", "not-a-zip", "no-result"])
def test_unreadable_input_exits_2(tmp_path, capsys, make):
    target = tmp_path / "input"
    if make == "not-a-zip":
        target.write_text("hello")
    elif make == "no-result":
        with zipfile.ZipFile(target, "w") as archive:
            archive.writestr("x/README.txt", "hi")
    assert main(["verify", str(target)]) == 2
    assert "pbengine:" in capsys.readouterr().err


def test_an_older_log_with_a_cast_event_naming_no_receipt_is_reported_not_a_crash():
    """A damaged log of the older format (one event per ballot) whose cast event lost its receipt
    hash: the .pb ballot it no longer accounts for is reported, verify does not fail with a TypeError."""
    from pbengine.verify import check_against_log

    first, second = "a" * 64, "b" * 64
    log = [{"kind": "ballot.cast", "payload": {"budget": "citywide", "receipt_hash": first}},
           {"kind": "ballot.cast", "payload": {"budget": "citywide"}}]
    problems = check_against_log("citywide", {}, [first, second], log)
    assert f"budget citywide: 1 ballot(s) not cast according to the audit log: {second[:12]}" in problems
    assert not any("missing" in p for p in problems)
