"""What the HTML page and the PDF dossier show, already formatted as text (one context for both)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from matching.export.sections import (
    as_list,
    cited_sources,
    dataset_sources,
    direction_label,
    for_zone,
    key_figures,
    layer_names,
    loo_for_zone,
    loo_summary,
    method_lines,
    pairs,
    requirement_lines,
    sensitivity_sentences,
    sensitivity_summary,
    shared_part,
    zone_source_keys,
)
from matching.export.text import colon, fmt_any, fmt_number, fmt_pct, is_missing, is_number
from matching.export.view import View


def contribution_scale(entries: Iterable[Mapping[str, Any]]) -> float:
    """The largest contribution among the zones shown: bars compare across zones."""
    numeric = [abs(float(v)) for e in entries for v in (e.get("contributions") or {}).values()
               if is_number(v) and math.isfinite(v)]
    return max(numeric) if numeric and max(numeric) > 0 else 1.0


def catchment_km() -> float:
    """The talent catchment's radius the dataset was built with (km)."""
    from valleys.settings import CATCHMENT_RADIUS_KM

    return float(CATCHMENT_RADIUS_KM)


def status_warning(view: View, status: Any) -> str:
    """A warning for a zone that is not (all) built: ``planned``, ``under_development``."""
    if status == "planned":
        return view.label("planned_warning")
    if status == "under_development":
        return view.label("developing_warning")
    return ""


def zone_view(view: View, entry: Mapping[str, Any], scale: float) -> dict[str, Any]:
    """What the HTML and PDF show for one ranked zone (bars relative to ``scale``)."""
    lang = view.lang
    zid = str(entry["id"])
    site = view.site(zid)
    values = entry.get("values") or {}
    contributions = entry.get("contributions") or {}
    imputed: Mapping[str, Any] = (entry["imputed"] if isinstance(entry.get("imputed"), Mapping)
                                  else {})
    dated: Mapping[str, Any] = entry["dated"] if isinstance(entry.get("dated"), Mapping) else {}
    rows = []
    for col in view.criteria:
        contrib = contributions.get(col)
        value = fmt_number(values.get(col), lang)
        if col in imputed:  # missing: scored as the worst observed value, and flagged
            value = f"{fmt_number(imputed[col], lang)}*"
        elif isinstance(dated.get(col), str):  # out of date: shown with its year, "90 (2007)"
            value = f"{value} ({dated[col][:4]})"
        share = abs(float(contrib)) / scale if is_number(contrib) and math.isfinite(contrib) else 0.0
        rows.append({
            "column": col,
            "label": view.column(col),
            "direction": direction_label(view, col),
            "weight": fmt_pct(view.weights.get(col), lang) if col in view.weights else "–",
            "value": value,
            "contribution": fmt_number(contrib, lang, digits=3),
            "negative": is_number(contrib) and contrib < 0,
            "bar": round(100 * share, 1),
        })
    location = []
    for col in ("city", "region", "status", "operator"):
        if not is_missing(site.get(col)):
            location.append((view.column(col), view.value(col, site[col]) if col == "status"
                             else str(site[col])))
    if is_number(site.get("lon")) and is_number(site.get("lat")):
        location.append((view.label("lonlat"), f"{fmt_number(site['lon'], lang, digits=5)}, "
                                               f"{fmt_number(site['lat'], lang, digits=5)}"))
    for col in ("location_precision", "source"):
        if not is_missing(site.get(col)):
            location.append((view.column(col), view.value(col, site[col])
                             if col == "location_precision" else str(site[col])))
    rob = view.robustness.get(zid) or {}
    notes = [str(n) for key in ("explanation", "notes", "flags") for n in as_list(entry.get(key))]
    return {
        "id": zid,
        "name": view.name(entry),
        "rank": entry.get("rank"),
        "score": fmt_number(entry.get("score"), lang, digits=3),
        "p_first": fmt_pct(rob.get("p_first"), lang) if "p_first" in rob else None,
        "p_top3": fmt_pct(rob.get("p_top3"), lang) if "p_top3" in rob else None,
        "robustness": [(view.label(k) if k in ("p_first", "p_top3", "mean_rank") else view.column(k),
                        fmt_pct(v, lang) if k.startswith("p_") else fmt_number(v, lang, digits=2))
                       for k, v in rob.items()],
        "criteria": rows,
        "incentives": [(view.column(k), view.field(k, v))
                       for k, v in pairs(for_zone(view.incentives, zid))],
        "leave_one_out": [(view.column(k), fmt_any(v, lang))
                          for k, v in pairs(loo_for_zone(view.leave_one_out, zid))],
        "location": location,
        "key_figures": key_figures(view, zid, radius_km=catchment_km()),
        "status_warning": status_warning(view, site.get("status")),
        "source_keys": zone_source_keys(view, zid),
        "lon": float(site["lon"]) if is_number(site.get("lon")) else math.nan,
        "lat": float(site["lat"]) if is_number(site.get("lat")) else math.nan,
        "notes": ([view.label("worst")] if any(c in imputed for c in view.criteria) else []) + notes,
    }


def score_bars(view: View) -> dict[str, float]:
    scores = [float(e["score"]) for e in view.shown if math.isfinite(float(e["score"]))]
    scale = max([abs(s) for s in scores] + [0.0]) or 1.0
    if view.method == "topsis":
        scale = max(scale, 1.0)  # closeness is 0..1: draw it on that scale
    return {str(e["id"]): round(100 * max(float(e["score"]), 0.0) / scale, 1)
            if math.isfinite(float(e["score"])) else 0.0 for e in view.shown}


def summary(view: View) -> str:
    """The method, the normalisation and how many zones are ranked and excluded, in one line."""
    parts = [view.value("method", view.method) if view.method else "",
             f"{view.label('normalization')} {view.value('normalization', view.normalization)}"
             if view.normalization else "",
             view.label("zones_summary", ranked=len(view.ranked), excluded=len(view.excluded))]
    return " · ".join(p for p in parts if p)


def report_context(view: View, top: int | None) -> dict[str, Any]:
    """Everything the HTML template and the PDF show, already formatted as text."""
    lang = view.lang
    ids = [str(e["id"]) for e in view.ranked + view.excluded]
    bars = score_bars(view)
    scale = contribution_scale(view.shown)
    zones = [zone_view(view, e, scale) | {"bar": bars[str(e["id"])]} for e in view.shown]
    return {
        "lang": lang,
        "L": view.labels(),
        "colon": colon(lang),
        "name": str(view.requirements.get("name") or ""),
        "summary": summary(view),
        "requirements": requirement_lines(view),
        "zones": zones,
        "has_robustness": any(z["p_first"] is not None or z["p_top3"] is not None for z in zones),
        "more_ranked": (view.label("more_ranked", n=len(view.ranked) - len(view.shown), top=top)
                        if len(view.shown) < len(view.ranked) else ""),
        "excluded": [{"id": str(e["id"]), "name": view.name(e),
                      "reasons": [str(r) for r in e.get("reasons") or []]} for e in view.excluded],
        "hint": str(view.hint) if view.hint else "",
        "warnings": view.warnings,
        "method": method_lines(view),
        "weights": [(view.column(c), direction_label(view, c), fmt_pct(w, lang))
                    for c, w in view.weights.items()],
        "loo_summary": loo_summary(view),
        "sensitivity": sensitivity_summary(view),
        "sensitivity_sentences": sensitivity_sentences(view),
        "consistency_ratio": (fmt_number(view.consistency_ratio, lang, digits=3)
                              if view.consistency_ratio is not None else ""),
        "assumptions": [(view.column(k) if k else "", view.field(k, v)) for k, v in
                        pairs(view.assumptions) + pairs(shared_part(view.incentives, ids))],
        "sources": dataset_sources(view),
        "cited": cited_sources(view),
        "city_label": view.column("city"),
        "status_label": view.column("status"),
        "source_label": view.column("source"),
        # what the investor gave, not what the offer gives: left off a zone page
        "incentive_inputs": {view.column(k) for k in ("headcount", "salary_mad_month", "rules_version")},
        "layers": layer_names(view),
        "catchment_km": catchment_km(),
        "others": [(float(view.site(str(e["id"]))["lon"]), float(view.site(str(e["id"]))["lat"]))
                   for e in view.excluded + [r for r in view.ranked if r not in view.shown]
                   if is_number(view.site(str(e["id"])).get("lon"))
                   and is_number(view.site(str(e["id"])).get("lat"))],
        "dataset_version": str(view.dataset.get("version") or ""),
    }
