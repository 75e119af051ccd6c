"""The OpenAPI 3 document of the JSON API, served at ``/api/v1/openapi.json``.

``tests/web/test_openapi.py`` checks it against the app's routes both ways.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from web.paging import MAX_PER_PAGE, PER_PAGE


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
        "messages": {"type": "array", "items": {"type": "object"}},
        "synthetic": {"type": "boolean", "description": "The past investors are a synthetic example, not real placements."},
    },
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _shortlist_schemas() -> tuple[dict[str, Any], dict[str, Any]]:
    """The computed shortlist (``POST /rank``) and the stored one (it adds where it is kept)."""
    computed: dict[str, Any] = {
        "type": "object",
        "description": "The shortlist contract of DESIGN.md, as computed (nothing stored).",
        "required": ["requirements", "method", "weights", "ranked", "excluded"],
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
        },
    }
    stored = dict(computed, description="The shortlist contract of DESIGN.md, plus where it is stored.")
    stored["required"] = [*computed["required"], "id", "url"]
    stored["properties"] = dict(computed["properties"], **{
        "id": {"type": "string", "description": "Use it with GET /api/v1/shortlists/{shortlist_id}."},
        "url": {"type": "string", "format": "uri", "description": (
            "The read-only share page (no login), under TECHVALLEY_PUBLIC_URL when the service sets it.")},
        "created_at": {"type": "string", "format": "date-time", "description": "In Africa/Casablanca."},
        "dataset_version": {"type": "string"},
        "revoked": {"type": "boolean"},
        "expires_at": {"type": ["string", "null"], "format": "date-time", "description": (
            "When a shortlist saved without staff credentials expires (then 410); null: never.")},
    })
    return computed, stored


def openapi_document(*, server_url: str = "") -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``/api/v1``.

    ``server_url`` is the service's public address (``TECHVALLEY_PUBLIC_URL``); empty, the
    server is ``/``, relative to the document (never the request's ``Host`` header).
    """
    draws = int(current_app.config["TECHVALLEY_API_ROBUSTNESS_DRAWS"])
    anon_per_day = int(current_app.config["TECHVALLEY_ANON_SAVES_PER_DAY"])
    anon_bytes = int(current_app.config["TECHVALLEY_ANON_MAX_BYTES"])
    retention = int(current_app.config["TECHVALLEY_ANON_RETENTION_DAYS"])
    paging_params = [
        {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "default": 1},
         "description": "The page, from 1 (newest first); a page past the last is empty."},
        {"name": "per_page", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": PER_PAGE}},
        {"name": "saved_by", "in": "query", "required": False,
         "schema": {"type": "string", "enum": ["all", "staff", "anonymous"], "default": "all"},
         "description": "Only shortlists saved by staff, or only those saved without staff credentials."},
    ]
    max_draws = int(current_app.config["TECHVALLEY_API_MAX_DRAWS"])
    max_body = int(current_app.config["TECHVALLEY_MAX_BODY_BYTES"])
    shortlist_id = {"name": "shortlist_id", "in": "path", "required": True, "schema": {"type": "string"},
                    "description": "The id returned when the shortlist was created."}
    computed, stored = _shortlist_schemas()
    schemas: dict[str, Any] = {
        "Error": ERROR,
        "Requirements": _requirements_schema(),
        "Ranking": computed,
        "Shortlist": stored,
        "SimilarInvestors": SIMILAR_INVESTORS,
        "ShortlistSummary": {"type": "object", "properties": {
            "id": {"type": "string"}, "name": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
            "dataset_version": {"type": "string"}, "revoked": {"type": "boolean"}, "url": {"type": "string", "format": "uri"},
            "saved_by": {"type": "string", "enum": ["staff", "anonymous"]},
            "kept": {"type": "boolean", "description": "Staff kept this anonymous save: it does not expire."},
            "expires_at": {"type": ["string", "null"], "format": "date-time"},
            "expired": {"type": "boolean"}}},
        "ShortlistPage": {
            "type": "object",
            "description": (
                "A page of saved shortlists, newest first. The Link header gives the first, prev, "
                "next and last pages (RFC 8288)."
            ),
            "required": ["items", "page", "per_page", "total", "pages", "next", "prev", "saved_by"],
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/ShortlistSummary"}},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1},
                "total": {"type": "integer", "description": "Shortlists matching the filter, on every page."},
                "pages": {"type": "integer"},
                "next": {"type": ["string", "null"], "description": "The next page's address (relative), null on the last."},
                "prev": {"type": ["string", "null"], "description": "The previous page's address (relative), null on the first."},
                "saved_by": {"type": "string", "enum": ["all", "staff", "anonymous"]},
            },
        },
        "FeatureCollection": {"type": "object", "required": ["type", "features"], "properties": {
            "type": {"const": "FeatureCollection"}, "features": {"type": "array", "items": {"type": "object"}}}},
    }
    schemas.update(_requirements_defs())
    computed_ref = {"$ref": "#/components/schemas/Ranking"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "techvalley API",
            "version": "1",
            "description": (
                "Site selection for Morocco's Tech Valleys. Computing a shortlist needs no login "
                "and no CSRF token; requests are rate-limited per client IP "
                f"({current_app.config['TECHVALLEY_RATELIMIT_API']} for POST /shortlists and POST /rank). "
                f"Bodies above {max_body} bytes are answered 413. POST /rank stores nothing; a shortlist "
                "saved without staff credentials is limited in size and number per client and "
                "expires (see POST /shortlists)."
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
            "/api/v1/rank": {"post": {
                "summary": "Compute a shortlist without storing it",
                "operationId": "rank",
                "description": (
                    "The same body and the same shortlist as POST /shortlists, answered 200 with no "
                    f"id or url: nothing is stored (for live re-ranking). Robustness: {draws} weight "
                    f"draws unless the body asks for another number (at most {max_draws})."
                ),
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Requirements"}}}},
                "responses": {
                    "200": {"description": "The shortlist, not stored.", "content": {"application/json": {"schema": computed_ref}}},
                    "400": _error("The body is not JSON."),
                    "413": _error("The body is over the size limit."),
                    "422": _error("The JSON is not a valid requirement (not an object, wrong types, unknown columns)."),
                    "429": _error("Too many requests from this client (Retry-After says when to try again)."),
                },
            }},
            "/api/v1/shortlists": {
                "post": {
                    "summary": "Compute and store a shortlist",
                    "operationId": "createShortlist",
                    "description": (
                        "The body is a requirements document. Robustness: "
                        f"{draws} weight draws unless the body's robustness.draws asks for another number "
                        f"(at most {max_draws}); this default keeps the p95 latency under 200 ms with 16 "
                        "concurrent clients. Without staff credentials the save is anonymous: its "
                        f"requirements may take at most {anon_bytes} bytes as compact JSON (413 above), one "
                        f"client may save {anon_per_day} in 24 hours (429 with Retry-After above), and it "
                        + (f"expires {retention} days after it was saved unless staff keep it (then 410)."
                           if retention > 0 else "does not expire.")
                    ),
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Requirements"}}}},
                    "responses": {
                        "201": {"description": "The shortlist, stored.", "headers": {"Location": {"schema": {"type": "string"}}},
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Shortlist"}}}},
                        "400": _error("The body is not JSON."),
                        "413": _error(f"The body is over the size limit, or (anonymous) the requirements are over {anon_bytes} bytes."),
                        "422": _error("The JSON is not a valid requirement (not an object, wrong types, unknown columns)."),
                        "429": _error("Too many requests from this client, or (anonymous) its daily cap of saves "
                                      "is reached; Retry-After says when to try again."),
                    },
                },
                "get": {
                    "summary": "Saved shortlists, a page at a time (staff only)",
                    "operationId": "listShortlists",
                    "security": [{"staffBasic": []}],
                    "parameters": paging_params,
                    "responses": {
                        "200": {"description": "A page of saved shortlists, newest first.",
                                "headers": {"Link": {"schema": {"type": "string"},
                                                     "description": 'first, prev, next and last pages: <...>; rel="next"'}},
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ShortlistPage"}}}},
                        "400": _error("A page, per_page or saved_by that is not one."),
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
                    "404": _error("No shortlist with this id (or an expired one was deleted)."),
                    "410": _error("The shortlist was revoked, or it expired (saved without staff credentials)."),
                },
            }},
            "/api/v1/openapi.json": {"get": {
                "summary": "This document",
                "operationId": "openapi",
                "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
        },
    }
