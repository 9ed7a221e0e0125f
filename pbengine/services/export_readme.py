"""The audit export's ``README.txt``: what each file holds, what it proves, and how to check it by hand."""

from __future__ import annotations

from .. import __version__
from ..models import Process

README_TEXT = """Audit export of participatory budgeting process "{slug}" (pbengine {version})

Files
  <budget>.pb      one pabulib file per budget (https://pabulib.org/format): projects, costs,
                   votes, the funded set ("selected"), and every counted ballot. A ballot's
                   voter_id is the SHA-256 of the voter's receipt, so each voter can find their
                   own ballot and nobody can link it to a person. Ballots are sorted by that
                   hash, so the order says nothing about when anyone voted.
                   PROJECTS "category": the project's categories, then one entry per
                   Sustainable Development Goal, "sdg <n> <goal>" (sdg 7 affordable and clean
                   energy); "target": the type of organisation carrying the project
                   (cooperative, association, mutual, foundation, social enterprise, informal
                   group of residents); comma-separated, None when empty, as in pabulib.
  tally.csv        one row per project: cost, votes, score, funded, and the rule's numbers;
                   name_fr and name_es: the project's title in French and Spanish, where the
                   organizers gave one ("name" and the .pb files keep the original titles).
  impact.csv       what the money funds, per budget: one row per Sustainable Development Goal
                   (dimension "sdg", key 1-17, empty key: projects that name no goal) and per
                   organisation type (dimension "organisation_type", empty key: not given), with
                   the funded projects and their money, beside the projects on the ballot and
                   their cost. Amounts in minor units (cents: *_minor columns) and as exact
                   decimals. A project with several goals counts once for each of its goals, so
                   the "sdg" rows can add up to more than the budget. result.json holds the same
                   figures under each budget's "impact".
  result.json      rule, parameters, tie-break chain, versions, the SHA-256 of each .pb file,
                   the funded projects and the rule's round-by-round explanation; for readers,
                   the organizers' texts in French and Spanish ("translations",
                   "project_translations", "category_names"; not part of any count).
  audit-log.jsonl  every recorded event of the process (phases, configuration, codes issued,
                   tallies); each line holds the hash of the one before. Ballots are not events
                   of the log: when voting closed, the log sealed each budget's ballots in one
                   "ballots.sealed" event: how many are counted, how many were replaced, and
                   receipts_sha256, the SHA-256 of their receipt hashes sorted, one per line.
  SHA256SUMS       checksums of all the files above.

What this proves, and what it hides
  The ballots of each .pb are exactly the ones sealed when voting closed: none was dropped,
  added or changed afterwards, and each counts once. A voter who kept a receipt can find its
  hash in the .pb (or see that it was replaced by a later ballot of theirs). Nothing here
  tells in which order, on which day or at what time ballots were cast, nor which ballots of
  different budgets come from the same voter: the log holds no event per ballot, and the
  seal covers a whole budget at once. The engine's database does not link them either: a
  ballot is stored without its voter code, under a keyed hash that let the voter replace it
  while voting was open, and those hashes were erased when voting closed (this export cannot
  prove that; the engine's source and tests show it).

How to check
  1. sha256sum -c SHA256SUMS
  2. pbengine verify .        (or: pbengine verify {slug}-export.zip)
     recounts every budget from its .pb file and result.json alone, checks the checksums,
     the audit-log hash chain and each budget's seal, and prints MATCH or exactly what differs.
     The seal by hand: sed '1,/^VOTES/d' <budget>.pb | sed 1d | cut -d';' -f1 | LC_ALL=C sort | sha256sum
  3. Or with pabutools directly (pip install pabutools=={pabutools}):
       from pabutools.election import parse_pabulib
       instance, profile = parse_pabulib("<budget>.pb")
       profile.instance = instance
     then run the rule that result.json names on them. For Equal Shares (rule equal-shares):
       from pabutools.election import Instance, Cost_Sat, Cardinality_Sat, Additive_Cardinal_Sat
       from pabutools.rules import method_of_equal_shares
     The satisfaction is META "satisfaction_measure" (also "satisfaction" in result.json):
       cost -> Cost_Sat, cardinality -> Cardinality_Sat, points -> Additive_Cardinal_Sat on the
       points of the file's cumulative ballots; rank-points -> Additive_Cardinal_Sat on ballots
       that give k points to a k-ranking's first place, k-1 to the second, ..., never below 1.
     With a completion ("add1", "add1-greedy", "add1-overspend") every voter's share was raised
     one unit at a time; result.json "explanation" gives the share where that stopped
     ("final_share"). Run method_of_equal_shares(Instance(instance, budget_limit=final_share
     * number of voters), profile, sat_class=..., tie_breaking=...) and compare with "funded"
     (for add1-greedy, the projects in "added_by_greedy" were then added by greedy).
     Ties between projects of equal price follow META "tie_break": "votes" = more supporters
     first, "lower-cost" = cheaper first, "id" = project id in natural order (2 before 10).
     A budget whose META has "incompatible" (groups of project ids separated by |, e.g.
     773,153) funds at most one project of each group: greedy skips a project incompatible
     with one already funded. With pabutools, run its greedy without the projects of each
     group that a funded project rules out, or let pbengine verify do it.
"""


def readme(process: Process, pabutools_version: str) -> bytes:
    return README_TEXT.format(slug=process.slug, version=__version__, pabutools=pabutools_version).encode()
