"""Context factories: load the object named in the URL or raise 404; ACLs live here."""

from __future__ import annotations

import json

from pyramid.authorization import ALL_PERMISSIONS, Allow, Authenticated, Everyone
from pyramid.decorator import reify
from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import aliased, contains_eager, defer, joinedload

from .models import AuditEvent, Budget, Process, Project, Proposal, Role, Tally
from .security import Permission, process_principal
from .services import ballot_rules, phases, ratelimit

ROLE_PERMISSIONS = {
    Role.OWNER: (Permission.PROCESS_VIEW, Permission.PROCESS_MODERATE, Permission.PROCESS_MANAGE),
    Role.MODERATOR: (Permission.PROCESS_VIEW, Permission.PROCESS_MODERATE),
    Role.VIEWER: (Permission.PROCESS_VIEW,),
}


class SiteRoot:
    """Public pages: anyone may read and vote (the voter code is checked by the service)."""

    __acl__ = [(Allow, Everyone, (Permission.VIEW, Permission.VOTE))]

    def __init__(self, request):
        self.request = request


class ConsoleRoot:
    __acl__ = [
        (Allow, "role:admin", ALL_PERMISSIONS),
        (Allow, Authenticated, Permission.CONSOLE),
        # The login and logout pages.
        (Allow, Everyone, Permission.VIEW),
    ]

    def __init__(self, request):
        self.request = request


def _int(request, key: str) -> int:
    try:
        value = int(request.matchdict[key])
    except (KeyError, ValueError):
        raise HTTPNotFound() from None
    if not 0 < value < 2**63:  # no row has such an id (and the database could not compare it)
        raise HTTPNotFound()
    return value


class ProcessContext:
    """A process in the console (by id); organizers' roles on it grant permissions."""

    def __init__(self, request):
        self.request = request
        self.process = request.db.get(Process, _int(request, "process_id"))
        if self.process is None:
            raise HTTPNotFound()

    @property
    def __acl__(self):
        acl = [(Allow, "role:admin", ALL_PERMISSIONS)]
        for role, permissions in ROLE_PERMISSIONS.items():
            acl.append((Allow, process_principal(self.process.id, role), permissions))
        return acl


class BudgetContext(ProcessContext):
    def __init__(self, request):
        super().__init__(request)
        self.budget = request.db.get(Budget, _int(request, "budget_id"))
        if self.budget is None or self.budget.process_id != self.process.id:
            raise HTTPNotFound()


class ProjectContext(BudgetContext):
    def __init__(self, request):
        super().__init__(request)
        self.project = request.db.get(Project, _int(request, "project_id"))
        if self.project is None or self.project.budget_id != self.budget.id:
            raise HTTPNotFound()


class ProposalContext(ProcessContext):
    def __init__(self, request):
        super().__init__(request)
        self.proposal = request.db.get(Proposal, _int(request, "proposal_id"))
        if self.proposal is None or self.proposal.process_id != self.process.id:
            raise HTTPNotFound()


class PublicProcessContext(SiteRoot):
    """A process on the citizen site, by slug, with its budgets (one query); drafts are not public."""

    def __init__(self, request):
        super().__init__(request)
        slug = request.matchdict.get("slug", "")
        self.process = request.db.scalars(select(Process).where(Process.slug == slug)
                                          .options(joinedload(Process.budgets))).unique().first()
        if self.process is None or not phases.is_public(self.process):
            raise HTTPNotFound()


# What a kept public page of a process depends on, by slug, in one light statement: the process
# row's fields that pages show, its newest official tally and the head of its audit log (every
# change the services make to a process from its vote on appends an event: a tally computed or
# published, a phase, a text, a code revoked, the archive).
_LATER = aliased(AuditEvent)
_PAGE_VERSION = (
    select(Process.id, Process.created_at, Process.phase, Process.texts_revision, Process.config_fingerprint,
           Process.title, Process.translations,
           select(func.max(Tally.id)).join(Budget, Budget.id == Tally.budget_id)
           .where(Budget.process_id == Process.id, Tally.official.is_(True)).correlate(Process)
           .scalar_subquery().label("tally"),
           AuditEvent.seq, AuditEvent.hash, AuditEvent.at)
    .outerjoin(AuditEvent, (AuditEvent.process_id == Process.id) & (AuditEvent.seq == (
        select(func.max(_LATER.seq)).where(_LATER.process_id == Process.id).correlate(Process).scalar_subquery())))
    .where(Process.slug == bindparam("slug")))


class PublicPageContext(SiteRoot):
    """A public process whose page the app may keep rendered (``views.caching.kept_page``): the URL's
    process is named first by its ``version`` (one light query, no ORM object); the process with
    its budgets (``process``, as :class:`PublicProcessContext` loads it) only when the page is rendered."""

    def __init__(self, request):
        super().__init__(request)
        row = request.read_first(_PAGE_VERSION, {"slug": request.matchdict.get("slug", "")})
        if row is None or not phases.is_public(row):
            raise HTTPNotFound()
        self.state = row  # what services.phases asks: its phase
        self.modified = row.at or row.created_at  # the newest audit event's time
        self.version = (row.id, row.created_at.isoformat(), row.phase, row.texts_revision, row.config_fingerprint,
                        row.title, json.dumps(row.translations, sort_keys=True), row.tally, row.seq, row.hash)

    @reify
    def process(self) -> Process:
        return PublicProcessContext(self.request).process


# Built once: on the ballot's hot path, building the statement and its cache key again on every
# request cost about as much as running it.
def _budget_by_slugs(process=(), budget=(), projects=()):
    """A budget of a process with its projects, by slugs; without the columns named (they load if asked for)."""
    return (select(Budget).join(Budget.process)
            .where(Process.slug == bindparam("slug"), Budget.slug == bindparam("budget"))
            .options(*(defer(getattr(Budget, name)) for name in budget),
                     contains_eager(Budget.process).options(*(defer(getattr(Process, name)) for name in process)),
                     joinedload(Budget.projects).options(*(defer(getattr(Project, name)) for name in projects))))


_BUDGET_BY_SLUGS = _budget_by_slugs()


class PublicBudgetContext(PublicProcessContext):
    """A budget of a public process, by slugs: process, budget and projects in one query (the
    ballot's hot path); the process's other budgets load when a page asks for them."""

    statement = _BUDGET_BY_SLUGS

    def __init__(self, request):
        SiteRoot.__init__(self, request)
        slugs = {"slug": request.matchdict.get("slug", ""), "budget": request.matchdict.get("budget", "")}
        self.budget = request.db.scalars(self.statement, slugs).unique().first()
        if self.budget is None or not phases.is_public(self.budget.process):
            raise HTTPNotFound()
        self.process = self.budget.process


def _cast_target():
    """Process and budget ids, the phase and the locked fingerprint by slugs: on the tables (a Core
    statement costs a fraction of an ORM-enabled one), public processes only."""
    processes, budgets = Process.__table__.c, Budget.__table__.c
    return (select(processes.id.label("process_id"), processes.slug.label("process_slug"), processes.created_at,
                   processes.phase, processes.config_fingerprint, budgets.id.label("budget_id"),
                   budgets.slug.label("budget_slug"))
            .select_from(Process.__table__.join(Budget.__table__, budgets.process_id == processes.id))
            .where(processes.slug == bindparam("slug"), budgets.slug == bindparam("budget"),
                   phases.public_processes(processes.phase)))


_CAST_TARGET = _cast_target()


class CastContext(SiteRoot):
    """The budget an API ballot is cast in (``target``, :class:`pbengine.services.ballot_rules.Target`):
    kept by the app server while its process is voting, and then checked by the cast's own first
    statement; otherwise read by :meth:`resolve` (one small statement, and the rules through the ORM).
    404 as :class:`PublicBudgetContext`."""

    def __init__(self, request):
        super().__init__(request)
        self.process_slug = request.matchdict.get("slug", "")
        self.budget_slug = request.matchdict.get("budget", "")
        self.cache = ballot_rules.cache_of(request.registry)
        # The minute's rate-limit key known before this request holds SQLite's write lock (its first
        # statement): the code's check then reads no key (services.ratelimit.ready).
        ratelimit.ready(request.registry["dbsession_factory"])
        self.target = self.cache.kept(self.process_slug, self.budget_slug) or self.resolve()

    def resolve(self) -> ballot_rules.Target:
        """The target as the database has it now (404 if no public process has this budget)."""
        self.cache.drop(self.process_slug, self.budget_slug)
        row = self.request.db.execute(_CAST_TARGET, {"slug": self.process_slug, "budget": self.budget_slug}).first()
        target = None if row is None else ballot_rules.target(self.request.db, self.cache, row)
        if target is None:
            raise HTTPNotFound()
        self.target = target
        return target


class PublicProjectContext(PublicProcessContext):
    def __init__(self, request):
        super().__init__(request)
        self.project = request.db.get(Project, _int(request, "project_id"))
        if self.project is None or self.project.budget.process_id != self.process.id:
            raise HTTPNotFound()
