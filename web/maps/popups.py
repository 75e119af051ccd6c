"""A zone's popup: its key facts as an HTML table and an "Add to comparison" button, every value
escaped here, on the server."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from web.maps.escaping import _e
from web.maps.labels import _labels
from web.maps.values import _fmt, _missing, _number, _status_label


def _zone_facts(row: pd.Series, lang: str) -> list[tuple[str, str]]:
    """(label, value) of the key facts of a zone that are known, as plain text."""
    labels = _labels(lang)
    facts: list[tuple[str, str]] = []
    for column in ("city", "region", "operator"):
        if not _missing(row.get(column)):
            facts.append((labels[column], str(row[column])))
    if "status" in row.index:
        facts.append((labels["status"], _status_label(row.get("status"), labels)))
    for column, unit, digits in (
        ("office_floor_m2", " m²", 0),
        ("available_m2", " m²", 0),
        ("rent_mad_m2_month", " " + labels["per_month"], 0),
        ("airports_km", " km", 1),
        ("catchment_labour_active", "", 0),
    ):
        number = _number(row.get(column))
        if number is not None:
            facts.append((labels[column], _fmt(number, lang, digits=digits) + unit))
    return facts


def _zone_popup(
    sid: str,
    name: str,
    row: pd.Series,
    *,
    lang: str,
    url: str | None,
    extra: Sequence[tuple[str, str]] = (),
    reasons: Sequence[str] = (),
) -> str:
    """Popup HTML of a zone: every value HTML-escaped here, on the server."""
    labels = _labels(lang)
    rows = "".join(
        f"<tr><th>{_e(label)}</th><td>{_e(value)}</td></tr>"
        for label, value in [*extra, *_zone_facts(row, lang)]
    )
    parts = [f'<div class="tv-popup" data-zone-id="{_e(sid)}"><h3>{_e(name)}</h3>']
    if rows:
        parts.append(f"<table>{rows}</table>")
    if reasons:
        items = "".join(f"<li>{_e(reason)}</li>" for reason in reasons)
        parts.append(f"<div>{_e(labels['reasons'])}:<ul>{items}</ul></div>")
    if url:
        parts.append(f'<a class="tv-zone-link" href="{_e(url)}">{_e(labels["zone_page"])}</a>')
    # the map script keeps the picked zones and shows the "Compare (n)" bar (techvalley-map.js)
    parts.append(
        f'<button type="button" class="tv-compare-toggle" data-compare-id="{_e(sid)}" '
        f'data-compare-name="{_e(name)}">{_e(labels["compare_add"])}</button>'
    )
    parts.append("</div>")
    return "".join(parts)
