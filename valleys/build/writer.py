"""Writing a built dataset: into a temporary folder, renamed into place under the file lock.

Concurrent callers (two pytest workers, two web processes) never see a half-written dataset:
the layers and ``build_info.json`` (the inputs' digest, :func:`valleys.paths.inputs_digest`,
and the report) are written into a staging folder beside the target, which then replaces the
target with a rename. :func:`valleys.paths.ensure_built` holds the same lock
(:func:`valleys.paths.build_lock`) while it checks the digest, so a dataset is rebuilt once
when its inputs change.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import filelock
import geopandas as gpd

from valleys.errors import DatasetError
from valleys.paths import BUILD_INFO, LOCK_TIMEOUT_S, build_lock, inputs_digest

if TYPE_CHECKING:
    from valleys.build.pipeline import BuildReport

__all__ = ["COORDINATE_DECIMALS", "LAYERS", "layer_paths", "write_atomically", "write_layer"]


#: The layers the build writes, in this order.
LAYERS: tuple[str, ...] = (
    "zones",
    "airports",
    "rail_stations",
    "universities",
    "communes",
    "regions",
)

#: Coordinates are written with this many decimals (1e-5 degree is about 1 m).
COORDINATE_DECIMALS = 5


def write_layer(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Write one layer as RFC 7946 GeoJSON, coordinates to :data:`COORDINATE_DECIMALS` places."""
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


def write_atomically(
    layers: dict[str, gpd.GeoDataFrame],
    out_dir: Path,
    report: BuildReport,
    facts_dir: Path,
    started: float,
) -> None:
    """Write the :data:`LAYERS` and ``build_info.json`` into ``out_dir``, replacing it whole.

    Raises
    ------
    DatasetError
        When another build of the same folder holds the lock past
        :data:`valleys.paths.LOCK_TIMEOUT_S`.
    """
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
            write_layer(layers[name], staging / f"{name}.geojson")
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


def _replace_dir(new: Path, target: Path) -> None:
    """Put ``new`` at ``target``: a rename, so readers see the old folder or the new, never a mix."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}-{time.monotonic_ns()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def layer_paths(out_dir: str | os.PathLike) -> Iterable[Path]:
    """The layer files of a built folder, in :data:`LAYERS` order."""
    return [Path(out_dir) / f"{name}.geojson" for name in LAYERS]
