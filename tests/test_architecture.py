"""Imports run one way, valleys -> matching -> web, and the MCDA core knows no pandas.

(DESIGN.md, "The flow".) Every import statement of every module is read with ``ast``, so an
import hidden inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: what each package may not import
FORBIDDEN = {
    "valleys": {"matching", "web"},
    "matching": {"web"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_against_the_flow(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_mcda_core_is_pure_numpy():
    assert imported_packages(ROOT / "matching" / "mcda.py").isdisjoint(
        {"pandas", "geopandas", "shapely", "sklearn", "flask"}
    )
