"""A realistic demo: a town's social and solidarity economy budget, this year's and last year's.

This year's edition is open for voting (codes printed at start), with dates around today that
say so, and voter codes per district: North residents vote in the North budget and the town-wide
pot, South residents in the South budget and the pot. Last year's is closed and published with
its tally (codes for every budget), so a newcomer sees every page with data, results included.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TypedDict

from sqlalchemy import func, select

from ..models import Phase, Process
from . import accounts, ballots, codes, processes, proposals, tallies, translations, workflow
from .budgets import BudgetData, add_budget
from .processes import ProcessData
from .projects import ProjectData, add_project

ADMIN_EMAIL = "admin@example.org"
ADMIN_PASSWORD = "demo-organizer-pass"

# (code, title, cost, categories, SDGs, organisation type, organisation)
PROJECTS = {
    "north": [
        ("N1", "Rooftop solar cooperative for the North estate", 48_000, ["energy"], [7, 13], "cooperative",
         "Soleil du Nord SCIC"),
        ("N2", "Repair café and tool library", 12_000, ["recycling"], [12], "association", "Répar'Tout"),
        ("N3", "Organic community garden with a school plot", 21_000, ["food", "education"], [2, 4, 11],
         "association", "Jardins partagés"),
        ("N4", "Bike workshop run by young apprentices", 17_500, ["mobility", "jobs"], [8, 11], "social-enterprise",
         "Vélo Solidaire"),
    ],
    "south": [
        ("S1", "Electric car-sharing for the South district", 52_000, ["mobility"], [11, 13], "cooperative",
         "AutoPartage Sud"),
        ("S2", "Textile recycling workshop employing women", 26_000, ["recycling", "jobs"], [5, 8, 12],
         "social-enterprise", "Fil à Fil"),
        ("S3", "Short-circuit organic food market hall", 33_000, ["food"], [2, 12], "cooperative",
         "Coop Paysanne"),
        ("S4", "Energy-saving advice for tenants", 9_000, ["energy", "housing"], [7, 1], "mutual",
         "Mutuelle Habitat"),
    ],
    "town": [
        ("T1", "Social housing renovation with local builders", 120_000, ["housing"], [1, 11], "cooperative",
         "Habitat Coop"),
        ("T2", "Youth employment hub for the social economy", 75_000, ["jobs", "education"], [4, 8], "association",
         "Tremplin Jeunes"),
        ("T3", "Town-wide compost collection by cargo bike", 40_000, ["recycling", "mobility"], [11, 12],
         "social-enterprise", "Compost'Cycle"),
        ("T4", "Community wind turbine feasibility study", 30_000, ["energy"], [7, 13], "cooperative",
         "Vent Citoyen"),
    ],
}

# Amounts below are whole euros; the database stores cents.
CENTS = 100


class BallotLimits(TypedDict, total=False):
    """The ballot constraints a demo budget sets (the :class:`BudgetData` fields of the same names)."""

    max_length: int
    max_sum_points: int
    max_points_per_project: int


# (slug, name, amount, ballot kind, limits)
BUDGETS: list[tuple[str, str, int, str, BallotLimits]] = [
    ("north", "North district", 60_000, "approval", {"max_length": 3}),
    ("south", "South district", 60_000, "knapsack", {}),
    ("town", "Town-wide pot", 180_000, "cumulative", {"max_sum_points": 10, "max_points_per_project": 5}),
]
BUDGET_DESCRIPTIONS = {
    "north": "Projects for the estates and schools north of the river.",
    "south": "Projects for the old town and the market quarter south of the river.",
    "town": "Projects that serve the whole town.",
}
# Where the projects are: place names, the same in every language.
LOCATIONS = {"north": "Valverde, Les Hauts", "south": "Valverde, La Ribera", "town": "Valverde"}

TRANSLATIONS = {
    "fr": ("Budget participatif ESS de Valverde", "Les habitantes et habitants de Valverde proposent et "
           "choisissent des projets d'économie sociale et solidaire."),
    "es": ("Presupuesto participativo ESS de Valverde", "Los vecinos y vecinas de Valverde proponen y eligen "
           "proyectos de economía social y solidaria."),
}

# Everything organizers wrote above, in French and Spanish (a test checks that no English is left
# on the French and Spanish pages of the demo).
BUDGET_TRANSLATIONS = {
    "fr": {
        "north": ("Quartier Nord", "Des projets pour les cités et les écoles au nord de la rivière."),
        "south": ("Quartier Sud", "Des projets pour la vieille ville et le quartier du marché au sud de la rivière."),
        "town": ("Enveloppe communale", "Des projets au service de toute la commune."),
    },
    "es": {
        "north": ("Distrito Norte", "Proyectos para los barrios y las escuelas al norte del río."),
        "south": ("Distrito Sur", "Proyectos para el casco antiguo y el barrio del mercado al sur del río."),
        "town": ("Bolsa municipal", "Proyectos al servicio de todo el municipio."),
    },
}
PROJECT_TRANSLATIONS = {
    "fr": {
        "N1": "Coopérative solaire sur les toits de la cité Nord",
        "N2": "Café réparation et bibliothèque d'outils",
        "N3": "Jardin partagé bio avec une parcelle pour l'école",
        "N4": "Atelier vélo tenu par de jeunes apprentis",
        "S1": "Autopartage électrique pour le quartier Sud",
        "S2": "Atelier de recyclage textile qui emploie des femmes",
        "S3": "Halle de marché bio en circuit court",
        "S4": "Conseils d'économies d'énergie pour les locataires",
        "T1": "Rénovation de logements sociaux avec des artisans locaux",
        "T2": "Pôle emploi des jeunes dans l'économie sociale",
        "T3": "Collecte du compost dans toute la commune en vélo-cargo",
        "T4": "Étude de faisabilité d'une éolienne citoyenne",
    },
    "es": {
        "N1": "Cooperativa solar en los tejados del barrio Norte",
        "N2": "Café de reparación y biblioteca de herramientas",
        "N3": "Huerto comunitario ecológico con una parcela escolar",
        "N4": "Taller de bicicletas a cargo de jóvenes aprendices",
        "S1": "Coche compartido eléctrico para el distrito Sur",
        "S2": "Taller de reciclaje textil que emplea a mujeres",
        "S3": "Mercado cubierto de productos ecológicos de proximidad",
        "S4": "Asesoramiento en ahorro energético para inquilinos",
        "T1": "Rehabilitación de vivienda social con constructores locales",
        "T2": "Centro de empleo juvenil en la economía social",
        "T3": "Recogida de compost en todo el municipio en bicicleta de carga",
        "T4": "Estudio de viabilidad de un aerogenerador ciudadano",
    },
}
DESCRIPTION = {
    "en": "{title}, proposed by {org}. A local social and solidarity economy project.",
    "fr": "{title}, proposé par {org}. Un projet local d'économie sociale et solidaire.",
    "es": "{title}, propuesto por {org}. Un proyecto local de economía social y solidaria.",
}
CATEGORY_TRANSLATIONS = {
    "fr": {"energy": "énergie", "recycling": "recyclage", "food": "alimentation", "education": "éducation",
           "mobility": "mobilité", "jobs": "emploi", "housing": "logement"},
    "es": {"energy": "energía", "recycling": "reciclaje", "food": "alimentación", "education": "educación",
           "mobility": "movilidad", "jobs": "empleo", "housing": "vivienda"},
}


@dataclass
class Demo:
    current: Process
    previous: Process
    sample_codes: list[str]
    samples: dict[str, list[str]]  # batch label -> a few of its unused codes
    admin_email: str = ADMIN_EMAIL
    admin_password: str = ADMIN_PASSWORD


def is_empty(db) -> bool:
    return db.scalar(select(func.count()).select_from(Process)) == 0


def _random_ballot(rng: random.Random, budget, popularity: dict[str, float]) -> dict:
    codes_ = [p.code for p in budget.projects]
    liked = [c for c in codes_ if rng.random() < popularity[c]] or [rng.choice(codes_)]
    if budget.ballot_kind == "approval":
        return {"approvals": liked[: budget.max_length or len(liked)]}
    if budget.ballot_kind == "knapsack":
        chosen, total = [], 0
        for p in sorted(budget.projects, key=lambda p: -popularity[p.code]):
            if p.code in liked and total + p.cost <= (budget.max_sum_cost or budget.amount):
                chosen.append(p.code)
                total += p.cost
        return {"approvals": chosen or [min(budget.projects, key=lambda p: p.cost).code]}
    points, left = {}, budget.max_sum_points
    for code in liked:
        give = min(left, rng.randint(1, budget.max_points_per_project or left))
        if give:
            points[code] = give
            left -= give
    return {"points": points}


class PhaseDates(TypedDict):
    """The phase dates of a demo edition (the :class:`ProcessData` fields of the same names)."""

    proposals_start: dt.date
    proposals_end: dt.date
    voting_start: dt.date
    voting_end: dt.date


def _dates(today: dt.date, voting_days_left: int) -> PhaseDates:
    """Phase dates of an edition whose vote ends ``voting_days_left`` days after ``today`` (negative: it ended)."""
    voting_end = today + dt.timedelta(days=voting_days_left)
    voting_start = voting_end - dt.timedelta(days=27)
    proposals_end = voting_start - dt.timedelta(days=14)
    return {"proposals_start": proposals_end - dt.timedelta(days=44), "proposals_end": proposals_end,
            "voting_start": voting_start, "voting_end": voting_end}


def _edition(db, key: str, slug: str, year: int, rng: random.Random, voters: int, admin, dates: PhaseDates,
             auto_phases: bool = False, districts: bool = False) -> tuple[Process, dict[str, list[str]]]:
    """One edition, open for voting, with ``voters`` ballots cast; the unused codes of each batch.

    ``districts``: each district's residents get codes for their district and the town-wide pot.
    """
    title = f"Valverde SSE participatory budget {year}"
    process = processes.create_process(db, ProcessData(
        slug=slug, title=title, currency="EUR", allow_revote=True, auto_phases=auto_phases, **dates,
        description="Residents of Valverde propose and choose local social and solidarity economy projects: "
                    "energy and recycling cooperatives, car-sharing, organic farming, social housing, and jobs "
                    "for young people and women."), actor="demo")
    for locale, (t_title, t_description) in TRANSLATIONS.items():
        translations.set_translation(process, locale, "title", f"{t_title} {year}")
        translations.set_translation(process, locale, "description", t_description)
    accounts.grant_role(db, process, admin, "owner", actor="demo")
    for slug_, name, amount, kind, limits in BUDGETS:
        budget = add_budget(db, process, BudgetData(
            slug=slug_, name=name, description=BUDGET_DESCRIPTIONS[slug_], amount=amount * CENTS, ballot_kind=kind,
            rule="equal-shares", **limits), actor="demo")
        for locale, names in BUDGET_TRANSLATIONS.items():
            translations.set_translation(budget, locale, "name", names[slug_][0])
            translations.set_translation(budget, locale, "description", names[slug_][1])
        for code, ptitle, cost, categories, sdgs, org_type, org in PROJECTS[slug_]:
            project = add_project(db, budget, ProjectData(
                code=code, title=ptitle, cost=cost * CENTS, categories=categories, sdgs=sdgs,
                organisation_type=org_type, organisation_name=org, location=LOCATIONS[slug_],
                description=DESCRIPTION["en"].format(title=ptitle, org=org)), actor="demo")
            for locale, titles in PROJECT_TRANSLATIONS.items():
                translations.set_translation(project, locale, "title", titles[code])
                translations.set_translation(project, locale, "description",
                                          DESCRIPTION[locale].format(title=titles[code], org=org))
    for locale, labels in CATEGORY_TRANSLATIONS.items():
        for category, translated in labels.items():
            translations.set_category_translation(process, category, locale, translated)
    workflow.move_to(db, process, Phase.PROPOSALS, actor="demo")
    proposal, _token = proposals.submit(db, process, proposals.ProposalData(
        title="Free wifi in the town square", description="Public wifi for everyone.", estimated_cost=8_000 * CENTS,
        contact_email="resident@example.org", organisation_type="informal-group"))
    workflow.move_to(db, process, Phase.REVIEW, actor="demo")
    proposals.reject(db, proposal, "Not a social and solidarity economy project; the town's IT budget covers it.",
                     actor="demo")
    workflow.move_to(db, process, Phase.VOTING, actor="demo")
    by_slug = {b.slug: b for b in process.budgets}
    # (label, budgets): every budget, or one batch per district, each with the town-wide pot
    batches = ([(f"{name} letters", [by_slug[district], by_slug["town"]])
                for district, name, *_rest in BUDGETS if district != "town"] if districts
               else [("Demo letters", list(process.budgets))])
    unused: dict[str, list[str]] = {}
    for label, budgets in batches:
        batch = codes.generate(db, key, process, voters // len(batches) + 10, label, actor="demo",
                               budget_ids=[b.id for b in budgets])
        plain = [code for _ref, code in batch.codes]
        for code in plain[:voters // len(batches)]:
            voter_code = codes.find(db, key, process, code)
            for budget in budgets:
                popularity = {p.code: rng.uniform(0.15, 0.7) for p in budget.projects}
                if rng.random() < 0.8:
                    ballots.cast(db, budget, voter_code, _random_ballot(rng, budget, popularity), key=key)
        unused[label] = plain[voters // len(batches):]
    return process, unused


def load(db, key: str, seed: int = 2027, today: dt.date | None = None) -> Demo:
    """Load both editions; ``key`` is the voter-code key (settings['pbengine.code_key']).

    The dates follow the phases, counted from ``today`` (default: today, UTC): this year's vote
    opened a week ago and closes in three weeks (automatically, once ``pbengine tick`` runs);
    last year's ran a year earlier.
    """
    rng = random.Random(seed)
    today = today or dt.datetime.now(dt.UTC).date()
    admin = accounts.create_organizer(db, ADMIN_EMAIL, "Demo organizer", ADMIN_PASSWORD, is_admin=True)
    previous, _ = _edition(db, key, "valverde-2026", 2026, rng, 240, admin, _dates(today, 21 - 364))
    workflow.move_to(db, previous, Phase.CLOSED, actor="demo", code_key=key)
    tallies.compute_all(db, previous, actor="demo")
    workflow.move_to(db, previous, Phase.PUBLISHED, actor="demo")
    current, unused = _edition(db, key, "valverde-2027", 2027, rng, 240, admin, _dates(today, 20),
                               auto_phases=True, districts=True)
    samples = {label: plain[:3] for label, plain in unused.items()}
    return Demo(current=current, previous=previous, sample_codes=[c for plain in samples.values() for c in plain],
                samples=samples)
