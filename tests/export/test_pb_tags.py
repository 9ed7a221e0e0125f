"""The .pb export carries goals in ``category`` and organisation types in ``target`` as pabulib
writes them; pabutools reads them, ``pbengine verify`` still says MATCH, and an import reads
them back."""

from __future__ import annotations

import tempfile
from pathlib import Path

from pabutools.election import parse_pabulib

from pbengine.models import Process
from pbengine.services import export, pb_import, projects
from pbengine.services.pabulib_tags import read_tags
from pbengine.verify import verify_files
from tests.helpers import commit, make_budget, make_process, minor
from tests.site.voting import move, vote_and_count

PROJECTS = [("e1", 20_000, [7], "cooperative", ["energy"]), ("e2", 30_000, [13, 7], "social-enterprise", []),
            ("e3", 10_000, [9, 16], None, []), ("e4", 50_000, [], "association", ["schools", "a;b,c"])]
BALLOTS = [["e1", "e2"], ["e1", "e3"], ["e4"], ["e2"]]


def _published(db) -> Process:
    process = make_process(db)
    budget = make_budget(db, process, rule="greedy", projects={})
    for code, cost, goals, org, categories in PROJECTS:
        projects.add_project(db, budget, projects.ProjectData(
            code=code, title=f"Project {code}", cost=minor(cost, process), sdgs=goals, organisation_type=org,
            categories=categories))
    process = vote_and_count(db, process, BALLOTS)
    process = move(db, process, "published")
    commit(db)
    return db.get(Process, process.id)


def _projects_section(text: str) -> list[list[str]]:
    lines = text.split("PROJECTS\n", 1)[1].split("VOTES\n", 1)[0].strip().split("\n")
    return [line.split(";") for line in lines]


def test_the_pb_has_category_and_target_columns_in_pabulib_style_and_still_verifies(db):
    process = _published(db)
    files = export.build(db, process)
    assert verify_files(files) == []  # MATCH
    rows = _projects_section(files["citywide.pb"].decode())
    header, body = rows[0], {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert header[:5] == ["project_id", "cost", "name", "category", "target"]
    assert body["e1"]["category"] == "energy,sdg 7 affordable and clean energy"
    assert body["e2"]["category"] == "sdg 7 affordable and clean energy,sdg 13 climate action"
    # names with commas lose them: an entry of a pabulib list holds none
    assert body["e3"]["category"] == "sdg 9 industry innovation and infrastructure,sdg 16 peace justice and " \
                                     "strong institutions"
    assert body["e4"]["category"] == "schools,a b c"
    assert [body[c]["target"] for c in ("e1", "e2", "e3", "e4")] == ["cooperative", "social enterprise", "None",
                                                                        "association"]


def test_pabutools_reads_the_goals_and_organisation_types(db):
    process = _published(db)
    files = export.build(db, process)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "citywide.pb"
        path.write_bytes(files["citywide.pb"])
        instance, profile = parse_pabulib(str(path))
    by_name = {p.name: p for p in instance}
    assert by_name["e2"].categories == {"sdg 7 affordable and clean energy", "sdg 13 climate action"}
    assert by_name["e2"].targets == {"social enterprise"}
    assert not by_name["e3"].targets
    assert "sdg 13 climate action" in instance.categories and "cooperative" in instance.targets
    assert profile.num_ballots() == len(BALLOTS)


def test_importing_the_export_gives_back_goals_and_organisation_types(db):
    process = _published(db)
    data = export.build(db, process)["citywide.pb"]
    other = make_process(db, slug="again-2028")
    budget = pb_import.import_pb(db, other, "citywide.pb", data).budget
    found = {p.code: (p.categories, p.sdgs, p.organisation_type) for p in budget.projects}
    assert found == {"e1": (["energy"], [7], "cooperative"), "e2": ([], [7, 13], "social-enterprise"),
                     "e3": ([], [9, 16], None), "e4": (["schools", "a b c"], [], "association")}


def test_reading_tags_of_other_pabulib_files_keeps_their_categories():
    assert read_tags(("public space", "health"), "seniors,families with children") == \
        (["public space", "health"], [], None)
    assert read_tags(("SDG 3 good health",), None) == ([], [3], None)
    assert read_tags(("sdg 99 nothing",), "Cooperative") == (["sdg 99 nothing"], [], "cooperative")


