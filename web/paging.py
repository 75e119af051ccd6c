"""Paging of the lists staff read (saved shortlists, inquiries), for pages and the API alike.

A list is read a page at a time, newest first: ``?page=`` (from 1) and ``?per_page=`` (from 1
to :data:`MAX_PER_PAGE`). A page past the last is empty, not an error, so a client can stop at
the first empty page; a page number that is not a whole number from 1 is answered 400.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import abort, request
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from web.extensions import db

#: rows a page holds unless ``per_page`` says otherwise
PER_PAGE = 50
#: the most rows one page may hold
MAX_PER_PAGE = 200
#: the highest page number read: its row offset must fit SQLite's 64-bit integers
MAX_PAGE = 2**31 - 1


def _whole(name: str, default: int, *, maximum: int | None = None) -> int:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1 or (maximum is not None and value > maximum):
        if maximum is None:
            problem = _("?%(name)s=%(value)s is not a whole number from 1: e.g. ?%(name)s=1",
                        name=name, value=repr(raw))
        else:
            problem = _("?%(name)s=%(value)s is not a whole number from 1 to %(most)s: e.g. ?%(name)s=1",
                        name=name, value=repr(raw), most=maximum)
        abort(400, description=problem[:300])
    return value


def paginate(select: Select, *, per_page: int = PER_PAGE) -> Pagination:
    """The page of ``select`` that the request's ``?page=`` and ``?per_page=`` ask for.

    ``select`` must be ordered (newest first) with a unique last key, so that pages neither
    skip nor repeat rows.
    """
    page = _whole("page", 1, maximum=MAX_PAGE)
    size = _whole("per_page", per_page, maximum=MAX_PER_PAGE)
    return db.paginate(select, page=page, per_page=size, max_per_page=MAX_PER_PAGE, error_out=False, count=True)


def page_url(page: int) -> str:
    """The current path with ``page`` set and the other query arguments kept (relative: the
    ``Host`` header plays no part)."""
    args = {k: v for k, v in request.args.items() if k != "page"}
    args["page"] = str(page)
    return f"{request.path}?{urlencode(args)}"


def info(pagination: Pagination) -> dict[str, Any]:
    """The paging fields of an API answer: ``page``, ``per_page``, ``total``, ``pages``, and the
    addresses of the ``next`` and ``prev`` pages (``None`` at the ends)."""
    return {
        "page": pagination.page,
        "per_page": pagination.per_page,
        "total": pagination.total,
        "pages": pagination.pages,
        "next": page_url(pagination.page + 1) if pagination.page < pagination.pages else None,
        "prev": page_url(min(pagination.page - 1, pagination.pages)) if pagination.page > 1 and pagination.pages else None,
    }


def link_header(pagination: Pagination) -> str:
    """An RFC 8288 ``Link`` header: ``first``, ``prev``, ``next``, ``last``."""
    links = {"first": 1, "last": max(pagination.pages, 1)}
    if pagination.page > 1 and pagination.pages:
        links["prev"] = min(pagination.page - 1, pagination.pages)
    if pagination.page < pagination.pages:
        links["next"] = pagination.page + 1
    return ", ".join(f'<{page_url(n)}>; rel="{rel}"' for rel, n in links.items())


__all__ = ["MAX_PAGE", "MAX_PER_PAGE", "PER_PAGE", "info", "link_header", "page_url", "paginate"]
