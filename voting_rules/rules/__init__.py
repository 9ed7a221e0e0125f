"""The rule registry: every rule is ``rule(election, params, context) -> Outcome``."""

from voting_rules.rules.base import Context, Outcome, RuleFunction
from voting_rules.rules.greedy import greedy, greedy_no_skip, greedy_threshold
from voting_rules.rules.mes import (
    equal_shares,
    equal_shares_add1_overspend,
    equal_shares_comparison,
)
from voting_rules.rules.others import phragmen, utilitarian

RULES: dict[str, RuleFunction] = {
    "greedy": greedy,
    "greedy-threshold": greedy_threshold,
    "greedy-no-skip": greedy_no_skip,
    "utilitarian": utilitarian,
    "equal-shares": equal_shares,
    "equal-shares-add1-overspend": equal_shares_add1_overspend,
    "equal-shares-comparison": equal_shares_comparison,
    "phragmen": phragmen,
}

__all__ = ["RULES", "Context", "Outcome", "RuleFunction"]
