"""Validate API requests and responses against the served OpenAPI document (component refs resolved)."""

from __future__ import annotations

import re

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from pbengine.api.validation import document

DOCUMENT = document()

BASE = "urn:pbengine-openapi"
REGISTRY = Registry().with_resource(BASE, Resource(contents=DOCUMENT, specification=DRAFT202012))


def _operation(path: str, method: str) -> dict:
    path = path.split("?", 1)[0].removeprefix("http://localhost").removeprefix("/api/v1")
    for template, item in DOCUMENT["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return item[method.lower()]
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


def _validate(schema: dict, instance) -> None:
    Draft202012Validator(_absolute(schema), registry=REGISTRY).validate(instance)


def _absolute(schema):
    if isinstance(schema, dict):
        return {k: (BASE + v if k == "$ref" and v.startswith("#") else _absolute(v)) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_absolute(v) for v in schema]
    return schema


def check_response(response, method: str = "GET") -> None:
    """The response's status is documented for its operation and its JSON body matches that schema."""
    operation = _operation(response.request.path, method)
    status = str(response.status_int)
    assert status in operation["responses"], f"{method} {response.request.path}: status {status} not documented"
    content = operation["responses"][status].get("content", {})
    if response.content_type == "application/json":
        assert "application/json" in content, f"{status} is documented without a JSON body"
        _validate(content["application/json"]["schema"], response.json)
    else:
        assert response.content_type in content, f"{response.content_type} not documented for {status}"


def check_request(path: str, method: str, body) -> None:
    operation = _operation(path, method)
    _validate(operation["requestBody"]["content"]["application/json"]["schema"], body)
