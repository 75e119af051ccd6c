"""What the app prepares once, at startup (web/data.py): the heavy map layers."""

from __future__ import annotations

from tests.web.conftest import make_app
from web.maps import geometry


def _count_coverage_simplifications(monkeypatch) -> list[int]:
    """Count the simplifications of coverages (the communes and regions: the slow ones)."""
    calls: list[int] = []
    original = geometry._simplified

    def counting(geoms, tolerance, *, coverage, **kwargs):
        if coverage:
            calls.append(len(geoms))
        return original(geoms, tolerance, coverage=coverage, **kwargs)

    monkeypatch.setattr(geometry, "_simplified", counting)
    return calls


def test_the_first_map_page_after_a_start_simplifies_nothing(tiny_data_path, tmp_path, monkeypatch):
    calls = _count_coverage_simplifications(monkeypatch)
    app = make_app(tiny_data_path, tmp_path / "instance")
    dataset = app.extensions["techvalley_data"].dataset
    # the start simplified the communes and the regions, once each
    assert sorted(calls) == sorted([len(dataset.communes), len(dataset.regions)])
    calls.clear()
    page = app.test_client().get("/")
    assert page.status_code == 200
    assert "communes" in page.get_data(as_text=True)
    assert calls == []  # the page reused what the start prepared
    assert app.test_client().get("/?lang=fr").status_code == 200
    assert calls == []


def test_a_start_without_communes_or_regions_prepares_nothing(tiny_zones_only_path, tmp_path, monkeypatch):
    calls = _count_coverage_simplifications(monkeypatch)
    app = make_app(tiny_zones_only_path, tmp_path / "instance")
    assert calls == []
    assert app.test_client().get("/").status_code == 200
