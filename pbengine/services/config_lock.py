"""The configuration that voting locks, its fingerprint, and the check that it still holds.

Opening the vote records :func:`fingerprint` as the process's ``config_fingerprint``; from then on
``services/processes.py`` refuses a process edit that would change :func:`configuration`, and
budgets and projects cannot be edited at all (``services/phases.py``).
"""

from __future__ import annotations

import hashlib

from voting_rules.election import incompatible_text

from .. import money
from ..i18n import _
from ..models import Process
from . import audit
from .errors import ConfigurationChanged
from .rule_inputs import ballot_format, incompatible_groups, tally_params


def configuration(process: Process, **changes) -> dict:
    """The configuration that voting locks, as plain data (also stored in the audit log).

    ``changes`` replaces process fields (``slug="new"``) to see the configuration an edit would
    give, without touching the process. Every field that changes this dict is frozen from the
    vote on: that is the lock, derived from the fingerprint itself, not from a list of fields.
    """
    def field(name):
        return changes[name] if name in changes else getattr(process, name)

    currency = field("currency")
    return {
        "process": field("slug"),
        "currency": currency,
        "allow_revote": field("allow_revote"),
        # only when set: fingerprints of processes without a limit are unchanged
        **({"max_budgets": field("max_budgets")} if field("max_budgets") is not None else {}),
        "budgets": [
            {
                "slug": b.slug,
                "amount": money.as_json(b.amount, currency),
                "ballot": ballot_format(b).to_meta(),
                "params": tally_params(b).to_json(),
                "projects": [[p.code, money.as_json(p.cost, currency)]
                             for p in sorted(b.projects, key=lambda p: p.code)],
                # only when set: fingerprints of budgets without groups are unchanged
                **({"incompatible": incompatible_text(incompatible_groups(b))} if b.incompatible else {}),
            }
            for b in process.budgets
        ],
    }


def fingerprint(process: Process) -> str:
    return hashlib.sha256(audit.canonical(configuration(process)).encode()).hexdigest()


def ensure_configuration_unchanged(process: Process) -> None:
    """Computing and publishing re-check the configuration against the fingerprint voting locked."""
    if not process.config_fingerprint or fingerprint(process) != process.config_fingerprint:
        raise ConfigurationChanged(
            _("The configuration no longer matches the fingerprint recorded when voting opened: "
              "the results cannot be computed or published."))
