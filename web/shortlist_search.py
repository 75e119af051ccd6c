"""Staff search of saved shortlists, on the server: by the shortlist's name, the requirement's
``name`` (the form's "Project or investor") and the text of its free-form ``about``.

Each row keeps that text casefolded in ``shortlist.search_text`` (set on save and rename); a
search asks that every word appear in it (SQL ``LIKE``, wildcards escaped), so it runs the same
on SQLite and PostgreSQL without a full-text extension.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from flask import abort
from flask_babel import gettext as _

from web.extensions import db
from web.models import Shortlist

#: the longest staff search (characters) and the most words it may hold
MAX_SEARCH = 200
MAX_SEARCH_WORDS = 10
#: characters of ``about`` a search reads (it is free-form and may be large)
ABOUT_SEARCHED = 4000


def _texts(value: Any) -> list[str]:
    """The words of a free-form value: its strings, numbers and mapping keys, in order."""
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in (str(k), *_texts(v))]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    if value is None or isinstance(value, bool):
        return []
    return [str(value)]


def search_text(name: str, document: Any) -> str:
    """What a staff search matches: the shortlist's name, the requirement's ``name`` (the form's
    "Project or investor") and the text of its free-form ``about``, casefolded.

    >>> search_text("Acme", {"name": "Acme BPO", "about": {"investor": "Ōkami SA", "seats": 300}})
    'acme\\nacme bpo\\ninvestor ōkami sa seats 300'
    """
    document = document if isinstance(document, dict) else {}
    investor = document.get("name") if isinstance(document.get("name"), str) else ""
    about = " ".join(_texts(document.get("about")))[:ABOUT_SEARCHED]
    return "\n".join(part for part in (name, investor, about) if part).casefold()


def search_words(query: str | None) -> list[str]:
    """The words of a staff search (casefolded); 400 for one that is too long or has control
    characters."""
    query = (query or "").strip()
    if len(query) > MAX_SEARCH:
        abort(400, description=_("the search is %(length)s characters long: at most %(most)s",
                                   length=len(query), most=MAX_SEARCH))
    if any(unicodedata.category(ch) == "Cc" for ch in query):
        abort(400, description=_("the search contains a control character: remove it"))
    words = query.casefold().split()
    if len(words) > MAX_SEARCH_WORDS:
        abort(400, description=_("the search has %(count)s words: at most %(most)s",
                                   count=len(words), most=MAX_SEARCH_WORDS))
    return words


def fill_search_text(*, batch: int = 500) -> int:
    """Give rows saved before ``search_text`` existed theirs (the caller commits); returns how
    many were filled."""
    filled = 0
    while True:
        rows = db.session.execute(
            db.select(Shortlist).where(Shortlist.search_text.is_(None)).limit(batch)
        ).scalars().all()
        for record in rows:
            record.search_text = search_text(record.name, record.requirements)
        filled += len(rows)
        db.session.flush()
        if len(rows) < batch:
            return filled


def search_filter(select: Any, words: list[str]) -> Any:
    """``select`` of shortlists narrowed to those whose :func:`search_text` holds every word."""
    for word in words:
        select = select.where(Shortlist.search_text.contains(word, autoescape=True))
    return select


__all__ = ["MAX_SEARCH", "MAX_SEARCH_WORDS", "fill_search_text", "search_filter", "search_text", "search_words"]
