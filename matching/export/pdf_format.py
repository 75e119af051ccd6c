"""PDF: the dossier for an investor or management, laid out with fpdf2 in DejaVu Sans."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from matching.export.report import report_context
from matching.export.text import clip, printable
from matching.export.view import read_shortlist


def _font_path(name: str) -> str:
    """A DejaVu TTF shipped inside matplotlib (a dependency), found without importing it."""
    spec = importlib.util.find_spec("matplotlib")  # locates the package without running it
    assert spec is not None and spec.submodule_search_locations, "matplotlib is a dependency"
    return os.path.join(spec.submodule_search_locations[0], "mpl-data", "fonts", "ttf", name)


_PDF_CREATED = datetime(2000, 1, 1, tzinfo=UTC)


def to_pdf(shortlist: dict, sites: Any = None, *, top: int | None = None, lang: str = "en") -> bytes:
    """A dossier to send to an investor or to management, as PDF bytes (fpdf2, DejaVu Sans).

    A cover with the requirements, the ranked table, a page per shown ranked zone (values,
    contributions as bars, robustness, incentives, location), the excluded zones with reasons,
    the method (method, normalisation, weights, AHP consistency ratio), assumptions and the data
    sources. The output is deterministic for a given shortlist (the creation date is the
    shortlist's ``created_at`` when it has one).
    """
    view = read_shortlist(shortlist, sites, top=top, lang=lang)
    ctx = report_context(view, top)
    return _PdfDossier(ctx, created=_created(shortlist)).render()


def _created(shortlist: Mapping[str, Any]) -> datetime:
    value = shortlist.get("created_at")
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except ValueError:
            pass
    return _PDF_CREATED


class _PdfDossier:
    """Lays out the dossier with fpdf2; all text comes pre-formatted from :func:`report_context`."""

    INK = (33, 37, 41)
    MUTED = (108, 117, 125)
    ACCENT = (13, 110, 253)
    NEGATIVE = (220, 53, 69)
    RULE = (222, 226, 230)

    def __init__(self, ctx: Mapping[str, Any], *, created: datetime) -> None:
        from fpdf import FPDF

        self.ctx = ctx
        self.L = ctx["L"]
        self._widths: dict[tuple[str, float, str], float] = {}
        # one line on every page: a long name is cut (written in full on the cover)
        footer_text = printable(f"{self.L['generated']} · {clip(str(ctx['name'] or ''), 80)}".strip(" ·"))

        class _Doc(FPDF):
            def footer(self) -> None:
                self.set_y(-12)
                self.set_font("DejaVu", size=8)
                self.set_text_color(*_PdfDossier.MUTED)
                self.cell(0, 6, f"{footer_text} · {self.page_no()}/{{nb}}", align="C")

        pdf = _Doc(format="A4", unit="mm")
        pdf.add_font("DejaVu", "", _font_path("DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", _font_path("DejaVuSans-Bold.ttf"))
        pdf.set_font("DejaVu", size=10)
        pdf.set_auto_page_break(auto=True, margin=18)
        pdf.set_margins(18, 18, 18)
        pdf.set_creation_date(created)
        pdf.set_title(f"{self.L['title']}{ctx['colon']}{ctx['name']}" if ctx["name"]
                      else self.L["title"])
        pdf.set_creator("techvalley")
        pdf.set_lang(ctx["lang"])
        self.pdf = pdf

    # building blocks ---------------------------------------------------------------------

    def heading(self, text: str, size: int = 14) -> None:
        pdf = self.pdf
        pdf.set_font("DejaVu", "B", size)
        pdf.set_text_color(*self.INK)
        pdf.multi_cell(0, size * 0.5, printable(text), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(2)
        pdf.set_font("DejaVu", size=10)

    def para(self, text: str, *, size: int = 10, muted: bool = False, style: str = "") -> None:
        pdf = self.pdf
        pdf.set_font("DejaVu", style, size)
        pdf.set_text_color(*(self.MUTED if muted else self.INK))
        for line in self.wrap(text, pdf.epw):
            pdf.cell(0, size * 0.5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*self.INK)
        pdf.set_font("DejaVu", size=10)

    def _width(self, text: str) -> float:
        key = (self.pdf.font_style, self.pdf.font_size_pt, text)
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = self.pdf.get_string_width(text)
        return width

    def wrap(self, text: str, width: float) -> list[str]:
        """``text`` broken into lines that fit ``width`` in the current font: at spaces, at
        newlines, and inside a word longer than a line. (fpdf2's multi_cell does the same
        character by character, several times slower.)"""
        lines: list[str] = []
        space = self._width(" ")
        for paragraph in text.split("\n"):
            paragraph = printable(paragraph)
            line, line_w = "", 0.0
            for word in paragraph.split(" "):
                word_w = self._width(word)
                if line and line_w + space + word_w <= width:
                    line, line_w = f"{line} {word}", line_w + space + word_w
                    continue
                if line:
                    lines.append(line)
                while word_w > width and len(word) > 1:  # an unbroken string: cut it
                    cut, used = 0, 0.0
                    for ch in word:
                        ch_w = self._width(ch)
                        if used + ch_w > width and cut:
                            break
                        cut, used = cut + 1, used + ch_w
                    lines.append(word[:cut])
                    word = word[cut:]
                    word_w = self._width(word)
                line, line_w = word, word_w
            lines.append(line)
        return lines

    def _cell_lines(self, text: str, width: float) -> int:
        return len(self.wrap(text, width))

    def _grid_row(self, cells: Sequence[str], widths: Sequence[float], aligns: Sequence[str],
                  *, bold: bool = False, fill: bool = False) -> float:
        """One row of a grid: every cell measured once, then drawn; returns its height."""
        pdf = self.pdf
        pdf.set_font("DejaVu", "B" if bold else "", 9)
        pad, line_h = 1.0, 4.6
        wrapped = [self.wrap(text, w - 2 * pad) for text, w in zip(cells, widths, strict=True)]
        height = max(len(w) for w in wrapped) * line_h + 2 * pad
        y, x = pdf.get_y(), pdf.l_margin
        if fill:
            pdf.set_fill_color(241, 243, 245)
            pdf.rect(x, y, sum(widths), height, style="F")
        for lines, w, align in zip(wrapped, widths, aligns, strict=True):
            for i, line in enumerate(lines):
                if line:
                    pdf.set_xy(x + pad, y + pad + i * line_h)
                    pdf.cell(w - 2 * pad, line_h, line, align=align)
            x += w
        pdf.set_draw_color(*self.RULE)
        pdf.line(pdf.l_margin, y + height, pdf.l_margin + sum(widths), y + height)
        pdf.set_xy(pdf.l_margin, y + height)
        return height

    def table(self, header: Sequence[str] | None, rows: Sequence[Sequence[str]], widths: Sequence[float],
              aligns: Sequence[str] | None = None) -> None:
        """A grid with horizontal rules; the header row repeats after a page break."""
        pdf = self.pdf
        total = sum(widths)
        col_widths = [pdf.epw * w / total for w in widths]
        align = [a[0].upper() for a in (aligns or ["LEFT"] * len(widths))]
        if header is not None:
            if pdf.will_page_break(14):
                pdf.add_page()
            self._grid_row([str(h) for h in header], col_widths, align, bold=True, fill=True)
        for row in rows:
            cells = [str(c) for c in row]
            pdf.set_font("DejaVu", size=9)
            needed = max(self._cell_lines(t, w - 2) for t, w in zip(cells, col_widths, strict=True))
            if pdf.will_page_break(needed * 4.6 + 2):
                pdf.add_page()
                if header is not None:
                    self._grid_row([str(h) for h in header], col_widths, align, bold=True, fill=True)
            self._grid_row(cells, col_widths, align)
        pdf.set_font("DejaVu", size=10)
        pdf.ln(3)

    def pairs(self, pairs: Sequence[tuple[str, str]]) -> None:
        if pairs and not any(k for k, _ in pairs):  # a plain list: bullets
            for _, value in pairs:
                self.para(f"• {value}", size=9)
            self.pdf.ln(2)
        elif pairs:
            self.table(None, [(k, v) for k, v in pairs], (1, 2))

    def bar_rows(self, zone: Mapping[str, Any]) -> None:
        """The criteria table of a zone with contributions drawn as bars."""
        pdf = self.pdf
        cols = (0.34, 0.12, 0.16, 0.14, 0.24)
        widths = [pdf.epw * c for c in cols]
        header = [self.L["criterion"], self.L["weight"], self.L["value"], self.L["contribution"], ""]
        aligns = ["L", "R", "R", "R", "L"]
        self._grid_row(header, widths, aligns, bold=True, fill=True)
        for row in zone["criteria"]:
            label = row["label"] + (f" ({row['direction']})" if row["direction"] else "")
            pdf.set_font("DejaVu", size=9)
            if pdf.will_page_break(self._cell_lines(label, widths[0] - 2) * 4.6 + 2):
                pdf.add_page()
            y = pdf.get_y()
            self._grid_row([label, row["weight"], row["value"], row["contribution"], ""], widths, aligns)
            if row["bar"] > 0:
                pdf.set_fill_color(*(self.NEGATIVE if row["negative"] else self.ACCENT))
                pdf.rect(pdf.l_margin + sum(widths[:4]) + 2, y + 1.6,
                         (widths[4] - 4) * row["bar"] / 100, 3, style="F")
        pdf.ln(3)

    # the document ------------------------------------------------------------------------

    def render(self) -> bytes:
        ctx, L, pdf = self.ctx, self.L, self.pdf
        pdf.alias_nb_pages()

        # cover: requirements and summary
        pdf.add_page()
        pdf.start_section(L["requirements"])
        self.heading(f"{L['title']}{ctx['colon']}{ctx['name']}" if ctx["name"] else L["title"],
                     size=20)
        self.para(ctx["summary"], muted=True)
        if ctx["dataset_version"]:
            self.para(f"{L['dataset']} {L['version']} {ctx['dataset_version']}", muted=True)
        pdf.ln(4)
        self.heading(L["requirements"])
        self.pairs(ctx["requirements"] or [(L["none"], "")])
        if ctx["warnings"]:
            self.heading(L["warnings"], size=12)
            for w in ctx["warnings"]:
                self.para(f"• {w}")
            pdf.ln(2)

        # ranked table
        pdf.add_page()
        pdf.start_section(L["ranked"])
        self.heading(L["ranked"])
        if ctx["zones"]:
            header = [L["rank"], L["zone"], L["score"]]
            widths = [0.1, 0.5, 0.14]
            if ctx["has_robustness"]:
                header += [L["p_first"], L["p_top3"]]
                widths += [0.13, 0.13]
            rows = []
            for z in ctx["zones"]:
                row = [str(z["rank"]), z["name"], z["score"]]
                if ctx["has_robustness"]:
                    row += [z["p_first"] or "–", z["p_top3"] or "–"]
                rows.append(row)
            aligns = ["RIGHT", "LEFT"] + ["RIGHT"] * (len(header) - 2)
            self.table(header, rows, widths, aligns)
            if ctx["more_ranked"]:
                self.para(ctx["more_ranked"], muted=True)
            if ctx["has_robustness"]:
                self.para(f"{L['robustness']}{ctx['colon']}{L['robustness_text']}", size=9, muted=True)
                pdf.ln(2)
            if ctx["loo_summary"]:
                self.heading(L["leave_one_out"], size=12)
                self.table([L["criterion"], L["loo_first"], L["loo_change"]], ctx["loo_summary"],
                           (0.45, 0.35, 0.2), ["LEFT", "LEFT", "RIGHT"])
        else:
            self.para(L["nothing_ranked"], style="B")
            if ctx["hint"]:
                self.para(f"{L['hint']}{ctx['colon']}{ctx['hint']}")
        if ctx["excluded"] and ctx["zones"]:
            pdf.ln(2)
            self.para(f"{L['excluded']}{ctx['colon']}{len(ctx['excluded'])}", muted=True)

        # a page per ranked zone
        for z in ctx["zones"]:
            pdf.add_page()
            pdf.start_section(f"{z['rank']}. {z['name']}", level=1)
            self.heading(f"{z['rank']}. {z['name']}", size=16)
            line = f"{L['score']} {z['score']}"
            if z["p_first"] is not None:
                line += f" · {L['p_first']} {z['p_first']}"
            if z["p_top3"] is not None:
                line += f" · {L['p_top3']} {z['p_top3']}"
            self.para(line, muted=True)
            pdf.ln(2)
            self.heading(L["explanation"], size=12)
            self.bar_rows(z)
            for note in z["notes"]:
                self.para(f"• {note}", size=9, muted=True)
            pdf.ln(3 if z["notes"] else 0)
            if z["robustness"]:
                self.heading(L["robustness"], size=12)
                self.para(L["robustness_text"], size=9, muted=True)
                self.pairs(z["robustness"])
            if z["leave_one_out"]:
                self.heading(L["leave_one_out"], size=12)
                self.pairs(z["leave_one_out"])
            if z["incentives"]:
                self.heading(L["incentives"], size=12)
                self.pairs(z["incentives"])
            if z["location"]:
                self.heading(L["location"], size=12)
                self.pairs(z["location"])

        # excluded: on the ranked page when nothing is ranked
        if ctx["zones"]:
            pdf.add_page()
        else:
            pdf.ln(6)
        pdf.start_section(L["excluded"])
        self.heading(f"{L['excluded']} ({len(ctx['excluded'])})")
        if ctx["excluded"]:
            self.table([L["zone"], L["reasons"]],
                       [(e["name"], "\n".join(e["reasons"]) or "–") for e in ctx["excluded"]], (0.35, 0.65))
        else:
            self.para(L["none"], muted=True)

        # method, assumptions, sources
        pdf.add_page()
        pdf.start_section(L["method"])
        self.heading(L["method"])
        for paragraph in ctx["method"]:
            self.para(paragraph)
            pdf.ln(1)
        if ctx["weights"]:
            self.heading(L["weights"], size=12)
            self.table([L["criterion"], L["direction"], L["weight"]], ctx["weights"], (0.55, 0.25, 0.2),
                       ["LEFT", "LEFT", "RIGHT"])
        if ctx["assumptions"]:
            self.heading(L["assumptions"], size=12)
            self.pairs(ctx["assumptions"])
        self.heading(L["sources"], size=12)
        self.pairs(ctx["sources"] or [(L["none"], "")])
        return bytes(pdf.output())
