"""The terminal table: aligned columns, every text printable (control characters escaped)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matching.export.report import summary
from matching.export.sections import sensitivity_sentences
from matching.export.text import clip, colon, display_width, fmt_number, fmt_pct, printable
from matching.export.view import read_shortlist


def _align(rows: list[list[str]], right: Sequence[bool]) -> list[str]:
    widths = [max(display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        cells = []
        for text, width, to_right in zip(r, widths, right, strict=True):
            fill = " " * (width - display_width(text))
            cells.append(fill + text if to_right else text + fill)
        out.append("  ".join(cells).rstrip())
    return out


def to_table(shortlist: dict, sites: Any = None, *, top: int | None = None, lang: str = "en") -> str:
    """A plain-text report for a terminal: the ranked zones, then the excluded ones with reasons.

    Columns: rank, zone, score, P(first) when robustness was computed, and the values of the
    (up to) three heaviest criteria. When nothing is ranked, the hint is printed. Control
    characters in any text are shown escaped (``\\u001b``), never sent to the terminal.
    """
    view = read_shortlist(shortlist, sites, top=top, lang=lang)
    L = view.label
    lines: list[str] = []
    name = view.requirements.get("name")
    lines.append(L("title") + (f"{colon(lang)}{name}" if name else ""))
    lines.append(summary(view))
    for warning in view.warnings:
        lines.append(f"! {warning}")
    lines.append("")

    top_criteria = sorted(view.weights, key=lambda c: -view.weights[c])[:3]
    has_rob = any(str(e["id"]) in view.robustness for e in view.shown)
    if view.shown:
        header = [L("rank"), L("zone"), L("score")] + ([L("p_first")] if has_rob else [])
        header += [clip(view.column(c), 28) for c in top_criteria]
        rows = [header]
        for entry in view.shown:
            zid = str(entry["id"])
            row = [str(entry["rank"]), clip(printable(view.name(entry)), 36),
                   fmt_number(entry["score"], lang, digits=3)]
            if has_rob:
                row.append(fmt_pct((view.robustness.get(zid) or {}).get("p_first"), lang))
            values = entry.get("values") or {}
            row += [fmt_number(values.get(c), lang) for c in top_criteria]
            rows.append(row)
        right = [True, False] + [True] * (len(header) - 2)
        lines += _align(rows, right)
        hidden = len(view.ranked) - len(view.shown)
        if hidden:
            lines.append(L("more_ranked", n=hidden, top=top))
    else:
        lines.append(L("nothing_ranked"))
        if view.hint:
            lines.append(f"{L('hint')}{colon(lang)}{view.hint}")
    sensitivity = sensitivity_sentences(view)
    if sensitivity:
        lines.append("")
        lines.append(L("sensitivity"))
        lines += [f"  {sentence}" for sentence in sensitivity]
    if view.excluded:
        lines.append("")
        lines.append(f"{L('excluded')} ({len(view.excluded)})")
        for entry in view.excluded:
            reasons = "; ".join(str(r) for r in entry.get("reasons") or []) or "–"
            lines.append(f"  {view.name(entry)}{colon(lang)}{reasons}")
    return "\n".join(printable(line) for line in lines) + "\n"
