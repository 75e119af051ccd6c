"""The fact sheet's source list (``geodata/facts/sources.csv``): each source's title, publisher,
date and web address, read and checked.

A row is ``key,citation,title,title_from,publisher,date,url``: ``citation`` is the fact sheet's
own words (kept for the ``source_citations`` column), ``title_from`` says whether the title is the
one the fact sheet gives (``source``) or was read from the web address (``address``), ``date`` is
an ISO date, a year-month or a year (empty when unknown) and ``url`` an ``https://`` address
(empty for a source that is not a web page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from valleys.errors import DatasetError
from valleys.paths import FACTS_DIR

__all__ = ["SOURCE_COLUMNS", "TITLE_ORIGINS", "Source", "read_sources", "shipped_source"]

#: the columns of ``sources.csv``, in their order
SOURCE_COLUMNS = ("key", "citation", "title", "title_from", "publisher", "date", "url")

#: where a title comes from: the fact sheet, or the web address's words
TITLE_ORIGINS = ("source", "address")

_DATE = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")


@dataclass(frozen=True)
class Source:
    """One source of the fact sheet."""

    key: str
    citation: str
    title: str
    title_from: str
    publisher: str
    date: str
    url: str


def url_problem(url: str) -> str | None:
    """Why ``url`` is not an ``https://`` address with a host, or ``None`` when it is (or empty).

    >>> url_problem("https://lematin.ma/x"), url_problem("lematin.ma/x")
    (None, "'lematin.ma/x' is not an https:// address")
    """
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc or " " in url:
        return f"{url!r} is not an https:// address"
    return None


def _row_problems(row: dict[str, str], where: str) -> list[str]:
    problems = [f"{where}, column {column}: empty" for column in ("key", "citation", "title", "publisher")
                if not row[column].strip()]
    if row["title_from"] not in TITLE_ORIGINS:
        problems.append(f"{where}, column title_from: {row['title_from']!r}; use {' or '.join(TITLE_ORIGINS)}")
    if row["date"] and not _DATE.match(row["date"]):
        problems.append(f"{where}, column date: {row['date']!r}; use YYYY, YYYY-MM or YYYY-MM-DD, or leave it empty")
    bad_url = url_problem(row["url"])
    if bad_url:
        problems.append(f"{where}, column url: {bad_url}")
    return problems


def read_sources(facts_dir: Path | None = None) -> dict[str, Source]:
    """The source list, key -> :class:`Source`; every problem reported at once (file, row, column)."""
    path = Path(facts_dir or FACTS_DIR) / "sources.csv"
    if not path.exists():
        raise DatasetError(
            f"{path}: the source list is missing; restore it from the repository "
            "(geodata/facts/sources.csv)."
        )
    frame = pd.read_csv(path, dtype="string", keep_default_na=False)
    if tuple(frame.columns) != SOURCE_COLUMNS:
        raise DatasetError(f"{path}: expected the columns {','.join(SOURCE_COLUMNS)}; got {list(frame.columns)}")
    problems: list[str] = []
    out: dict[str, Source] = {}
    for number, record in enumerate(frame.to_dict("records"), start=2):
        row = {k: str(v).strip() for k, v in record.items()}
        where = f"sources.csv line {number} (key {row['key']!r})"
        problems += _row_problems(row, where)
        if row["key"] in out:
            problems.append(f"{where}, column key: listed twice")
        out[row["key"]] = Source(**row)
    if problems:
        raise DatasetError(f"{path}: {len(problems)} problem(s) in the source list.", details=problems)
    return out


@lru_cache(maxsize=1)
def _shipped() -> dict[str, Source]:
    try:
        return read_sources()
    except DatasetError:
        return {}


def shipped_source(key: str, citation: str) -> Source | None:
    """The shipped source list's entry for ``key`` when its citation is ``citation``, else ``None``.

    A dataset built from other facts cites its own words: those are shown as they are.
    """
    found = _shipped().get(key)
    return found if found is not None and found.citation == citation.strip() else None
