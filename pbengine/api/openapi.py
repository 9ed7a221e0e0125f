"""The OpenAPI 3.1 description of ``/api/v1`` (served at ``/api/v1/openapi.json``; tests validate against it)."""

from __future__ import annotations

from .. import __version__


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(type_: str) -> dict:
    return {"type": [type_, "null"]}


def json_response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error(description: str) -> dict:
    return json_response(description, ref("Error"))


SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"},
        "description": "The process's address, e.g. town-2027"}
BUDGET = {"name": "budget", "in": "path", "required": True, "schema": {"type": "string"},
          "description": "The budget's address within the process"}
ERRORS_404 = {"404": error("No such process or budget (drafts are not public)")}
INTEGER_OR_NULL = nullable("integer")

SCHEMAS = {
    "Error": {
        "type": "object", "required": ["code", "message"], "additionalProperties": False,
        "properties": {
            "code": {"type": "string", "description": "Stable, machine-readable error code",
                     "examples": ["not_found", "invalid_json", "code_invalid", "voting_closed", "ballot_invalid"]},
            "message": {"type": "string", "description": "Human-readable, in the request's language"},
            "errors": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "Message per request field"},
        },
    },
    "ProcessSummary": {
        "type": "object", "additionalProperties": False,
        "required": ["slug", "title", "phase", "currency", "voting_start", "voting_end", "url"],
        "properties": {
            "slug": {"type": "string"}, "title": {"type": "string"},
            "phase": {"enum": ["proposals", "review", "voting", "closed", "published"]},
            "currency": {"type": "string"},
            "voting_start": {"type": ["string", "null"], "format": "date"},
            "voting_end": {"type": ["string", "null"], "format": "date"},
            "url": {"type": "string", "format": "uri"},
        },
    },
    "Budget": {
        "type": "object", "additionalProperties": False,
        "required": ["slug", "name", "description", "amount", "ballot", "rule", "url", "projects_url", "ballots_url"],
        "properties": {
            "slug": {"type": "string"}, "name": {"type": "string"}, "description": {"type": "string"},
            "amount": {"type": "integer", "description": "In the currency's smallest unit"},
            "ballot": {
                "type": "object", "additionalProperties": False,
                "required": ["format", "min_length", "max_length", "max_sum_cost", "max_sum_points",
                             "max_points_per_project", "rank_length"],
                "properties": {
                    "format": {"enum": ["approval", "knapsack", "cumulative", "ranking"]},
                    "min_length": INTEGER_OR_NULL, "max_length": INTEGER_OR_NULL,
                    "max_sum_cost": INTEGER_OR_NULL, "max_sum_points": INTEGER_OR_NULL,
                    "max_points_per_project": INTEGER_OR_NULL, "rank_length": INTEGER_OR_NULL,
                },
            },
            "rule": ref("TallyParams"),
            "url": {"type": "string"}, "projects_url": {"type": "string"}, "ballots_url": {"type": "string"},
        },
    },
    "TallyParams": {
        "type": "object", "additionalProperties": False,
        "required": ["rule", "satisfaction", "completion", "tie_break", "threshold"],
        "properties": {
            "rule": {"type": "string"}, "satisfaction": {"enum": ["cost", "cardinality"]},
            "completion": {"type": "string"},
            "tie_break": {"type": "array", "items": {"type": "string"}},
            "threshold": INTEGER_OR_NULL,
        },
    },
    "Project": {
        "type": "object", "additionalProperties": False,
        "required": ["id", "title", "description", "cost", "categories", "sdgs", "organisation_name",
                     "organisation_type", "location"],
        "properties": {
            "id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
            "cost": {"type": "integer", "description": "In the currency's smallest unit"},
            "categories": {"type": "array", "items": {"type": "string"}},
            "sdgs": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 17}},
            "organisation_name": {"type": "string"}, "organisation_type": nullable("string"),
            "location": {"type": "string"},
        },
    },
    "ProjectResult": {
        "type": "object", "additionalProperties": False,
        "required": ["id", "title", "cost", "votes", "score", "funded"],
        "properties": {
            "id": {"type": "string"}, "title": {"type": "string"},
            "cost": {"type": "integer", "description": "In the currency's smallest unit"},
            "votes": {"type": "integer"}, "score": {"type": "integer"}, "funded": {"type": "boolean"},
        },
    },
    "BudgetResult": {
        "type": "object", "additionalProperties": False,
        "required": ["slug", "name", "amount", "rule", "parameters", "funded", "spent", "num_voters", "projects",
                     "explanation", "export_file"],
        "properties": {
            "slug": {"type": "string"}, "name": {"type": "string"}, "amount": {"type": "integer"},
            "rule": {"type": "string"}, "parameters": ref("TallyParams"),
            "funded": {"type": "array", "items": {"type": "string"}, "description": "In selection order"},
            "spent": {"type": "integer"}, "num_voters": {"type": "integer"},
            "projects": {"type": "array", "items": ref("ProjectResult")},
            "explanation": {"type": "object", "description": "The rule's round-by-round account"},
            "export_file": {"type": "string", "format": "uri"},
        },
    },
    "Results": {
        "type": "object", "additionalProperties": False, "required": ["process", "budgets", "export_zip"],
        "properties": {
            "process": {"type": "string"},
            "budgets": {"type": "array", "items": ref("BudgetResult")},
            "export_zip": {"type": "string", "format": "uri"},
        },
    },
    "BallotRequest": {
        "type": "object", "additionalProperties": False, "required": ["voter_code"],
        "description": "The voter code and exactly one of approvals (approval, knapsack), points (cumulative) "
                       "or ranking (ranking, best first; an empty string before a filled place is a gap, "
                       "refused), as the budget's ballot format says.",
        "properties": {
            "voter_code": {"type": "string", "examples": ["ACDE-FGHJ-KMNP"]},
            "approvals": {"type": "array", "items": {"type": "string"}},
            "points": {"type": "object", "additionalProperties": {"type": "integer"}},
            "ranking": {"type": "array", "items": {"type": "string"}},
        },
        "oneOf": [{"required": ["approvals"]}, {"required": ["points"]}, {"required": ["ranking"]}],
    },
    "Receipt": {
        "type": "object", "additionalProperties": False,
        "required": ["receipt", "receipt_hash", "process", "budget", "replaced_previous", "receipt_url"],
        "properties": {
            "receipt": {"type": "string", "description": "Shown once: keep it to check your ballot is counted"},
            "receipt_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                             "description": "Your ballot's voter_id in the published .pb file"},
            "process": {"type": "string"}, "budget": {"type": "string"},
            "replaced_previous": {"type": "boolean"}, "receipt_url": {"type": "string", "format": "uri"},
        },
    },
    "ReceiptStatus": {
        "type": "object", "additionalProperties": False,
        "required": ["receipt_hash", "counted", "replaced", "process", "budget", "published", "export_file"],
        "properties": {
            "receipt_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "counted": {"type": "boolean"}, "replaced": {"type": "boolean"},
            "process": {"type": "string"}, "budget": {"type": "string"}, "published": {"type": "boolean"},
            "export_file": {"type": ["string", "null"], "format": "uri"},
        },
    },
}

SCHEMAS["Process"] = {
    "type": "object", "additionalProperties": False,
    "required": SCHEMAS["ProcessSummary"]["required"] + ["description", "budgets", "results_url"],
    "properties": {
        **SCHEMAS["ProcessSummary"]["properties"],
        "description": {"type": "string"},
        "budgets": {"type": "array", "items": ref("Budget")},
        "results_url": {"type": ["string", "null"], "format": "uri"},
    },
}

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "A random key of this submission (16 to 128 of A-Z a-z 0-9 - _ . :).",
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{16,128}$"},
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "pbengine public API", "version": __version__,
             "description": "Participatory budgeting: processes, budgets, projects, results, audit export "
                            "files, and casting a ballot with a voter code. Errors share one shape (Error)."},
    "servers": [{"url": "/api/v1"}],
    "paths": {
        "/processes": {"get": {
            "summary": "Public processes", "operationId": "listProcesses",
            "responses": {"200": json_response("Every process that is not a draft", {
                "type": "object", "required": ["processes"], "additionalProperties": False,
                "properties": {"processes": {"type": "array", "items": ref("ProcessSummary")}}})}}},
        "/processes/{slug}": {"get": {
            "summary": "A process with its budgets", "operationId": "getProcess", "parameters": [SLUG],
            "responses": {"200": json_response("The process", ref("Process")), **ERRORS_404}}},
        "/processes/{slug}/budgets/{budget}": {"get": {
            "summary": "A budget: ballot format, limits and rule", "operationId": "getBudget",
            "parameters": [SLUG, BUDGET],
            "responses": {"200": json_response("The budget", ref("Budget")), **ERRORS_404}}},
        "/processes/{slug}/budgets/{budget}/projects": {"get": {
            "summary": "The projects on a budget's ballot", "operationId": "listProjects",
            "parameters": [SLUG, BUDGET],
            "responses": {"200": json_response("The projects", {
                "type": "object", "required": ["projects"], "additionalProperties": False,
                "properties": {"projects": {"type": "array", "items": ref("Project")}}}), **ERRORS_404}}},
        "/processes/{slug}/results": {"get": {
            "summary": "Published results and their explanation", "operationId": "getResults",
            "parameters": [SLUG],
            "responses": {"200": json_response("The results of every budget", ref("Results")),
                          "404": error("No such process, or its results are not published (not_published)")}}},
        "/processes/{slug}/export/{filename}": {"get": {
            "summary": "One file of the audit export (result.json, tally.csv, <budget>.pb, ...)",
            "operationId": "getExportFile",
            "parameters": [SLUG, {"name": "filename", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": {"description": "The file", "content": {
                    "application/json": {"schema": {"type": "object"}},
                    "text/plain": {"schema": {"type": "string"}}, "text/csv": {"schema": {"type": "string"}},
                    "application/x-ndjson": {"schema": {"type": "string"}}}},
                "404": error("No such process or file, or the results are not published (not_published)")}}},
        "/processes/{slug}/budgets/{budget}/ballots": {"post": {
            "summary": "Cast (or, where allowed, replace) a ballot with a voter code", "operationId": "castBallot",
            "description": "Send a random Idempotency-Key with each new ballot and the same key with any "
                           "retry of it: a repeat gets the receipt already given (201, header "
                           "Idempotent-Replayed: true), never a second ballot.",
            "parameters": [SLUG, BUDGET, IDEMPOTENCY_KEY],
            "requestBody": {"required": True, "content": {"application/json": {"schema": ref("BallotRequest")}}},
            "responses": {
                "201": json_response("The ballot is stored (or was, by this same submission); the receipt is "
                                     "shown only to this submission", ref("Receipt")),
                "400": error("The body is not JSON (invalid_json)"),
                "401": error("The voter code is not valid for this process (code_invalid)"),
                "404": error("No such process or budget"),
                "409": error("Voting is not open (voting_closed), or the code already voted for this budget "
                             "and this process does not allow changing a ballot (code_already_used)"),
                "413": error("The body is larger than 64 KiB (body_too_large)"),
                "415": error("The body is not sent as application/json (unsupported_media_type)"),
                "422": error("Fields missing or of the wrong type (invalid_input), the ballot breaks the "
                             "budget's limits (ballot_invalid), or this Idempotency-Key was already sent "
                             "with other choices (submission_conflict)"),
                "429": error("Too many wrong voter codes from this client; wait a minute (too_many_attempts)"),
            }}},
        "/receipts/{receipt}": {"get": {
            "summary": "Is the ballot with this receipt counted?", "operationId": "getReceipt",
            "parameters": [{"name": "receipt", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": json_response("The ballot's status", ref("ReceiptStatus")),
                          "404": error("No ballot has this receipt (receipt_not_found)")}}},
        "/openapi.json": {"get": {
            "summary": "This document", "operationId": "getOpenAPI",
            "responses": {"200": json_response("OpenAPI 3.1", {"type": "object"})}}},
    },
    "components": {"schemas": SCHEMAS},
}
