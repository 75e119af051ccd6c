"""CSV: one flat row per zone, ranked then excluded, with the spreadsheet formula guard.

(Named ``csv_format``, like its siblings, so that no module of the package shadows the standard
library's ``csv``, ``json`` or ``html`` for a reader, a linter or a script run from this folder.)
"""

from __future__ import annotations

import csv
from typing import Any

import pandas as pd

from matching.export.sections import flat_rows
from matching.export.text import defuse, defuse_id
from matching.export.view import read_shortlist


def to_csv(shortlist: dict, sites: Any = None, *, top: int | None = None, lang: str = "en") -> str:
    """One row per zone, ranked then excluded, every zone (``top`` is ignored).

    Columns: ``status`` (ranked/excluded), ``rank``, ``id``, ``name``, ``city`` and ``region``
    (with ``sites``), ``score``, the robustness figures (``p_first``, ``p_top3``...),
    ``value_<column>`` for each criterion and constraint column, ``contribution_<criterion>``,
    ``reasons`` (joined with ``"; "``), ``lon``/``lat`` (with ``sites``). Text that a spreadsheet
    would evaluate as a formula (starting with ``= + - @``, tab or CR) is prefixed with ``'``,
    in every column. In the ``id`` column an id that starts with ``'`` is prefixed too, so
    that ids stay exact for joins: remove one leading ``'`` from an id to get the zone's id.
    """
    view = read_shortlist(shortlist, sites, top=None, lang=lang, machine=True)
    frame = flat_rows(view, view.ranked, with_location=True)
    if frame.empty:
        return "status,rank,id,name,score,reasons\n"
    for col in frame.columns:  # cell by cell: DataFrame.map would turn 70 into 70.0
        if frame[col].dtype == object:
            guard = defuse_id if col == "id" else defuse
            frame[col] = pd.Series([guard(v) for v in frame[col]], index=frame.index, dtype=object)
    return frame.to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
