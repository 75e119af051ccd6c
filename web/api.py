"""The JSON API (``/api/v1``): CSRF-exempt, no cookie needed to compute, rate-limited per IP.

Errors are ``{"error": "...", "details": [...]}``: 400 for a body that is not JSON, 422 for JSON
that is not a valid requirement, 413 above the body limit, 404 for an unknown id, 410 for a
revoked shortlist, 401 for staff-only data without staff credentials.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request, url_for
from flask_login import current_user, login_required

from web import shortlists
from web.data import get_data
from web.errors import error_response
from web.extensions import db
from web.models import Shortlist
from web.openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")

#: rows ``GET /api/v1/shortlists`` returns at most
LIST_LIMIT = 500


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def read_json_body() -> Any:
    """The request body parsed as JSON; 400 with the position of the first syntax error."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise _BadJSON("the body is empty")
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        problem = f"the body is not UTF-8 text (byte {exc.start})"
    except json.JSONDecodeError as exc:
        problem = f"line {exc.lineno} column {exc.colno}: {exc.msg}"
    except (ValueError, RecursionError) as exc:
        problem = str(exc) if isinstance(exc, ValueError) else "the body is nested too deeply"
    raise _BadJSON(problem)


class _BadJSON(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@bp.errorhandler(_BadJSON)
def _bad_json(exc: _BadJSON) -> Response:
    return error_response(400, "the request body is not valid JSON: send a requirements object", [exc.problem])


@bp.get("/sites")
def sites() -> Response:
    return Response(get_data().sites_geojson, mimetype="application/geo+json")


@bp.post("/shortlists")
def create_shortlist() -> Response:
    document = read_json_body()
    if not isinstance(document, dict):
        return error_response(
            422,
            "the request body must be a JSON object of requirements",
            [f"body: expected an object, got {type(document).__name__ if document is not None else 'null'}"],
        )
    result = shortlists.compute(document, source="request body")
    record = shortlists.save(document, result)
    body = shortlists.payload(record)
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_shortlist", shortlist_id=record.id)
    return response


@bp.get("/shortlists")
@login_required
def list_shortlists() -> Response:
    rows = db.session.execute(
        db.select(Shortlist).order_by(Shortlist.created_at.desc()).limit(LIST_LIMIT)
    ).scalars().all()
    return jsonify(
        [
            {
                "id": r.id,
                "name": r.name,
                "created_at": r.created_at.isoformat(),
                "dataset_version": r.dataset_version,
                "revoked": bool(r.revoked),
                "url": shortlists.share_url(r),
            }
            for r in rows
        ]
    )


@bp.get("/shortlists/<shortlist_id>")
def get_shortlist(shortlist_id: str) -> Response:
    record = shortlists.get_or_404(shortlist_id)
    if record.revoked and not current_user.is_authenticated:
        abort(410, description=f"shortlist {shortlist_id} was revoked by the investment team")
    return jsonify(shortlists.payload(record))


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document(server_url=request.host_url.rstrip("/")))


__all__ = ["bp", "read_json_body"]
