"""JSON: the shortlist of the contract itself, every zone, strict JSON."""

from __future__ import annotations

import json
from typing import Any

from matching.export.text import jsonable
from matching.export.view import read_shortlist


def to_json(shortlist: dict, sites: Any = None, *, top: int | None = None, lang: str = "en") -> str:
    """The shortlist JSON of the contract, every zone, UTF-8 text (``top`` is ignored).

    NaN and infinities become ``null`` so that the output is strict JSON.
    """
    read_shortlist(shortlist, None, top=top, lang=lang)
    return json.dumps(jsonable(shortlist), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
