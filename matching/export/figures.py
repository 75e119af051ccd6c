"""Static maps for the PDF dossier and the printable zone profile, drawn with matplotlib.

No tiles and no network: the régions' boundaries of the dataset (its ``regions`` layer) and the
zones' points. The colours are viridis steps (colour-blind safe); the winner is drawn last, so its
number is on top. The output is deterministic PNG bytes (no date in the metadata).
"""

from __future__ import annotations

import functools
import io
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: viridis at 0, 0.25, 0.5, 0.75 (ranked zones darkest first); grey for the context
RANK_COLOURS = ("#440154", "#3b528b", "#21918c", "#5ec962")
CONTEXT = "#b8bcc2"
LAND = "#f4f4f2"
BOUNDARY = "#9aa0a6"


@dataclass(frozen=True)
class MapPoint:
    """A zone to draw: its label (a rank or a short text), its place, and whether it is ranked."""

    label: str
    lon: float
    lat: float
    ranked: bool = True


@functools.lru_cache(maxsize=4)
def _regions_at(path: str, mtime: float) -> Any:
    import geopandas as gpd

    frame = gpd.read_file(path)
    frame["geometry"] = frame.geometry.simplify(0.01)  # ~1 km: the page shows the country
    return frame


def regions_of(sites: Any, dataset: Mapping[str, Any] | None = None) -> Any:
    """The dataset's régions (simplified), or ``None``: from the file the sites were read with
    (``sites.attrs["sources"]``), else a ``regions`` file in the shortlist's dataset folder."""
    candidates: list[str] = []
    attrs = getattr(sites, "attrs", None) or {}
    sources = attrs.get("sources") if isinstance(attrs, Mapping) else None
    if isinstance(sources, Mapping) and isinstance(sources.get("regions"), str):
        candidates.append(sources["regions"])
    for folder in (attrs.get("path") if isinstance(attrs, Mapping) else None, (dataset or {}).get("path")):
        if isinstance(folder, str) and os.path.isdir(folder):
            candidates += [os.path.join(folder, f"regions.{ext}") for ext in ("geojson", "gpkg")]
    for path in candidates:
        if os.path.isfile(path):
            try:
                return _regions_at(path, os.path.getmtime(path))
            except Exception:  # a map is an illustration: a broken layer leaves the points only
                return None
    return None


def _finite(p: MapPoint) -> bool:
    return math.isfinite(p.lon) and math.isfinite(p.lat)


def draw_map(points: Sequence[MapPoint], regions: Any = None, *, focus: MapPoint | None = None,
             span_deg: float = 1.6, radius_km: float | None = None,
             size_in: tuple[float, float] = (6.0, 4.2), dpi: int = 150) -> bytes | None:
    """A PNG map of ``points`` over ``regions``; zoomed on ``focus`` when given.

    Parameters
    ----------
    points
        The zones; ranked ones get a numbered marker, others a small grey dot.
    regions
        A GeoDataFrame of boundaries (EPSG:4326) or ``None``.
    focus
        The zone to centre on (a square of ``span_deg`` degrees around it); ``None`` frames every
        point.
    radius_km
        Draws the talent catchment circle of this radius around ``focus``.

    Returns
    -------
    bytes or None
        The PNG, or ``None`` when no point has coordinates.
    """
    drawn = [p for p in points if _finite(p)]
    if focus is not None and not _finite(focus):
        focus = None
    if not drawn and focus is None:
        return None
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=size_in, dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    if focus is not None:
        half = span_deg / 2
        x0, x1 = focus.lon - half * 1.3, focus.lon + half * 1.3
        y0, y1 = focus.lat - half, focus.lat + half
    else:
        xs = [p.lon for p in drawn]
        ys = [p.lat for p in drawn]
        pad = 0.6
        x0, x1, y0, y1 = min(xs) - pad, max(xs) + pad, min(ys) - pad, max(ys) + pad
        # the frame's shape follows the figure's (degrees of longitude shrink with latitude)
        aspect = size_in[0] / size_in[1] / math.cos(math.radians((y0 + y1) / 2))
        w, h = x1 - x0, y1 - y0
        if w / h < aspect:
            grow = (h * aspect - w) / 2
            x0, x1 = x0 - grow, x1 + grow
        else:
            grow = (w / aspect - h) / 2
            y0, y1 = y0 - grow, y1 + grow
    ax.set_facecolor("white")  # the sea and abroad: the dataset covers Morocco only
    if regions is not None and len(regions):
        regions.plot(ax=ax, color=LAND, edgecolor=BOUNDARY, linewidth=0.6)
        for _, row in regions.iterrows():
            pt = row.geometry.representative_point()
            if x0 < pt.x < x1 and y0 < pt.y < y1 and focus is not None and "name" in row:
                ax.annotate(str(row["name"]), (pt.x, pt.y), fontsize=6, color="#6c757d",
                            ha="center", va="center")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)))
    if focus is not None and radius_km:
        from matplotlib.patches import Ellipse

        dlat = radius_km / 111.2
        dlon = dlat / math.cos(math.radians(focus.lat))
        ax.add_patch(Ellipse((focus.lon, focus.lat), 2 * dlon, 2 * dlat, fill=False,
                             edgecolor=RANK_COLOURS[2], linestyle="--", linewidth=1.2))
    context = [p for p in drawn if not p.ranked]
    if context:
        ax.scatter([p.lon for p in context], [p.lat for p in context], s=14, color=CONTEXT,
                   edgecolor="white", linewidth=0.5, zorder=3)
    ranked = [p for p in drawn if p.ranked]
    # the winner keeps its place; a later zone at the same place moves aside on a leader line
    placed: list[tuple[float, float]] = []
    spots: list[tuple[float, float, int]] = []
    step = 0.045 * (x1 - x0)
    for p in ranked:
        n = sum(1 for q in placed if abs(q[0] - p.lon) < step and abs(q[1] - p.lat) < step)
        placed.append((p.lon, p.lat))
        spots.append((p.lon + step * n, p.lat + step * 0.45 * n, n))
    for i, p in reversed(list(enumerate(ranked))):
        x, y, n = spots[i]
        if n:
            ax.plot([p.lon, x], [p.lat, y], color=BOUNDARY, linewidth=0.8, zorder=3)
        colour = RANK_COLOURS[min(i, len(RANK_COLOURS) - 1)]
        ax.scatter([x], [y], s=220, color=colour, edgecolor="white", linewidth=1.2,
                   zorder=4 + 2 * (len(ranked) - i))
        ax.annotate(p.label, (x, y), fontsize=8, fontweight="bold",
                    color="white" if i < 2 else "#111111",
                    ha="center", va="center", zorder=5 + 2 * (len(ranked) - i))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()
