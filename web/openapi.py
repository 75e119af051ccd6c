"""The OpenAPI 3 document of the JSON API, served at ``/api/v1/openapi.json``.

``tests/web/test_openapi.py`` checks it against the app's routes both ways.
"""

from __future__ import annotations

from typing import Any

from flask import current_app


def _requirements_schema() -> dict[str, Any]:
    """The requirements schema from the engine's own model, when it exposes one."""
    try:
        from matching.requirements import Requirements

        schema = Requirements.model_json_schema(ref_template="#/components/schemas/{model}")
    except Exception:  # the document must render even if the model cannot describe itself
        return {"type": "object", "description": "A requirements document (see DESIGN.md)."}
    schema.pop("$defs", None)
    return schema


def _requirements_defs() -> dict[str, Any]:
    try:
        from matching.requirements import Requirements

        return dict(Requirements.model_json_schema(ref_template="#/components/schemas/{model}").get("$defs", {}))
    except Exception:
        return {}


ERROR = {
    "type": "object",
    "required": ["error", "details"],
    "properties": {
        "error": {"type": "string", "description": "What is wrong and what to do."},
        "details": {"type": "array", "items": {"type": "string"}, "description": "One line per problem (field, row)."},
    },
}


SIMILAR_INVESTORS = {
    "type": "object",
    "description": (
        '"Investors like you": present only when the service has past investors '
        "(TECHVALLEY_PAST_INVESTORS). The k past investors nearest to the requirement (activity, "
        "size, languages, constraints; scikit-learn NearestNeighbors over standardised features), "
        "the zones they chose and the mean of their criteria weights. Investor names are the "
        "agency's records: null unless the caller is staff (HTTP Basic)."
    ),
    "required": ["k", "neighbours", "chosen_zones", "suggested_criteria", "notes", "synthetic"],
    "properties": {
        "k": {"type": "integer", "minimum": 1},
        "neighbours": {"type": "array", "description": "Nearest first.", "items": {
            "type": "object", "required": ["investor", "distance", "chosen", "chosen_name"], "properties": {
                "investor": {"type": ["string", "null"], "description": "The past investor's name (staff only)."},
                "distance": {"type": "number", "description": "In standard deviations of the features."},
                "chosen": {"type": "string", "description": "The id of the zone it chose."},
                "chosen_name": {"type": "string"},
                "activity": {"type": ["string", "null"]},
                "headcount": {"type": ["integer", "null"]}}}},
        "chosen_zones": {"type": "array", "description": "Most chosen first.", "items": {
            "type": "object", "required": ["site_id", "name", "count"], "properties": {
                "site_id": {"type": "string"}, "name": {"type": "string"}, "count": {"type": "integer"}}}},
        "suggested_criteria": {"type": "array", "description": "A requirements fragment; weights sum to 1.",
                               "items": {"type": "object", "required": ["column", "direction", "weight"], "properties": {
                                   "column": {"type": "string"},
                                   "direction": {"type": "string", "enum": ["benefit", "cost"]},
                                   "weight": {"type": "number"}}}},
        "notes": {"type": "array", "items": {"type": "string"}},
        "synthetic": {"type": "boolean", "description": "The past investors are a synthetic example, not real placements."},
    },
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def openapi_document(*, server_url: str = "") -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``/api/v1``."""
    draws = int(current_app.config["TECHVALLEY_API_ROBUSTNESS_DRAWS"])
    max_draws = int(current_app.config["TECHVALLEY_API_MAX_DRAWS"])
    max_body = int(current_app.config["TECHVALLEY_MAX_BODY_BYTES"])
    shortlist_id = {"name": "shortlist_id", "in": "path", "required": True, "schema": {"type": "string"},
                    "description": "The id returned when the shortlist was created."}
    schemas: dict[str, Any] = {
        "Error": ERROR,
        "Requirements": _requirements_schema(),
        "Shortlist": {
            "type": "object",
            "description": "The shortlist contract of DESIGN.md, plus where it is stored.",
            "required": ["requirements", "method", "weights", "ranked", "excluded", "id", "url"],
            "properties": {
                "requirements": {"type": "object"},
                "method": {"type": "string", "enum": ["topsis", "weighted_sum"]},
                "normalization": {"type": "string"},
                "weights": {"type": "object", "additionalProperties": {"type": "number"}},
                "consistency_ratio": {"type": ["number", "null"]},
                "ranked": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": "string"}, "name": {"type": "string"}, "rank": {"type": "integer"},
                    "score": {"type": "number"}, "values": {"type": "object"}, "contributions": {"type": "object"}}}},
                "excluded": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": "string"}, "name": {"type": "string"},
                    "reasons": {"type": "array", "items": {"type": "string"}}}}},
                "robustness": {"type": ["object", "null"]},
                "hint": {"type": ["string", "null"]},
                "similar_investors": {"$ref": "#/components/schemas/SimilarInvestors"},
                "id": {"type": "string", "description": "Use it with GET /api/v1/shortlists/{shortlist_id}."},
                "url": {"type": "string", "format": "uri", "description": "The read-only share page (no login)."},
                "created_at": {"type": "string", "format": "date-time", "description": "In Africa/Casablanca."},
                "dataset_version": {"type": "string"},
                "revoked": {"type": "boolean"},
            },
        },
        "SimilarInvestors": SIMILAR_INVESTORS,
        "ShortlistSummary": {"type": "object", "properties": {
            "id": {"type": "string"}, "name": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
            "dataset_version": {"type": "string"}, "revoked": {"type": "boolean"}, "url": {"type": "string", "format": "uri"}}},
        "FeatureCollection": {"type": "object", "required": ["type", "features"], "properties": {
            "type": {"const": "FeatureCollection"}, "features": {"type": "array", "items": {"type": "object"}}}},
    }
    schemas.update(_requirements_defs())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "techvalley API",
            "version": "1",
            "description": (
                "Site selection for Morocco's Tech Valleys. Computing a shortlist needs no login "
                "and no CSRF token; requests are rate-limited per client IP "
                f"({current_app.config['TECHVALLEY_RATELIMIT_API']} for POST /shortlists). "
                f"Bodies above {max_body} bytes are answered 413."
            ),
        },
        "servers": [{"url": server_url or "/"}],
        "components": {
            "schemas": schemas,
            "securitySchemes": {"staffBasic": {"type": "http", "scheme": "basic",
                                               "description": "A staff account (techvalley create-staff)."}},
        },
        "paths": {
            "/api/v1/sites": {"get": {
                "summary": "The zones with their features",
                "operationId": "listSites",
                "responses": {"200": {"description": "A GeoJSON FeatureCollection, one feature per zone (EPSG:4326).",
                                      "content": {"application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}}}}},
            }},
            "/api/v1/shortlists": {
                "post": {
                    "summary": "Compute and store a shortlist",
                    "operationId": "createShortlist",
                    "description": (
                        "The body is a requirements document. Robustness: "
                        f"{draws} weight draws unless the body's robustness.draws asks for another number "
                        f"(at most {max_draws}); this default keeps the p95 latency under 200 ms with 16 "
                        "concurrent clients."
                    ),
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Requirements"}}}},
                    "responses": {
                        "201": {"description": "The shortlist, stored.", "headers": {"Location": {"schema": {"type": "string"}}},
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Shortlist"}}}},
                        "400": _error("The body is not JSON."),
                        "413": _error("The body is over the size limit."),
                        "422": _error("The JSON is not a valid requirement (not an object, wrong types, unknown columns)."),
                        "429": _error("Too many requests from this client."),
                    },
                },
                "get": {
                    "summary": "Saved shortlists (staff only)",
                    "operationId": "listShortlists",
                    "security": [{"staffBasic": []}],
                    "responses": {
                        "200": {"description": "The newest saved shortlists.", "content": {"application/json": {
                            "schema": {"type": "array", "items": {"$ref": "#/components/schemas/ShortlistSummary"}}}}},
                        "401": _error("No staff credentials."),
                    },
                },
            },
            "/api/v1/shortlists/{shortlist_id}": {"get": {
                "summary": "A stored shortlist, as it was computed",
                "operationId": "getShortlist",
                "parameters": [shortlist_id],
                "responses": {
                    "200": {"description": "The stored shortlist.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Shortlist"}}}},
                    "404": _error("No shortlist with this id."),
                    "410": _error("The shortlist was revoked."),
                },
            }},
            "/api/v1/openapi.json": {"get": {
                "summary": "This document",
                "operationId": "openapi",
                "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
        },
    }
