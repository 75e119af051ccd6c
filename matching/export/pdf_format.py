"""PDF: the dossier for an investor or management, laid out with fpdf2 in DejaVu Sans.

One module because the dossier's pages share one fpdf2 document, its fonts, its page
geometry and the page-break decisions between them (what fits on the summary page moves what
the closing pages show); the words come from :mod:`matching.export.report`, the maps from
:mod:`matching.export.figures` and the one-page zone profile lives in
:mod:`matching.export.zone_pdf`.
"""

from __future__ import annotations

import importlib.util
import io
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from matching.export.figures import MapPoint, draw_map, regions_of
from matching.export.report import report_context
from matching.export.sections import CitedSource
from matching.export.text import clip, printable
from matching.export.view import read_shortlist


def _font_path(name: str) -> str:
    """A DejaVu TTF shipped inside matplotlib (a dependency), found without importing it."""
    spec = importlib.util.find_spec("matplotlib")  # locates the package without running it
    assert spec is not None and spec.submodule_search_locations, "matplotlib is a dependency"
    return os.path.join(spec.submodule_search_locations[0], "mpl-data", "fonts", "ttf", name)


_PDF_CREATED = datetime(2000, 1, 1, tzinfo=UTC)

#: the ranked zones that get a page of their own; the others are summed up on the closing pages
#: (a dossier an officer hands over stays short: 6 zones fit in 9 pages)
ZONE_PAGES = 6


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
    return _PdfDossier(ctx, created=_created(shortlist),
                       maps=_maps(ctx, regions_of(sites, view.dataset))).render()


def _maps(ctx: Mapping[str, Any], regions: Any) -> dict[str, bytes]:
    """The summary's map (key ``""``) and one per shown zone (its id), as PNG bytes."""
    ranked = [MapPoint(str(z["rank"]), z["lon"], z["lat"]) for z in ctx["zones"]]
    others = [MapPoint("", lon, lat, ranked=False) for lon, lat in ctx["others"]]
    out: dict[str, bytes] = {}
    overview = draw_map(ranked + others, regions, size_in=(7.6, 2.9))
    if overview is not None:
        out[""] = overview
    for z, point in zip(ctx["zones"], ranked, strict=True):
        rest = [MapPoint("", p.lon, p.lat, ranked=False) for p in ranked + others if p is not point]
        png = draw_map([point, *rest], regions, focus=point, radius_km=ctx["catchment_km"],
                       size_in=(3.0, 2.7))
        if png is not None:
            out[z["id"]] = png
    return out


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

    def __init__(self, ctx: Mapping[str, Any], *, created: datetime,
                 maps: Mapping[str, bytes] | None = None) -> None:
        from fpdf import FPDF

        self.ctx = ctx
        self.maps = dict(maps or {})
        self.warnings_left: list[str] = []
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

    def heading(self, text: str, size: float = 14) -> None:
        pdf = self.pdf
        pdf.set_font("DejaVu", "B", size)
        pdf.set_text_color(*self.INK)
        pdf.multi_cell(0, size * 0.5, printable(text), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(2)
        pdf.set_font("DejaVu", size=10)

    def para(self, text: str, *, size: float = 10, muted: bool = False, style: str = "") -> None:
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
                  *, bold: bool = False, fill: bool = False, size: float = 9) -> float:
        """One row of a grid: every cell measured once, then drawn; returns its height."""
        pdf = self.pdf
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pad, line_h = (1.0 if size > 8 else 0.6), size * 0.51
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
              aligns: Sequence[str] | None = None, *, size: float = 9) -> None:
        """A grid with horizontal rules; the header row repeats after a page break."""
        pdf = self.pdf
        total = sum(widths)
        col_widths = [pdf.epw * w / total for w in widths]
        align = [a[0].upper() for a in (aligns or ["LEFT"] * len(widths))]
        if header is not None:
            if pdf.will_page_break(14):
                pdf.add_page()
            self._grid_row([str(h) for h in header], col_widths, align, bold=True, fill=True, size=size)
        for row in rows:
            cells = [str(c) for c in row]
            pdf.set_font("DejaVu", size=size)
            needed = max(self._cell_lines(t, w - 2) for t, w in zip(cells, col_widths, strict=True))
            if pdf.will_page_break(needed * size * 0.51 + 2):
                pdf.add_page()
                if header is not None:
                    self._grid_row([str(h) for h in header], col_widths, align, bold=True, fill=True,
                                   size=size)
            self._grid_row(cells, col_widths, align, size=size)
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

    def kv(self, pairs: Sequence[tuple[str, str]], width: float, *, size: float = 9) -> None:
        """Label/value rows in a column ``width`` wide from the left margin (values right-aligned)."""
        pdf = self.pdf
        pdf.set_font("DejaVu", size=size)
        widths = [width * 0.64, width * 0.36]
        for label, value in pairs:
            self._grid_row([label, value], widths, ["L", "R"], size=size)
        pdf.set_font("DejaVu", size=10)

    def image(self, key: str, x: float, y: float, w: float) -> float:
        """The map ``key`` at (x, y), ``w`` wide; returns the height drawn (0 without a map)."""
        png = self.maps.get(key)
        if png is None:
            return 0.0
        info = self.pdf.image(io.BytesIO(png), x=x, y=y, w=w)
        return float(info.rendered_height)

    def status(self, text: str) -> None:
        """A warning for a zone not (all) built, in bold on a tinted band."""
        if not text:
            return
        pdf = self.pdf
        pdf.set_fill_color(255, 243, 205)
        pdf.set_font("DejaVu", "B", 9)
        pdf.multi_cell(0, 5, printable(text), fill=True, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", size=10)
        pdf.ln(1)

    # the document ------------------------------------------------------------------------

    def render(self) -> bytes:
        """A one-page summary, a page per shown zone, then the method and the sources in full."""
        ctx, pdf = self.ctx, self.pdf
        pdf.alias_nb_pages()
        self.summary_page()
        for z in ctx["zones"][:ZONE_PAGES]:
            self.zone_page(z)
        self.closing_pages()
        return bytes(pdf.output())

    def summary_page(self) -> None:
        ctx, L, pdf = self.ctx, self.L, self.pdf
        pdf.add_page()
        pdf.start_section(L["summary"])
        self.heading(f"{L['title']}{ctx['colon']}{ctx['name']}" if ctx["name"] else L["title"], size=18)
        self.para(ctx["summary"], size=9, muted=True)
        pdf.ln(1)
        if ctx["zones"]:
            y = pdf.get_y()
            height = self.image("", pdf.l_margin, y, pdf.epw)
            if height:
                pdf.set_y(y + height + 1)
                self.para(L["map_caption"], size=8, muted=True)
                pdf.ln(2)
            self.heading(L["ranked"], size=11)
            header = [L["rank"], L["zone"], L["city"], L["status"], L["score"]]
            widths = [0.07, 0.37, 0.18, 0.18, 0.1]
            if ctx["has_robustness"]:
                header += [L["p_first"]]
                widths += [0.1]
            rows = []
            for z in ctx["zones"]:
                where = dict(z["location"])
                row = [str(z["rank"]), z["name"], where.get(self.ctx["city_label"], ""),
                       where.get(self.ctx["status_label"], ""), z["score"]]
                if ctx["has_robustness"]:
                    row += [z["p_first"] or "–"]
                rows.append(row)
            self.table(header, rows, widths, ["RIGHT", "LEFT", "LEFT", "LEFT"] + ["RIGHT"] * (len(header) - 4),
                       size=8)
            if ctx["more_ranked"]:
                self.para(ctx["more_ranked"], size=9, muted=True)
        else:
            self.para(L["nothing_ranked"], style="B")
            if ctx["hint"]:
                self.para(f"{L['hint']}{ctx['colon']}{ctx['hint']}")
        self.heading(L["requirements_words"], size=11)
        lines = [(k, v) for k, v in ctx["requirements"] if k != L["name"]]  # the name is the title
        self.table(None, lines or [(L["none"], "")], (0.28, 0.72), size=7.5)
        self.warnings_left = list(ctx["warnings"])
        if self.warnings_left and not pdf.will_page_break(4.2 * self._warning_lines() + 2):
            self.warning_lines()

    def _warning_lines(self) -> int:
        self.pdf.set_font("DejaVu", size=8)
        return sum(len(self.wrap(f"• {w}", self.pdf.epw)) for w in self.warnings_left)

    def warning_lines(self) -> None:
        """The warnings not yet written (on the summary when they fit, else on the closing page)."""
        for w in self.warnings_left:
            self.para(f"• {w}", size=8, muted=True)
        self.warnings_left = []

    def zone_page(self, z: Mapping[str, Any]) -> None:
        ctx, L, pdf = self.ctx, self.L, self.pdf
        pdf.add_page()
        pdf.start_section(f"{z['rank']}. {z['name']}", level=0)
        self.heading(f"{z['rank']}. {z['name']}", size=15)
        line = f"{L['score']} {z['score']}"
        for key in ("p_first", "p_top3"):
            if z[key] is not None:
                line += f" · {L[key]} {z[key]}"
        mean_rank = dict(z["robustness"]).get(L["mean_rank"])
        if mean_rank:
            line += f" · {L['mean_rank']} {mean_rank}"
        self.para(line, size=9, muted=True)
        pdf.ln(1)
        self.status(z["status_warning"])
        top, map_w, map_h = self.figures_beside_map(z, map_share=0.4)
        bottom = max(pdf.get_y(), top + map_h)
        if map_h:
            pdf.set_xy(pdf.l_margin + pdf.epw - map_w, top + map_h + 0.5)
            pdf.set_font("DejaVu", size=7)
            pdf.set_text_color(*self.MUTED)
            pdf.multi_cell(map_w, 3.2, printable(L["zone_map_caption"].replace(
                "%(km)s", fmt_km_text(ctx["catchment_km"], ctx["lang"]))), new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(*self.INK)
            bottom = max(bottom, pdf.get_y())
        pdf.set_xy(pdf.l_margin, bottom + 3)
        self.heading(L["explanation"], size=11)
        self.bar_rows(z)
        for note in z["notes"]:
            self.para(f"• {note}", size=8, muted=True)
        if z["incentives"]:
            pdf.ln(2)
            self.heading(L["incentives"], size=11)
            given = [(k, v) for k, v in z["incentives"] if k not in ctx["incentive_inputs"]]
            shown = [(k, v) for k, v in given if len(v) <= 24]  # figures side by side
            half = (len(shown) + 1) // 2
            rows = [[*shown[i], *(shown[i + half] if i + half < len(shown) else ("", ""))]
                    for i in range(half)]
            self.table(None, rows, (0.3, 0.2, 0.3, 0.2), ["LEFT", "RIGHT", "LEFT", "RIGHT"], size=8)
            for k, v in given:  # sentences below
                if len(v) > 24:
                    self.para(f"{k}{ctx['colon']}{v}", size=8)
        if z["source_keys"]:
            self.para(L["cited_by"].replace("%(keys)s", ", ".join(z["source_keys"])), size=8, muted=True)

    def figures_beside_map(self, z: Mapping[str, Any], *, map_share: float) -> tuple[float, float, float]:
        """The zone's key figures on the left, its map on the right (``map_share`` of the
        width); the top, the map's width and its height (0 when there is no map)."""
        ctx, L, pdf = self.ctx, self.L, self.pdf
        top = pdf.get_y()
        map_w = pdf.epw * map_share
        map_h = self.image(z["id"], pdf.l_margin + pdf.epw - map_w, top, map_w)
        left_w = pdf.epw - map_w - 4 if map_h else pdf.epw
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(left_w, 6, printable(L["key_figures"]), new_x="LMARGIN", new_y="NEXT")
        where = [(k, v) for k, v in z["location"] if k != ctx["source_label"]]
        self.kv(where[:3] + z["key_figures"], left_w, size=8)
        return top, map_w, map_h

    def render_profile(self, z: Mapping[str, Any], *, facts: Sequence[tuple[str, str]]) -> bytes:
        """One page: the zone's name, status, key figures beside its map, facts, sources."""
        ctx, L, pdf = self.ctx, self.L, self.pdf
        pdf.alias_nb_pages()
        pdf.add_page()
        self.heading(z["name"], size=18)
        self.status(z["status_warning"])
        top, _, map_h = self.figures_beside_map(z, map_share=0.44)
        pdf.set_xy(pdf.l_margin, max(pdf.get_y(), top + map_h) + 4)
        if facts:
            self.table(None, facts, (0.35, 0.65), size=8)
        cited = list(ctx["cited"])
        if cited:
            self.heading(L["sources"], size=11)
            for source in cited:
                self.source_line(source)
            self.address_note(cited)
        return bytes(pdf.output())

    def closing_pages(self) -> None:
        ctx, L, pdf = self.ctx, self.L, self.pdf
        pdf.add_page()
        if ctx["zones"] and ctx["excluded"]:
            pdf.start_section(L["excluded"])
            self.heading(f"{L['excluded']} ({len(ctx['excluded'])})", size=12)
            self.table([L["zone"], L["reasons"]],
                       [(e["name"], "\n".join(e["reasons"]) or "–") for e in ctx["excluded"]], (0.3, 0.7),
                       size=7.5)
        elif not ctx["zones"]:
            pdf.start_section(L["excluded"])
            self.heading(f"{L['excluded']} ({len(ctx['excluded'])})", size=12)
            self.table([L["zone"], L["reasons"]],
                       [(e["name"], "\n".join(e["reasons"]) or "–") for e in ctx["excluded"]] or [(L["none"], "")],
                       (0.3, 0.7))
        rest = ctx["zones"][ZONE_PAGES:]
        if rest:
            pdf.start_section(L["other_ranked"])
            self.heading(L["other_ranked"], size=12)
            self.table([L["rank"], L["zone"], L["score"], L["explanation"]],
                       [(str(z["rank"]), z["name"], z["score"], "\n".join(z["notes"][:3]) or "–") for z in rest],
                       (0.07, 0.25, 0.1, 0.58), ["RIGHT", "LEFT", "RIGHT", "LEFT"], size=7.5)
        if self.warnings_left:
            self.heading(L["warnings"], size=10)
            self.warning_lines()
        pdf.start_section(L["method"])
        self.heading(L["method"], size=12)
        for paragraph in ctx["method"]:
            self.para(paragraph, size=8)
            pdf.ln(1)
        if ctx["weights"]:  # in one paragraph: the table is in the requirements already
            self.para(f"{L['weights']}{ctx['colon']}" + "; ".join(
                f"{c} ({d}) {w}" if d else f"{c} {w}" for c, d, w in ctx["weights"]), size=8)
            pdf.ln(1)
        if ctx["loo_summary"]:
            self.heading(L["leave_one_out"], size=10)
            self.table([L["criterion"], L["loo_first"], L["loo_change"]], ctx["loo_summary"],
                       (0.45, 0.35, 0.2), ["LEFT", "LEFT", "RIGHT"], size=7.5)
        if ctx["sensitivity"]:
            self.heading(L["sensitivity"], size=10)
            self.para(L["sensitivity_text"], size=8, muted=True)
            self.table([L["criterion"], L["weight"], L["stays_first"], L["first_below"],
                        L["first_above"]], ctx["sensitivity"], (0.3, 0.1, 0.2, 0.2, 0.2),
                       ["LEFT", "RIGHT", "RIGHT", "LEFT", "LEFT"], size=7.5)
            for sentence in ctx["sensitivity_sentences"]:
                self.para(f"• {sentence}", size=7.5)
            pdf.ln(1)
        if ctx["assumptions"]:
            self.heading(L["assumptions"], size=10)
            for key, value in ctx["assumptions"]:
                self.para(f"• {key}{ctx['colon']}{value}" if key else f"• {value}", size=7)
            pdf.ln(2)
        pdf.start_section(L["sources"])
        self.heading(L["sources"], size=12)
        if ctx["dataset_version"]:
            self.para(f"{L['dataset']} {L['version']} {ctx['dataset_version']}"
                      + (f" · {L['layers']}{ctx['colon']}{ctx['layers']}" if ctx["layers"] else ""),
                      size=8.5, muted=True)
        self.address_note(ctx["cited"])  # before the list: the list fills the page
        self.sources_in_columns(ctx["cited"])

    def address_note(self, cited: Sequence[CitedSource]) -> None:
        """Say once what the mark after a title read from a web address means."""
        if any(c.title_from == "address" for c in cited):
            self.para(f"* {self.L['title_from_address']}", size=7, muted=True)

    def sources_in_columns(self, cited: Sequence[CitedSource]) -> None:
        """The sources in three columns that fill the rest of the page, then the next ones."""
        pdf = self.pdf
        gap = 4.0
        col_w = (pdf.epw - 2 * gap) / 3
        pdf.set_font("DejaVu", size=7.5)
        items = [(c, self.source_height(c, col_w - self.GUTTER)) for c in cited]
        while items:
            top = pdf.get_y()
            room = pdf.page_break_trigger - top
            if room < 12:
                pdf.add_page()
                continue
            bottom = top
            for c in range(3):
                x = pdf.l_margin + c * (col_w + gap)
                pdf.set_xy(x, top)
                used = 0.0
                while items and (used + items[0][1] <= room or used == 0):
                    source, height = items.pop(0)
                    self.source_line(source, x=x, width=col_w)
                    used += height
                bottom = max(bottom, pdf.get_y())
            pdf.set_xy(pdf.l_margin, bottom)
            if items:
                pdf.add_page()

    LINE = 2.7  # mm per line of a source's title
    SMALL_LINE = 2.4  # mm per line of its publisher, date and address
    GUTTER = 9.0  # mm for a source's key

    def source_parts(self, source: CitedSource, width: float) -> tuple[list[str], list[str]]:
        """The wrapped lines of a source's title, then of its publisher, date and address."""
        self.pdf.set_font("DejaVu", "B", 7)
        mark = " *" if source.title_from == "address" else ""
        title = self.wrap((source.title or "–") + mark, width)
        self.pdf.set_font("DejaVu", size=6)
        byline = " · ".join(p for p in (", ".join(q for q in (source.publisher, source.date) if q),
                                        source.url or "") if p)
        return title, self.fill(byline, width)

    def fill(self, text: str, width: float) -> list[str]:
        """``text`` cut into lines that fill ``width`` character by character (a web address has
        no spaces to break at, and a half-empty line before it wastes the page)."""
        lines: list[str] = []
        line = ""
        for char in printable(text):
            if line and self._width(line + char) > width:
                # a line opening on "/" reads like a file path: take a character along
                carry = line[-1] if char == "/" and len(line) > 1 else ""
                lines.append(line[:-1] if carry else line)
                line = carry
            line += char
        return lines + [line] if line else lines

    def source_height(self, source: CitedSource, width: float) -> float:
        title, by = self.source_parts(source, width)
        return self.LINE * len(title) + self.SMALL_LINE * len(by) + 0.4

    def source_line(self, source: CitedSource, *, x: float | None = None,
                    width: float | None = None) -> None:
        """``S1  Title`` (a link), then ``Publisher, date · https://...`` (a link too)."""
        pdf = self.pdf
        left = pdf.l_margin if x is None else x
        text_w = (pdf.epw if width is None else width) - self.GUTTER
        title, by = self.source_parts(source, text_w)
        link = source.url or ""
        pdf.set_x(left)
        pdf.set_font("DejaVu", "B", 7)
        pdf.cell(self.GUTTER, self.LINE, printable(source.key))
        pdf.set_text_color(*(self.ACCENT if link else self.INK))
        for line in title:
            pdf.set_x(left + self.GUTTER)
            pdf.cell(text_w, self.LINE, line, new_x="LEFT", new_y="NEXT", link=link)
        pdf.set_font("DejaVu", size=6)
        pdf.set_text_color(*self.MUTED)
        for line in by:
            pdf.set_x(left + self.GUTTER)
            pdf.cell(text_w, self.SMALL_LINE, line, new_x="LEFT", new_y="NEXT", link=link)
        pdf.set_text_color(*self.INK)
        pdf.set_y(pdf.get_y() + 0.4)
        pdf.set_font("DejaVu", size=10)


def fmt_km_text(km: float, lang: str) -> str:
    from matching import i18n

    return i18n.format_number(km, lang)

