"""The request checks built once per operation (pbengine.api.compiled) answer every request exactly as
openapi-core's own unmarshaller does: same errors, same body, same parameters."""

from __future__ import annotations

import json

import pytest
from jsonschema_path import SchemaPath
from openapi_core.unmarshalling.request import V31RequestUnmarshaller
from openapi_spec_validator.readers import read_from_filename
from pyramid.request import Request
from pyramid_openapi3.wrappers import PyramidOpenAPIRequest

from pbengine.api import compiled, validation

BALLOTS = "/api/v1/processes/{slug}/budgets/{budget}/ballots"
RECEIPT = "/api/v1/receipts/{receipt}"
KEY = "a-submission-key-0123"


@pytest.fixture(scope="module")
def validators():
    spec = SchemaPath.from_dict(read_from_filename(str(validation.DOCUMENT_PATH))[0])
    full = V31RequestUnmarshaller(spec, extra_media_type_deserializers={"application/json": validation.json_loads})
    return full, compiled.CompiledRequestValidator(full, spec, ["/api/v1"])


class Route:
    def __init__(self, pattern):
        self.name, self.pattern = "route", pattern


def request(pattern, matchdict, method="GET", body=None, content_type="application/json", headers=None):
    path = pattern.format(**matchdict)
    raw = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    made = Request.blank(path, method=method, body=raw, headers={"Content-Type": content_type, **(headers or {})}) \
        if raw is not None else Request.blank(path, method=method, headers=headers or {})
    made.matched_route, made.matchdict = Route(pattern), matchdict
    return made


def answer(validator, made):
    try:
        result = validator.unmarshal(PyramidOpenAPIRequest(made))
    except Exception as error:  # noqa: BLE001 - the same error must come out of both
        return ("raised", type(error).__name__, str(error))
    return (repr(result.errors), result.body, result.parameters, result.security)


BALLOT = {"slug": "town-2027", "budget": "citywide"}
CASES = [
    ("a valid approval ballot", BALLOTS, BALLOT, "POST", {"voter_code": "ACDE-FGHJ-KMNP", "approvals": ["p1", "p3"]},
     {"Idempotency-Key": KEY}),
    ("points, no submission key", BALLOTS, BALLOT, "POST", {"voter_code": "ACDE", "points": {"p1": 3, "p2": 0}}, {}),
    ("a ranking with a gap", BALLOTS, BALLOT, "POST", {"voter_code": "X", "ranking": ["p1", "", "p2"]}, {}),
    ("no voter code", BALLOTS, BALLOT, "POST", {"approvals": ["p1"]}, {}),
    ("a blank voter code", BALLOTS, BALLOT, "POST", {"voter_code": "   ", "approvals": []}, {}),
    ("a field of no format", BALLOTS, BALLOT, "POST", {"voter_code": "X", "votes": ["p1"]}, {}),
    ("points that are not whole numbers", BALLOTS, BALLOT, "POST", {"voter_code": "X", "points": {"p1": 1.5}}, {}),
    ("a list that is not a list", BALLOTS, BALLOT, "POST", {"voter_code": "X", "approvals": "p1"}, {}),
    ("a body that is a list", BALLOTS, BALLOT, "POST", ["voter_code"], {}),
    ("a body that is not JSON", BALLOTS, BALLOT, "POST", b"{voter_code", {}),
    ("an empty body", BALLOTS, BALLOT, "POST", b"", {}),
    ("a short submission key", BALLOTS, BALLOT, "POST", {"voter_code": "X", "approvals": []},
     {"Idempotency-Key": "short"}),
    ("a NUL in a field", BALLOTS, BALLOT, "POST", {"voter_code": "A\u0000B", "approvals": []}, {}),
    ("a receipt", RECEIPT, {"receipt": "ACDE-FGHJ-KMNP-QRTU"}, "GET", None, {}),
    ("a process", "/api/v1/processes/{slug}", {"slug": "town-2027"}, "GET", None, {}),
]


@pytest.mark.parametrize(("pattern", "matchdict", "method", "body", "headers"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_each_request_gets_the_answer_openapi_core_gives(validators, pattern, matchdict, method, body, headers):
    full, fast = validators
    assert answer(fast, request(pattern, matchdict, method, body, headers=headers)) == \
        answer(full, request(pattern, matchdict, method, body, headers=headers))


def test_a_body_of_another_media_type_gets_the_answer_openapi_core_gives(validators):
    full, fast = validators
    made = [request(BALLOTS, BALLOT, "POST", b"voter_code=X", content_type="application/x-www-form-urlencoded")
            for _ in range(2)]
    assert answer(fast, made[0]) == answer(full, made[1])
    assert answer(full, made[1])[0] != "[]"  # refused


def test_every_operation_of_the_document_is_compiled(validators):
    _full, fast = validators
    assert fast.operations and all(operation is not None for operation in fast.operations.values())


def test_the_app_checks_api_requests_with_the_compiled_checks(wsgi_app):
    assert isinstance(wsgi_app.registry.settings["pyramid_openapi3"]["request_validator"],
                      compiled.CompiledRequestValidator)
