"""The OpenAPI 3.1 document of the JSON API, served at ``/api/v1/openapi.json``.

Generated: its schemas are the models' (:func:`component_schemas`), so the document cannot
drift from what the API reads and answers. ``tests/web/test_openapi.py`` checks it against the
app's routes both ways and validates a live answer of every route against it;
``tests/web/test_schemathesis.py`` fuzzes the app against it.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from flask import current_app
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from matching.requirements import AHP_MAX_CONSISTENCY_RATIO, MAX_NESTING_DEPTH, Requirements
from web.api_models import (
    ErrorBody,
    FeatureCollection,
    PipelineDashboard,
    RankedShortlist,
    SavedShortlist,
    ShortlistPage,
)
from web.paging import MAX_PAGE, MAX_PER_PAGE, PER_PAGE

REF = "#/components/schemas/{model}"


#: the models whose JSON Schemas are the document's components (request and answer bodies)
MODELS: tuple[type[BaseModel], ...] = (
    Requirements, RankedShortlist, SavedShortlist, ShortlistPage, ErrorBody, FeatureCollection,
    PipelineDashboard,
)

#: pydantic's names of the constraints it cannot place on a type it does not know (the
#: requirements' WholeNumber, an int that also takes 400.0), as JSON Schema's
_BOUNDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


def _standard(schema: Any, *, names: bool = False) -> Any:
    """``schema`` with pydantic's leftover ``ge``/``le``/``gt``/``lt`` as JSON Schema keywords
    (``names``: ``schema`` maps names to schemas, such as ``properties``: keys stay)."""
    if isinstance(schema, list):
        return [_standard(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {
        (key if names else _BOUNDS.get(key, key)):
        _standard(value, names=not names and key in ("properties", "$defs", "patternProperties"))
        for key, value in schema.items()
    }


#: the document's names of the models that the API had named otherwise before they were models
#: (a client generated from the document keeps its class names)
NAMES = {"ErrorBody": "Error", "RankedShortlist": "Ranking", "SavedShortlist": "Shortlist"}


def _renamed(schemas: dict[str, Any]) -> dict[str, Any]:
    """``schemas`` (by name) with the names of :data:`NAMES`, and the references to them."""
    refs = {REF.format(model=old): REF.format(model=new) for old, new in NAMES.items()}

    def rename(node: Any) -> Any:
        if isinstance(node, list):
            return [rename(item) for item in node]
        if isinstance(node, dict):
            return {key: refs.get(value, value) if key == "$ref" else rename(value) for key, value in node.items()}
        return node

    return {NAMES.get(name, name): rename(schema) for name, schema in schemas.items()}


@cache
def component_schemas() -> dict[str, Any]:
    """The JSON Schemas (2020-12, as OpenAPI 3.1 takes them) of :data:`MODELS` and of every model
    they use, by name: ``model_json_schema`` of each, its ``$defs`` moved up beside it.

    Computed once per process: the models do not change while it runs.
    """
    _, document = models_json_schema([(model, "validation") for model in MODELS],
                                     ref_template=REF)
    schemas: dict[str, Any] = _renamed(_standard(document["$defs"]))
    requirements = schemas["Requirements"]
    requirements["description"] = (
        f"{requirements.get('description', '')} The body may hold what this schema allows; some "
        "rules no JSON Schema can state are checked after it and answered 422: every column "
        "named must be one of the dataset's (GET /api/v1/sites), an AHP matrix must be square, "
        f"reciprocal and consistent (CR <= {AHP_MAX_CONSISTENCY_RATIO} unless allow_inconsistent), "
        "criteria name each "
        "column once and not every weight may be 0, an ordering operator (<, >...) takes a "
        "number, robustness.draws is at most the service's limit, and nothing nests deeper "
        f"than {MAX_NESTING_DEPTH} levels. The body is also read less strictly than stated: activity in any "
        "case, surrounding blanks trimmed, 400.0 for the whole number 400."
    ).strip()
    return schemas


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


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
        {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
         "description": "The page, from 1 (newest first); a page past the last is empty."},
        {"name": "per_page", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": PER_PAGE}},
        {"name": "saved_by", "in": "query", "required": False,
         "schema": {"type": "string", "enum": ["all", "staff", "anonymous"], "default": "all"},
         "description": "Only shortlists saved by staff, or only those saved without staff credentials."},
    ]
    max_draws = int(current_app.config["TECHVALLEY_API_MAX_DRAWS"])
    max_body = int(current_app.config["TECHVALLEY_MAX_BODY_BYTES"])
    shortlist_id = {"name": "shortlist_id", "in": "path", "required": True,
                    "schema": {"type": "string", "minLength": 1, "pattern": "^[^/]+$"},
                    "description": "The id returned when the shortlist was created."}
    # a copy: a caller may change the document it is given
    schemas = copy.deepcopy(component_schemas())
    computed_ref = _ref("Ranking")
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
                                      "content": {"application/geo+json": {"schema": _ref("FeatureCollection")}}}},
            }},
            "/api/v1/rank": {"post": {
                "summary": "Compute a shortlist without storing it",
                "operationId": "rank",
                "description": (
                    "The same body and the same shortlist as POST /shortlists, answered 200 with no "
                    f"id or url: nothing is stored (for live re-ranking). Robustness: {draws} weight "
                    f"draws unless the body asks for another number (at most {max_draws})."
                ),
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Requirements")}}},
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
                    "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Requirements")}}},
                    "responses": {
                        "201": {"description": "The shortlist, stored.", "headers": {"Location": {"schema": {"type": "string"}}},
                                "content": {"application/json": {"schema": _ref("Shortlist")}}},
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
                                "content": {"application/json": {"schema": _ref("ShortlistPage")}}},
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
                    "200": {"description": "The stored shortlist.", "content": {"application/json": {"schema": _ref("Shortlist")}}},
                    "404": _error("No shortlist with this id (or an expired one was deleted)."),
                    "410": _error("The shortlist was revoked, or it expired (saved without staff credentials)."),
                },
            }},
            "/api/v1/pipeline": {"get": {
                "summary": "The jobs pipeline against the 2030 target (staff only)",
                "operationId": "getPipeline",
                "security": [{"staffBasic": []}],
                "responses": {
                    "200": {"description": "Jobs by stage, zone, region and activity; each zone's "
                                           "committed floor and the year it runs out.",
                            "content": {"application/json": {"schema": _ref("PipelineDashboard")}}},
                    "401": _error("No staff credentials."),
                },
            }},
            "/api/v1/openapi.json": {"get": {
                "summary": "This document",
                "operationId": "openapi",
                "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
        },
    }
