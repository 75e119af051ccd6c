"""Reading the decision's input files: requirements, past decisions, lists of requirements.

Each reader turns a missing, unreadable or malformed file into a user error naming it (the
command line exits 2 with it; the web app refuses to start with it). The domain code
(:mod:`matching.requirements`, :mod:`matching.learning`, ...) takes text and tables, not files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matching.errors import DecisionsError, RequirementsError

__all__ = ["read_decisions", "read_requirements", "read_text", "read_yaml_list"]


def read_requirements(path: Path) -> str:
    """The text of a requirements file (YAML or JSON; a UTF-8 byte-order mark is dropped).

    Raises
    ------
    RequirementsError
        A missing, unreadable or non-UTF-8 file, or a folder.
    """
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RequirementsError(
            f"requirements file {path} not found; give the path of a YAML or JSON requirements "
            "file (see docs/requirements.md)"
        ) from None
    except IsADirectoryError:
        raise RequirementsError(f"{path} is a folder; give a YAML or JSON requirements file") from None
    except UnicodeDecodeError as exc:
        raise RequirementsError(
            f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8 YAML or JSON"
        ) from None
    except OSError as exc:
        raise RequirementsError(f"{path} cannot be read: {exc.strerror}") from None


def read_text(path: Path, what: str) -> str:
    """The text of the ``what`` file (``decisions``, ``pipeline``...), as UTF-8.

    Raises
    ------
    DecisionsError
        A missing, unreadable or non-UTF-8 file, or a folder.
    """
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DecisionsError(f"{what} file {path} not found.") from None
    except IsADirectoryError:
        raise DecisionsError(f"{path} is a folder; give the {what} file.") from None
    except UnicodeDecodeError as exc:
        raise DecisionsError(f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8.") from None
    except OSError as exc:
        raise DecisionsError(f"{path} cannot be read: {exc.strerror}") from None


def read_decisions(path: Path) -> Any:
    """Read ``DECISIONS.csv`` as text columns (ids keep their leading zeros).

    Raises
    ------
    DecisionsError
        A missing, unreadable or malformed file (with the line pandas names).
    """
    import io

    import pandas as pd

    text = read_text(path, "decisions")
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                           skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise DecisionsError(
            f"{path} is empty; a decisions file has the header decision_id,site_id,chosen "
            "(and optionally activity) and one row per zone considered."
        ) from None
    except pd.errors.ParserError as exc:
        raise DecisionsError(f"{path} is not a valid CSV file: {exc}".rstrip()) from None


def read_yaml_list(path: Path, what: str) -> list[Any]:
    """Read a YAML (or JSON) file holding a list.

    Raises
    ------
    DecisionsError
        A missing file, a syntax error (with its line and column), or a document that is not
        a list.
    """
    import yaml

    from matching.requirements import load_yaml, yaml_error_text

    text = read_text(path, what)
    try:
        data = load_yaml(text)
    except yaml.MarkedYAMLError as exc:
        raise DecisionsError(f"{path}{yaml_error_text(exc)}.") from None
    except yaml.YAMLError as exc:
        raise DecisionsError(f"{path}: YAML error: {exc}") from None
    if not isinstance(data, list):
        raise DecisionsError(
            f"{path}: expected a YAML list of requirements documents (lines starting with "
            f"'- name: ...'), got {'nothing' if data is None else type(data).__name__}."
        )
    return data
