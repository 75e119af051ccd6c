"""Tests of matching.export: every format round-trips, escapes hostile text, keeps every zone."""

from __future__ import annotations

import copy
import html
import io
import json
import math
from html.parser import HTMLParser

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pypdf
import pytest
from shapely.geometry import Point, Polygon

from matching import export
from matching.export import ExportError
from matching.export.table_format import display_width
from valleys.errors import TechValleyError

HOSTILE = "<img src=x onerror=alert(1)>"
FORMULA = "=HYPERLINK(\"http://evil\",\"x\")"
ALL_IDS = ["cnp", "tet", "evil", "formula", "fes", "agd"]


@pytest.fixture
def sites() -> gpd.GeoDataFrame:
    """Six zones as valleys.site_features gives them: indexed by id, lon/lat, a polygon."""
    gdf = gpd.GeoDataFrame(
        {
            "id": ALL_IDS,
            "name": ["Casanearshore Park", "Tétouan Shore", HOSTILE, FORMULA, "Fès Shore", "Agadir Shore"],
            "city": ["Casablanca", "Martil", "Nowhere", "Nowhere", "Fès", "Agadir"],
            "region": ["Casablanca-Settat", "Tanger-Tétouan-Al Hoceima", "X", "X", "Fès-Meknès",
                       "Souss-Massa"],
            "rent_mad_m2_month": [110.0, 90.0, 80.0, 100.0, np.nan, 150.0],
            "catchment_labour_active": [1_500_000, 250_000, 10, 20, 400_000, 300_000],
            "source": ["S1 S2 S3", "S12 S13", "test", "test", "S8", "S22"],
        },
        geometry=[
            Point(-7.63, 33.53),
            Polygon([(-5.40, 35.60), (-5.30, 35.60), (-5.30, 35.66), (-5.40, 35.60)]),
            Point(-6.0, 33.0), Point(-6.1, 33.1), Point(-4.98, 34.0), Point(-9.6, 30.4),
        ],
        crs="EPSG:4326",
    )
    points = gdf.geometry.representative_point()
    gdf["lon"], gdf["lat"] = points.x, points.y
    gdf.index = pd.Index(gdf["id"], name=None)
    gdf.attrs["dataset"] = {"version": "abc123", "path": "geodata/build/morocco",
                            "sources": {"zones": "zones.geojson"}}
    return gdf


@pytest.fixture
def shortlist() -> dict:
    """A TOPSIS shortlist of the contract with its extras, written by hand."""
    values = {
        "cnp": (1_500_000, 110.0), "tet": (250_000, 90.0), "evil": (10, 80.0), "formula": (20, 100.0),
    }
    ranked = []
    for rank, (zid, name, score) in enumerate([
        ("cnp", "Casanearshore Park", 0.8125), ("tet", "Tétouan Shore", 0.41),
        ("evil", HOSTILE, 0.33), ("formula", FORMULA, 0.12),
    ], start=1):
        labour, rent = values[zid]
        ranked.append({
            "id": zid, "name": name, "rank": rank, "score": score,
            "values": {"catchment_labour_active": labour, "rent_mad_m2_month": rent},
            "contributions": {"catchment_labour_active": round(score * 0.6, 4),
                              "rent_mad_m2_month": round(score * 0.4, 4)},
        })
    return {
        "requirements": {
            "name": "Example BPO — Sidi Maârouf", "activity": "BPO", "headcount": 400,
            "floor_area_m2": 3200, "salary_mad_month": 9000,
            "constraints": [{"column": "rent_mad_m2_month", "op": "<=", "value": 120,
                             "missing": "exclude"}],
            "criteria": [
                {"column": "catchment_labour_active", "direction": "benefit", "weight": 5},
                {"column": "rent_mad_m2_month", "direction": "cost", "weight": 3},
            ],
            "method": "topsis", "normalization": "vector",
        },
        "method": "topsis", "normalization": "vector",
        "weights": {"catchment_labour_active": 0.625, "rent_mad_m2_month": 0.375},
        "consistency_ratio": 0.0517,
        "ranked": ranked,
        "excluded": [
            {"id": "fes", "name": "Fès Shore", "reasons": ["rent_mad_m2_month missing"]},
            {"id": "agd", "name": "Agadir Shore",
             "reasons": ["rent 150 MAD/m²/month > 120", "airports_km missing"]},
        ],
        "robustness": {"cnp": {"p_first": 0.71, "p_top3": 0.98}, "tet": {"p_first": 0.2, "p_top3": 0.9},
                       "evil": {"p_first": 0.09, "p_top3": 0.8}, "formula": {"p_first": 0.0, "p_top3": 0.32}},
        "warnings": ["rent_mad_m2_month: 1 zone scored as the worst value"],
        "incentives": {
            "cnp": {"eligible": True, "training_grant_mad": 1_512_000.0, "total_mad": 14_904_000.0,
                    "income_tax_cap_pct": 20.0, "assumptions": ["400 new stable jobs", "salary 9,000 MAD"]},
            "tet": {"eligible": True, "training_grant_mad": 1_512_000.0, "total_mad": 22_744_000.0,
                    "income_tax_cap_pct": 10.0, "assumptions": ["400 new stable jobs"]},
        },
        "leave_one_out": {"cnp": {"catchment_labour_active": 2, "rent_mad_m2_month": 1}},
        "assumptions": {"m2_per_seat": 8, "incentive_rules": "offre_offshoring_2025 v1"},
    }


@pytest.fixture
def nothing_ranked(shortlist: dict) -> dict:
    """Every zone excluded: an empty ranked list and a hint."""
    out = copy.deepcopy(shortlist)
    out["excluded"] = [{"id": e["id"], "name": e["name"], "reasons": ["rent 140 MAD/m²/month > 20"]}
                       for e in out["ranked"]] + out["excluded"]
    out["ranked"], out["robustness"], out["incentives"], out["leave_one_out"] = [], {}, {}, {}
    out["hint"] = "the constraint rent_mad_m2_month <= 20 excluded 5 of 6 zones"
    return out


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs


# ------------------------------------------------------------------------------------ json


def test_json_is_the_contract_and_round_trips(shortlist, sites):
    text = export.to_json(shortlist, sites, top=1)
    assert json.loads(text) == shortlist  # every zone: top does not shorten it
    assert "Fès Shore" in text  # UTF-8, not \u escapes


def test_json_turns_numpy_and_nan_into_strict_json(shortlist):
    shortlist["ranked"][0]["score"] = np.float64(0.8125)
    shortlist["ranked"][0]["rank"] = np.int64(1)
    shortlist["ranked"][0]["values"]["rent_mad_m2_month"] = float("nan")
    data = json.loads(export.to_json(shortlist))  # json.loads would accept NaN: check the text
    assert data["ranked"][0]["score"] == 0.8125 and data["ranked"][0]["rank"] == 1
    assert data["ranked"][0]["values"]["rent_mad_m2_month"] is None
    assert "NaN" not in export.to_json(shortlist)


# ------------------------------------------------------------------------------------- csv


def test_csv_round_trips_with_every_zone_once(shortlist, sites):
    frame = pd.read_csv(io.StringIO(export.to_csv(shortlist, sites, top=1)), keep_default_na=False,
                        na_values=[""])
    assert frame["id"].tolist() == ALL_IDS  # ranked then excluded, top ignored
    assert frame["status"].tolist() == ["ranked"] * 4 + ["excluded"] * 2
    assert frame["rank"].tolist()[:4] == [1, 2, 3, 4] and frame["rank"][4:].isna().all()
    assert frame.loc[0, "score"] == pytest.approx(0.8125)
    assert frame.loc[0, "value_catchment_labour_active"] == 1_500_000
    assert frame.loc[1, "contribution_rent_mad_m2_month"] == pytest.approx(0.164)
    assert frame.loc[0, "p_first"] == pytest.approx(0.71)
    assert frame.loc[0, "incentive_total_mad"] == pytest.approx(14_904_000)
    assert frame.loc[4, "name"] == "Fès Shore" and frame.loc[4, "city"] == "Fès"
    assert frame.loc[5, "reasons"] == "rent 150 MAD/m²/month > 120; airports_km missing"
    # excluded zones still show their values from the sites
    assert frame.loc[5, "value_rent_mad_m2_month"] == 150
    assert frame.loc[1, "lat"] == pytest.approx(sites.loc["tet", "lat"])
    assert frame.loc[2, "name"] == HOSTILE


def test_csv_defuses_spreadsheet_formulas(shortlist):
    frame = pd.read_csv(io.StringIO(export.to_csv(shortlist)))
    assert frame.loc[3, "name"] == "'" + FORMULA


def test_csv_without_sites_has_no_location_columns(shortlist):
    frame = pd.read_csv(io.StringIO(export.to_csv(shortlist)))
    assert "lon" not in frame.columns and "city" not in frame.columns
    assert len(frame) == 6


# --------------------------------------------------------------------------------- geojson


def test_geojson_round_trips_with_geometry_from_sites(shortlist, sites):
    text = export.to_geojson(shortlist, sites, top=1)
    data = json.loads(text)
    assert [f["id"] for f in data["features"]] == ALL_IDS
    gdf = gpd.read_file(io.StringIO(text))
    assert gdf.crs.to_epsg() == 4326
    assert gdf["id"].tolist() == ALL_IDS and gdf["name"].tolist()[4] == "Fès Shore"
    assert gdf.geometry.iloc[1].geom_type == "Polygon"  # a zone's own shape is kept
    assert gdf.geometry.iloc[0].equals(Point(-7.63, 33.53))
    for feature in data["features"]:  # flat properties only
        assert all(not isinstance(v, (dict, list)) for v in feature["properties"].values())
    assert data["features"][5]["properties"]["reasons"].startswith("rent 150 MAD/m²/month > 120")
    assert data["features"][4]["properties"]["score"] is None


def test_geojson_reprojects_to_wgs84(shortlist, sites):
    projected = sites.to_crs("EPSG:26191")
    gdf = gpd.read_file(io.StringIO(export.to_geojson(shortlist, projected)))
    assert gdf.geometry.iloc[0].x == pytest.approx(-7.63, abs=1e-6)


def test_geojson_needs_sites(shortlist):
    with pytest.raises(ExportError, match="GeoJSON needs the zones' geometry: pass the sites"):
        export.to_geojson(shortlist, None)


def test_geojson_needs_a_geometry(shortlist, sites):
    with pytest.raises(ExportError, match="no geometry column"):
        export.to_geojson(shortlist, pd.DataFrame(sites.drop(columns="geometry")))


def test_a_zone_missing_from_the_sites_is_named(shortlist, sites):
    with pytest.raises(ExportError, match=r"1 shortlisted zone\(s\) are not in the sites given \(agd\)"):
        export.to_geojson(shortlist, sites.drop(index="agd"))


def test_other_formats_show_a_zone_the_sites_lack_without_location(shortlist, sites):
    frame = pd.read_csv(io.StringIO(export.to_csv(shortlist, sites.drop(index="agd"))))
    assert frame["id"].tolist() == ALL_IDS
    assert frame.loc[5, "city"] != frame.loc[5, "city"]  # NaN: no location, still listed
    assert "Agadir Shore" in pdf_text(export.to_pdf(shortlist, sites.drop(index=["agd", "cnp"])))


# -------------------------------------------------------------------------------------- xlsx


def _sheet(data: bytes, name: str) -> list[tuple]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return list(wb[name].iter_rows(values_only=True))


def test_xlsx_has_three_sheets_with_numbers_as_numbers(shortlist, sites):
    data = export.to_xlsx(shortlist, sites)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["ranked", "excluded", "assumptions"]
    ranked = _sheet(data, "ranked")
    header = ranked[0]
    rows = [dict(zip(header, r, strict=True)) for r in ranked[1:]]
    # headings are labels, never column ids
    assert [r["Id"] for r in rows] == ["cnp", "tet", "evil", "formula"]
    assert isinstance(rows[0]["score"], float) and rows[0]["score"] == pytest.approx(0.8125)
    assert isinstance(rows[0]["rank"], int)
    assert rows[0]["Labour force within the catchment"] == 1_500_000
    assert rows[0]["contribution: Rent (MAD/m²/month)"] == pytest.approx(0.325)
    assert rows[3]["Name"] == FORMULA  # text, never a formula
    assert wb["ranked"]["D5"].data_type == "s"
    assert wb["ranked"].column_dimensions["C"].width >= len("Casanearshore Park")
    excluded = _sheet(data, "excluded")
    assert [r[0] for r in excluded[1:]] == ["fes", "agd"]
    assert "rent 150 MAD/m²/month > 120; Nearest airport (km) missing" in excluded[2]


def test_xlsx_assumptions_sheet(shortlist, sites):
    rows = _sheet(export.to_xlsx(shortlist, sites), "assumptions")
    flat = [(a, b, c) for a, b, c in rows]
    assert ("Weights", "Labour force within the catchment", 0.625) in flat
    assert ("Method", "AHP consistency ratio", 0.0517) in flat
    assert ("Dataset", "version", "abc123") in flat
    assert ("Method", "method", "TOPSIS") in flat
    assert any(a == "Requirements" and isinstance(c, str)
               and "Rent (MAD/m²/month) ≤ 120 (if missing: exclude the zone)" in c
               for a, b, c in flat)
    assert ("Requirements", "headcount", 400) in flat  # a number, not text
    assert any(a == "Requirements" and isinstance(c, str) and c.endswith("cost, weight 38%")
               for a, b, c in flat)
    assert ("Data sources", "Fès Shore", "S8") in flat
    assert ("Assumptions", "m2 per seat", 8) in flat


def test_xlsx_top_shortens_the_ranked_sheet_only(shortlist, sites):
    data = export.to_xlsx(shortlist, sites, top=2)
    ranked = _sheet(data, "ranked")
    ids = [r[1] for r in ranked[1:] if r[1]]
    assert ids == ["cnp", "tet"]
    assert any(r[0] and "2 more ranked zone(s) not shown (top 2)" in str(r[0]) for r in ranked)
    assert len(_sheet(data, "excluded")) == 3


# ------------------------------------------------------------------------------------- table


def test_table_aligns_columns_and_lists_exclusions(shortlist, sites):
    text = export.to_table(shortlist, sites)
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("rank"))
    block = lines[header: header + 5]
    assert [line.split()[0] for line in block[1:]] == ["1", "2", "3", "4"]
    score_end = block[0].index("score") + len("score")
    assert all(line[score_end - 5: score_end] in {"0.812", "0.410", "0.330", "0.120"} for line in block[1:])
    assert "Labour force within the cat…" in block[0] and "1,500,000" in block[1]
    assert "Excluded zones (2)" in text
    assert "  Agadir Shore: rent 150 MAD/m²/month > 120; Nearest airport (km) missing" in lines


def test_table_top_and_french(shortlist):
    text = export.to_table(shortlist, top=2, lang="fr")
    assert "Tétouan Shore" in text and HOSTILE not in text
    assert "2 autre(s) zone(s) classée(s) non affichée(s) (top 2)." in text
    assert "Zones exclues (2)" in text and "0,812" in text


def test_table_aligns_wide_characters(shortlist):
    shortlist["ranked"][0]["name"] = "東京 Zone"
    lines = export.to_table(shortlist).splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("rank"))
    # East Asian characters take two columns: the score column ends at the same place
    ends = [display_width(line[: line.index("0.")]) for line in lines[header + 1: header + 5]]
    assert len(set(ends)) == 1


def test_table_escapes_terminal_control_characters(shortlist):
    shortlist["ranked"][0]["name"] = "Evil\x1b[2J\u202eZone"
    text = export.to_table(shortlist)
    assert "\x1b" not in text and "\u202e" not in text
    assert "Evil\\u001b[2J\\u202eZone" in text


# -------------------------------------------------------------------------------------- html


def test_html_escapes_hostile_names_everywhere(shortlist, sites):
    shortlist["requirements"]["name"] = "<script>alert(2)</script>"
    shortlist["excluded"][0]["reasons"] = ["<b>bold</b> reason"]
    shortlist["warnings"] = ['"><svg onload=alert(3)>']
    page = export.to_html(shortlist, sites)
    assert HOSTILE not in page and "<script>alert" not in page and "<svg" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    parser = _Tags()
    parser.feed(page)
    assert not {"img", "script", "svg", "b", "iframe"} & set(parser.tags)
    assert not any(name.startswith("on") for name, _ in parser.attrs)


def test_html_is_standalone_and_complete(shortlist, sites):
    page = export.to_html(shortlist, sites)
    assert page.startswith("<!doctype html>")
    parser = _Tags()
    parser.feed(page)
    assert "link" not in parser.tags and "script" not in parser.tags  # nothing loaded from elsewhere
    assert all(value.startswith("#") for name, value in parser.attrs if name in ("href", "src"))
    assert "default-src 'none'" in page and "@media print" in page
    for text in ("Fès Shore", "Tétouan Shore", "Sidi Maârouf", "Rent (MAD/m²/month)",
                 "rent 150 MAD/m²/month &gt; 120", "TOPSIS ranks", "P(first)", "71%", "abc123",
                 "S12 S13", "Rank without each criterion", "Incentives (estimate)", "0.052"):
        assert text in page, text
    assert page.count('class="zone"') == 4
    assert 'style="width: 100.0%"' in page  # the first zone's bar is the longest


def test_html_top_and_french(shortlist, sites):
    page = export.to_html(shortlist, sites, top=1, lang="fr")
    assert page.count('class="zone"') == 1 and '<html lang="fr">' in page
    assert "Zones exclues" in page and "3 autre(s) zone(s)" in page
    assert "Agadir Shore" in page  # every excluded zone, whatever top


def test_html_weighted_sum_with_negative_contribution(shortlist):
    shortlist["method"], shortlist["normalization"] = "weighted_sum", "vector"
    shortlist["ranked"][0]["contributions"]["rent_mad_m2_month"] = -0.2
    page = export.to_html(shortlist)
    assert 'class="neg"' in page and "contributions add up to the score" in page


# --------------------------------------------------------------------------------------- pdf


def test_pdf_dossier_text_has_names_accents_and_reasons(shortlist, sites):
    data = export.to_pdf(shortlist, sites)
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1 + 4 + 1  # summary, one per zone, excluded/method/sources
    text = pdf_text(data)
    for expected in ("Fès Shore", "Tétouan Shore", "Sidi Maârouf", "MAD/m²/month",
                     "Rent (MAD/m²/month) missing", "rent 150 MAD/m²/month > 120", HOSTILE,
                     "TOPSIS ranks", "AHP consistency ratio: 0.052", "Data sources", "Sources: S12, S13",
                     "Incentives (estimate)", "14,904,000", "Casablanca-Settat", "P(top 3)"):
        assert expected in text, expected
    assert reader.metadata.title == "Shortlist: Example BPO — Sidi Maârouf"


def test_pdf_top_shortens_and_is_deterministic(shortlist, sites):
    data = export.to_pdf(shortlist, sites, top=1, lang="fr")
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages) == 1 + 1 + 1  # summary, the zone, the rest
    text = pdf_text(data)
    assert "Zones classées" in text and "3 autre(s) zone(s)" in text and "Agadir Shore" in text
    assert data == export.to_pdf(shortlist, sites, top=1, lang="fr")


def test_pdf_survives_long_unbroken_text_and_control_characters(shortlist):
    shortlist["ranked"][0]["name"] = "Zone" + "x" * 300
    shortlist["excluded"][0]["reasons"] = ["y" * 500, "bell\x07 and nul\x00"]
    text = pdf_text(export.to_pdf(shortlist))
    assert text.count("x" * 40) >= 4 and "y" * 40 in text  # cut across lines
    assert "bell\\u0007 and nul\\u0000" in text and "\x07" not in text


# --------------------------------------------------------------------------- every format


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_nothing_ranked_renders_with_the_hint(fmt, nothing_ranked, sites):
    out = export.export(nothing_ranked, fmt, sites)
    hint = nothing_ranked["hint"]
    if fmt == "pdf":
        text = pdf_text(out)
    elif fmt == "xlsx":
        wb = openpyxl.load_workbook(io.BytesIO(out))
        text = "\n".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row)
    elif fmt == "html":
        text = html.unescape(out)
    else:
        text = out
    if fmt in ("csv", "geojson"):  # machine formats: every zone, excluded
        assert text.count("excluded") >= 6
    else:
        assert hint in text
    assert "Agadir Shore" in text


@pytest.mark.parametrize("fmt", export.MACHINE_FORMATS)
def test_machine_formats_keep_every_zone_once_even_with_top(fmt, shortlist, sites):
    out = export.export(shortlist, fmt, sites, top=1)
    if fmt == "csv":
        ids = pd.read_csv(io.StringIO(out))["id"].tolist()
    elif fmt == "geojson":
        ids = [f["properties"]["id"] for f in json.loads(out)["features"]]
    else:
        data = json.loads(out)
        ids = [z["id"] for z in data["ranked"] + data["excluded"]]
    assert sorted(ids) == sorted(ALL_IDS) and len(ids) == len(set(ids))


@pytest.mark.parametrize("fmt", ["table", "html", "pdf", "xlsx"])
def test_human_formats_without_sites(fmt, shortlist):
    out = export.export(shortlist, fmt)
    if fmt == "pdf":
        out = pdf_text(out)
    elif fmt == "xlsx":
        out = "\n".join(str(r) for r in _sheet(out, "ranked") + _sheet(out, "excluded"))
    assert "Tétouan Shore" in out and "Agadir Shore" in out


def test_media_types_and_extensions_cover_every_format():
    assert set(export.MEDIA_TYPES) == set(export.EXTENSIONS) == set(export.FORMATS)
    assert set(export.MACHINE_FORMATS) | set(export.HUMAN_FORMATS) == set(export.FORMATS)


def test_export_returns_bytes_for_binary_formats(shortlist):
    assert isinstance(export.export(shortlist, "pdf"), bytes)
    assert isinstance(export.export(shortlist, "xlsx"), bytes)
    assert isinstance(export.export(shortlist, "html"), str)


@pytest.mark.parametrize("fmt", list(export.FORMATS))
def test_every_format_renders_as_its_registry_entry_says(fmt, shortlist, sites):
    """The registry is the one list: its renderer, binary flag and human flag hold."""
    spec = export.FORMATS[fmt]
    assert spec.name == fmt and export.get_format(fmt) is spec
    full = spec.render(shortlist, sites)
    assert isinstance(full, bytes if spec.binary else str)
    if fmt != "xlsx":  # the workbook stamps the time it was made
        assert export.export(shortlist, fmt, sites) == full
    # the machine formats list every zone whatever top says; the table shows the first top
    if not spec.human:
        assert spec.render(shortlist, sites, top=1) == full
    elif fmt == "table":
        assert "Tétouan Shore" in full and "Tétouan Shore" not in spec.render(shortlist, sites, top=1)


def test_registry_feeds_the_command_line():
    from matching.cli import shortlist as command

    choices = next(p.type.choices for p in command.params if p.name == "fmt")
    assert list(choices) == list(export.FORMATS)
    assert list(export.DOWNLOADS) == ["csv", "xlsx", "geojson", "html", "pdf"]
    assert "Content-Security-Policy" in export.FORMATS["html"].headers


def test_unknown_format_lists_the_registry(shortlist):
    with pytest.raises(ExportError, match="Unknown export format 'yaml': use one of table, json, csv, xlsx, "
                                          "geojson, html, pdf"):
        export.export(shortlist, "yaml")


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("kwargs, message", [
    ({"top": 0}, "--top must be a whole number of at least 1, not 0"),
    ({"top": "3"}, "--top must be a whole number of at least 1, not '3'"),
    ({"top": True}, "--top must be a whole number"),
    ({"lang": "de"}, "Unknown export language 'de': use one of en, fr"),
])
def test_bad_options(shortlist, kwargs, message):
    with pytest.raises(ExportError, match=message.replace("(", r"\(")):
        export.to_table(shortlist, **kwargs)


def test_unknown_format(shortlist):
    with pytest.raises(ExportError, match="Unknown export format 'docx': use one of table, json"):
        export.export(shortlist, "docx")


def test_not_a_shortlist():
    with pytest.raises(ExportError, match="must be a shortlist JSON object .a dict., not a list"):
        export.to_csv([1, 2])
    with pytest.raises(ExportError, match="keys 'ranked' and 'excluded' are required") as info:
        export.to_html({"ranked": {}})
    assert info.value.details == ["'ranked' is missing or not a list", "'excluded' is missing or not a list"]
    assert isinstance(info.value, TechValleyError) and isinstance(info.value, ValueError)


def test_malformed_zones_are_all_named(shortlist):
    shortlist["ranked"][1]["id"] = "cnp"
    del shortlist["ranked"][2]["score"]
    shortlist["excluded"].append({"name": "no id"})
    shortlist["excluded"][0]["reasons"] = "text"
    with pytest.raises(ExportError, match="its zones are malformed") as info:
        export.to_pdf(shortlist)
    assert info.value.details == [
        "zone 'cnp' appears twice (ranked[0] and ranked[1])",
        "ranked[2] (zone 'evil') has no numeric 'score'",
        "excluded[0] (zone 'fes') has 'reasons' that is not a list",
        "excluded[2] has no zone 'id'",
    ]


def test_bad_sites(shortlist, sites):
    with pytest.raises(ExportError, match="sites must be a .Geo.DataFrame of zones .* not a dict"):
        export.to_csv(shortlist, {"cnp": 1})
    doubled = pd.concat([sites, sites.iloc[[0]]])
    with pytest.raises(ExportError, match="duplicate zone ids: cnp"):
        export.to_csv(shortlist, doubled)


def test_a_zone_without_a_name_takes_the_sites_name_or_its_id(shortlist, sites):
    shortlist["ranked"][0]["name"] = None
    del shortlist["excluded"][1]["name"]
    frame = pd.read_csv(io.StringIO(export.to_csv(shortlist, sites)))
    assert frame.loc[0, "name"] == "Casanearshore Park" and frame.loc[5, "name"] == "Agadir Shore"
    table = export.to_table(shortlist)  # no sites: the id
    assert "   1  cnp " in table and "  agd: rent 150" in table


def test_xlsx_in_french(shortlist, sites):
    rows = _sheet(export.to_xlsx(shortlist, sites, lang="fr", top=1), "assumptions")
    assert ("Poids", "Loyer (MAD/m²/mois)", 0.375) in rows
    assert any(r[0] == "Exigences" and r[1] == "effectif" and r[2] == 400 for r in rows)
    ranked = _sheet(export.to_xlsx(shortlist, sites, lang="fr", top=1), "ranked")
    assert any(r[0] and "3 autre(s) zone(s) classée(s)" in str(r[0]) for r in ranked)


def test_column_labels_carry_units():
    assert export.column_label("airports_km", "en") == "Nearest airport (km)"
    assert export.column_label("available_m2", "fr") == "Surface disponible (m²)"
    assert export.column_label("bandwidth_mad_month", "fr") == "bandwidth (MAD/mois)"


# ------------------------------------------------------------- a shortlist of the engine


@pytest.fixture
def engine_shortlist(sites) -> dict:
    from matching.shortlist import make_shortlist

    sites = sites.assign(
        airports_km=[25.0, 12.0, 5.0, 8.0, 15.0, 20.0],
        incentive_zone_class=["p2i_primary", "p2i_secondary", "other", "other", "p2i_secondary",
                              "no_p2i_region"],
    )
    requirements = {
        "name": "Centre d'appels — Tétouan ou Fès", "activity": "CRM", "headcount": 300,
        "constraints": [{"column": "airports_km", "op": "<=", "value": 22}],
        "criteria": [
            {"column": "catchment_labour_active", "direction": "benefit", "weight": 4},
            {"column": "rent_mad_m2_month", "direction": "cost", "weight": 2, "missing": "worst"},
            {"column": "airports_km", "direction": "cost", "weight": 1},
        ],
        "robustness": {"draws": 200, "seed": 1},
    }
    return make_shortlist(requirements, sites)


def test_every_format_renders_a_shortlist_of_the_engine(engine_shortlist, sites):
    result = engine_shortlist
    ranked = [z["id"] for z in result["ranked"]]
    assert "fes" in ranked and result["excluded"][0]["id"] == "cnp"  # airports 25 km > 22
    frame = pd.read_csv(io.StringIO(export.to_csv(result, sites)))
    assert sorted(frame["id"]) == sorted(ALL_IDS)
    fes = frame.set_index("id").loc["fes"]
    assert fes["status"] == "ranked" and "rent_mad_m2_month" in fes["imputed"]
    assert math.isnan(fes["value_rent_mad_m2_month"])  # missing stays missing, never 0
    assert frame.set_index("id").loc["cnp", "reasons"].startswith("airports_km 25")
    assert len(json.loads(export.to_geojson(result, sites))["features"]) == 6
    page = export.to_html(result, sites, lang="fr")
    assert HOSTILE not in page and "* manquant : noté comme la pire valeur observée" in page
    assert "Rang sans chaque critère" in page and "Incitations (estimation)" in page
    text = pdf_text(export.to_pdf(result, sites))
    assert "Rent (MAD/m²/month) (cost) 29% 150* 0.000" in text
    assert "* missing: scored as the worst observed value" in text
    assert "Casanearshore Park" in text and "Nearest airport 25 km > 22" in text
    assert "Training grant (MAD)" in text and "Weights" in text
    table = export.to_table(result, sites, top=1)
    assert "Excluded zones (1)" in table and table.count("\n   1  ") == 1
    wb = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(result, sites)))
    assumptions = [r for r in wb["assumptions"].iter_rows(values_only=True)]
    assert any(r[0] == "Assumptions" and "300" in str(r[2]) for r in assumptions)


def test_french_human_formats_give_the_engine_sentences_in_french_machine_formats_do_not(shortlist):
    table = export.to_table(shortlist, top=2, lang="fr")
    assert "Aéroport le plus proche (km) : valeur manquante" in table and "missing" not in table
    assert "rent 150 MAD/m²/mois > 120" in table  # a user's column: only the unit changes
    html_page = export.to_html(shortlist, top=2, lang="fr")
    assert "Aéroport le plus proche (km) : valeur manquante" in html_page and "missing" not in html_page
    for machine in (export.to_csv(shortlist, lang="fr"), export.to_json(shortlist, lang="fr")):
        assert "airports_km missing" in machine and "manquant" not in machine
    # English readers see labels too, the machine formats' ids never
    assert "Nearest airport (km) missing" in export.to_table(shortlist, top=2, lang="en")


def test_french_exports_of_an_engine_shortlist_have_french_assumptions_and_incentives(
        engine_shortlist, sites):
    wb = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(engine_shortlist, sites, lang="fr")))
    cells = " | ".join(str(c) for row in wb["assumptions"].iter_rows(values_only=True) for c in row)
    assert "surface 2\u202f400 m² = effectif 300 x 8 m² par poste" in cells
    assert "emplois stables nouveaux" in cells and "new stable jobs" not in cells
    page = export.to_html(engine_shortlist, sites, lang="fr")
    assert "impôt sur les sociétés (IS)" in page and "corporate tax (IS)" not in page
    english = export.to_html(engine_shortlist, sites, lang="en")
    assert "corporate tax (IS)" in english


# ------------------------------------------------------------- the CRM example, read back


@pytest.fixture(scope="module")
def crm_example() -> tuple[dict, gpd.GeoDataFrame]:
    """The shortlist of ``examples/crm.yaml`` on the shipped dataset, with its sites."""
    from pathlib import Path

    import valleys
    from matching.requirements import load_yaml
    from matching.shortlist import make_shortlist

    path = Path(__file__).parents[2] / "examples" / "crm.yaml"
    sites = valleys.site_features(valleys.load_dataset())
    return make_shortlist(load_yaml(path.read_text(encoding="utf-8")), sites), sites


def _xlsx_text(data: bytes) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(" | ".join("" if c is None else str(c) for c in row)
                     for ws in wb for row in ws.iter_rows(values_only=True))


@pytest.mark.slow
def test_the_crm_examples_french_pdf_and_xlsx_hold_no_id_no_raw_value_no_english_sentence(
        crm_example):
    from tests.matching.test_i18n import offenders

    result, sites = crm_example
    columns = [str(c) for c in sites.columns]
    pdf = pdf_text(export.to_pdf(result, sites, lang="fr"))
    xlsx = _xlsx_text(export.to_xlsx(result, sites, lang="fr"))
    for text in (pdf, xlsx):
        assert offenders(text, columns) == []
        assert "Aéroport le plus proche (km)" in text and "zone P2I principale" in text
    assert "critère le plus fort\u202f: Population active du bassin" in pdf
    # numbers stay numbers in the spreadsheet
    wb = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(result, sites, lang="fr")))
    header = [c.value for c in wb["ranked"][1]]
    first = dict(zip(header, [c.value for c in wb["ranked"][2]], strict=True))
    assert isinstance(first["score"], float)
    assert isinstance(first["Loyer (MAD/m²/mois)"], (int, float))
    assert first["Statut"] == "en activité"


@pytest.mark.slow
def test_the_crm_examples_english_exports_show_labels_not_ids(crm_example):
    from tests.matching.test_i18n import offenders

    result, sites = crm_example
    columns = [str(c) for c in sites.columns]
    for text in (pdf_text(export.to_pdf(result, sites)), _xlsx_text(export.to_xlsx(result, sites)),
                 export.to_html(result, sites), export.to_table(result, sites)):
        found = offenders(text, columns, english=False)
        # the English words that are also the stored values read as words here
        words = ("operating", "cost", "benefit", "vector", "uncertain", "exclude", "worst")
        assert [f for f in found if f.removeprefix("enum ") not in words] == []
        assert "p2i_primary" not in text and "under_development" not in text


def test_a_shortlist_saved_before_messages_reads_as_one_with_them(engine_shortlist, sites):
    """No ``messages``: the English strings are read back through their templates."""
    old = copy.deepcopy(engine_shortlist)
    old.pop("messages")
    for zone in old["ranked"] + old["excluded"]:
        zone.pop("messages")
    for lang in ("fr", "en"):
        assert export.to_table(old, sites, lang=lang) == export.to_table(engine_shortlist, sites,
                                                                         lang=lang)
    page = export.to_html(old, sites, lang="fr")
    assert "Aéroport le plus proche 25 km &gt; 22" in page
