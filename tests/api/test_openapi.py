"""The OpenAPI document describes every /api/v1 route."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from forum.api.spec import openapi_path


def test_openapi_document_is_3_1_and_public(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_every_api_route_is_in_the_document(app: Flask, client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = openapi_path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method.lower() not in document["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    assert missing == []


def test_document_has_no_routes_the_app_lacks(app: Flask, client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    served = {openapi_path(r.rule) for r in app.url_map.iter_rules()}
    assert set(document["paths"]) <= served


def test_schema_references_resolve(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    text = str(document)
    import re

    for name in re.findall(r"#/components/schemas/([A-Za-z0-9_]+)", text):
        assert name in schemas, name


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_every_ref_resolves_including_query_parameter_enums(client: FlaskClient) -> None:
    # Enum query parameters (kind, state, urgency, status) used to point at "#/$defs/...",
    # which exists nowhere in the document.
    document = client.get("/api/v1/openapi.json").get_json()
    refs = _refs(document)
    assert refs and not [ref for ref in refs if not ref.startswith("#/components/schemas/")]
    schemas = document["components"]["schemas"]
    assert {ref.rsplit("/", 1)[1] for ref in refs} <= set(schemas)
    kind = next(
        p for p in document["paths"]["/api/v1/search"]["get"]["parameters"] if p["name"] == "kind"
    )
    assert kind["schema"] == {"$ref": "#/components/schemas/PostKind"}


def test_profile_attention_is_described_as_returned(client: FlaskClient) -> None:
    # Two models were both named AttentionOut; the insights one overwrote the registry one.
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    item_ref = schemas["ProfileOut"]["properties"]["attention"]["items"]["$ref"]
    item = schemas[item_ref.rsplit("/", 1)[1]]
    assert set(item["properties"]) == {"code", "message"}


def test_two_schemas_with_one_name_refuse_to_build() -> None:
    import pytest
    from pydantic import BaseModel

    from forum.api.spec import _schema_ref

    class Twin(BaseModel):
        a: int

    first = Twin

    class Twin(BaseModel):  # type: ignore[no-redef]
        b: str

    components: dict[str, object] = {}
    _schema_ref(first, components)
    with pytest.raises(RuntimeError, match="Twin"):
        _schema_ref(Twin, components)


def test_required_query_parameters_are_required_in_the_document(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    (url,) = document["paths"]["/api/v1/profiles/lookup"]["get"]["parameters"]
    assert url["name"] == "url" and url["required"] is True


def test_path_ids_are_bounded_and_may_be_404(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/threads/{thread_id}"]["get"]
    (param,) = operation["parameters"]
    assert param["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    for path, operations in document["paths"].items():
        if "{" in path:
            for method, op in operations.items():
                assert "404" in op["responses"], (method, path)
