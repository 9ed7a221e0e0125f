"""voting_rules — pure participatory-budgeting counting on top of pabutools.

Imports only pabutools and the standard library. Typical use::

    from voting_rules import read_pb, compute, params_from_meta
    election = read_pb("budget.pb")
    result = compute(election, params_from_meta(election.meta))
    result.funded
"""

from voting_rules.ballots import BallotError, BallotErrorCode, count_scores, validate_ballot, validate_election
from voting_rules.compare import compare
from voting_rules.election import Ballot, BallotFormat, Election, Project
from voting_rules.pabulib_read import PabulibError, read_pb
from voting_rules.pabulib_write import write_pb
from voting_rules.params import (
    COMPLETIONS,
    META_RULES,
    RULE_NAMES,
    SATISFACTIONS,
    TallyParams,
    params_from_meta,
)
from voting_rules.result import TallyResult, compute, election_digest
from voting_rules.rules import RULES, Context

__all__ = [
    "COMPLETIONS",
    "META_RULES",
    "RULES",
    "RULE_NAMES",
    "SATISFACTIONS",
    "Ballot",
    "BallotError",
    "BallotErrorCode",
    "BallotFormat",
    "Context",
    "Election",
    "PabulibError",
    "Project",
    "TallyParams",
    "TallyResult",
    "compare",
    "compute",
    "count_scores",
    "election_digest",
    "params_from_meta",
    "read_pb",
    "validate_ballot",
    "validate_election",
    "write_pb",
]
