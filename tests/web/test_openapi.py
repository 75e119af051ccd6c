"""The OpenAPI document matches the routes, both ways."""

from __future__ import annotations

import re


def _documented(client) -> dict[str, set[str]]:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    return {path: {m.upper() for m in item} for path, item in document["paths"].items()}


def _routed(app) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        routes.setdefault(path, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    return routes


def test_every_api_route_and_method_is_documented_and_nothing_else(app, client):
    assert _documented(client) == _routed(app)


def test_path_parameters_are_declared(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for operation in item.values():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, path


def test_document_states_the_robustness_default_and_references_resolve(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    post = document["paths"]["/api/v1/shortlists"]["post"]
    assert f"{app.config['TECHVALLEY_API_ROBUSTNESS_DRAWS']} weight draws" in post["description"]
    assert {"201", "400", "413", "422", "429"} <= set(post["responses"])
    text = client.get("/api/v1/openapi.json").get_data(as_text=True)
    for name in set(re.findall(r'"#/components/schemas/([^"]+)"', text)):
        assert name in document["components"]["schemas"], name


def test_requirements_schema_comes_from_the_engine(client):
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Requirements"]
    assert "criteria" in schema.get("properties", {})
