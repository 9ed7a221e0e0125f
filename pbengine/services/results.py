"""Published results for display: per project, whether it was funded and why.

Reads the official tally's result JSON (``voting_rules.TallyResult.to_json``) and turns the
rule's explanation (greedy order, equal-shares rounds and shortfalls, ...) into one or two
translatable sentences per project. Nothing is recomputed here.

The result of a published (frozen) tally never changes, nor do the projects and budgets it
counted (they are locked from the vote on): :func:`published_result` keeps its display in a
:class:`~pbengine.services.memo.Memo` keyed by the tally, so that a public page loads neither
the tally's JSON nor the projects again. The display holds plain values, no ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial

from sqlalchemy import select
from translationstring import TranslationString

from ..formatting import money, units
from ..i18n import _
from ..models import Budget, Tally
from ..money import to_minor
from .impact import Impact, budget_impact
from .memo import Memo
from .tallies import official_tally


def percent(value) -> str:
    return f"{round(Fraction(value) * 100)} %"


@dataclass
class ProjectOutcome:
    project_id: int | None  # None: a code in the tally that is not a project (any more)
    code: str
    title: str  # in the locale the result was built for
    cost: int  # minor units, like the database
    votes: int
    score: int
    funded: bool
    reasons: list[TranslationString] = field(default_factory=list)
    # Equal shares: how much each group of supporters paid.
    payments: list[TranslationString] = field(default_factory=list)
    # True when ``title`` is the original because no translation was given for the locale
    title_fallback: bool = False


@dataclass
class MoneyBin:
    """Voters whose supported projects got money in (``above``, ``up_to``] (whole currency units,
    exact: a quarter of a budget need not be a whole number of cents; the first bin is exactly
    nothing: ``above`` is None)."""

    above: Fraction | None
    up_to: Fraction
    voters: int
    share: Fraction
    label: TranslationString


@dataclass
class Fairness:
    """Figures of pabutools' analysis module recorded with the tally (``voting_rules.fairness``)."""

    voters_with_funded: int
    share_with_funded: Fraction
    bins: list[MoneyBin]
    # Equal Shares: what proportionality guaranteed in this vote, in one sentence.
    proportionality: TranslationString | None = None


@dataclass
class BudgetResult:
    budget_id: int
    tally_id: int
    tally_key: tuple  # see tally_key(): names this tally for good
    frozen: bool  # published: this result never changes
    rule: str
    outcomes: list[ProjectOutcome]
    spent: int  # minor units
    num_voters: int
    share_spent: Fraction
    share_voters_with_funded: Fraction
    notes: list[TranslationString] = field(default_factory=list)
    # Money and funded projects per goal and organisation type (services.impact).
    impact: Impact | None = None
    # None for a tally computed before these figures were recorded.
    fairness: Fairness | None = None

    @property
    def funded(self) -> list[ProjectOutcome]:
        return [o for o in self.outcomes if o.funded]

    @property
    def unfunded(self) -> list[ProjectOutcome]:
        return [o for o in self.outcomes if not o.funded]


def budget_result(db, budget: Budget, locale: str | None = None) -> BudgetResult | None:
    """The official result of ``budget`` with an explanation per project, or None if not computed."""
    tally = official_tally(db, budget)
    if tally is None:
        return None
    data = tally.result or {}
    currency = budget.process.currency
    by_code = {p.code: p for p in budget.projects}
    funded_order = list(data.get("funded", []))
    rows = {row["id"]: row for row in data.get("projects", [])}
    outcomes = {}
    for code, row in rows.items():
        project = by_code.get(code)
        outcomes[code] = ProjectOutcome(
            project_id=project.id if project else None, code=code,
            title=project.localized("title", locale) if project else code, cost=to_minor(row["cost"], currency),
            votes=row["votes"], score=row["score"], funded=code in funded_order,
            title_fallback=project is not None and project.translated("title", locale) is None)
    explanation = data.get("explanation") or {}
    rule = data.get("rule", tally.rule)
    notes: list[TranslationString] = []
    if rule.startswith("greedy"):
        _explain_greedy(outcomes, explanation, currency, locale)
    elif rule.startswith("equal-shares"):
        notes += _explain_equal_shares(outcomes, explanation, currency, locale)
    else:
        _explain_generic(outcomes)
    for outcome in outcomes.values():
        if not outcome.reasons:
            outcome.reasons.append(_("Funded.") if outcome.funded else
                                   _("Not funded: nobody voted for it.") if outcome.votes == 0 else
                                   _("Not funded."))
    ordered = [outcomes[c] for c in funded_order if c in outcomes]
    ordered += sorted((o for o in outcomes.values() if not o.funded), key=lambda o: (-o.score, o.code))
    # The tally counted in whole currency units (exact, "a/b" when not whole).
    spent = Fraction(data.get("spent", 0))
    total = Fraction(data.get("budget") or 0)
    return BudgetResult(
        budget_id=budget.id, tally_id=tally.id, tally_key=tally_key(tally), frozen=tally.frozen, rule=rule,
        outcomes=ordered, spent=to_minor(spent, currency),
        num_voters=data.get("num_voters", 0),
        share_spent=spent / total if total else Fraction(0),
        share_voters_with_funded=Fraction(data.get("share_of_voters_with_a_funded_project", "0")),
        notes=notes, impact=budget_impact(budget, data),
        fairness=_fairness(data, rule, explanation, currency, locale))


def _bin_label(above, up_to, currency: str, locale: str | None) -> TranslationString:
    if above is None:
        return _("Nothing")
    if Fraction(above) == 0:
        return _("Up to ${up_to}", mapping={"up_to": units(up_to, currency, locale)})
    return _("More than ${above}, up to ${up_to}",
             mapping={"above": units(above, currency, locale), "up_to": units(up_to, currency, locale)})


def _fairness(data: dict, rule: str, explanation: dict, currency: str, locale: str | None) -> Fairness | None:
    figures = data.get("fairness")
    if not figures:
        return None
    voters = data.get("num_voters", 0)
    share = Fraction(figures.get("share_of_voters_with_a_funded_project", "0"))
    bins = [MoneyBin(above=Fraction(b["above"]) if b.get("above") is not None else None,
                     up_to=Fraction(b["up_to"]), voters=b["voters"],
                     share=Fraction(b["share"]),
                     label=_bin_label(b.get("above"), b["up_to"], currency, locale))
            for b in figures.get("money_for_supported_projects", [])]
    proportionality = None
    # The guarantee is the starting share (budget / voters); a completion only raised it.
    each = explanation.get("starting_share") or explanation.get("budget_per_voter")
    kept_greedy = (explanation.get("comparison") or {}).get("kept") == "greedy"
    if rule.startswith("equal-shares") and each is not None and voters and not kept_greedy:
        proportionality = _(
            "What proportionality guaranteed here: each of the ${voters} voters controlled the same share, "
            "${share}, and equal shares paid for a project only with the money of voters who supported it; "
            "so every group of voters had money in proportion to its size (a tenth of the voters: ${tenth}) "
            "for the projects its members supported, however the others voted.",
            mapping={"voters": voters, "share": units(each, currency, locale),
                     "tenth": units(Fraction(each) * voters / 10, currency, locale)})
    return Fairness(voters_with_funded=round(share * voters), share_with_funded=share, bins=bins,
                    proportionality=proportionality)


def project_outcome(result: BudgetResult | None, project_id: int) -> ProjectOutcome | None:
    """The outcome of project ``project_id`` in ``result`` (None: no result, or not counted in it)."""
    if result is None:
        return None
    return next((o for o in result.outcomes if o.project_id == project_id), None)


def published_result(db, budget: Budget, locale: str | None, memo: Memo) -> BudgetResult | None:
    """:func:`budget_result`, kept in ``memo`` once its tally is frozen (published)."""
    return published_results(db, [budget], locale, memo)[0]


def published_results(db, budgets: list[Budget], locale: str | None, memo: Memo) -> list[BudgetResult | None]:
    """:func:`published_result` of each of ``budgets``, with one query for their official tallies."""
    rows = db.execute(select(Tally.id, Tally.budget_id, Tally.computed_at, Tally.input_digest, Tally.frozen)
                      .where(Tally.budget_id.in_([b.id for b in budgets]), Tally.official.is_(True))
                      .order_by(Tally.id)).all()
    newest = {row.budget_id: row for row in rows}  # the newest official tally, as official_tally() reads it
    found: list[BudgetResult | None] = []
    for budget in budgets:
        row = newest.get(budget.id)
        if row is None:
            found.append(None)
        elif not row.frozen:
            found.append(budget_result(db, budget, locale))
        else:
            # the texts' revision: a translation corrected after publication shows at once
            found.append(memo.get(("budget_result", *tally_key(row), budget.process.texts_revision, locale or ""),
                                  partial(budget_result, db, budget, locale)))
    return found


def tally_key(row) -> tuple:
    """What names a tally for good: its id, when it was computed and the digest of its input."""
    return row.id, row.computed_at.isoformat() if row.computed_at else "", row.input_digest


def _explain_greedy(outcomes: dict[str, ProjectOutcome], explanation: dict, currency: str,
                    locale: str | None) -> None:
    for place, step in enumerate(explanation.get("order", []), start=1):
        outcome = outcomes.get(step.get("project"))
        if outcome is None:
            continue
        decision = step.get("decision", "")
        left = units(step.get("money_left", 0), currency, locale)
        if step.get("excluded_by"):
            outcome.reasons.append(_("Not funded: it was number ${place} in order of votes, but it cannot be "
                                     "carried out together with project ${other}, funded before it.",
                                     mapping={"place": place, "other": step["excluded_by"]}))
        elif decision == "funded":
            outcome.reasons.append(_("Funded: it was number ${place} in order of votes, and its cost fitted in the "
                                     "money left (${left} remained after it).",
                                     mapping={"place": place, "left": left}))
        elif decision.startswith("skipped"):
            outcome.reasons.append(_("Not funded: it was number ${place} in order of votes, but only ${left} was left, "
                                     "less than its cost.", mapping={"place": place, "left": left}))
        elif decision.startswith("stopped"):
            outcome.reasons.append(_("Not funded: it was number ${place} in order of votes, but only ${left} was left, "
                                     "less than its cost, so the count stopped here.",
                                     mapping={"place": place, "left": left}))
        elif decision == "not reached":
            outcome.reasons.append(_("Not funded: the count stopped at an earlier project that did "
                                     "not fit in the money left."))
    threshold = explanation.get("threshold")
    for code in explanation.get("not_eligible", []):
        outcome = outcomes.get(code)
        if outcome is None or outcome.reasons:
            continue
        if threshold and outcome.score > 0:
            outcome.reasons.append(_("Not funded: it did not reach the minimum of ${threshold} votes.",
                                     mapping={"threshold": threshold}))


# What Equal Shares counted as a voter's satisfaction (result.json "satisfaction").
SATISFACTION_NOTES = {
    "cost": _("Counted for each voter: the money spent on the projects they support."),
    "cardinality": _("Counted for each voter: the number of funded projects they support."),
    "points": _("Counted for each voter: the points they gave each project, so a project with more of "
                "a voter's points weighs more for that voter."),
    "rank-points": _("Counted for each voter: points by place on their ranking, the most for first "
                     "place, one less for each place after."),
}


def _explain_equal_shares(outcomes: dict[str, ProjectOutcome], explanation: dict,
                          currency: str, locale: str | None) -> list[TranslationString]:
    notes = []
    start, final = explanation.get("starting_share"), explanation.get("final_share")
    share = explanation.get("budget_per_voter")
    if start is not None and final is not None and start != final:
        notes.append(_("Each voter's share of the budget: ${start} (the budget divided by the number of "
                       "voters), raised to ${final} by the completion until the money was used up.",
                       mapping={"start": units(start, currency, locale),
                                "final": units(final, currency, locale)}))
    elif share is not None:
        notes.append(_("Each voter's share of the budget: ${share}.",
                       mapping={"share": units(share, currency, locale)}))
    measure = SATISFACTION_NOTES.get(explanation.get("satisfaction", ""))
    if measure is not None:
        notes.append(measure)
    for number, round_ in enumerate(explanation.get("rounds", []), start=1):
        outcome = outcomes.get(round_.get("project"))
        if outcome is None:
            continue
        outcome.reasons.append(_("Funded by equal shares, in round ${round}: its supporters paid its cost "
                                 "together, at most ${price} each.",
                                 mapping={"round": number,
                                          "price": units(round_.get("price_per_supporter", 0), currency, locale)}))
        for group in round_.get("paid", []):
            outcome.payments.append(_("${voters} supporters paid ${amount} each.",
                                      mapping={"voters": group.get("voters"),
                                               "amount": units(group.get("amount", 0), currency, locale)}))
    for code in explanation.get("added_by_greedy", []):
        outcome = outcomes.get(code)
        if outcome is not None:
            outcome.reasons.append(_("Funded in the last step: after equal shares, money was left, and "
                                     "this project was the next by votes that still fitted."))
    for entry in explanation.get("unfunded", []):
        outcome = outcomes.get(entry.get("project"))
        if outcome is None or outcome.funded:
            continue
        outcome.reasons.append(_("Not funded: its ${n} supporters had ${have} left between them, "
                                 "${short} less than its cost of ${cost}.",
                                 mapping={"n": entry.get("supporters", outcome.votes),
                                          "have": units(entry.get("supporters_money_left", 0), currency, locale),
                                          "short": units(entry.get("short_by", 0), currency, locale),
                                          "cost": money(outcome.cost, currency, locale)}))
    comparison = explanation.get("comparison")
    if comparison:
        kept = comparison.get("kept")
        mapping = {"mes": comparison.get("voters_preferring_equal_shares", 0),
                   "greedy": comparison.get("voters_preferring_greedy", 0)}
        notes.append(_("Comparison: ${mes} voters preferred the equal-shares outcome and ${greedy} the "
                       "most-votes-first outcome; the equal-shares outcome was kept.", mapping=mapping)
                     if kept != "greedy" else
                     _("Comparison: ${mes} voters preferred the equal-shares outcome and ${greedy} the "
                       "most-votes-first outcome; the most-votes-first outcome was kept.", mapping=mapping))
        if kept == "greedy":
            for outcome in outcomes.values():
                outcome.reasons = [_("Funded: part of the most-votes-first outcome, which more voters "
                                     "preferred.") if outcome.funded else
                                   _("Not funded: not part of the most-votes-first outcome, which more "
                                     "voters preferred.")]
                outcome.payments = []
    return notes


def _explain_generic(outcomes: dict[str, ProjectOutcome]) -> None:
    for outcome in outcomes.values():
        if outcome.votes == 0:
            continue
        outcome.reasons.append(_("Funded: part of the set of projects this rule chose within the budget.")
                               if outcome.funded else
                               _("Not funded: not part of the set of projects this rule chose within "
                                 "the budget."))
