"""The code follows the project's lint settings (ruff, configured in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]


#: a module may pass this many lines only if its docstring says why it is one module
LONG_MODULE_LINES = 500


def test_long_modules_say_why_they_are_one():
    """Smaller rooms (issue 10): a module over ~500 lines gives, in its docstring, a paragraph
    starting ``One module because`` (a newcomer then knows the length is chosen, not grown)."""
    import ast

    unexplained = []
    for package in ("valleys", "matching", "web", "geodata"):
        for path in sorted((ROOT / package).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if text.count("\n") <= LONG_MODULE_LINES:
                continue
            docstring = ast.get_docstring(ast.parse(text)) or ""
            if "One module because" not in docstring:
                unexplained.append(f"{path.relative_to(ROOT)} ({text.count(chr(10))} lines)")
    assert not unexplained, unexplained
