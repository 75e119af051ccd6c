"""The zone profile (key figures, catchment against the country, sources, status warning, its
one-page PDF) and the comparison (key rows first, best marked, the rest folded, downloads)."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pypdf
import pytest

from tests.web.conftest import make_app, tiny_copy
from web import compare, profile


@pytest.fixture
def cited_app(tiny_data_path, tmp_path):
    """The tiny dataset whose first zone cites two sources, one a web address, one hostile."""
    def edit(features: list[dict]) -> None:
        for feature in features:
            feature["properties"].update(source=None, source_citations=None)
        features[0]["properties"].update(
            source="S5 S9", source_citations=("S5: aujourdhui.ma/special/rabat-technopolis-95035; "
                                              "S9: <script>alert(1)</script> dispatch, 2010"))

    target = tiny_copy(tiny_data_path, tmp_path / "cited", edit)
    return make_app(target, tmp_path / "instance")


def test_the_zone_page_opens_with_key_figure_cards_stating_the_radius(client):
    html = client.get("/sites/technopolis").get_data(as_text=True)
    cards = html[html.index('<ul class="cards key-figures">'):]
    cards = cards[:cards.index("</ul>")]
    assert "Nearest airport</span>" in cards and "(km)" not in cards and "Labour force within the catchment" in cards
    assert f"within {profile.catchment_km():.0f} km" in cards
    french = client.get("/sites/technopolis?lang=fr").get_data(as_text=True)
    assert f"dans un rayon de {profile.catchment_km():.0f} km" in french


def test_the_zone_page_sets_its_catchment_against_the_country(client, app):
    from web.data import get_data

    with app.app_context():
        national = profile.national_shares(get_data().dataset)
        communes = get_data().dataset.communes
    assert national  # the tiny communes carry counts
    expected = 100 * communes["french_literate"].sum() / communes["population_10_plus"].sum()
    assert national["french_literate_pct"] == pytest.approx(expected)
    html = client.get("/sites/technopolis").get_data(as_text=True)
    assert 'class="chart chart-versus chart-wide"' in html and "chart-versus chart-narrow" in html


def test_sources_are_links_with_their_titles_and_a_hostile_citation_stays_text(cited_app):
    html = cited_app.test_client().get("/sites/technopolis").get_data(as_text=True)
    assert '<a href="https://aujourdhui.ma/special/rabat-technopolis-95035"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; dispatch, 2010" in html
    assert "<script>alert(1)" not in html


def test_a_zone_not_all_built_says_so_on_its_page(client):
    html = client.get("/sites/ctv").get_data(as_text=True)
    assert 'class="status-banner"' in html and "Under development: not all of it is built yet." in html
    assert 'class="status-banner"' not in client.get("/sites/technopolis").get_data(as_text=True)


def test_the_zone_profile_pdf_is_one_page_with_a_map(client):
    response = client.get("/zones/technopolis.pdf?lang=fr")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1 and len(reader.pages[0].images) == 1
    text = reader.pages[0].extract_text()
    assert "Technopolis Rabat-Shore" in text and "Chiffres clés" in text
    assert "/work" not in text and ".geojson" not in text
    assert client.get("/zones/nowhere.pdf").status_code == 404


def test_compare_puts_key_rows_first_marks_the_best_and_folds_the_rest(client):
    html = client.get("/compare?ids=technopolis,casanearshore,technopark-casa,technopark-rabat").get_data(as_text=True)
    key_table, _, rest = html.partition('<details class="compare-more">')
    assert "Rent (MAD/m²/month)" in key_table and rest  # the other facts are folded
    rent_row = key_table[key_table.index("Rent (MAD/m²/month)"):]
    rent_row = rent_row[:rent_row.index("</tr>")]
    cells = rent_row.split("<td")[1:]
    assert [("best" in c) for c in cells] == [False, False, True, False]  # 50 is the lowest rent
    assert html.count('<th scope="col"><a href="/sites/') == 2 * 4  # no zone dropped


def test_best_marks_nothing_when_all_are_equal_or_direction_is_unknown():
    zs = [{"id": "a", "values": {"rent_mad_m2_month": 90, "city": "x"}},
          {"id": "b", "values": {"rent_mad_m2_month": 90, "city": "y"}}]
    assert compare.best_ids(zs, "rent_mad_m2_month") == set() and compare.best_ids(zs, "city") == set()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_comparison_downloads_with_labels_and_numbers(client, fmt):
    response = client.get(f"/compare/export/{fmt}?ids=technopolis,casanearshore&lang=fr")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    if fmt == "csv":
        frame = pd.read_csv(io.BytesIO(response.data), index_col=0, encoding="utf-8-sig")
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.data))["comparison"]
        rows = list(sheet.iter_rows(values_only=True))
        frame = pd.DataFrame([r[1:] for r in rows[1:]], index=[r[0] for r in rows[1:]], columns=rows[0][1:])
    assert list(frame.columns) == ["Technopolis Rabat-Shore", "Casanearshore Park"]
    assert float(frame.loc["Loyer (MAD/m²/mois)", "Casanearshore Park"]) == 110
    assert frame.index[0] == "Statut" and frame.loc["Statut", "Technopolis Rabat-Shore"] == "en activité"


def test_a_bad_comparison_download_is_refused_clearly(client):
    assert client.get("/compare/export/pdf?ids=technopolis").status_code == 404
    assert client.get("/compare/export/csv").status_code == 422
    missing = client.get("/compare/export/csv?ids=technopolis,nowhere")
    assert missing.status_code == 404 and "nowhere" in missing.get_data(as_text=True)
