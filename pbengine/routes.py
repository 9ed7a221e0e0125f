"""Every route, with its context factory. Names are dotted and area-prefixed."""

from . import resources as r


def includeme(config):
    site = r.SiteRoot
    # Routes are tried in the order they are added. The API's come first (a ballot's route was tried after
    # 59 others: 10 us a request); every other route begins with another literal segment, so no
    # address matches another route than before (tests/api/test_route_order.py).
    # Public JSON API (no CSRF; see pbengine.api)
    config.add_route("api.openapi", "/api/v1/openapi.json", factory=site)
    config.add_route("api.processes", "/api/v1/processes", factory=site)
    config.add_route("api.process", "/api/v1/processes/{slug}", factory=r.PublicProcessContext)
    config.add_route("api.budget", "/api/v1/processes/{slug}/budgets/{budget}", factory=r.PublicBudgetContext)
    config.add_route("api.projects", "/api/v1/processes/{slug}/budgets/{budget}/projects",
                     factory=r.PublicBudgetContext)
    config.add_route("api.results", "/api/v1/processes/{slug}/results", factory=r.PublicProcessContext)
    config.add_route("api.export", "/api/v1/processes/{slug}/export/{filename}", factory=r.PublicProcessContext)
    config.add_route("api.ballots", "/api/v1/processes/{slug}/budgets/{budget}/ballots", factory=r.CastContext)
    config.add_route("api.receipt", "/api/v1/receipts/{receipt}", factory=site)

    config.add_static_view("static", "pbengine:static", cache_max_age=3600)

    # Citizen site
    config.add_route("site.home", "/", factory=site)
    config.add_route("site.language", "/language", factory=site)
    config.add_route("site.receipt_check", "/receipt", factory=site)
    config.add_route("site.process", "/p/{slug}", factory=r.PublicProcessContext)
    config.add_route("site.projects", "/p/{slug}/projects", factory=r.PublicPageContext)
    config.add_route("site.project", "/p/{slug}/projects/{project_id}", factory=r.PublicProjectContext)
    config.add_route("site.propose", "/p/{slug}/propose", factory=r.PublicProcessContext)
    config.add_route("site.proposals", "/p/{slug}/proposals", factory=r.PublicProcessContext)
    config.add_route("site.proposal_status", "/p/{slug}/proposal/{token}", factory=r.PublicProcessContext)
    config.add_route("site.my_receipts", "/p/{slug}/my-receipts", factory=r.PublicProcessContext)
    config.add_route("site.my_receipts_text", "/p/{slug}/my-receipts.txt", factory=r.PublicProcessContext)
    config.add_route("site.vote_login", "/p/{slug}/vote", factory=r.PublicProcessContext)
    config.add_route("site.vote_logout", "/p/{slug}/vote/leave", factory=r.PublicProcessContext)
    config.add_route("site.ballot", "/p/{slug}/vote/{budget}", factory=r.PublicBudgetContext)
    config.add_route("site.ballot_review", "/p/{slug}/vote/{budget}/review", factory=r.PublicBudgetContext)
    config.add_route("site.receipt", "/p/{slug}/vote/{budget}/receipt", factory=r.PublicBudgetContext)
    config.add_route("site.results", "/p/{slug}/results", factory=r.PublicPageContext)
    config.add_route("site.results_chart", "/p/{slug}/results/{budget}.svg", factory=r.PublicBudgetContext)
    config.add_route("site.export_zip", "/p/{slug}/{filename:[A-Za-z0-9._-]+\\.zip}", factory=r.PublicProcessContext)

    # Organizer console
    console = r.ConsoleRoot
    config.add_route("console.login", "/console/login", factory=console)
    config.add_route("console.logout", "/console/logout", factory=console)
    config.add_route("console.home", "/console", factory=console)
    config.add_route("console.organizers", "/console/organizers", factory=console)
    config.add_route("console.account", "/console/account", factory=console)
    config.add_route("console.process_new", "/console/processes/new", factory=console)
    pr = "/console/processes/{process_id}"
    config.add_route("console.process", pr, factory=r.ProcessContext)
    config.add_route("console.process_edit", pr + "/edit", factory=r.ProcessContext)
    config.add_route("console.process_phase", pr + "/phase", factory=r.ProcessContext)
    config.add_route("console.process_roles", pr + "/roles", factory=r.ProcessContext)
    config.add_route("console.process_audit", pr + "/audit", factory=r.ProcessContext)
    config.add_route("console.process_archive", pr + "/archive", factory=r.ProcessContext)
    config.add_route("console.process_delete", pr + "/delete", factory=r.ProcessContext)
    config.add_route("console.budget_new", pr + "/budgets/new", factory=r.ProcessContext)
    bu = pr + "/budgets/{budget_id}"
    config.add_route("console.budget", bu, factory=r.BudgetContext)
    config.add_route("console.budget_edit", bu + "/edit", factory=r.BudgetContext)
    config.add_route("console.budget_delete", bu + "/delete", factory=r.BudgetContext)
    config.add_route("console.project_new", bu + "/projects/new", factory=r.BudgetContext)
    config.add_route("console.project_import", bu + "/projects/import", factory=r.BudgetContext)
    config.add_route("console.project_edit", bu + "/projects/{project_id}/edit", factory=r.ProjectContext)
    config.add_route("console.project_delete", bu + "/projects/{project_id}/delete", factory=r.ProjectContext)
    config.add_route("console.paper_ballot", bu + "/paper", factory=r.BudgetContext)
    config.add_route("console.proposals", pr + "/proposals", factory=r.ProcessContext)
    config.add_route("console.proposal", pr + "/proposals/{proposal_id}", factory=r.ProposalContext)
    config.add_route("console.codes", pr + "/codes", factory=r.ProcessContext)
    config.add_route("console.code_revoke", pr + "/codes/revoke", factory=r.ProcessContext)
    config.add_route("console.turnout", pr + "/turnout", factory=r.ProcessContext)
    config.add_route("console.results", pr + "/results", factory=r.ProcessContext)
    config.add_route("console.export", pr + "/export.zip", factory=r.ProcessContext)
    config.add_route("console.projects_csv", pr + "/projects.csv", factory=r.ProcessContext)
    config.add_route("console.proposals_csv", pr + "/proposals.csv", factory=r.ProcessContext)
    config.add_route("console.turnout_csv", pr + "/turnout.csv", factory=r.ProcessContext)
