"""The OpenAPI document's request checks, built once per operation instead of once per request.

pyramid_openapi3 hands every API request to openapi-core's request unmarshaller, which walks
the document again on each call: it resolves each parameter's ``$ref``, builds a JSON Schema
validator for every parameter and for the body (each with a deep copy of its format checker),
then builds them once more to unmarshal. For a ballot that is about 5 ms of CPU, more than the
rest of the cast together. :class:`CompiledRequestValidator` takes its place in
pyramid_openapi3's settings and, for each operation of the document, builds the same validators
(openapi-core's own factory, so the same JSON Schema dialect and format checks) once, at start-up.

It only ever *accepts* on its own: a request whose parameters and body all pass those
validators gets the values they hold. Anything else — a missing or invalid field, a body that
is not JSON or of another media type, an operation using a feature this module does not handle
(query or cookie parameters, formats, defaults, composed schemas) — goes to openapi-core's
unmarshaller, as before, which finds and words the errors. So every request is still checked
against the document, and a refused request gets exactly the errors it got before.

Each validator first asks a quicker check built from the same schema (:func:`_quick`): plain type tests
(``type(value) is int`` for an integer, never a bool or a float), the object's properties, ``required`` and
``additionalProperties``, lengths; a string under a ``pattern`` is asked of the jsonschema validator
of its own schema (the document's regular-expression engine). It only ever says yes to a value the
validator accepts; any other value, and any schema with another keyword, is the validator's to judge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openapi_core.datatypes import Parameters
from openapi_core.unmarshalling.request.datatypes import RequestUnmarshalResult

# Schema keywords whose unmarshalled value can differ from the JSON value (a ``format`` becomes a
# date, a ``default`` fills a missing property, a composed schema picks a branch): operations using
# one are left to openapi-core.
UNMARSHALLING_KEYWORDS = frozenset({"format", "default", "oneOf", "anyOf", "allOf", "not", "discriminator",
                                    "nullable", "readOnly", "writeOnly", "if", "then", "else",
                                    "dependentSchemas", "patternProperties", "unevaluatedProperties",
                                    "prefixItems", "contentMediaType", "contentEncoding", "$dynamicRef"})
LOCATIONS = ("path", "header")  # query and cookie parameters have styles and lists: left to openapi-core


class Unsupported(Exception):
    """This operation uses something the compiled checks do not handle: openapi-core checks it."""


def _plain(schema: Any, seen: frozenset = frozenset()) -> None:
    """Raise :class:`Unsupported` unless ``schema``'s unmarshalled value is the JSON value itself."""
    with schema.resolve() as resolved:
        contents = resolved.contents
    if not isinstance(contents, dict):
        raise Unsupported("schema is not an object")
    key = id(contents)
    if key in seen:
        raise Unsupported("recursive schema")
    if UNMARSHALLING_KEYWORDS & set(contents):
        raise Unsupported(f"schema uses {sorted(UNMARSHALLING_KEYWORDS & set(contents))}")
    for name in ("items", "additionalProperties"):
        if isinstance(contents.get(name), dict):
            _plain(schema / name, seen | {key})
    for name in contents.get("properties", {}):
        _plain(schema / "properties" / name, seen | {key})


# Keywords that only describe: no effect on validity.
ANNOTATIONS = frozenset({"description", "examples", "example", "title", "$comment", "deprecated"})
QUICK_TYPES = {"string": str, "integer": int, "boolean": bool, "array": list, "object": dict}
QUICK_KEYWORDS = {"string": {"minLength", "maxLength"}, "integer": set(), "boolean": set(),
                  "array": {"items", "minItems", "maxItems"}, "object": {"properties", "required",
                                                                        "additionalProperties"}}


def _quick(schema: Any, validator: Any) -> Callable[[Any], bool] | None:
    """A check that accepts only values ``validator`` (built on ``schema``, :func:`_plain` already) accepts;
    None if ``schema`` uses something it does not handle."""
    with schema.resolve() as resolved:
        contents = resolved.contents
    kind = contents.get("type") if isinstance(contents, dict) else None
    if not isinstance(kind, str) or kind not in QUICK_TYPES:
        return None
    keywords = set(contents) - ANNOTATIONS - {"type"}
    if kind == "string" and "pattern" in contents:
        # The regular expression as the document's validator reads it, on this schema alone.
        leaf = validator.evolve(schema=contents).is_valid
        return lambda value: type(value) is str and leaf(value)
    if keywords - QUICK_KEYWORDS[kind]:
        return None
    cls = QUICK_TYPES[kind]
    low = contents.get("minLength", contents.get("minItems", 0))
    high = contents.get("maxLength", contents.get("maxItems"))
    if kind in ("string", "array"):
        if not isinstance(low, int) or not (high is None or isinstance(high, int)):
            return None
        items = _quick(schema / "items", validator) if "items" in contents else (lambda value: True)
        if items is None:
            return None
        return lambda value: (type(value) is cls and len(value) >= low and (high is None or len(value) <= high)
                              and (kind == "string" or all(items(item) for item in value)))
    if kind != "object":
        return lambda value: type(value) is cls
    properties = {}
    for name in contents.get("properties", {}):
        properties[name] = _quick(schema / "properties" / name, validator)
        if properties[name] is None:
            return None
    required = contents.get("required", [])
    extra = contents.get("additionalProperties", True)
    if isinstance(extra, dict):
        extra = _quick(schema / "additionalProperties", validator)
    if not (isinstance(extra, bool) or callable(extra)) or not isinstance(required, list):
        return None

    def check(value) -> bool:
        if type(value) is not dict or any(name not in value for name in required):
            return False
        for name, item in value.items():
            check_item = properties.get(name, extra)
            if check_item is False or (check_item is not True and not check_item(item)):
                return False
        return True
    return check


class Checked:
    """``is_valid`` of a jsonschema validator, asking :func:`_quick`'s check first."""

    def __init__(self, validator: Any, quick: Callable[[Any], bool] | None):
        self.validator = validator
        self.quick = quick

    def is_valid(self, value) -> bool:
        return (self.quick is not None and self.quick(value)) or self.validator.is_valid(value)


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    validator: Any  # jsonschema validator (is_valid)


@dataclass(frozen=True)
class Operation:
    parameters: tuple[Parameter, ...]
    body_required: bool | None  # None: the operation takes no body
    media_types: dict  # mimetype -> (deserializer, jsonschema validator)


class CompiledRequestValidator:
    """``unmarshal(openapi_request)`` as openapi-core's, with each operation's validators built once."""

    def __init__(self, unmarshaller, spec: Any, prefixes: list[str]):
        self.full = unmarshaller
        self.spec = spec
        self.operations: dict[tuple[str, str], Operation | None] = {}
        for pattern, path in (spec / "paths").items():
            for method, operation in path.items():
                if method in ("get", "put", "post", "delete", "patch", "head", "options", "trace"):
                    for prefix in [*prefixes, ""]:
                        self.operations[(prefix + pattern, method)] = self._compile(path, operation)

    def _validator(self, schema: Any):
        _plain(schema)
        full = self.full
        validator = full.schema_validators_factory.create(
            full.spec, schema, format_validators=full.format_validators,
            extra_format_validators=full.extra_format_validators).validator
        return Checked(validator, _quick(schema, validator))

    def _compile(self, path: Any, operation: Any) -> Operation | None:
        try:
            if "security" in operation or "security" in self.spec:
                raise Unsupported("security")
            parameters = []
            seen = set()
            for source in (operation, path):
                for param in source.get("parameters", ()):
                    name, location = (param / "name").read_str(), (param / "in").read_str()
                    if (name, location) in seen:
                        continue
                    seen.add((name, location))
                    if location not in LOCATIONS or "content" in param or "style" in param or "explode" in param:
                        raise Unsupported(f"parameter {name} in {location}")
                    if (param / "deprecated").read_bool(default=False):
                        raise Unsupported("deprecated parameter")  # openapi-core warns about its use
                    schema = param / "schema"
                    with schema.resolve() as resolved:
                        if resolved.contents.get("type") != "string":
                            raise Unsupported("a parameter that is not a string is cast")
                    parameters.append(Parameter(name, location, (param / "required").read_bool(default=False),
                                                self._validator(schema)))
            body_required = None
            media_types = {}
            if "requestBody" in operation:
                body = operation / "requestBody"
                body_required = (body / "required").read_bool(default=False)
                for mimetype, media in (body / "content").items():
                    deserializer = (self.full.extra_media_type_deserializers or {}).get(mimetype)
                    if deserializer is None or "encoding" in media or "schema" not in media:
                        raise Unsupported(f"media type {mimetype}")  # only the app's own deserializers
                    media_types[mimetype] = (deserializer, self._validator(media / "schema"))
            return Operation(tuple(parameters), body_required, media_types)
        except Unsupported:
            return None

    def _accepted(self, operation: Operation, openapi_request) -> RequestUnmarshalResult | None:
        request = openapi_request.request
        validated = Parameters()
        sources = {"path": request.matchdict or {}, "header": request.headers}
        for param in operation.parameters:
            value = sources[param.location].get(param.name)
            if value is None:
                if param.required:
                    return None
                continue
            if not param.validator.is_valid(value):
                return None
            getattr(validated, param.location)[param.name] = value
        body = None
        if operation.body_required is not None:
            media_type = operation.media_types.get(request.content_type)
            raw = request.body
            if media_type is None or not raw:
                return None
            deserializer, validator = media_type
            try:
                body = deserializer(raw)
            except Exception:  # noqa: BLE001 - openapi-core answers it (or raises it again), as before
                return None
            if not validator.is_valid(body):
                return None
        return RequestUnmarshalResult(errors=[], body=body, parameters=validated, security={})

    def unmarshal(self, openapi_request) -> RequestUnmarshalResult:
        request = openapi_request.request
        route = request.matched_route
        operation = self.operations.get((route.pattern, request.method.lower())) if route is not None else None
        if operation is not None:
            result = self._accepted(operation, openapi_request)
            if result is not None:
                return result
        return self.full.unmarshal(openapi_request)


def install(settings: dict, apiname: str = "pyramid_openapi3") -> None:
    """Put a :class:`CompiledRequestValidator` in front of pyramid_openapi3's request unmarshaller."""
    api = settings[apiname]
    spec = api["spec"]
    prefixes = [server["url"].rstrip("/") for server in spec.get("servers", []) if server["url"].startswith("/")]
    full = api["request_validator"]
    if not isinstance(full, CompiledRequestValidator):
        api["request_validator"] = CompiledRequestValidator(full, spec, prefixes)
