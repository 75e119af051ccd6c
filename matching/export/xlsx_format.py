"""XLSX: sheets ``ranked``, ``excluded`` and ``assumptions``; numbers as numbers, text never a
formula, text that XML cannot hold replaced."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from matching import i18n
from matching.export.labels import LABELS
from matching.export.sections import (
    dataset_sources,
    flat_rows,
    method_lines,
    pairs,
    requirement_lines,
    shared_part,
)
from matching.export.text import colon, is_missing, is_number
from matching.export.view import View, read_shortlist

#: Excel's limit on the characters of one cell (openpyxl writes more; Excel then refuses).
XLSX_MAX_CELL_CHARS: int = 32_767


def _xlsx_text(value: Any) -> Any:
    """Text that an XLSX file can hold; anything else unchanged.

    XML 1.0 has no place for most control characters (``\x00``-``\x08``, ``\x0b``, ``\x0c``,
    ``\x0e``-``\x1f``): openpyxl refuses them with ``IllegalCharacterError``, so a zone or
    requirement name holding one would make the export fail every time. Each one is
    *replaced* with U+FFFD (the replacement character), so the reader sees that something was
    there. Text longer than Excel's :data:`XLSX_MAX_CELL_CHARS` is cut, ending with ``…``.

    >>> _xlsx_text("Acme\x01\x0bBPO"), _xlsx_text(3)
    ('Acme\ufffd\ufffdBPO', 3)
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if len(value) > XLSX_MAX_CELL_CHARS:
        value = value[: XLSX_MAX_CELL_CHARS - 1] + "…"
    return value


def header_label(view: View, column: str) -> str:
    """The heading of a column of the flat rows (:func:`~matching.export.sections.flat_rows`)
    in the export's language: ``value_rent_mad_m2_month`` -> ``Rent (MAD/m²/month)``."""
    if column in ("rank", "score", "p_first", "p_top3", "mean_rank", "reasons", "explanation",
                  "imputed"):
        return view.label(column)
    for prefix, key in (("value_", ""), ("contribution_", "contribution_of"),
                        ("incentive_", "incentive_of")):
        if column.startswith(prefix):
            label = view.column(column[len(prefix):])
            return view.label(key, column=label) if key else label
    return view.column(column)


def cell_value(view: View, column: str, value: Any) -> Any:
    """A cell of the flat rows for people: numbers stay numbers; text values of enumerations
    by their word, the criteria scored as the worst value by their labels."""
    if is_missing(value) or is_number(value) and not isinstance(value, bool):
        return value
    if column == "imputed":
        return "; ".join(view.column(c) for c in str(value).split("; "))
    if column.startswith(("value_", "incentive_")) or isinstance(value, bool):
        return view.value(column.split("_", 1)[1] if "_" in column else column, value)
    return value


def to_xlsx(shortlist: dict, sites: Any = None, *, top: int | None = None, lang: str = "en") -> bytes:
    """An Excel workbook: sheets ``ranked`` (the first ``top``), ``excluded`` (all, with reasons)
    and ``assumptions`` (requirements, method, normalisation, weights, consistency ratio,
    dataset version, incentive assumptions, warnings, sources).

    Numbers are stored as numbers; text that looks like a formula is stored as text. Every
    text (cells, headers, the title) goes through :func:`_xlsx_text`: control characters
    become U+FFFD, and a cell holds at most 32,767 characters.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    view = read_shortlist(shortlist, sites, top=top, lang=lang)
    L = view.label
    wb = Workbook()
    wb.properties.title = _xlsx_text(
        f"{L('title')}{colon(lang)}{view.requirements.get('name') or ''}".rstrip(": \u202f")[:255])
    wb.properties.creator = "techvalley"
    bold = Font(bold=True)

    def write_sheet(ws: Any, header: list[str], rows: Iterable[Sequence[Any]],
                    formats: dict[str, str], columns: Sequence[str] | None = None) -> None:
        """``header`` in the first row; ``formats`` by the ``columns`` (ids) the header names."""
        columns = list(columns or header)
        ws.append([_xlsx_text(name) for name in header])
        for cell in ws[1]:
            cell.font = bold
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row, start=1):
                if isinstance(value, (list, dict)):
                    value = view.field(columns[c - 1], value)
                elif is_missing(value):
                    continue
                if hasattr(value, "item"):  # numpy scalar
                    value = value.item()
                value = _xlsx_text(value)
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula
                elif columns[c - 1] in formats:
                    cell.number_format = formats[columns[c - 1]]
        for c, name in enumerate(header, start=1):
            width = max([len(str(name))] + [len(str(ws.cell(row=r, column=c).value or ""))
                                            for r in range(2, ws.max_row + 1)])
            ws.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 60)
        ws.freeze_panes = "C2" if len(header) > 2 else "A2"
        if ws.max_row > 1:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{ws.max_row}"

    frame = flat_rows(view, view.shown, with_location=True)
    rob_cols = [c for c in frame.columns if c.startswith("p_")] if not frame.empty else []
    formats = {"score": "0.000"} | {c: "0%" for c in rob_cols}
    formats |= {f"contribution_{c}": "0.000" for c in view.criteria}

    ws = wb.worksheets[0]
    ws.title = "ranked"
    ranked = frame[frame["status"] == "ranked"] if not frame.empty else frame
    cols = [c for c in ranked.columns if c not in ("status", "reasons")] if not ranked.empty else [
        "rank", "id", "name", "score"]
    write_sheet(ws, [header_label(view, c) for c in cols], people(view, ranked, cols), formats, cols)
    hidden = len(view.ranked) - len(view.shown)
    if hidden:
        ws.cell(row=ws.max_row + 2, column=1,
                value=_xlsx_text(L("more_ranked", n=hidden, top=top)))
    if not view.ranked:
        ws.cell(row=3, column=1, value=_xlsx_text(L("nothing_ranked")))
        if view.hint:
            ws.cell(row=4, column=1,
                    value=_xlsx_text(f"{L('hint')}{colon(lang)}{view.hint}")).data_type = "s"

    ws = wb.create_sheet("excluded")
    excluded = frame[frame["status"] == "excluded"] if not frame.empty else frame
    cols = ["id", "name"] + [c for c in ("city", "region") if c in excluded.columns] + ["reasons"]
    cols += [c for c in excluded.columns if c.startswith("value_")] if not excluded.empty else []
    write_sheet(ws, [header_label(view, c) for c in cols], people(view, excluded, cols), {}, cols)

    ws = wb.create_sheet("assumptions")
    rows: list[tuple[str, str, Any]] = []
    for label, text in requirement_lines(view, raw=True):
        rows.append((L("requirements"), label, text))
    rows.append((L("method"), L("method").lower(), view.value("method", view.method)))
    rows.append((L("method"), L("normalization"), view.value("normalization", view.normalization)))
    for paragraph in method_lines(view):
        rows.append((L("method"), "", paragraph))
    for col, w in view.weights.items():
        rows.append((L("weights"), view.column(col), w))
    if view.consistency_ratio is not None:
        rows.append((L("method"), L("consistency_ratio"), view.consistency_ratio))
    for key, value in view.dataset.items():
        if key != "sources":
            rows.append((L("dataset"), L(f"dataset_{key}") if f"dataset_{key}" in LABELS
                         else view.column(str(key)), value))
    shared_incentives = shared_part(view.incentives, [str(e["id"]) for e in view.ranked + view.excluded])
    for key, value in pairs(view.assumptions) + pairs(shared_incentives):
        rows.append((L("assumptions"), view.column(key) if key else "",
                     value if is_number(value) else view.field(key, value)))
    for warning in view.warnings:
        rows.append((L("warnings"), "", warning))
    if view.hint:
        rows.append((L("hint"), "", view.hint))
    for what, src in dataset_sources(view):
        rows.append((L("sources"), what, src))
    write_sheet(ws, [L("section"), L("item"), L("value")], rows, {})
    ws.freeze_panes = "A2"

    if view.raw.get("sensitivity"):
        ws = wb.create_sheet("sensitivity")
        names = {str(e["id"]): view.name(e) for e in view.ranked}

        def zone(value: Any) -> str:
            return "–" if value is None else names.get(str(value), str(value))

        write_sheet(ws, [L("criterion"), L("weight"), L("interval_from"), L("interval_to"),
                         L("first_below"), L("first_above"), L("in_words")],
                    [[view.column(str(row["criterion"])), row["weight"], row["lower"],
                      row["upper"], zone(row["below_zone"]), zone(row["above_zone"]),
                      " ".join(i18n.render(m, lang) for m in row["messages"])]
                     for row in view.raw["sensitivity"]],
                    {"weight": "0.000", "lower": "0.000", "upper": "0.000"},
                    ["criterion", "weight", "lower", "upper", "below", "above", "said"])

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def people(view: View, frame: Any, columns: list[str]) -> list[list[Any]]:
    """The rows of ``frame`` under ``columns``, each cell through :func:`cell_value`."""
    if frame.empty:
        return []
    return [[cell_value(view, c, v) for c, v in zip(columns, row, strict=True)]
            for row in frame[columns].itertuples(index=False)]
