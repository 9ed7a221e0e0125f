"""The request checks built once per operation (pbengine.api.compiled) answer every request exactly as
openapi-core's own unmarshaller does: same errors, same body, same parameters."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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


# Any JSON value, and objects shaped like the document's bodies (their own property names, values of
# every type: unicode whitespace, NUL, floats that are whole, bools where integers are asked).
_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.sampled_from(
    [1.0, 0.0, -2.0, True, False]) | st.text() | st.sampled_from(["", " ", "\ufeff", "\x1c", "\xa0", "a\n", "p1"])
_JSON = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=5) | st.sampled_from(["p1", "p2"]), inner, max_size=4), max_leaves=12)


def _checks(fast):
    """Every compiled validator that has a quick check, with the property names of its schema."""
    for operation in fast.operations.values():
        for param in operation.parameters:
            yield param.validator
        for _deserializer, validator in operation.media_types.values():
            yield validator


_FIELD = _JSON | st.lists(_SCALARS, max_size=3) | st.dictionaries(st.sampled_from(["p1", "p2"]), _SCALARS, max_size=3)


def _shaped(names):
    return st.dictionaries(st.sampled_from(sorted(names)) | st.text(max_size=3), _FIELD, max_size=4) | \
        st.fixed_dictionaries({"voter_code": st.sampled_from(["x", "ACDE-FGHJ"]) | _SCALARS},
                              optional={name: _FIELD for name in sorted(names - {"voter_code"})})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_quick_check_accepts_only_what_the_validator_accepts(validators, data):
    _full, fast = validators
    checks = [check for check in _checks(fast) if check.quick is not None]
    names = {name for check in checks if isinstance(check.validator.schema, dict)
             for name in check.validator.schema.get("properties", {})}
    value = data.draw(_JSON | _shaped(names))
    for check in checks:  # every check of the document on each value
        if check.quick(value):
            assert check.validator.is_valid(value), (check.validator.schema, value)
        assert check.is_valid(value) == check.validator.is_valid(value)


def test_the_quick_check_takes_the_common_requests(validators):
    _full, fast = validators
    operation = fast.operations[(BALLOTS, "post")]
    body = operation.media_types["application/json"][1]
    assert all(param.validator.quick is not None for param in operation.parameters)
    for ballot in ({"voter_code": "ACDE-FGHJ-KMNP", "approvals": ["p1", "p3"]},
                   {"voter_code": "x", "points": {"p1": 3, "p2": 0}}, {"voter_code": "x", "ranking": ["p1", ""]}):
        assert body.quick(ballot) and body.validator.is_valid(ballot)
    for refused in ({"voter_code": " ", "approvals": []}, {"voter_code": "x", "points": {"p1": 1.5}},
                    {"voter_code": "x", "points": {"p1": True}}, {"voter_code": "x", "votes": []}, ["voter_code"]):
        assert not body.quick(refused) and not body.validator.is_valid(refused)
    header = next(param for param in operation.parameters if param.location == "header").validator
    assert header.quick(KEY) and not header.quick("short")
    for key in (KEY, "short", KEY + "\n", "\ufeff" * 20):  # the pattern is the document validator's own
        assert header.quick(key) == header.validator.is_valid(key)
