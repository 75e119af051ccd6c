"""The pipeline dashboard's charts, drawn on the server as plain SVG (:mod:`web.charts`' style):
jobs against the target, jobs by stage per zone / region / activity, committed floor against
available floor. Colours are viridis steps (colour-blind safe); every text is escaped here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from web.charts import NARROW_WIDTH, _legend
from web.i18n import _, format_number

#: one colour per open stage, from the earliest (light) to operating (dark)
STAGE_COLOURS = {"lead": "#fde725", "visit": "#a0da39", "shortlist_sent": "#1fa187",
                 "committed": "#365c8d", "operating": "#440154"}
WIDTH = 640.0


def _svg(parts: list[str], height: float, title: str, *, narrow: bool) -> str:
    layout, width = ("chart-narrow", NARROW_WIDTH) if narrow else ("chart-wide", WIDTH)
    return (f'<svg class="chart {layout}" viewBox="0 0 {width:.0f} {height:.0f}" width="100%" role="img" '
            f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" font-size="12">'
            f'<title>{escape(title)}</title>{"".join(parts)}</svg>')


def _name(row: Mapping[str, Any], *, y: float, narrow: bool, wide_y: float) -> str:
    """A row's name at the left: on its own line above the bar (``narrow``), else beside it."""
    name, limit = str(row["name"]), (50 if narrow else 28)
    name = name if len(name) <= limit else name[:limit - 1] + "…"
    return f'<text x="0" y="{y + (12 if narrow else wide_y):.1f}">{escape(name)}</text>'


def _both(draw: Callable[[bool], str]) -> Markup:
    """The wide layout and the phone one (names above their bars); the style sheet shows one."""
    return Markup(draw(False) + draw(True))


def target_chart(board: Mapping[str, Any], stage_label: Callable[[str], str]) -> Markup:
    """One bar: the jobs of each open stage (operating first) against the jobs the target adds
    to the baseline (a bar from the baseline's 148,500 would hide the pipeline in its width)."""
    t = board["targets"]
    gap = t["target_jobs"] - t["baseline_jobs"]
    stages = ("operating", "committed", "shortlist_sent", "visit", "lead")
    segments = [(STAGE_COLOURS[s], stage_label(s), board["by_stage"][s]) for s in stages]
    top = max(gap, sum(v for _c, _l, v in segments)) * 1.04
    label = _("%(jobs)s jobs to add from %(start)s to %(end)s", jobs=format_number(gap, 0),
              start=t["baseline_year"], end=t["target_year"])

    def draw(narrow: bool) -> str:
        width = NARROW_WIDTH if narrow else WIDTH
        scale = width / top
        parts, x = [f'<rect x="0" y="24" width="{width:.1f}" height="34" fill="#eceef1"/>'], 0.0
        for fill, _label, value in segments:
            w = value * scale
            if w > 0:
                parts.append(f'<rect x="{x:.1f}" y="24" width="{w:.1f}" height="34" fill="{fill}"/>')
            x += w
        tx = gap * scale
        parts.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="16" y2="66" stroke="#000" stroke-width="2" '
                     f'stroke-dasharray="4 3"/><text x="{tx - 4:.1f}" y="12" text-anchor="end">'
                     f'{escape(label)}</text>')
        legend, height = _legend([(c, f"{lab}: {format_number(v, 0)}") for c, lab, v in segments],
                                 y=76, width=width)
        return _svg(parts + legend, height + 4, _("Jobs against the target"), narrow=narrow)

    return _both(draw)


def stacked_chart(rows: Sequence[Mapping[str, Any]], stages: Sequence[str],
                  stage_label: Callable[[str], str], *, title: str) -> Markup:
    """One bar per row (``name``, ``jobs`` by stage, ``total``), stages stacked, operating first."""
    order = list(reversed(stages))
    top = max([r["total"] for r in rows] + [1])

    def draw(narrow: bool) -> str:
        width = NARROW_WIDTH if narrow else WIDTH
        label_w, row_h, bar_y = (0.0, 40.0, 18.0) if narrow else (190.0, 24.0, 4.0)
        bar_w = width - label_w - 70.0
        parts = []
        for i, row in enumerate(rows):
            y = i * row_h
            parts.append(_name(row, y=y, narrow=narrow, wide_y=16))
            x = label_w
            for stage in order:
                w = row["jobs"][stage] / top * bar_w
                if w > 0:
                    parts.append(f'<rect x="{x:.1f}" y="{y + bar_y:.1f}" width="{w:.1f}" height="16" '
                                 f'fill="{STAGE_COLOURS[stage]}"/>')
                x += w
            parts.append(f'<text x="{x + 4:.1f}" y="{y + bar_y + 12:.1f}">'
                         f'{escape(format_number(row["total"], 0))}</text>')
        legend, height = _legend([(STAGE_COLOURS[s], stage_label(s)) for s in order],
                                 y=len(rows) * row_h + 6, width=width)
        return _svg(parts + legend, height + 4, title, narrow=narrow)

    return _both(draw)


def floor_chart(rows: Sequence[Mapping[str, Any]]) -> Markup:
    """Per zone: the committed floor (bar) against the available floor (grey, behind); a zone whose
    available floor is unknown says so."""
    top = max([max(r["committed_m2"], r["available_m2"] or 0) for r in rows] + [1])
    unknown = _("available floor unknown")

    def draw(narrow: bool) -> str:
        width = NARROW_WIDTH if narrow else WIDTH
        label_w, row_h, bar_y = (0.0, 44.0, 16.0) if narrow else (190.0, 28.0, 0.0)
        # room after the bar for "available floor unknown" (about 6.6 px a character)
        any_unknown = any(r["available_m2"] is None for r in rows)
        bar_w = width - label_w - (6.6 * len(unknown) + 12 if narrow and any_unknown else 10.0)
        parts = []
        for i, row in enumerate(rows):
            y = i * row_h
            parts.append(_name(row, y=y, narrow=narrow, wide_y=17))
            over = row["runs_out"] is not None
            if row["available_m2"] is not None:  # behind the committed bar
                parts.append(f'<rect x="{label_w:.1f}" y="{y + bar_y + 3:.1f}" '
                             f'width="{row["available_m2"] / top * bar_w:.1f}" height="20" fill="#d9dde3"/>')
            parts.append(f'<rect x="{label_w:.1f}" y="{y + bar_y + 7:.1f}" '
                         f'width="{row["committed_m2"] / top * bar_w:.1f}" height="12" '
                         f'fill="{"#440154" if over else "#21918c"}"/>')
            if row["available_m2"] is None:
                parts.append(f'<text x="{label_w + row["committed_m2"] / top * bar_w + 6:.1f}" '
                             f'y="{y + bar_y + 17:.1f}" font-style="italic">{escape(unknown)}</text>')
        legend, height = _legend([("#21918c", _("Committed floor")),
                                  ("#440154", _("Committed floor, runs out")),
                                  ("#d9dde3", _("Available floor"))], y=len(rows) * row_h + 6, width=width)
        return _svg(parts + legend, height + 4, _("Committed floor against available floor"),
                    narrow=narrow)

    return _both(draw)


def dashboard_charts(board: Mapping[str, Any], stage_label: Callable[[str], str]) -> dict[str, Markup]:
    stages = [s for s in STAGE_COLOURS]
    charts = {"target": target_chart(board, stage_label)}
    for key, title in (("by_zone", _("Jobs by zone")), ("by_region", _("Jobs by region")),
                       ("by_activity", _("Jobs by activity"))):
        if board[key]:
            charts[key] = stacked_chart(board[key], stages, stage_label, title=title)
    if board["floor"]:
        charts["floor"] = floor_chart(board["floor"])
    return charts
