"""The suitability map: aggregated scores within the page budget, areas outlined, text escaped."""

from __future__ import annotations

import warnings

import h3
import pytest

from matching.suitability import suitability
from valleys import load_dataset
from web.suitability import overview_cells, suitability_map


@pytest.fixture(scope="module")
def tiny():
    return load_dataset("tests/fixtures/tiny")


def _result(dataset, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return suitability(dataset, **options)


def test_scores_are_aggregated_to_at_most_max_cells(tiny):
    result = _result(tiny, resolution=7, percentile=10)
    fine = overview_cells(result, max_cells=10_000)
    coarse = overview_cells(result, max_cells=20)
    assert len(coarse) <= 20 < len(fine)
    assert h3.get_resolution(h3.int_to_str(int(coarse.index[0]))) < 6
    assert coarse.max() == pytest.approx(result.grid["score"].max())


def test_the_map_draws_the_scores_and_the_areas(tiny):
    result = _result(tiny, resolution=6, percentile=10, top=3)
    parts = suitability_map(result, tiny, tiles=None, max_cells=50)
    assert 'data-map-kind="suitability"' in parts.html
    assert parts.script.count("techvalley.geoJson(") >= 3  # regions, scores, areas
    for area in result.to_json()["areas"]:
        assert area["id"] in parts.script
    assert len(parts.page().encode()) < 300_000


def test_names_reach_the_page_escaped(tiny):
    dataset = load_dataset("tests/fixtures/tiny")
    dataset.layers["regions"] = dataset.regions.assign(name="<script>alert(1)</script>")
    result = _result(dataset, resolution=6, percentile=10, top=2)
    assert result.areas["region"].iloc[0] == "<script>alert(1)</script>"
    page = suitability_map(result, dataset, tiles=None).page()
    assert "<script>alert(1)" not in page
    assert "\\u0026lt;script\\u0026gt;alert(1)" in page  # HTML-escaped, then JSON-escaped
