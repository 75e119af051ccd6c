"""The OpenAPI document matches the routes, both ways."""

from __future__ import annotations

import base64
import re

import pytest
from jsonschema import Draft202012Validator

from tests.web.conftest import STAFF_EMAIL, STAFF_PASSWORD, add_staff, make_app, shortlist_body
from tests.web.shipped_like import past_investors_path  # noqa: F401  (fixture)

STAFF = {"Authorization": "Basic " + base64.b64encode(f"{STAFF_EMAIL}:{STAFF_PASSWORD}".encode()).decode()}


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


# --- the schemas are the models', and every route's live answer fits what it declares ---


def _declared(document: dict, path: str, method: str, response) -> Draft202012Validator:
    """The validator of the schema ``document`` declares for ``response`` (its status and media
    type must be declared)."""
    answers = document["paths"][path][method.lower()]["responses"]
    assert str(response.status_code) in answers, (path, method, response.status_code)
    content = answers[str(response.status_code)]["content"]
    assert response.mimetype in content, (path, method, response.mimetype)
    # the document as the root, so its "#/components/schemas/..." references resolve
    schema = {"components": document["components"], **content[response.mimetype]["schema"]}
    return Draft202012Validator(schema)


def _check(document: dict, path: str, method: str, response) -> None:
    errors = list(_declared(document, path, method, response).iter_errors(response.get_json(force=True)))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"[:300] for e in errors[:5]]


def test_every_component_is_a_valid_json_schema(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    for name, schema in document["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
        assert not {"ge", "le", "gt", "lt"} & set(schema), name


def test_shortlist_schemas_are_the_engines_models(client):
    """The keys the hand-written schema had lost (issue 10) are declared, and required."""
    from matching.schema import Shortlist

    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    ranked = schemas["Ranking"]
    assert set(Shortlist.model_fields) == set(ranked["properties"])
    assert {"criteria", "constraints", "incentives", "leave_one_out", "warnings", "messages",
            "robustness_method", "dataset"} <= set(ranked["required"])
    assert ranked["additionalProperties"] is False
    assert {"imputed", "explanation", "messages"} <= set(schemas["RankedZone"]["required"])
    saved = schemas["Shortlist"]
    assert {"id", "url", "created_at", "revoked", "expires_at"} <= set(saved["required"])
    assert schemas["Error"]["required"] == ["error", "details"]
    # the requirements' and the shortlist's robustness are two schemas with two names
    assert "draws" in schemas["Robustness"]["properties"]
    assert "p_first" in schemas["ZoneRobustness"]["properties"]
    assert schemas["Robustness"]["properties"]["draws"]["minimum"] == 0


def test_every_route_answers_what_it_declares(app, client):
    add_staff(app)
    document = client.get("/api/v1/openapi.json").get_json()
    _check(document, "/api/v1/openapi.json", "GET", client.get("/api/v1/openapi.json"))
    _check(document, "/api/v1/sites", "GET", client.get("/api/v1/sites"))
    for body in (shortlist_body(), shortlist_body(method="weighted_sum"),
                 shortlist_body(constraints=[{"column": "rent_mad_m2_month", "op": "<", "value": 1}]),
                 {"activity": "BPO", "headcount": 400, "salary_mad_month": 9000}):
        _check(document, "/api/v1/rank", "POST", client.post("/api/v1/rank", json=body))
    for raw, status in (("{", 400), ("[]", 422), ('{"criteria": [{"column": "nope", "direction": "cost"}]}', 422)):
        response = client.post("/api/v1/rank", data=raw, content_type="application/json")
        assert response.status_code == status
        _check(document, "/api/v1/rank", "POST", response)
    created = client.post("/api/v1/shortlists", json=shortlist_body())
    assert created.status_code == 201
    _check(document, "/api/v1/shortlists", "POST", created)
    staff_save = client.post("/api/v1/shortlists", json=shortlist_body(name="staff"), headers=STAFF)
    _check(document, "/api/v1/shortlists", "POST", staff_save)
    shortlist_id = created.get_json()["id"]
    path = "/api/v1/shortlists/{shortlist_id}"
    _check(document, path, "GET", client.get(f"/api/v1/shortlists/{shortlist_id}"))
    _check(document, path, "GET", client.get("/api/v1/shortlists/no-such-id"))
    _check(document, "/api/v1/shortlists", "GET", client.get("/api/v1/shortlists"))
    _check(document, "/api/v1/shortlists", "GET", client.get("/api/v1/shortlists?per_page=1", headers=STAFF))
    _check(document, "/api/v1/shortlists", "GET", client.get("/api/v1/shortlists?page=0", headers=STAFF))

    from web.extensions import db
    from web.models import Shortlist

    with app.app_context():
        db.session.get(Shortlist, shortlist_id).revoked = True
        db.session.commit()
    revoked = client.get(f"/api/v1/shortlists/{shortlist_id}")
    assert revoked.status_code == 410
    _check(document, path, "GET", revoked)
    _check(document, path, "GET", client.get(f"/api/v1/shortlists/{shortlist_id}", headers=STAFF))


@pytest.mark.parametrize("staff", [False, True])
def test_investors_like_you_answer_what_they_declare(tiny_data_path, past_investors_path, tmp_path,  # noqa: F811
                                                     staff):
    app = make_app(tiny_data_path, tmp_path / "instance", TECHVALLEY_PAST_INVESTORS=str(past_investors_path))
    add_staff(app)
    client = app.test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    headers = STAFF if staff else {}
    body = {"activity": "CRM", "headcount": 300}
    ranked = client.post("/api/v1/rank", json=body, headers=headers)
    assert ranked.get_json()["similar_investors"]["neighbours"]
    _check(document, "/api/v1/rank", "POST", ranked)
    _check(document, "/api/v1/shortlists", "POST", client.post("/api/v1/shortlists", json=body, headers=headers))


def test_the_schemas_refuse_what_the_api_never_answers(client):
    """Not a schema that takes anything: a key the models do not describe fails."""
    document = client.get("/api/v1/openapi.json").get_json()
    response = client.post("/api/v1/rank", json=shortlist_body())
    validator = _declared(document, "/api/v1/rank", "POST", response)
    assert validator.is_valid(response.get_json())
    assert not validator.is_valid(dict(response.get_json(), surprise=1))
    assert not validator.is_valid({k: v for k, v in response.get_json().items() if k != "criteria"})


def test_the_caps_answer_what_they_declare(tiny_data_path, tmp_path):
    app = make_app(tiny_data_path, tmp_path / "instance", TECHVALLEY_ANON_SAVES_PER_DAY=1,
                   TECHVALLEY_ANON_MAX_BYTES=1000, TECHVALLEY_MAX_BODY_BYTES=100_000)
    client = app.test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    too_big = client.post("/api/v1/shortlists", json=shortlist_body(about="x" * 2000))
    assert too_big.status_code == 413
    _check(document, "/api/v1/shortlists", "POST", too_big)
    over_body = client.post("/api/v1/rank", json=shortlist_body(about="x" * 200_000))
    assert over_body.status_code == 413
    _check(document, "/api/v1/rank", "POST", over_body)
    assert client.post("/api/v1/shortlists", json=shortlist_body()).status_code == 201
    over_quota = client.post("/api/v1/shortlists", json=shortlist_body())
    assert over_quota.status_code == 429
    _check(document, "/api/v1/shortlists", "POST", over_quota)
