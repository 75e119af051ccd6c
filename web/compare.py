"""The comparison of zones: which rows come first, which value is best, and the table as a
download (CSV, XLSX) with the page's labels.

The page shows the key rows first with the best value of each marked, and folds the rest.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from matching.export.text import defuse

#: the rows an investor reads first, in this order
KEY_ROWS = ("status", "city", "airports_km", "rail_stations_km", "universities_km",
            "catchment_labour_active", "catchment_higher_education", "catchment_french_literate_pct",
            "catchment_english_literate_pct", "rent_mad_m2_month", "available_m2",
            "incentive_zone_class")
#: the rows whose best value is the smallest (distances, rent) or the largest (talent, space)
LOWER_IS_BETTER = frozenset({"airports_km", "rail_stations_km", "universities_km", "rent_mad_m2_month"})
HIGHER_IS_BETTER = frozenset({"catchment_labour_active", "catchment_higher_education",
                              "catchment_french_literate_pct", "catchment_english_literate_pct",
                              "catchment_population", "available_m2", "office_floor_m2", "area_ha"})
#: the formats of the comparison's download
FORMATS = {"csv": ("text/csv; charset=utf-8", "csv"),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def split_rows(columns: Sequence[str]) -> tuple[list[str], list[str]]:
    """The key rows present, in :data:`KEY_ROWS` order, then the others in their order.

    >>> split_rows(["notes", "rent_mad_m2_month", "city"])
    (['city', 'rent_mad_m2_month'], ['notes'])
    """
    present = set(columns)
    key = [c for c in KEY_ROWS if c in present]
    return key, [c for c in columns if c not in key]


def best_ids(zones: Sequence[Mapping[str, Any]], column: str) -> set[str]:
    """The ids of the zones with the best value of ``column`` (ties all marked); none when the
    column has no better direction or fewer than two zones have a value, or all are equal.

    >>> zs = [{"id": "a", "values": {"airports_km": 20}}, {"id": "b", "values": {"airports_km": 9.5}}]
    >>> best_ids(zs, "airports_km"), best_ids(zs, "notes")
    ({'b'}, set())
    """
    if column not in LOWER_IS_BETTER and column not in HIGHER_IS_BETTER:
        return set()
    values = {str(z["id"]): _number((z.get("values") or {}).get(column)) for z in zones}
    known = {k: v for k, v in values.items() if v is not None}
    if len(known) < 2 or len(set(known.values())) < 2:
        return set()
    target = min(known.values()) if column in LOWER_IS_BETTER else max(known.values())
    return {k for k, v in known.items() if v == target}


def table(zones: Sequence[Mapping[str, Any]], columns: Sequence[str], *,
          label: Any, value: Any) -> pd.DataFrame:
    """The comparison as a frame: a row per fact (its label), a column per zone (its name);
    numbers stay numbers, words are the page's (``label(column)``, ``value(v, column)``)."""
    key, rest = split_rows(columns)
    data: dict[str, list[Any]] = {}
    for z in zones:
        values = z.get("values") or {}
        cells = []
        for column in key + rest:
            v = values.get(column)
            cells.append(v if _number(v) is not None else (None if v is None else defuse(value(v, column))))
        name = str(defuse(str(z.get("name"))))
        while name in data:  # two zones of one name stay two columns
            name += " "
        data[name] = cells
    return pd.DataFrame(data, index=pd.Index([label(c) for c in key + rest], name=""), dtype=object)


def to_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """The frame as a CSV (UTF-8 with a BOM, for spreadsheets) or an XLSX file."""
    if fmt == "csv":
        return frame.to_csv().encode("utf-8-sig")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="comparison")
        sheet = writer.sheets["comparison"]
        sheet.column_dimensions["A"].width = 42
        sheet.freeze_panes = "B2"
    return buffer.getvalue()
