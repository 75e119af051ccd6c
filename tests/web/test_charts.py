"""The result page's charts, score bars, weight sliders and the investor-facing share page."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import HOSTILE_NAME, make_app, shortlist_body
from web import charts, weights

WIDTH = re.compile(r'<tr data-id="([^"]+)">.*?class="bar" style="width: ([\d.]+)%"', re.S)


def test_score_bars_are_proportional_never_capped():
    assert charts.bar_percent(0.823, 0.823) == 100.0
    assert charts.bar_percent(0.796, 0.823) < charts.bar_percent(0.823, 0.823)  # they differ
    assert charts.bar_percent(0.459, 0.823) == pytest.approx(55.8, abs=0.1)  # 56 %, not 78 %
    assert charts.bar_percent(-0.1, 0.8) == 0.0 and charts.bar_percent(float("nan"), 0.8) == 0.0


def _ranked_page(client, body=None):
    response = client.post("/api/v1/shortlists", json=body or shortlist_body())
    assert response.status_code == 201
    saved = response.get_json()
    path = re.sub(r"^https?://[^/]+", "", saved["url"])
    page = client.get(path)
    assert page.status_code == 200
    return saved, page.get_data(as_text=True)


def test_the_result_page_draws_each_bar_at_its_share_of_the_top_score(client):
    saved, html = _ranked_page(client)
    widths = {zid: float(w) for zid, w in WIDTH.findall(html)}
    scores = {z["id"]: z["score"] for z in saved["ranked"]}
    assert set(widths) == set(scores) and len(scores) >= 2
    top = max(scores.values())
    for zid, score in scores.items():
        assert widths[zid] == pytest.approx(100 * max(score, 0) / top, abs=0.06)


def test_the_contribution_chart_stacks_each_criterion_on_one_scale():
    zones = [{"id": "a", "name": "A", "contributions": {"x": 0.5, "y": 0.3}},
             {"id": "b", "name": HOSTILE_NAME, "contributions": {"x": 0.2, "y": 0.0}}]
    both = str(charts.contribution_chart(zones, ["x", "y"], label=str.upper, number=lambda v: f"{v:.2f}",
                                         title="parts"))
    wide, narrow = re.findall(r"<svg.*?</svg>", both)
    assert 'class="chart chart-contributions chart-wide"' in wide and "chart-narrow" in narrow
    for svg, first_y in ((wide, "4"), (narrow, "18")):
        rects = re.findall(r'<rect x="([\d.]+)" y="(\d+)" width="([\d.]+)" height="\d+" fill="(#[0-9a-f]{6})"><title>', svg)
        assert len(rects) == 3  # a zero part draws nothing
        a_widths = [float(w) for x, y, w, f in rects if y == first_y]
        b_widths = [float(w) for x, y, w, f in rects if y != first_y]
        assert sum(b_widths) / sum(a_widths) == pytest.approx(0.2 / 0.8, rel=1e-3)
        assert {f for *_, f in rects} == {charts.colour(0), charts.colour(1)}
        assert HOSTILE_NAME not in svg and "&lt;img" in svg


def test_the_phone_layout_puts_names_above_bars_that_span_its_width():
    zones = [{"id": "a", "name": "Technopolis Rabat-Shore", "contributions": {"x": 0.5}}]
    narrow = re.findall(r"<svg.*?</svg>", str(charts.contribution_chart(
        zones, ["x"], label=str, number=str, title="t")))[1]
    assert f'viewBox="0 0 {charts.NARROW_WIDTH} ' in narrow
    assert '<text x="0" y="12"><title>Technopolis Rabat-Shore</title>Technopolis Rabat-Shore</text>' in narrow
    assert re.search(r'<rect x="0.0" y="18" width="300.0"', narrow)  # the full bar from the left edge


def test_the_robustness_chart_splits_each_zone_into_first_top3_and_lower():
    assert charts.rank_shares({"p_first": 0.2, "p_top3": 0.9}) == (0.2, 0.7, 0.1)
    svg = str(charts.robustness_chart([{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
                                      {"a": {"p_first": 1.0, "p_top3": 1.0}, "b": {"mean_rank": 3}},
                                      words=("1", "2-3", "lower"), percent=lambda v: f"{v:.0%}", title="t"))
    assert svg.count("<rect") == 2 * (1 + 3)  # a's one full bar (b has no shares) + the legend, twice
    assert charts.robustness_chart([{"id": "a"}], {}, words=("1", "2", "3"), percent=str, title="t") == ""


def test_the_result_page_shows_both_charts_and_a_place_for_sensitivity(client):
    _, html = _ranked_page(client)
    for kind in ("contributions", "robustness"):
        assert f'class="chart chart-{kind} chart-wide"' in html
        assert f'class="chart chart-{kind} chart-narrow"' in html
    assert 'id="sensitivity"' in html
    assert "cdn" not in re.sub(r"<pre.*?</pre>", "", html, flags=re.S).lower()
    assert "/static/js/rerank.js" in html


def test_the_sliders_start_at_the_shortlists_weights_in_percent(client):
    saved, html = _ranked_page(client)
    sliders = dict(re.findall(r'name="w_([a-z0-9_]+)" min="0" max="100" step="1" value="(\d+)"', html))
    assert sliders == {c: str(round(100 * w)) for c, w in saved["weights"].items()}


def _reweight(client, html, **weights_by_column):
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    requirements = re.search(r'<form class="weights".*?name="requirements" type="hidden" value="([^"]*)"',
                             html, re.S).group(1)
    import html as html_lib

    data = {"csrf_token": token, "requirements": html_lib.unescape(requirements)}
    data.update({f"w_{c}": v for c, v in weights_by_column.items()})
    return client.post("/match/reweight", data=data)


def test_without_javascript_the_sliders_form_reranks_on_the_server(client):
    saved, html = _ranked_page(client)
    first = saved["ranked"][0]["id"]
    # all the weight on rent (a cost): the cheapest zone comes first
    response = _reweight(client, html, catchment_labour_active="0", rent_mad_m2_month="100", airports_km="0")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    ids = [zid for zid, _ in WIDTH.findall(page)]
    assert ids[0] == "technopark-casa" != first  # rent 50, the lowest


@pytest.mark.parametrize("value, said", [("abc", "'abc' is not a number from 0 to 100"),
                                          ("101", "'101' is not a number from 0 to 100"),
                                          ("nan", "'nan' is not a number")])
def test_a_bad_slider_value_is_refused_naming_the_criterion(client, value, said):
    _, html = _ranked_page(client)
    response = _reweight(client, html, rent_mad_m2_month=value)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "weight of rent_mad_m2_month" in text and said in text.replace("&#39;", "'")


def test_all_sliders_at_zero_is_refused(client):
    _, html = _ranked_page(client)
    response = _reweight(client, html, catchment_labour_active="0", rent_mad_m2_month="0", airports_km="0")
    assert response.status_code == 422
    assert "at least one criterion needs a weight above 0" in response.get_data(as_text=True)


def test_reweighting_a_preset_writes_its_criteria_out():
    document = weights.reweighted({"activity": "CRM"}, {"w_airports_km": "40"})
    columns = {c["column"]: c["weight"] for c in document["criteria"]}
    assert columns["airports_km"] == 40 and len(columns) > 1


def test_the_share_page_names_the_agency_and_carries_the_inquiry_form(tiny_data_path, tmp_path):
    app = make_app(tiny_data_path, tmp_path / "instance", TECHVALLEY_AGENCY_NAME="AMDIE <Invest>",
                   TECHVALLEY_AGENCY_CONTACT="invest@amdie.example")
    client = app.test_client()
    saved, html = _ranked_page(client)
    assert "Prepared for you by AMDIE &lt;Invest&gt;." in html and "invest@amdie.example" in html
    first = saved["ranked"][0]
    assert f'action="/sites/{first["id"]}/inquiry"' in html
    french = client.get(re.sub(r"^https?://[^/]+", "", saved["url"]) + "?lang=fr").get_data(as_text=True)
    assert "Préparé pour vous par AMDIE" in french


def test_an_under_development_zone_is_flagged_on_its_result_row(client):
    body = shortlist_body(constraints=[], criteria=[{"column": "area_ha", "direction": "benefit", "weight": 1}])
    _, html = _ranked_page(client, body)
    row = re.search(r'<tr data-id="ctv">.*?</tr>', html, re.S).group(0)
    assert "under development; not all built" in row
