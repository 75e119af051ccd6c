"""How text from the data reaches the page: HTML-escaped, or as JSON safe inside a ``<script>``."""

from __future__ import annotations

import html
import json
from typing import Any


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)



def _js_json(value: Any) -> str:
    """Compact JSON safe inside a <script>: ``<``, ``>``, ``&``, ``'`` escaped as ``\\uXXXX``.

    >>> _js_json({"name": "</script><b>&'"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026\\\\u0027"}'
    """
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )

