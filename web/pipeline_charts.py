"""The pipeline dashboard's charts, drawn on the server as plain SVG (:mod:`web.charts`' style):
jobs against the target, jobs by stage per zone / region / activity, committed floor against
available floor. Colours are viridis steps (colour-blind safe); every text is escaped here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from web.charts import _legend
from web.i18n import _, format_number

#: one colour per open stage, from the earliest (light) to operating (dark)
STAGE_COLOURS = {"lead": "#fde725", "visit": "#a0da39", "shortlist_sent": "#1fa187",
                 "committed": "#365c8d", "operating": "#440154"}
WIDTH = 640.0


def _svg(parts: list[str], height: float, title: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH:.0f} {height:.0f}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" font-size="12">'
        f'<title>{escape(title)}</title>{"".join(parts)}</svg>')


def target_chart(board: Mapping[str, Any], stage_label: Callable[[str], str]) -> Markup:
    """One bar: the jobs of each open stage (operating first) against the jobs the target adds
    to the baseline (a bar from the baseline's 148,500 would hide the pipeline in its width)."""
    t = board["targets"]
    gap = t["target_jobs"] - t["baseline_jobs"]
    stages = ("operating", "committed", "shortlist_sent", "visit", "lead")
    segments = [(STAGE_COLOURS[s], stage_label(s), board["by_stage"][s]) for s in stages]
    top = max(gap, sum(v for _c, _l, v in segments)) * 1.04
    scale = WIDTH / top
    parts, x = [], 0.0
    parts.append(f'<rect x="0" y="24" width="{WIDTH:.1f}" height="34" fill="#eceef1"/>')
    for fill, _label, value in segments:
        w = value * scale
        if w > 0:
            parts.append(f'<rect x="{x:.1f}" y="24" width="{w:.1f}" height="34" fill="{fill}"/>')
        x += w
    tx = gap * scale
    label = _("%(jobs)s jobs to add from %(start)s to %(end)s", jobs=format_number(gap, 0),
              start=t["baseline_year"], end=t["target_year"])
    parts.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="16" y2="66" stroke="#000" stroke-width="2" '
                 f'stroke-dasharray="4 3"/><text x="{tx - 4:.1f}" y="12" text-anchor="end">{escape(label)}</text>')
    legend, height = _legend([(c, f"{lab}: {format_number(v, 0)}") for c, lab, v in segments], y=76, width=WIDTH)
    return _svg(parts + legend, height + 4, _("Jobs against the target"))


def stacked_chart(rows: Sequence[Mapping[str, Any]], stages: Sequence[str],
                  stage_label: Callable[[str], str], *, title: str) -> Markup:
    """One bar per row (``name``, ``jobs`` by stage, ``total``), stages stacked, operating first."""
    order = list(reversed(stages))
    top = max([r["total"] for r in rows] + [1])
    label_w, bar_w, row_h = 190.0, WIDTH - 190.0 - 70.0, 24.0
    parts = []
    for i, row in enumerate(rows):
        y = i * row_h
        name = str(row["name"])
        name = name if len(name) <= 28 else name[:27] + "…"
        parts.append(f'<text x="0" y="{y + 16:.1f}">{escape(name)}</text>')
        x = label_w
        for stage in order:
            w = row["jobs"][stage] / top * bar_w
            if w > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y + 4:.1f}" width="{w:.1f}" height="16" '
                             f'fill="{STAGE_COLOURS[stage]}"/>')
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 16:.1f}">{escape(format_number(row["total"], 0))}</text>')
    legend, height = _legend([(STAGE_COLOURS[s], stage_label(s)) for s in order],
                             y=len(rows) * row_h + 6, width=WIDTH)
    return _svg(parts + legend, height + 4, title)


def floor_chart(rows: Sequence[Mapping[str, Any]]) -> Markup:
    """Per zone: the committed floor (bar) against the available floor (grey, behind); a zone whose
    available floor is unknown says so."""
    label_w, bar_w, row_h = 190.0, WIDTH - 190.0 - 10.0, 28.0
    top = max([max(r["committed_m2"], r["available_m2"] or 0) for r in rows] + [1])
    parts = []
    for i, row in enumerate(rows):
        y = i * row_h
        name = str(row["name"])
        name = name if len(name) <= 28 else name[:27] + "…"
        parts.append(f'<text x="0" y="{y + 17:.1f}">{escape(name)}</text>')
        over = row["runs_out"] is not None
        if row["available_m2"] is not None:  # behind the committed bar
            parts.append(f'<rect x="{label_w:.1f}" y="{y + 3:.1f}" width="{row["available_m2"] / top * bar_w:.1f}" '
                         f'height="20" fill="#d9dde3"/>')
        parts.append(f'<rect x="{label_w:.1f}" y="{y + 7:.1f}" width="{row["committed_m2"] / top * bar_w:.1f}" '
                     f'height="12" fill="{"#440154" if over else "#21918c"}"/>')
        if row["available_m2"] is None:
            parts.append(f'<text x="{label_w + row["committed_m2"] / top * bar_w + 6:.1f}" y="{y + 17:.1f}" '
                         f'font-style="italic">{escape(_("available floor unknown"))}</text>')
    legend, height = _legend([("#21918c", _("Committed floor")), ("#440154", _("Committed floor, runs out")),
                              ("#d9dde3", _("Available floor"))], y=len(rows) * row_h + 6, width=WIDTH)
    return _svg(parts + legend, height + 4, _("Committed floor against available floor"))


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
