"""What every rule receives and returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from voting_rules.ballots import count_scores
from voting_rules.convert import Bridge
from voting_rules.election import Election
from voting_rules.params import TallyParams
from voting_rules.tiebreak import chain_key

Progress = Callable[[str], None]


@dataclass
class Context:
    """Counted scores and pabutools objects shared by the rules of one tally.

    Parameters
    ----------
    election : Election
    progress : callable, optional
        Called with a short message as long computations advance.
    """

    election: Election
    progress: Progress | None = None
    scores: dict[str, int] = field(init=False)
    votes: dict[str, int] = field(init=False)
    _bridge: Bridge | None = field(init=False, default=None)
    # Equal Shares runs already computed, by (satisfaction, completion, tie-break): a tally and
    # its rule comparison share them instead of running the same completion again.
    mes_runs: dict = field(init=False, default_factory=dict)
    # What every rule's result carries and depends only on the ballots (the input's digest) or
    # on the funded set (the fairness figures), and what Equal Shares' completions share (where
    # each add1 loop stops, pabutools' allocation at each final share): computed once for the
    # rules sharing a context.
    memo: dict = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.scores, self.votes = count_scores(self.election)

    @property
    def bridge(self) -> Bridge:
        """pabutools instance and multi-profile, built on first use."""
        if self._bridge is None:
            self.say("building the pabutools profile")
            self._bridge = Bridge(self.election)
        return self._bridge

    def say(self, message: str) -> None:
        """Report progress, if anyone listens."""
        if self.progress is not None:
            self.progress(message)

    def greedy_order(self, params: TallyParams, ids=None) -> list[str]:
        """Project ids in greedy order: best score first, ties by the chain.

        With ``cost`` satisfaction the score is the project's votes/points (the
        cities' rule); with ``cardinality`` it is votes per unit of cost.
        """
        pmap = self.election.project_map()
        key = chain_key(params.tie_break, self.votes)
        ids = list(pmap) if ids is None else list(ids)

        def density(pid: str) -> Fraction:
            if params.satisfaction == "cost":
                return Fraction(self.scores[pid])
            cost = pmap[pid].cost
            return Fraction(self.scores[pid], cost) if cost else Fraction(10**30)

        return sorted(ids, key=lambda pid: (-density(pid), key(pmap[pid])))


@dataclass
class Outcome:
    """What a rule decided.

    Attributes
    ----------
    funded : list[str]
        Funded project ids in selection order.
    explanation : dict
        Rule-specific, JSON-serialisable account of how it was decided.
    """

    funded: list[str]
    explanation: dict = field(default_factory=dict)


RuleFunction = Callable[[Election, TallyParams, Context], Outcome]
