"""The one list of export formats: what each is called, which function renders it, how it is
served (media type, file extension, text or bytes, extra HTTP headers), whether ``--top``
shortens it and whether the web app offers it as a download.

The command line (``techvalley shortlist --format``), the web app's downloads and
:func:`export` all read :data:`FORMATS`; a new format is one entry here.

>>> FORMATS["pdf"].media_type, FORMATS["pdf"].binary, FORMATS["csv"].human
('application/pdf', True, False)
>>> [name for name, spec in FORMATS.items() if spec.download]
['csv', 'xlsx', 'geojson', 'html', 'pdf']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from matching.export.csv_format import to_csv
from matching.export.geojson_format import to_geojson
from matching.export.html_format import to_html
from matching.export.json_format import to_json
from matching.export.pdf_format import to_pdf
from matching.export.table_format import to_table
from matching.export.view import ExportError
from matching.export.xlsx_format import to_xlsx

#: headers of the HTML export beside its type: the page is self-contained (inline styles, no
#: resource of its own to load), so it may load nothing and run no script, even if a zone's
#: name got through unescaped; ``sandbox`` also gives it an origin of its own
HTML_CSP = (
    "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'none'; sandbox"
)


@dataclass(frozen=True)
class Format:
    """One export format.

    Attributes
    ----------
    name : str
        What ``--format`` and the web's ``/export/<name>`` call it.
    render : callable
        ``(shortlist, sites=None, *, top=None, lang="en") -> str | bytes``.
    media_type : str
        The HTTP ``Content-Type``.
    extension : str
        The file extension of a download, without the dot.
    binary : bool
        ``render`` returns bytes (a terminal cannot show them: the CLI asks for ``--out``).
    human : bool
        A format for people: ``top`` shortens it and ``lang`` chooses its words; the machine
        formats always hold every zone and keep the contract's English.
    download : bool
        The web app offers it as a download (the API answers JSON itself; the table is for
        terminals).
    headers : mapping
        HTTP headers to send with it beside its type.
    """

    name: str
    render: Callable[..., str | bytes]
    media_type: str
    extension: str
    binary: bool
    human: bool
    download: bool
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


_ALL = (
    Format("table", to_table, "text/plain; charset=utf-8", "txt", binary=False, human=True, download=False),
    Format("json", to_json, "application/json", "json", binary=False, human=False, download=False),
    Format("csv", to_csv, "text/csv; charset=utf-8", "csv", binary=False, human=False, download=True),
    Format("xlsx", to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
           binary=True, human=True, download=True),
    Format("geojson", to_geojson, "application/geo+json", "geojson", binary=False, human=False,
           download=True),
    Format("html", to_html, "text/html; charset=utf-8", "html", binary=False, human=True, download=True,
           headers=MappingProxyType({"Content-Security-Policy": HTML_CSP})),
    Format("pdf", to_pdf, "application/pdf", "pdf", binary=True, human=True, download=True),
)
#: every format by name, in the order the command line lists them
FORMATS: Mapping[str, Format] = MappingProxyType({spec.name: spec for spec in _ALL})
#: the formats the web app offers as downloads, in the same order
DOWNLOADS: Mapping[str, Format] = MappingProxyType({n: spec for n, spec in FORMATS.items() if spec.download})


def get(fmt: str) -> Format:
    """The format called ``fmt``, or an :class:`ExportError` listing the known ones.

    >>> get("yaml")
    Traceback (most recent call last):
    ...
    matching.export.view.ExportError: Unknown export format 'yaml': use one of table, json, csv, xlsx, geojson, html, pdf.
    """
    spec = FORMATS.get(fmt) if isinstance(fmt, str) else None
    if spec is None:
        raise ExportError(f"Unknown export format {fmt!r}: use one of {', '.join(FORMATS)}.")
    return spec


def export(shortlist: dict, fmt: str, sites: Any = None, *, top: int | None = None,
           lang: str = "en") -> str | bytes:
    """Render ``shortlist`` in format ``fmt`` (one of :data:`FORMATS`).

    >>> export({"ranked": [], "excluded": []}, "yaml")
    Traceback (most recent call last):
    ...
    matching.export.view.ExportError: Unknown export format 'yaml': use one of table, json, csv, xlsx, geojson, html, pdf.
    """
    return get(fmt).render(shortlist, sites, top=top, lang=lang)
