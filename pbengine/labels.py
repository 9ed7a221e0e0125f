"""Translatable names shown on the site and in the console: phases, goals, organisation types,
ballot formats, roles, rules. Templates translate them with ``t(...)`` (``pbengine.views.add_globals``).
"""

from .i18n import _

PHASE_LABELS = {
    "draft": _("In preparation"),
    "proposals": _("Proposals open"),
    "review": _("Proposals under review"),
    "voting": _("Voting open"),
    "closed": _("Voting closed, counting"),
    "published": _("Results published"),
}

# What a resident can do in each phase (the process home page).
PHASE_ACTIONS = {
    "proposals": _("Propose a project for your neighbourhood. The organizers check each proposal, "
                   "price it and put the accepted ones on the ballot."),
    "review": _("The organizers are checking and pricing the proposals. "
                "Read the projects; voting opens next."),
    "voting": _("Vote with the voter code you received. You can read every project before you vote."),
    "closed": _("Voting is closed. The results are being computed and will be published here."),
    "published": _("The results are published: see which projects are funded and why, "
                   "and check that your ballot was counted."),
}

SDG_NAMES = {
    1: _("No poverty"),
    2: _("Zero hunger"),
    3: _("Good health and well-being"),
    4: _("Quality education"),
    5: _("Gender equality"),
    6: _("Clean water and sanitation"),
    7: _("Affordable and clean energy"),
    8: _("Decent work and economic growth"),
    9: _("Industry, innovation and infrastructure"),
    10: _("Reduced inequalities"),
    11: _("Sustainable cities and communities"),
    12: _("Responsible consumption and production"),
    13: _("Climate action"),
    14: _("Life below water"),
    15: _("Life on land"),
    16: _("Peace, justice and strong institutions"),
    17: _("Partnerships for the goals"),
}

ORGANISATION_TYPES = {
    "cooperative": _("Cooperative"),
    "association": _("Association"),
    "mutual": _("Mutual"),
    "foundation": _("Foundation"),
    "social-enterprise": _("Social enterprise"),
    "informal-group": _("Informal group of residents"),
}

BALLOT_KIND_LABELS = {
    "approval": _("Approval: tick projects"),
    "knapsack": _("Knapsack: tick projects within a total cost"),
    "cumulative": _("Cumulative: spread points"),
    "ranking": _("Ranking: order projects"),
}

ROLE_LABELS = {
    "owner": _("Owner"),
    "moderator": _("Moderator"),
    "viewer": _("Viewer"),
}

PROPOSAL_STATUS = {
    "submitted": _("Received, waiting for review"),
    "changes-requested": _("Changes requested by the organizers"),
    "accepted": _("Accepted: the project is on the ballot"),
    "rejected": _("Not accepted"),
}

# One paragraph per rule, in plain words (results page).
RULE_TEXTS = {
    "greedy": _("Most votes first: projects are taken in order of their votes. Each project is funded "
                "if the money left covers its cost; a project that does not fit is skipped and the "
                "next one is tried."),
    "greedy-threshold": _("Most votes first, among the projects that reached the minimum number of votes: "
                          "each is funded if the money left covers its cost."),
    "greedy-no-skip": _("Most votes first: projects are funded in order of their votes until the first "
                        "project that does not fit in the money left; the count stops there."),
    "utilitarian": _("The best combination: among all the sets of projects that fit in the budget, the "
                     "one that gives voters the most total satisfaction is funded."),
    "equal-shares": _("Method of Equal Shares: the budget is split equally between the voters. A project "
                      "is funded when its supporters can pay its cost together from their shares; the "
                      "project that costs each supporter least is bought first. This way every group of "
                      "voters gets projects in proportion to its size."),
    "equal-shares-add1-overspend": _("Method of Equal Shares: the budget is split equally between the "
                                     "voters, and a project is funded when its supporters can pay its "
                                     "cost from their shares. The shares are raised step by step while "
                                     "the funded projects still fit in the budget."),
    "equal-shares-comparison": _("Method of Equal Shares, then a check: its outcome is compared with the "
                                 "most-votes-first outcome, and the one that more voters prefer is kept."),
    "phragmen": _("Sequential Phragmén: voters earn money at the same pace; a project is funded as soon "
                  "as its supporters together have earned its cost, and the supporters' money is spent."),
}

# What the budget's completion did with the money Equal Shares left (after RULE_TEXTS["equal-shares"]).
COMPLETION_TEXTS = {
    "add1": _("Money left at the end is used by raising the shares step by step, until no other "
              "project fits in the money left."),
    "add1-greedy": _("Money left at the end is used by raising the shares, then for the projects with "
                     "most votes that still fit."),
    "add1-overspend": _("Money left at the end is used by raising the shares step by step, until the next "
                        "raise would fund more than the budget."),
}

BALLOT_HELP = {
    "approval": _("Tick every project you support."),
    "knapsack": _("Tick the projects you support. Together they may cost at most the limit shown."),
    "cumulative": _("Share your points between the projects you support. You may give several "
                    "points to one project."),
    "ranking": _("Choose your favourite project for first place, then the next ones in order."),
}
