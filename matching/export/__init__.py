"""Shortlist exports: the same shortlist as a terminal table, JSON, CSV, XLSX, GeoJSON, HTML or PDF.

Every function takes the shortlist JSON of the contract (``matching.shortlist.make_shortlist``)
and, optionally, the ``sites`` it was made from (``valleys.site_features``: zones indexed by id,
with geometry, ``lon``/``lat``, ``city``, ``region``, ``source``...), and returns ``str`` (text
formats) or ``bytes`` (``xlsx``, ``pdf``). The command line and the web app serve the same output.

- Machine formats (:func:`to_json`, :func:`to_csv`, :func:`to_geojson`) always hold every zone,
  ranked then excluded, exactly once; ``top`` is accepted and ignored.
- Human formats (:func:`to_table`, :func:`to_html`, :func:`to_pdf`, :func:`to_xlsx`) show the
  first ``top`` ranked zones (and say how many more there are) and every excluded zone with its
  reasons; ``lang`` (``"en"`` or ``"fr"``) chooses the language: the engine's sentences are
  rendered from the shortlist's ``messages`` (from its English strings when it has none), and
  columns, enumerations and numbers are written through :mod:`matching.i18n`.

Optional parts of the shortlist are shown when present: ``warnings``, ``hint``, ``criteria``
and ``constraints`` as applied, ``incentives``, ``leave_one_out``, ``robustness_method``,
``assumptions`` and ``dataset`` (``path``, ``version``, ``sources``; also read from
``sites.attrs``); per ranked zone, ``explanation`` and ``imputed``. Every user error is an
:class:`ExportError`. What each format holds is in ``docs/exports.md``.

The package, one module per concern:

- :mod:`~matching.export.registry`: the one list of formats (:class:`Format`: name, renderer,
  media type, extension, binary, human, web download, HTTP headers) and :func:`export`;
- one module per format: ``table_format``, ``json_format``, ``csv_format``, ``xlsx_format``,
  ``geojson_format``, ``html_format``, ``pdf_format`` (the ``_format`` suffix keeps the names
  of the standard library's ``csv``, ``json`` and ``html`` free);
- shared by several formats: ``view`` (reading and checking the shortlist, :class:`ExportError`),
  ``labels`` (the words, as msgids of the shared catalogue), ``text`` (numbers, percentages, terminal-safe text,
  the formula guard), ``sections`` (requirements, method, sources, flat rows) and ``report``
  (what the HTML page and the PDF dossier show).

Examples
--------
>>> shortlist = {
...     "requirements": {"name": "Demo"}, "method": "weighted_sum", "normalization": "minmax",
...     "weights": {"rent_mad_m2_month": 1.0}, "consistency_ratio": None,
...     "ranked": [{"id": "fes", "name": "Fès Shore", "rank": 1, "score": 1.0,
...                 "values": {"rent_mad_m2_month": 70}, "contributions": {"rent_mad_m2_month": 1.0}}],
...     "excluded": [{"id": "agd", "name": "Agadir Shore",
...                   "reasons": ["rent_mad_m2_month missing"]}],
...     "robustness": {"fes": {"p_first": 1.0, "p_top3": 1.0}},
... }
>>> print(to_csv(shortlist), end="")
status,rank,id,name,score,p_first,p_top3,value_rent_mad_m2_month,contribution_rent_mad_m2_month,reasons
ranked,1,fes,Fès Shore,1.0,1.0,1.0,70,1.0,
excluded,,agd,Agadir Shore,,,,,,rent_mad_m2_month missing
"""

from __future__ import annotations

from matching.export.csv_format import to_csv
from matching.export.geojson_format import to_geojson
from matching.export.html_format import to_html
from matching.export.json_format import to_json
from matching.export.labels import LANGS
from matching.export.pdf_format import to_pdf
from matching.export.registry import DOWNLOADS, FORMATS, Format, export
from matching.export.registry import get as get_format
from matching.export.table_format import to_table
from matching.export.view import ExportError
from matching.export.xlsx_format import XLSX_MAX_CELL_CHARS, to_xlsx
from matching.i18n import column_label

__all__ = [
    "DOWNLOADS",
    "EXTENSIONS",
    "FORMATS",
    "HUMAN_FORMATS",
    "LANGS",
    "MACHINE_FORMATS",
    "MEDIA_TYPES",
    "XLSX_MAX_CELL_CHARS",
    "ExportError",
    "Format",
    "column_label",
    "export",
    "get_format",
    "to_csv",
    "to_geojson",
    "to_html",
    "to_json",
    "to_pdf",
    "to_table",
    "to_xlsx",
]

# views of the registry under their former names
MACHINE_FORMATS = tuple(name for name, spec in FORMATS.items() if not spec.human)
HUMAN_FORMATS = tuple(name for name, spec in FORMATS.items() if spec.human)
EXTENSIONS = {name: spec.extension for name, spec in FORMATS.items()}
MEDIA_TYPES = {name: spec.media_type for name, spec in FORMATS.items()}
