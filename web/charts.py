"""Charts drawn on the server as plain SVG (no script, no CDN): score bars, each criterion's part
of the score, the robustness of a rank, a catchment against the country.

Every chart is a :class:`markupsafe.Markup` string whose texts are escaped here; the colours are
steps of viridis (colour-blind safe, readable in grey). The numbers come formatted by the caller
(the page's language); these functions only lay them out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

#: viridis, 8 steps from dark to light: one colour per criterion, in the criteria's order
VIRIDIS = ("#440154", "#46327e", "#365c8d", "#277f8e", "#1fa187", "#4ac16d", "#a0da39", "#fde725")
#: the text colour readable on each step
ON_VIRIDIS = ("#fff", "#fff", "#fff", "#fff", "#000", "#000", "#000", "#000")
#: ranked first / second or third / lower (robustness)
RANK_STEPS = ("#440154", "#21918c", "#d9dde3")


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def bar_percent(score: Any, top: Any) -> float:
    """The width of a score bar, in percent of the largest score: proportional, never capped.

    >>> bar_percent(0.823, 0.823), bar_percent(0.796, 0.823), bar_percent(0.459, 0.823)
    (100.0, 96.7, 55.8)
    >>> bar_percent(-0.2, 0.8), bar_percent(None, 0.8), bar_percent(0.5, 0)
    (0.0, 0.0, 0.0)
    """
    s, t = _finite(score), _finite(top)
    if s is None or t is None or t <= 0:
        return 0.0
    return round(100 * max(s, 0.0) / t, 1)


def colour(i: int) -> str:
    """The viridis step of the ``i``-th criterion (spread over the steps when few)."""
    return VIRIDIS[i % len(VIRIDIS)]


def _legend(items: Sequence[tuple[str, str]], *, y: float, width: float) -> tuple[list[str], float]:
    """Swatches and labels wrapped over lines; returns the SVG parts and the height used."""
    parts: list[str] = []
    x, line_h = 0.0, 18.0
    for fill, text in items:
        w = 18 + 6.6 * len(text) + 14
        if x and x + w > width:
            x, y = 0.0, y + line_h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="12" height="12" fill="{fill}"/>'
                     f'<text x="{x + 17:.1f}" y="{y + 10.5:.1f}">{escape(text)}</text>')
        x += w
    return parts, y + line_h


#: the width of a chart's phone layout (names above their bars), shown below 560 px
NARROW_WIDTH = 360


def _row_name(name: str, *, narrow: bool, name_w: float, y: float, limit: int = 25) -> str:
    """A row's name: right-aligned before its bar, or on its own line above it (``narrow``)."""
    cut = limit + 25 if narrow else limit
    short = name if len(name) <= cut else name[:cut - 1] + "…"
    if narrow:
        return f'<text x="0" y="{y + 12:.0f}"><title>{escape(name)}</title>{escape(short)}</text>'
    return (f'<text x="{name_w - 8:.0f}" y="{y + 16:.0f}" text-anchor="end">'
            f'<title>{escape(name)}</title>{escape(short)}</text>')


def _svg(kind: str, *, narrow: bool, width: float, height: float, title: str, body: str) -> str:
    layout = "chart-narrow" if narrow else "chart-wide"
    return (f'<svg class="chart chart-{kind} {layout}" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
            f'font-size="12" fill="#1d2733"><title>{escape(title)}</title>{body}</svg>')


def _both(draw: Callable[[bool], str]) -> Markup:
    """The chart's wide layout and its phone layout; the style sheet shows one of them."""
    return Markup(draw(False) + draw(True))


def contribution_chart(zones: Sequence[Mapping[str, Any]], criteria: Sequence[str], *,
                       label: Callable[[str], str], number: Callable[[float], str],
                       title: str, width: int = 720, colon: str = ":") -> Markup:
    """A stacked bar per zone: each criterion's part of its score, on one scale for all zones.

    Parameters
    ----------
    zones
        Ranked entries with ``name`` and ``contributions`` (``{column: part}``).
    criteria
        The columns in the order of the legend (their colours follow it).
    label, number
        A column's label and a number's text in the page's language.
    """
    if not zones or not criteria:
        return Markup("")
    totals = [sum(max(_finite((z.get("contributions") or {}).get(c)) or 0.0, 0.0) for c in criteria)
              for z in zones]
    scale = max(totals) or 1.0

    def draw(narrow: bool) -> str:
        full = NARROW_WIDTH if narrow else width
        name_w = 0.0 if narrow else 190.0
        bar_w, row_h, bar_y = full - name_w - 60.0, (40.0 if narrow else 26.0), (18 if narrow else 4)
        parts: list[str] = []
        for row, (zone, total) in enumerate(zip(zones, totals, strict=True)):
            y = row * row_h
            name = str(zone.get("name") or zone.get("id"))
            parts.append(_row_name(name, narrow=narrow, name_w=name_w, y=y))
            x = name_w
            for i, column in enumerate(criteria):
                part = max(_finite((zone.get("contributions") or {}).get(column)) or 0.0, 0.0)
                w = bar_w * part / scale
                if w <= 0:
                    continue
                parts.append(f'<rect x="{x:.1f}" y="{y + bar_y:.0f}" width="{w:.1f}" height="18" '
                             f'fill="{colour(i)}"><title>{escape(name)} · {escape(label(column))}'
                             f'{escape(colon)} {escape(number(part))}</title></rect>')
                x += w
            parts.append(f'<text x="{x + 6:.1f}" y="{y + bar_y + 12:.0f}">{escape(number(total))}</text>')
        legend, bottom = _legend([(colour(i), label(c)) for i, c in enumerate(criteria)],
                                 y=len(zones) * row_h + 8, width=full)
        return _svg("contributions", narrow=narrow, width=full, height=bottom + 4, title=title,
                    body="".join(parts + legend))

    return _both(draw)


def rank_shares(rob: Mapping[str, Any]) -> tuple[float, float, float] | None:
    """The shares of draws in which a zone ranks first, second or third, and lower (sum 1).

    >>> rank_shares({"p_first": 0.25, "p_top3": 0.75})
    (0.25, 0.5, 0.25)
    >>> rank_shares({"mean_rank": 2}) is None
    True
    """
    first, top3 = _finite(rob.get("p_first")), _finite(rob.get("p_top3"))
    if first is None or top3 is None:
        return None
    first = min(max(first, 0.0), 1.0)
    top3 = min(max(top3, first), 1.0)
    return first, round(top3 - first, 6), round(1.0 - top3, 6)


def robustness_chart(zones: Sequence[Mapping[str, Any]], robustness: Mapping[str, Any], *,
                     words: Sequence[str], percent: Callable[[float], str], title: str,
                     width: int = 720, colon: str = ":") -> Markup:
    """A 100 % bar per zone: the share of weight draws in which it ranks first, second or
    third, and lower. ``words`` names the three parts (first, 2nd–3rd, lower)."""
    drawn = [(z, rank_shares(robustness.get(str(z.get("id"))) or {})) for z in zones]
    rows = [(z, s) for z, s in drawn if s is not None]
    if not rows:
        return Markup("")

    def draw(narrow: bool) -> str:
        full = NARROW_WIDTH if narrow else width
        name_w = 0.0 if narrow else 190.0
        bar_w, row_h, bar_y = full - name_w - 10.0, (40.0 if narrow else 26.0), (18 if narrow else 4)
        parts: list[str] = []
        for row, (zone, shares) in enumerate(rows):
            y = row * row_h
            name = str(zone.get("name") or zone.get("id"))
            parts.append(_row_name(name, narrow=narrow, name_w=name_w, y=y))
            x = name_w
            for i, share in enumerate(shares):
                w = bar_w * share
                if w <= 0:
                    continue
                parts.append(f'<rect x="{x:.1f}" y="{y + bar_y:.0f}" width="{w:.1f}" height="18" '
                             f'fill="{RANK_STEPS[i]}"><title>{escape(name)} · {escape(words[i])}'
                             f'{escape(colon)} {escape(percent(share))}</title></rect>')
                if w > 34:
                    ink = "#000" if i == 2 else "#fff"
                    parts.append(f'<text x="{x + w / 2:.1f}" y="{y + bar_y + 13:.0f}" '
                                 f'text-anchor="middle" fill="{ink}">{escape(percent(share))}</text>')
                x += w
        legend, bottom = _legend(list(zip(RANK_STEPS, words, strict=True)),
                                 y=len(rows) * row_h + 8, width=full)
        return _svg("robustness", narrow=narrow, width=full, height=bottom + 4, title=title,
                    body="".join(parts + legend))

    return _both(draw)


def versus_chart(rows: Sequence[tuple[str, float, float]], *, here: str, country: str,
                 percent: Callable[[float], str], title: str, width: int = 560,
                 colon: str = ":") -> Markup:
    """Paired bars of shares (0–100): the catchment's against the country's, one pair a row."""
    rows = [(t, a, b) for t, a, b in rows if _finite(a) is not None and _finite(b) is not None]
    if not rows:
        return Markup("")
    top = max(max(a, b) for _, a, b in rows) or 1.0

    def draw(narrow: bool) -> str:
        full = NARROW_WIDTH if narrow else width
        # the names' column fits the longest name (about 6.6 px a character at 12 px)
        name_w = 0.0 if narrow else min(width * 0.45,
                                        max(120.0, 6.6 * max(len(t) for t, _, _ in rows) + 12))
        bar_w, pair_h, bar_y = full - name_w - 60.0, (50.0 if narrow else 34.0), (17 if narrow else 3)
        parts: list[str] = []
        for row, (text, a, b) in enumerate(rows):
            y = row * pair_h
            if narrow:
                parts.append(f'<text x="0" y="{y + 12:.0f}">{escape(text)}</text>')
            else:
                parts.append(f'<text x="{name_w - 8:.0f}" y="{y + 17:.0f}" text-anchor="end">'
                             f'{escape(text)}</text>')
            for j, (value, fill) in enumerate(((a, VIRIDIS[2]), (b, RANK_STEPS[2]))):
                w = bar_w * max(value, 0.0) / top
                yy = y + bar_y + j * 14
                who = here if j == 0 else country
                parts.append(f'<rect x="{name_w:.0f}" y="{yy:.0f}" width="{w:.1f}" height="12" '
                             f'fill="{fill}"><title>{escape(text)} · {escape(who)}{escape(colon)} '
                             f'{escape(percent(value))}</title></rect><text x="{name_w + w + 5:.1f}" '
                             f'y="{yy + 10:.0f}" font-size="11">{escape(percent(value))}</text>')
        legend, bottom = _legend([(VIRIDIS[2], here), (RANK_STEPS[2], country)],
                                 y=len(rows) * pair_h + 6, width=full)
        return _svg("versus", narrow=narrow, width=full, height=bottom + 4, title=title,
                    body="".join(parts + legend))

    return _both(draw)


def result_charts(result: Mapping[str, Any]) -> dict[str, Markup]:
    """The result page's charts in the request's language: ``contributions`` and ``robustness``
    (empty markup when the shortlist lacks their data)."""
    from web.i18n import _, colon, column_label, format_number, format_percent_share

    ranked = [z for z in result.get("ranked") or [] if isinstance(z, Mapping)]
    criteria = [str(c) for c in (result.get("weights") or {})]
    return {
        "contributions": contribution_chart(
            ranked, criteria, label=column_label, number=lambda x: format_number(x, 3),
            title=_("Each criterion's part of the score, by zone"), colon=colon()),
        "robustness": robustness_chart(
            ranked, result.get("robustness") or {},
            words=(_("ranked first"), _("second or third"), _("lower")),
            percent=lambda x: format_percent_share(x, 0),
            title=_("Share of weight draws in which each zone ranks first, second or third, or lower"),
            colon=colon()),
    }
