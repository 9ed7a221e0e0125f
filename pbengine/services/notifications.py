"""What the services tell a proposer by mail, and to whom; how a mail is written and sent is not theirs.

Services that change a proposal take an optional ``notifier`` (a :class:`Notifier`) and call it
only for a proposal that has a contact address (and, for the voting reminder, whose proposer asked
for it). ``pbengine.notifications.MailNotifier`` writes the mails in the proposer's language and
hands them to pyramid_mailer, which sends them only when the transaction commits: a refused or
failed request sends nothing. Without a notifier (the demo, a script) nothing is sent.
"""

from __future__ import annotations

from typing import Protocol

from ..models import Process, Project, Proposal


class Notifier(Protocol):
    def proposal_received(self, proposal: Proposal, token: str) -> None:
        """Sent once, at submission: the only mail that holds the private status link."""

    def proposal_changes_requested(self, proposal: Proposal) -> None: ...

    def proposal_accepted(self, proposal: Proposal, project: Project) -> None: ...

    def proposal_rejected(self, proposal: Proposal) -> None: ...

    def voting_opened(self, proposal: Proposal) -> None:
        """The reminder a proposer asked for, sent when the process moves to voting."""


def reachable(proposal: Proposal) -> bool:
    return bool((proposal.contact_email or "").strip())


def remind_proposers(process: Process, notifier: Notifier | None) -> int:
    """Voting opened: remind every proposer who asked for it and left an address; how many were."""
    if notifier is None:
        return 0
    reminded = 0
    for proposal in process.proposals:
        if proposal.remind_voting and reachable(proposal):
            notifier.voting_opened(proposal)
            reminded += 1
    return reminded
