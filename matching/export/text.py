"""Values as text for people and for other programs: numbers, percentages and lists in each
language's style, text made safe for a terminal, JSON values, and the spreadsheet formula guard."""

from __future__ import annotations

import math
import numbers
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeGuard

import pandas as pd

from matching import i18n


def is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or a dict is a value
        return False


def fmt_number(value: Any, lang: str, *, digits: int | None = None) -> str:
    """A number for people: thousands separated, few decimals, French or English style."""
    if is_missing(value):
        return "–"
    if not is_number(value):
        return str(value)
    x = float(value)
    if digits is None:
        digits = 0 if math.isinf(x) or abs(x) >= 1000 or x == int(x) else (2 if abs(x) >= 1 else 3)
    return i18n.format_number(x, lang, digits=digits, fixed=True)


def fmt_pct(value: Any, lang: str) -> str:
    """A share as a percentage; never rounds a small chance to 0% or a near-certainty to 100%.

    >>> fmt_pct(0.71, "en"), fmt_pct(0.005, "en"), fmt_pct(0.995, "en"), fmt_pct(1, "fr")
    ('71%', '<1%', '>99%', '100\u202f%')
    """
    if not is_number(value):
        return "–" if is_missing(value) else str(value)
    pct = 100 * float(value)
    if 0 < pct < 1:
        text = "<1"
    elif 99 < pct < 100:
        text = ">99"
    else:
        text = f"{pct:.0f}"
    return f"{text}\u202f%" if lang == "fr" else f"{text}%"


def colon(lang: str) -> str:
    return "\u202f: " if lang == "fr" else ": "


def printable(text: str) -> str:
    """Text safe for a terminal: control and bidirectional-override characters made visible."""
    return "".join(
        ch if ch == " " or not (unicodedata.category(ch) in ("Cc", "Cf") or ch in BIDI) else f"\\u{ord(ch):04x}"
        for ch in text
    )


BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def fmt_any(value: Any, lang: str, *, sep: str = "; ") -> str:
    """Any JSON value as text: lists and mappings joined with ``sep``."""
    if isinstance(value, Mapping):
        return sep.join(f"{k}: {fmt_any(v, lang)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return sep.join(fmt_any(v, lang) for v in value)
    if isinstance(value, bool):  # yes/no in the language, never true/false
        return i18n.value_label("", value, lang)
    if is_number(value):
        return fmt_number(value, lang)
    if is_missing(value):
        return "–"
    return str(value)


def jsonable(value: Any) -> Any:
    """Plain JSON values: numpy scalars to Python, NaN and infinities to null."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):  # numpy scalar or array
        return jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is prefixed with ``'`` (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def defuse_id(value: Any) -> Any:
    """A zone id defused as :func:`defuse` does, and one that starts with ``'`` prefixed too,
    so that the id column stays reversible: remove one leading ``'`` to get the id back.

    >>> [defuse_id(v) for v in ["=1+1", "'=1+1", "'quoted", "ok"]]
    ["'=1+1", "''=1+1", "''quoted", 'ok']
    """
    if isinstance(value, str) and value.startswith((*FORMULA_START, "'")):
        return "'" + value
    return value


def display_width(text: str) -> int:
    """Terminal columns: East Asian wide characters take two, combining marks none."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
