"""``techvalley suitability``: where new Tech Valleys would serve best, on a national H3 grid.

Reads the dataset and the optional profile file, calls :func:`matching.suitability.suitability`
and writes the candidate areas as JSON, GeoJSON or a GeoPackage (``docs/suitability.md``).
The ``techvalley`` group that holds it is assembled in ``web.cli``.
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

import click

from matching.errors import RequirementsError
from matching.io import read_requirements
from valleys.console import FiniteFloatRange, user_errors

#: Output formats of ``techvalley suitability``.
SUITABILITY_FORMATS: tuple[str, ...] = ("json", "geojson", "gpkg")


#: What ``--view`` lists: the candidate parcels (default) or the coarser areas.
VIEWS: tuple[str, ...] = ("parcels", "areas")


def _gpkg_bytes(result, view: str) -> bytes:
    """A GeoPackage with the ``areas`` layer, and the ``parcels`` layer when they were cut."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "suitability.gpkg"
        result.areas.to_file(path, layer="areas", driver="GPKG", engine="pyogrio")
        if view == "parcels" and result.parcels is not None and len(result.parcels):
            result.parcels.to_file(path, layer="parcels", driver="GPKG", engine="pyogrio")
        return path.read_bytes()


@click.command("suitability")
@click.option("--data", "data_path", type=click.Path(path_type=Path), default=None,
              help="Dataset (GeoPackage or folder) with a regions or land layer; default the "
                   "shipped Morocco dataset.")
@click.option("--resolution", type=int, default=8, show_default=True,
              help="H3 resolution, 0 to 15 (8: cells of about 0.74 km², 870,000 for Morocco).")
@click.option("--profile", "profile_path", type=click.Path(path_type=Path), default=None,
              help="Requirements file (YAML or JSON) to score the cells with; default the "
                   "planning profile (talent and access, docs/suitability.md).")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Keep the K best candidate areas.")
@click.option("--percentile", type=FiniteFloatRange(min=0, max=100), default=5.0, show_default=True,
              help="The best percentile of the scored cells that merges into areas (0 < P <= 100).")
@click.option("--prominence", type=FiniteFloatRange(0, 1), default=0.05, show_default=True,
              help="Split an area between peaks that rise this share of the score range above "
                   "where they meet.")
@click.option("--catchment-km", type=FiniteFloatRange(min=0, min_open=True), default=None,
              help="Radius of the talent catchment in km (default 30, or $TECHVALLEY_CATCHMENT_KM).")
@click.option("--partitions", type=click.IntRange(min=1), default=None,
              help="Run on Dask in N partitions (for grids past one machine's memory); the "
                   "result is the same.")
@click.option("--view", type=click.Choice(VIEWS), default="parcels", show_default=True,
              help="parcels: 0.5-5 km² parcels around the areas' peaks (refined to H3 "
                   "resolution 9), as well as the areas; areas: the areas only (faster).")
@click.option("--min-area-km2", type=float, default=0.5, show_default=True,
              help="The smallest parcel, in km² (> 0).")
@click.option("--max-area-km2", type=float, default=5.0, show_default=True,
              help="The largest parcel, in km² (> 0).")
@click.option("--spacing-km", type=float, default=10.0, show_default=True,
              help="The least distance between two parcels' centres, in km (> 0).")
@click.option("--format", "fmt", type=click.Choice(SUITABILITY_FORMATS), default="json",
              show_default=True, help="json: the areas, best first; geojson/gpkg: with outlines.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file instead of standard output (needed for gpkg on a terminal).")
@click.option("--overlay", "overlay", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="An inventory overlay CSV (`techvalley inventory export`) applied to the zones.")
@user_errors
def suitability_command(data_path: Path | None, resolution: int, profile_path: Path | None,
                        top: int, percentile: float, prominence: float,
                        catchment_km: float | None, partitions: int | None, view: str,
                        min_area_km2: float, max_area_km2: float, spacing_km: float, fmt: str,
                        out: Path | None, overlay: Path | None) -> None:
    """Score an H3 grid over the land with a profile and list the best candidate areas.

    Adjacent cells in the best PERCENTILE merge into areas, ranked by their best cell's score.
    Exit status 2 with a message on stderr for a bad dataset, profile or option.
    """
    import json

    import valleys
    from matching.parcels import check_parcel_options
    from matching.requirements import parse_requirements_text
    from matching.suitability import suitability

    if fmt == "gpkg" and out is None and sys.stdout.isatty():
        raise RequirementsError("--format gpkg writes a binary file: give --out FILE "
                                "(or redirect standard output)")
    options = check_parcel_options(min_area_km2=min_area_km2, max_area_km2=max_area_km2,
                                   spacing_km=spacing_km)
    profile = None
    source = "profile"
    if profile_path is not None:
        source = str(profile_path)
        profile = parse_requirements_text(read_requirements(profile_path), source=source)
    seen: set[str] = set()

    def warn(messages) -> None:
        for message in messages:
            if message not in seen:
                seen.add(message)
                click.echo(f"Warning: {message}", err=True)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            dataset = valleys.load_dataset(data_path)
            if overlay is not None:  # the zones as staff keep them (valleys.overlay)
                from valleys.overlay import apply_overlay, read_overlay_csv

                dataset = apply_overlay(dataset, read_overlay_csv(overlay), name=str(overlay))
            result = suitability(dataset, resolution=resolution, profile=profile, top=top,
                                 percentile=percentile, prominence=prominence,
                                 catchment_km=catchment_km, partitions=partitions,
                                 source=source, parcels=view == "parcels",
                                 parcel_options=options)
        finally:  # the warnings before an error too (the cell count before "too many cells")
            warn(str(w.message) for w in caught)
    warn(result.warnings)

    if fmt == "json":
        payload = (json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n").encode()
    elif fmt == "geojson":
        payload = (result.to_geojson(view) + "\n").encode()
    else:
        payload = _gpkg_bytes(result, view)
    if out is not None:
        try:
            out.write_bytes(payload)
        except OSError as exc:
            raise RequirementsError(f"cannot write {out}: {exc.strerror}") from None
        parcels = 0 if result.parcels is None else len(result.parcels)
        click.echo(f"Wrote {out} ({len(result.areas)} areas, {parcels} parcels from "
                   f"{result.cells:,} cells)", err=True)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(payload)
    sys.stdout.buffer.flush()


#: The command of this module, for the ``techvalley`` group (``web.cli``).
COMMANDS: tuple[click.Command, ...] = (suitability_command,)
