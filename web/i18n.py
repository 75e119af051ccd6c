"""French and English on the pages: the locale choice, the shared catalogue, the page filters.

One gettext catalogue serves the engine and the pages: ``matching/locale/<lang>/LC_MESSAGES/
techvalley.po`` (domain ``techvalley``, :mod:`matching.i18n`). Flask-Babel reads it compiled to
``.mo`` with babel's Python API when the app starts (into the instance folder), so no system
tool is needed and no binary file is committed. The engine's messages, the columns' labels,
the enumerations' words and the numbers reach a page through :mod:`matching.i18n`, in the
page's language, by the filters and globals :func:`init_app` registers:

- ``messages(entry)``: an entry's (or the shortlist's) messages rendered (:func:`entry_texts`);
- ``label`` (a column), ``value_label(column)`` (a cell), ``fact(column)`` (any fact of a zone);
- ``num(digits)``, ``share`` (a 0..1 share as a percentage), ``percent``, ``km``, ``when``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, has_app_context, request, session
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from matching import i18n as vocabulary
from matching.messages import KEYS, from_text
from web.settings import LANGUAGES

#: the shared catalogue's sources (``<lang>/LC_MESSAGES/techvalley.po``)
SOURCE_DIR: Path = vocabulary.LOCALE_DIR
DOMAIN: str = vocabulary.DOMAIN


def select_locale() -> str:
    """``?lang=xx`` (remembered in the session), else the session, else the browser, else en."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        if not request.path.startswith("/api/"):
            session["lang"] = asked
        return asked
    remembered = session.get("lang") if not request.path.startswith("/api/") else None
    if remembered in LANGUAGES:
        return remembered
    return request.accept_languages.best_match(LANGUAGES) or LANGUAGES[0]


def compile_translations(target_dir: str | Path) -> Path:
    """Compile every ``techvalley.po`` under :data:`SOURCE_DIR` to ``.mo`` under ``target_dir``.

    A ``.mo`` newer than its ``.po`` is kept. Returns ``target_dir``.
    """
    target_dir = Path(target_dir)
    for po_path in SOURCE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"):
        mo_path = target_dir / po_path.relative_to(SOURCE_DIR).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name, domain=DOMAIN)
        tmp_path = mo_path.with_suffix(f".mo.tmp{id(catalog)}")
        with tmp_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp_path.replace(mo_path)  # atomic: two apps starting at once both see a whole file
    return target_dir


def page_lang() -> str:
    """The current page's language, one the catalogue speaks (English outside a Babel app)."""
    if not has_app_context() or "babel" not in current_app.extensions:
        return vocabulary.language(None)
    return vocabulary.language(str(get_locale()))


# -- the engine's messages ----------------------------------------------------------------------

#: which top-level messages a section of the result page shows, by their code's first word
SECTIONS: dict[str, tuple[str, ...]] = {
    "warnings": ("warning",),
    "hint": ("hint",),
    "assumptions": ("assumption", "incentive"),
}
#: the English strings a shortlist kept before it carried messages, by the section
_OLD_TEXTS: dict[str, str] = {"warnings": "warnings", "hint": "hint", "assumptions": "assumptions",
                              "explanation": "explanation", "reasons": "reasons", "notes": "notes"}


def _old_messages(texts: Any) -> list[dict[str, Any]]:
    """The messages of English sentences saved before shortlists carried them (each read back
    from its template; one no template wrote stays as it is, code ``text``)."""
    if isinstance(texts, str):
        texts = [texts]
    found = []
    for text in texts or []:
        message = from_text(str(text))
        found.append(message.as_json() if message is not None
                     else {"code": "text", "params": {}, "text": str(text)})
    return found


def entry_messages(entry: Mapping[str, Any] | None, section: str) -> list[dict[str, Any]]:
    """The messages of one section of a shortlist entry or of the shortlist itself.

    ``section`` is ``explanation`` or ``reasons`` (a ranked or excluded entry: all its
    messages), ``notes`` (similar investors), or ``warnings``, ``hint``, ``assumptions`` (the
    top level, chosen by code, :data:`SECTIONS`). A shortlist saved before it carried messages
    gives those of its English strings.
    """
    if not isinstance(entry, Mapping):
        return []
    messages = entry.get("messages")
    if not isinstance(messages, list):
        return _old_messages(entry.get(_OLD_TEXTS.get(section, section)))
    messages = [m for m in messages if isinstance(m, Mapping)]
    if section in SECTIONS:
        kinds = SECTIONS[section]
        return [m for m in messages if str(m.get("code", "")).split(".")[0] in kinds
                or (m.get("code") == "text" and m.get("text") in _texts(entry.get(section)))]
    return messages


def _texts(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value or []]


def entry_texts(entry: Mapping[str, Any] | None, section: str, lang: str) -> list[str]:
    """The messages of :func:`entry_messages`, each rendered in ``lang``.

    >>> entry_texts({"reasons": ["airports_km missing"]}, "reasons", "fr")
    ['Aéroport le plus proche (km) : valeur manquante']
    """
    return [vocabulary.render(m, lang) for m in entry_messages(entry, section)]


# -- labels and numbers -------------------------------------------------------------------------

#: the columns whose text values are words of an enumeration (the others are shown as given)
ENUM_COLUMNS = frozenset({*vocabulary.VALUE_LABELS, "activities", "activity"})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def format_number(value: Any, digits: int | None = 2) -> str:
    """A number in the page's language (``1,234.5`` / ``1 234,5``), ``–`` when missing."""
    return vocabulary.format_number(value, page_lang(), digits=digits)


def format_percent_share(value: Any, digits: int = 0) -> str:
    """A 0..1 share as a percentage in the page's language (``71 %`` in French)."""
    if value is None:
        return "–"
    return vocabulary.format_percent(float(value) * 100, page_lang(), digits=digits)


def format_when(value: datetime | None) -> str:
    """A date and time in the page's language, in ``Africa/Casablanca``."""
    if value is None:
        return "–"
    return format_datetime(value, "medium")


def column_label(column: str) -> str:
    """A column's label in the page's language (a column of the user's own data: its name made
    readable, with its unit)."""
    return vocabulary.column_label(str(column), page_lang())


def bare_label(column: str) -> str:
    """A column's label without its unit, where the value beside it shows the unit."""
    return vocabulary.bare_label(str(column), page_lang())


def value_label(value: Any, column: str = "") -> str:
    """A cell's value in the page's language: an enumeration's word, ``yes``/``no``, a number."""
    return vocabulary.value_label(column, value, page_lang())


def format_fact(value: Any, column: str) -> str:
    """Any fact of a zone in the page's language: numbers, enumerations, booleans and dates
    through the catalogue; other text (names, notes, sources) as it is.

    >>> from flask import Flask
    >>> with Flask(__name__).test_request_context():
    ...     format_fact(True, "shared_services"), format_fact("a_b", "notes")
    ('yes', 'a_b')
    """
    lang = page_lang()
    if value is None or value == "":
        return "–"
    if isinstance(value, bool) or _number(value) or type(value).__module__ == "numpy":
        return vocabulary.value_label(column, value, lang)
    if isinstance(value, (date, datetime)) or (
            column.endswith(("_as_of", "_date")) and _DATE.fullmatch(str(value))):
        return vocabulary.format_date(value, lang)
    if column in ENUM_COLUMNS or str(value).lower() in ("true", "false"):
        return vocabulary.value_label(column, value, lang)
    return str(value)


def status_label(value: Any) -> str:
    """A zone's status in the page's language; an unknown one made readable (the template
    escapes it: a status from the data is never a msgid).

    >>> from flask import Flask
    >>> with Flask(__name__).test_request_context():
    ...     status_label("<img src=x onerror=alert(1)>"), status_label("under_development")
    ('<img src=x onerror=alert(1)>', 'under development')
    """
    if value is None:
        return ""
    return vocabulary.value_label("status", value, page_lang())


_CSS_WORD = re.compile(r"[a-z0-9-]+")


def status_class(value: Any) -> str:
    """The CSS class suffix of a zone's status: letters, digits and ``-`` only, else ``other``.

    >>> status_class("under_development"), status_class('x" onmouseover="alert(1)')
    ('under-development', 'other')
    """
    key = (str(value).strip().lower().replace(" ", "-") if value is not None else "").replace("_", "-")
    return key if _CSS_WORD.fullmatch(key) else "other"


def rendered(entry: Mapping[str, Any] | None, section: str) -> list[tuple[str, str]]:
    """The messages of :func:`entry_messages` in the page's language, each with the language
    it is in: a message no template wrote (code ``text``) stays English (the template filter
    ``messages``; the page marks those ``lang="en"``)."""
    lang = page_lang()
    return [(vocabulary.render(m, lang), lang if m.get("code") in KEYS else "en")
            for m in entry_messages(entry, section)]


def labels(columns: Iterable[str]) -> list[str]:
    """Several columns' labels, in the page's language."""
    return [column_label(c) for c in columns]


def colon() -> str:
    """A colon the page's language's way: French puts a narrow no-break space before it."""
    return "\u202f:" if page_lang() == "fr" else ":"


def init_app(app: Flask) -> None:
    """Register the template filters and globals of this module."""
    app.jinja_env.filters.update(
        num=format_number,
        share=format_percent_share,
        when=format_when,
        label=column_label,
        bare_label=bare_label,
        labels=labels,
        value_label=value_label,
        fact=format_fact,
        messages=rendered,
        status_label=status_label,
        status_class=status_class,
    )
    app.jinja_env.globals.update(languages=LANGUAGES, current_locale=page_lang, colon=colon)


__all__ = [
    "DOMAIN",
    "SOURCE_DIR",
    "_",
    "_l",
    "bare_label",
    "column_label",
    "compile_translations",
    "entry_messages",
    "entry_texts",
    "format_fact",
    "init_app",
    "select_locale",
    "status_class",
    "status_label",
]
