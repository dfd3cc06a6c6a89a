"""Declares API routes once, with pydantic schemas, and generates the OpenAPI 3.1 document."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint, request
from pydantic import BaseModel, ValidationError

from forum.core.errors import Invalid
from forum.core.ids import MAX_ID, MIN_ID

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Operation:
    rule: str
    method: str
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    content_type: str = "application/json"
    request_content_type: str = "application/json"
    errors: tuple[int, ...] = ()
    public: bool = False
    # Anonymous when a setting allows it, a bearer token otherwise (see register_public_endpoint).
    optional_auth: bool = False
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


OPERATIONS: list[Operation] = []


def api_route(
    bp: Blueprint,
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    content_type: str = "application/json",
    request_content_type: str = "application/json",
    errors: tuple[int, ...] = (),
    public: bool = False,
    optional_auth: bool = False,
    description: str = "",
) -> Callable[[F], F]:
    """Register a route on `bp` and describe it in the OpenAPI document in the same breath."""

    def decorator(view: F) -> F:
        OPERATIONS.append(
            Operation(
                rule=(bp.url_prefix or "") + rule,
                method=method.upper(),
                summary=summary,
                tag=tag,
                body=body,
                query=query,
                response=response,
                status=status,
                content_type=content_type,
                request_content_type=request_content_type,
                errors=errors,
                public=public,
                optional_auth=optional_auth,
                description=description,
            )
        )
        bp.add_url_rule(rule, view_func=view, methods=[method.upper()])
        return view

    return decorator


M = TypeVar("M", bound=BaseModel)


def _field_errors(exc: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"]) or "body"
        message = error["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        fields.setdefault(name, message)
    return fields


def parse_body(model: type[M]) -> M:
    """Validate the JSON body against `model`; Invalid with per-field messages otherwise.

    Strict, as the document reads: `0` is not `false`, `"5"` is not `5`, `1.5` is not an id.
    """
    data = request.get_json(silent=True)
    if data is None:
        raise Invalid("The body must be a JSON object.", fields={"body": "Expected JSON."})
    if not isinstance(data, dict):
        raise Invalid("The body must be a JSON object.", fields={"body": "Expected an object."})
    try:
        return model.model_validate_json(request.get_data(), strict=True)
    except ValidationError as exc:
        raise Invalid(fields=_field_errors(exc)) from exc


def parse_query(model: type[M]) -> M:
    """Validate query-string parameters against `model`.

    The query string holds exactly what the document declares: an empty value (`?page=`) is
    a value, validated like any other, not a missing parameter; a parameter given twice is
    refused rather than half-read; an undeclared one is refused rather than ignored.
    """
    declared = {field.alias or name for name, field in model.model_fields.items()}
    problems = {}
    for name, values in request.args.lists():
        if name not in declared:
            problems[name or "?"] = "Unknown parameter."
        elif len(values) > 1:
            problems[name] = "Give this parameter once."
    if problems:
        raise Invalid(fields=problems)
    try:
        return model.model_validate_strings(request.args.to_dict(), strict=True)
    except ValidationError as exc:
        raise Invalid(fields=_field_errors(exc)) from exc


_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_STATUS_TEXT = {
    200: "OK",
    201: "Created",
    204: "No content",
    400: "Invalid input",
    401: "Missing or bad token",
    403: "Not permitted",
    404: "Not found",
    409: "Conflict",
    422: "Unprocessable",
    429: "Too many requests",
}


def openapi_path(rule: str) -> str:
    return _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", rule)


_REF_TEMPLATE = "#/components/schemas/{model}"


def _path_parameters(rule: str) -> list[dict[str, Any]]:
    params = []
    for converter, name in _CONVERTER.findall(rule):
        schema: dict[str, Any] = {"type": "string"}
        if converter == "id":
            schema = {"type": "integer", "minimum": MIN_ID, "maximum": MAX_ID}
        elif converter == "int":
            schema = {"type": "integer"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _add_component(components: dict[str, Any], name: str, definition: dict[str, Any]) -> None:
    # Two models with one class name would silently share a component, and the document would
    # describe one of them wrongly; refuse to build such a document.
    if components.get(name, definition) != definition:
        raise RuntimeError(f"Two different API schemas are both named {name!r}: rename one.")
    components[name] = definition


def _model_schema(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=_REF_TEMPLATE)
    for name, definition in schema.pop("$defs", {}).items():
        _add_component(components, name, definition)
    return schema


def _schema_ref(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    _add_component(components, model.__name__, _model_schema(model, components))
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _query_parameters(model: type[BaseModel], components: dict[str, Any]) -> list[dict[str, Any]]:
    schema = _model_schema(model, components)
    required = set(schema.get("required", ()))
    params = []
    for name, info in schema.get("properties", {}).items():
        # A query parameter is absent or a string, never null: drop pydantic's null branch.
        branches = info.get("anyOf")
        if branches and {"type": "null"} in branches:
            rest = [b for b in branches if b != {"type": "null"}]
            info = {k: v for k, v in info.items() if k != "anyOf"}
            info = {**rest[0], **info} if len(rest) == 1 else {**info, "anyOf": rest}
            if info.get("default", ...) is None:
                del info["default"]
        params.append({"name": name, "in": "query", "required": name in required, "schema": info})
    return params


def operation_id(op: Operation) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", op.rule.lower()).strip("_")
    return f"{op.method.lower()}_{slug}"


def build_document(version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document for every registered operation."""
    components: dict[str, Any] = {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                }
            },
        }
    }
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        operation: dict[str, Any] = {
            "summary": op.summary,
            "tags": [op.tag],
            "operationId": operation_id(op),
        }
        if op.description:
            operation["description"] = op.description
        parameters = _path_parameters(op.rule)
        if op.query is not None:
            parameters += _query_parameters(op.query, components)
        if parameters:
            operation["parameters"] = parameters
        if op.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {op.request_content_type: {"schema": _schema_ref(op.body, components)}},
            }
        elif op.request_content_type != "application/json":
            operation["requestBody"] = {
                "required": True,
                "content": {op.request_content_type: {"schema": {"type": "string"}}},
            }
        success: dict[str, Any] = {"description": _STATUS_TEXT.get(op.status, "OK")}
        if op.response is not None:
            success["content"] = {op.content_type: {"schema": _schema_ref(op.response, components)}}
        elif op.content_type != "application/json":
            success["content"] = {op.content_type: {"schema": {"type": "string"}}}
        responses: dict[str, Any] = {str(op.status): success}
        error_codes = set(op.errors) | ({400} if op.body or op.query else set())
        if _CONVERTER.search(op.rule):
            error_codes.add(404)  # an id or slug in the path that names nothing
        if not op.public:
            error_codes |= {401}
        for code in sorted(error_codes):
            responses[str(code)] = {
                "description": _STATUS_TEXT.get(code, "Error"),
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        operation["responses"] = responses
        if op.public:
            operation["security"] = []
        elif op.optional_auth:
            # Either a token or nothing: the empty requirement means anonymous is accepted.
            operation["security"] = [{"bearerAuth": []}, {}]
        paths.setdefault(openapi_path(op.rule), {})[op.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Forum API",
            "version": version,
            "description": "Staff forum: boards, social profile registry, escalations.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
