"""Error handlers: JSON ``{"error", "details"}`` under ``/api/``, an HTML page elsewhere.

A user error (:class:`~valleys.errors.TechValleyError`) is answered 422; an HTTP error keeps its
status; anything else is logged and answered 500 without a traceback.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, TooManyRequests

from valleys.errors import TechValleyError
from web.i18n import _, _l

#: why a status happened, in words a visitor can act on
HTML_MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please log in to see this page."),
    403: _l("This page is for staff only."),
    404: _l("There is nothing at this address."),
    405: _l("This address does not accept that kind of request."),
    410: _l("This link is no longer valid."),
    413: _l("What you sent is too large."),
    422: _l("What you sent could not be used."),
    429: _l("Too many requests: please wait a minute and try again."),
    500: _l("Something went wrong on our side."),
}


#: the time units of a rate limit ("5 per 1 minute", as the limits library words it)
_UNITS = {
    "second": (_l("second"), _l("seconds")),
    "minute": (_l("minute"), _l("minutes")),
    "hour": (_l("hour"), _l("hours")),
    "day": (_l("day"), _l("days")),
    "month": (_l("month"), _l("months")),
    "year": (_l("year"), _l("years")),
}
_LIMIT = re.compile(r"(\d+) per (\d+) (second|minute|hour|day|month|year)s?")


def _limit_words(description: str) -> str:
    """A rate limit in the reader's language ("5 per 1 minute" -> "5 par minute"); "" for
    werkzeug's English default sentence, which the page's title says already."""
    if description == TooManyRequests.description:
        return ""
    found = _LIMIT.fullmatch(description.strip())
    if not found:
        return description
    count, every, unit = int(found[1]), int(found[2]), found[3]
    if every == 1:
        return _("%(count)s per %(unit)s", count=count, unit=_UNITS[unit][0])
    return _("%(count)s per %(every)s %(unit)s", count=count, every=every, unit=_UNITS[unit][1])


def wants_json() -> bool:
    """Whether the current request is an API request (answered in JSON)."""
    return request.path.startswith("/api/")


def error_response(status: int, message: str, details: list[str] | None = None, **headers: Any) -> Response:
    """The error answer for the current request, JSON or HTML."""
    if wants_json():
        response = jsonify({"error": message, "details": list(details or [])})
    else:
        body = render_template(
            "error.html", status=status, title=str(HTML_MESSAGES.get(status, _l("Error"))), message=message,
            details=list(details or []),
        )
        response = Response(body, mimetype="text/html")
    response.status_code = status
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    if isinstance(exc, CSRFError):
        message = _(
            "The form's security token is missing or has expired: reload the page and send the "
            "form again."
        )
    elif status == 413:
        limit = request.max_content_length
        message = _("The request body is larger than the limit of %(limit)s bytes.", limit=limit)
    elif status == 429:
        # the API keeps the limits library's own words ("2 per 1 minute"), a page reads them
        said = exc.description if wants_json() else _limit_words(exc.description or "")
        message = (
            _("Too many requests from your address (%(limit)s): wait and try again.", limit=said)
            if said else ""
        )
    elif exc.description and exc.description != type(exc).description:
        message = exc.description  # ours, translated where it was raised
    elif wants_json():
        message = exc.description or str(HTML_MESSAGES.get(status, _l("Error")))
    else:  # werkzeug's default sentence is English only: the page's title says it instead
        message = ""
    details = list(getattr(exc, "details", []) or [])
    response = error_response(status, str(message), details)
    if exc.response is not None and status in (401, 405, 429):  # keep Allow/Retry-After/WWW-Authenticate
        for name in ("Allow", "Retry-After", "WWW-Authenticate"):
            if name in exc.response.headers:
                response.headers[name] = exc.response.headers[name]
    if status == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def _user_error(exc: TechValleyError) -> Response:
    # one detail per problem: a single problem is its own detail
    return error_response(422, exc.message, exc.details or [exc.message])


def _unexpected(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, str(InternalServerError.description) if wants_json() else "")


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(TechValleyError, _user_error)
    app.register_error_handler(Exception, _unexpected)
