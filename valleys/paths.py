"""Where the default dataset is, and building it on first use.

A fresh install has the curated facts and the census and boundary packages, but no built
layers: :func:`default_data_path` builds them the first time they are asked for (a few seconds),
into ``geodata/build/morocco/`` beside the package, or into the user cache folder when the
package folder is read-only. It rebuilds when the inputs change (the facts files, the build
code, the versions of the census and boundary packages), and returns at once otherwise.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import filelock

from valleys.errors import DatasetError

__all__ = ["default_data_path", "default_build_dir", "ensure_built"]

#: Folders already checked to be current in this process (path -> inputs digest).
_CURRENT: dict[str, str] = {}


def default_data_path() -> Path:
    """The dataset used when none is given: ``settings.DATA_PATH`` if set, else the shipped one.

    The shipped Morocco dataset is built on first use (and rebuilt when its inputs change);
    concurrent callers wait for one build instead of racing.

    Returns
    -------
    pathlib.Path
        A dataset path for :func:`valleys.load_dataset`.

    Raises
    ------
    DatasetError
        When the dataset cannot be built (a broken facts file, no writable folder).
    """
    from valleys import settings

    if settings.DATA_PATH:
        return Path(settings.DATA_PATH).expanduser()
    return ensure_built(default_build_dir())


def default_build_dir() -> Path:
    """``geodata/build/morocco/`` when it is current or can be written; else the user cache folder."""
    from valleys.build import DEFAULT_OUT_DIR

    if _is_current(DEFAULT_OUT_DIR) or _writable(DEFAULT_OUT_DIR.parent):
        return DEFAULT_OUT_DIR
    import platformdirs

    return platformdirs.user_cache_path("techvalley") / "morocco"


def ensure_built(out_dir: str | os.PathLike, *, echo=None) -> Path:
    """Build the Morocco dataset into ``out_dir`` unless it is already there and current.

    Parameters
    ----------
    out_dir
        The folder dataset.
    echo
        Where the build's report lines go; default standard error (standard output may be
        carrying JSON, e.g. ``techvalley sites --format json``).
    """
    from valleys.build import build_geodata, build_lock, inputs_digest

    out_dir = Path(out_dir)
    if _is_current(out_dir):
        return out_dir
    digest = inputs_digest()
    try:
        lock = build_lock(out_dir)
        with lock:
            if not _is_current(out_dir, digest):  # another process may have built it meanwhile
                say = echo or _to_stderr
                say(
                    f"Building the Morocco dataset into {out_dir} (first use, or its inputs changed)..."
                )
                build_geodata(out_dir, echo=say)
    except filelock.Timeout as exc:
        raise DatasetError(
            f"{out_dir}: timed out waiting for another build of the default dataset; if none is "
            f"running, delete the lock file {exc.lock_file} and retry."
        ) from exc
    except OSError as exc:
        raise DatasetError(
            f"{out_dir}: cannot build the default dataset there ({exc.strerror or exc}); set "
            "TECHVALLEY_DATA to a dataset, or make the folder writable."
        ) from exc
    _CURRENT[str(out_dir.resolve())] = digest
    return out_dir


def _is_current(out_dir: Path, digest: str | None = None) -> bool:
    from valleys.build import inputs_digest, read_build_info

    key = str(Path(out_dir).resolve())
    if digest is None and key in _CURRENT:
        return (Path(out_dir) / "build_info.json").is_file()
    info = read_build_info(out_dir)
    if info is None:
        return False
    digest = digest or inputs_digest()
    if info.get("inputs") == digest:
        _CURRENT[key] = digest
        return True
    return False


def _writable(folder: Path) -> bool:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return os.access(probe, os.W_OK)


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr)
