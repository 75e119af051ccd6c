"""Command-line commands of the territory: ``validate``, ``sites``, ``build-geodata``.

This module only defines them (:data:`COMMANDS`); the ``techvalley`` group is assembled in one
place, ``web.cli``. Heavy imports (pandas, geopandas) happen inside the commands, so that
assembling the group stays light.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from valleys.console import FiniteFloatRange, user_errors

#: Columns of ``sites --format table`` besides ``id``, ``name`` and the ``<layer>_km`` features.
TABLE_CATCHMENT_COLUMNS: tuple[str, ...] = (
    "catchment_population",
    "catchment_labour_active",
    "catchment_higher_education_pct",
)


_DATA_HELP = "The dataset (a GeoPackage or a folder of layer files); default: the shipped one."


@click.command("validate")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@user_errors
def validate_command(path: Path | None) -> None:
    """Check the dataset at PATH against the dataset contract (default: the shipped dataset).

    Lists every problem on stderr, one per line (file, layer, row, column); exits 2 when
    there is an error, 0 when there are only warnings or none. Repairs nothing.
    """
    from valleys.validation import validate

    problems = validate(path)
    for problem in problems:
        click.echo(str(problem), err=True)
    errors = sum(p.level == "error" for p in problems)
    warnings_count = len(problems) - errors
    where = path if path is not None else "the default dataset"
    if errors:
        click.echo(
            f"Error: {where} is not a valid dataset: {errors} error(s), {warnings_count} "
            "warning(s) above.", err=True,
        )
        sys.exit(2)
    click.echo(f"{where}: valid ({warnings_count} warning(s)).")


def _records(sites: Any) -> list[dict[str, Any]]:
    """Rows as flat JSON-ready dicts (NaN -> None, numpy scalars -> Python)."""
    frame = sites.drop(columns=sites.geometry.name) if hasattr(sites, "geometry") else sites
    return json.loads(frame.to_json(orient="records", force_ascii=False, date_format="iso"))


def format_sites(sites: Any, fmt: str) -> str:
    """``sites`` (the output of :func:`valleys.site_features`) as text in a ``sites`` format."""
    import pandas as pd

    if fmt == "json":
        return json.dumps(_records(sites), ensure_ascii=False, indent=2, allow_nan=False)
    if fmt == "geojson":
        return sites.to_json(na="null", show_bbox=False, drop_id=True, ensure_ascii=False)
    if fmt == "csv":
        return sites.drop(columns=sites.geometry.name).to_csv(index=False)
    columns = ["id", "name"] + [c for c in sites.columns if c.endswith("_km")]
    columns += [c for c in TABLE_CATCHMENT_COLUMNS if c in sites.columns]
    table = sites[[c for c in columns if c in sites.columns]].copy()
    for column in table.columns:
        if column.endswith(("_km", "_pct")):
            table[column] = table[column].map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
        elif column.startswith("catchment_"):
            table[column] = table[column].map(lambda v: "" if pd.isna(v) else f"{v:,.0f}")
    return table.to_string(index=False)


@click.command("sites")
@click.option("--data", "data", type=click.Path(path_type=Path), default=None, help=_DATA_HELP)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "geojson", "csv"]), default="table",
    show_default=True, help="json: an array of flat objects (attributes, lon/lat, features).",
)
@click.option(
    "--catchment-km", type=FiniteFloatRange(min=0, min_open=True), default=None,
    help="Radius of the talent catchment in km (default 30, or $TECHVALLEY_CATCHMENT_KM).",
)
@click.option("--overlay", "overlay", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="An inventory overlay CSV (`techvalley inventory export`) applied to the zones.")
@user_errors
def sites_command(data: Path | None, fmt: str, catchment_km: float | None,
                  overlay: Path | None) -> None:
    """List the zones with their features: distances (km) to the nearest feature of each layer
    and the talent catchment."""
    from valleys.overlay import load_sites_with_overlay

    sites = load_sites_with_overlay(data, overlay, catchment_km=catchment_km)
    click.echo(format_sites(sites, fmt))


@click.command("build-geodata")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder to write the dataset into (default: the shipped dataset's folder).",
)
@user_errors
def build_geodata_command(out: Path | None) -> None:
    """Rebuild the shipped Morocco dataset from the curated facts and the census packages."""
    from valleys.build import build_geodata

    build_geodata(out, echo=click.echo)  # None: the shipped dataset's folder


#: The territory's commands, for the ``techvalley`` group (``web.cli``).
COMMANDS: tuple[click.Command, ...] = (validate_command, sites_command, build_geodata_command)
