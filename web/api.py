"""The JSON API (``/api/v1``): CSRF-exempt, no cookie needed to compute, rate-limited per IP.

``POST /rank`` computes a shortlist and stores nothing; ``POST /shortlists`` computes and stores
it. A save without staff credentials is anonymous: its requirements may hold at most
``TECHVALLEY_ANON_MAX_BYTES`` (413 above), one client may make ``TECHVALLEY_ANON_SAVES_PER_DAY``
of them in 24 hours (429 with ``Retry-After`` above), and it expires after
``TECHVALLEY_ANON_RETENTION_DAYS`` unless staff keep it.

Errors are ``{"error": "...", "details": [...]}``: 400 for a body that is not JSON, 422 for JSON
that is not a valid requirement, 413 above the body limit (or the anonymous size cap), 404 for
an unknown id, 410 for a revoked or expired shortlist, 401 for staff-only data without staff
credentials, 429 above a rate limit or the daily cap.

The shapes of the bodies are pydantic models (:mod:`web.api_models`, :mod:`matching.schema`,
:class:`matching.requirements.Requirements`); :mod:`web.openapi` generates the document from them.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for
from flask_login import current_user, login_required

from web import paging, shortlists
from web.api_models import PipelineDashboard, ShortlistPage
from web.data import get_data
from web.errors import error_response
from web.i18n import _
from web.openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def read_json_body() -> Any:
    """The request body parsed as JSON; 400 with the position of the first syntax error, 422
    (``RequirementsError``) for one nested deeper than ``MAX_NESTING_DEPTH`` levels."""
    from matching.requirements import check_nesting

    raw = request.get_data(cache=True)
    if not raw.strip():
        raise _BadJSON("the body is empty")
    try:
        document = json.loads(raw, parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        problem = f"the body is not UTF-8 text (byte {exc.start})"
    except json.JSONDecodeError as exc:
        problem = f"line {exc.lineno} column {exc.colno}: {exc.msg}"
    except (ValueError, RecursionError) as exc:
        problem = str(exc) if isinstance(exc, ValueError) else "the body is nested too deeply"
        if "integer string conversion" in problem:  # Python reads at most 4300 digits
            problem = "a number is too long to read (more than 4300 digits)"
    else:
        check_nesting(document, source="request body")  # pydantic and repr recurse on it
        return document
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


def _requirements_body() -> dict[str, Any] | Response:
    """The body as a requirements object, or the 422 answer saying it is not an object."""
    document = read_json_body()
    if not isinstance(document, dict):
        return error_response(
            422,
            "the request body must be a JSON object of requirements",
            [f"body: expected an object, got {type(document).__name__ if document is not None else 'null'}"],
        )
    return document


@bp.post("/rank")
def rank() -> Response:
    """Compute a shortlist and store nothing: for live re-ranking, which should cost no rows."""
    document = _requirements_body()
    if isinstance(document, Response):
        return document
    result = shortlists.compute(document, source="request body")
    # the version of the data it was ranked on (staff's inventory edits included), as a saved
    # shortlist says it: a client can tell two rankings of different data apart
    return jsonify({**shortlists.for_viewer(result), "dataset_version": get_data().version})


def _anonymous_save_refused(document: dict[str, Any], client: str) -> Response | None:
    """The 413 or 429 answer when an anonymous save is over a cap, else ``None``."""
    max_bytes = int(current_app.config["TECHVALLEY_ANON_MAX_BYTES"])
    size = shortlists.stored_bytes(document)
    if size > max_bytes:
        return error_response(
            413,
            f"these requirements take {size} bytes, above the {max_bytes} bytes a shortlist saved "
            "without a staff account may store: shorten them (a long 'about' or name), rank "
            "them without saving (POST /api/v1/rank), or ask the investment team to save them",
            [f"body: {size} bytes as stored (compact JSON), at most {max_bytes}"],
        )
    quota = shortlists.anonymous_quota(client)
    if quota.exceeded:
        return error_response(
            429,
            f"this address has saved {quota.used} shortlists in the last 24 hours, the most a "
            f"client may save without a staff account ({quota.limit}): try again in "
            f"{quota.retry_after} seconds, or rank without saving (POST /api/v1/rank)",
            [f"saves in the last 24 hours: {quota.used}, at most {quota.limit}"],
            Retry_After=str(quota.retry_after),
        )
    return None


@bp.post("/shortlists")
def create_shortlist() -> Response:
    document = _requirements_body()
    if isinstance(document, Response):
        return document
    staff = current_user if current_user.is_authenticated else None
    client = None
    if staff is None:
        client = shortlists.client_key()
        refused = _anonymous_save_refused(document, client)
        if refused is not None:
            return refused
    result = shortlists.compute(document, source="request body")
    record = shortlists.save(document, result, staff=staff, client=client)
    body = shortlists.payload(record)
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_shortlist", shortlist_id=record.id)
    return response


@bp.get("/shortlists")
@login_required
def list_shortlists() -> Response:
    """A page of saved shortlists, newest first: ``?page=``, ``?per_page=``, ``?saved_by=``."""
    saved_by = request.args.get("saved_by")
    page = paging.paginate(shortlists.saved_by_filter(shortlists.newest(), saved_by))
    body = ShortlistPage.model_validate(  # the shape the OpenAPI document declares
        {"items": [shortlists.summary(r) for r in page.items], "saved_by": saved_by or "all", **paging.info(page)}
    )
    response = jsonify(body.model_dump(mode="json"))
    response.headers["Link"] = paging.link_header(page)
    return response


@bp.get("/shortlists/<shortlist_id>")
def get_shortlist(shortlist_id: str) -> Response:
    record = shortlists.get_or_404(shortlist_id)
    if not current_user.is_authenticated:
        if record.revoked:
            abort(410, description=_(
                "shortlist %(id)s was revoked by the investment team", id=shortlist_id))
        if shortlists.is_expired(record):
            abort(410, description=shortlists.expired_message(record))
    return jsonify(shortlists.payload(record))


@bp.get("/pipeline")
@login_required
def pipeline_dashboard() -> Response:
    """The jobs pipeline against the target: the staff dashboard's figures (:mod:`web.pipeline`)."""
    from web import pipeline

    body = PipelineDashboard.model_validate(pipeline.dashboard())
    return jsonify(body.model_dump(mode="json"))


@bp.get("/openapi.json")
def openapi() -> Response:
    # never the Host header: a client chooses it, and the document would point elsewhere
    return jsonify(openapi_document(server_url=current_app.config.get("TECHVALLEY_PUBLIC_URL") or "/"))


__all__ = ["bp", "read_json_body"]
