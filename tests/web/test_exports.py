"""Every export link of the result, saved and shared pages works, in every format, on the tiny
dataset and on one with only zones; the HTML export may run no script."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest

from tests.web.conftest import (
    HOSTILE_NAME,
    add_staff,
    csrf_token,
    hostile_data_path,  # noqa: F401  (fixture)
    login,
    make_app,
)
from web.shortlists import EXPORT_FORMATS

#: format -> (media type, how the file starts, what it must hold)
EXPECTED = {
    "csv": ("text/csv", b"rank,id,name", None),  # in the header line
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK", None),
    "geojson": ("application/geo+json", b"{", None),
    "pdf": ("application/pdf", b"%PDF", None),
    "html": ("text/html", b"<!doctype html>", b"Technopark Casablanca"),
}


def test_the_formats_offered_are_the_ones_checked_here():
    assert set(EXPORT_FORMATS) == set(EXPECTED)


def _check(response, fmt: str, *, lang: str = "en") -> None:
    mimetype, magic, holds = EXPECTED[fmt]
    assert response.status_code == 200, (fmt, response.get_data(as_text=True)[:300])
    assert response.mimetype == mimetype, fmt
    head = response.data.lstrip()[:100].lower()
    assert (magic in head.split(b"\n", 1)[0]) if fmt == "csv" else head.startswith(magic.lower()), (fmt, head)
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and disposition.endswith(f'.{fmt}"'), disposition
    if holds is not None:
        assert holds in response.data
    if fmt == "html":
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'none'" in policy and "default-src 'none'" in policy and "sandbox" in policy
        assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
        assert b"<script" not in response.data.lower()
        assert f'<html lang="{lang}"'.encode() in response.data
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8"))))
        assert {r["id"] for r in rows} >= {"technopark-casa"}
    if fmt == "geojson":
        assert json.loads(response.data)["type"] == "FeatureCollection"


def _requirements_field(page: str) -> str:
    match = re.search(r'id="requirements" name="requirements" type="hidden" value="([^"]*)"', page)
    assert match, "no requirements field"
    return html.unescape(match.group(1))


def _walk_export_links(app, *, lang: str = "en") -> dict[str, int]:
    """Follow every export link on the three pages; return how many were followed per page."""
    add_staff(app)
    staff = app.test_client()
    login(staff)
    if lang != "en":
        staff.get(f"/match?lang={lang}")
    followed = {}

    # the result of the form: export buttons post the requirement back
    page = staff.post("/match", data={"csrf_token": csrf_token(staff, "/match"), "name": "Exports",
                                      "weight_rent": "3"})
    assert page.status_code == 200, page.get_data(as_text=True)
    page = page.get_data(as_text=True)
    actions = re.findall(r'<form class="inline" method="post" action="(/match/export/([a-z]+))">', page)
    assert {fmt for _, fmt in actions} == set(EXPORT_FORMATS)
    requirements = _requirements_field(page)
    for action, fmt in actions:
        _check(staff.post(action, data={"requirements": requirements, "csrf_token": csrf_token(staff, "/match")}),
               fmt, lang=lang)
    followed["result"] = len(actions)

    # the saved shortlist (staff)
    response = staff.post("/match/save", data={"requirements": requirements, "csrf_token": csrf_token(staff, "/match")})
    assert response.status_code == 302
    saved = staff.get(response.headers["Location"]).get_data(as_text=True)
    links = re.findall(r'<a href="(/shortlists/[0-9a-f]{32}/export/([a-z]+))">', saved)
    assert {fmt for _, fmt in links} == set(EXPORT_FORMATS)
    for href, fmt in links:
        _check(staff.get(href), fmt, lang=lang)
    followed["saved"] = len(links)

    # the share link, logged out
    token = re.search(r'class="share" readonly value="[^"]*/s/([^"]+)"', saved).group(1)
    anonymous = app.test_client()
    if lang != "en":
        anonymous.get(f"/s/{token}?lang={lang}")
    shared = anonymous.get(f"/s/{token}").get_data(as_text=True)
    links = re.findall(r'<a href="(/s/[^"/]+/export/([a-z]+))">', shared)
    assert {fmt for _, fmt in links} == set(EXPORT_FORMATS)
    for href, fmt in links:
        _check(anonymous.get(href), fmt, lang=lang)
    followed["shared"] = len(links)
    return followed


def test_every_export_link_works(app):
    assert _walk_export_links(app) == dict.fromkeys(("result", "saved", "shared"), len(EXPORT_FORMATS))


def test_every_export_link_works_in_french(app):
    assert _walk_export_links(app, lang="fr") == dict.fromkeys(("result", "saved", "shared"), len(EXPORT_FORMATS))


def test_every_export_link_works_on_a_zones_only_dataset(zones_only_app):
    assert _walk_export_links(zones_only_app) == dict.fromkeys(("result", "saved", "shared"), len(EXPORT_FORMATS))


def test_html_export_escapes_a_hostile_zone_name(hostile_data_path, tmp_path):  # noqa: F811 (imported fixture)
    app = make_app(hostile_data_path, tmp_path / "instance")
    client = app.test_client()
    page = client.post("/match", data={"csrf_token": csrf_token(client, "/match"), "weight_labour": "5"})
    requirements = _requirements_field(page.get_data(as_text=True))
    response = client.post("/match/export/html", data={"requirements": requirements,
                                                       "csrf_token": csrf_token(client, "/match")})
    assert response.status_code == 200
    assert HOSTILE_NAME.encode() not in response.data
    assert b"&lt;img src=x onerror=alert(1)&gt;" in response.data


def test_revoked_and_unknown_exports(app):
    add_staff(app)
    staff = app.test_client()
    login(staff)
    created = staff.post("/api/v1/shortlists", json={"name": "R", "criteria": [
        {"column": "area_ha", "direction": "benefit", "weight": 1}]}).get_json()
    token = created["url"].rsplit("/s/", 1)[1]
    assert app.test_client().get(f"/s/{token}/export/html").status_code == 200
    assert app.test_client().get(f"/s/{token}/export/docx").status_code == 404
    assert staff.get(f"/shortlists/{created['id']}/export/htm").status_code == 404
    saved = staff.get(f"/shortlists/{created['id']}").get_data(as_text=True)
    assert staff.post(f"/shortlists/{created['id']}/revoke",
                      data={"csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', saved).group(1)}
                      ).status_code == 302
    assert app.test_client().get(f"/s/{token}/export/html").status_code == 410
    assert staff.get(f"/shortlists/{created['id']}/export/html").status_code == 200  # staff keep it


@pytest.mark.parametrize("fmt", sorted(EXPECTED))
def test_exports_of_a_result_with_similar_investors(tiny_data_path, tmp_path, fmt):
    from tests.web.shipped_like import write_past_investors

    past = write_past_investors(tmp_path / "past.yaml")
    app = make_app(tiny_data_path, tmp_path / "instance", TECHVALLEY_PAST_INVESTORS=str(past))
    client = app.test_client()
    created = client.post("/api/v1/shortlists", json={"activity": "CRM", "headcount": 300}).get_json()
    assert "similar_investors" in created
    token = created["url"].rsplit("/s/", 1)[1]
    _check(client.get(f"/s/{token}/export/{fmt}"), fmt)
