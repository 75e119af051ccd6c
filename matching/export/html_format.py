"""HTML: a standalone, printable page from ``matching/templates/shortlist.html`` (autoescaped).

The web app serves it with the Content-Security-Policy of its :class:`~matching.export.registry.Format`.
"""

from __future__ import annotations

from typing import Any

from matching.export.report import report_context
from matching.export.view import read_shortlist


def _template_env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("matching", "templates"),
        autoescape=True,  # zone names and every text may be hostile
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def to_html(shortlist: dict, sites: Any = None, *, top: int | None = None, lang: str = "en") -> str:
    """A standalone, printable HTML page (no external resources, every text HTML-escaped).

    The ranked table with score bars, a section per shown zone (values, contributions as bars,
    robustness, incentives, location), the excluded zones with reasons, the method, the
    requirements and the data sources.
    """
    view = read_shortlist(shortlist, sites, top=top, lang=lang)
    template = _template_env().get_template("shortlist.html")
    return template.render(**report_context(view, top))
