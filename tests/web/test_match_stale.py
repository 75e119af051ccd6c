"""Unknown and out-of-date facts through the match form, on the shipped dataset.

The form's budget keeps a zone whose rent is unknown, or dated more than five years ago
(``rent_mad_m2_month_as_of``), ranks it and flags it "not checked, ask the operator"; the
result says how many zones were kept that way. A requirements document or the API, given the
same limit without ``missing``, excludes them (DESIGN.md, "Stale and unknown facts").
"""

from __future__ import annotations

import html
import json
import math
import re

import pytest

import valleys
from matching.constraints import fact_cutoff, today_in_morocco
from tests.web.conftest import csrf_token, make_app


@pytest.fixture(scope="module")
def shipped_app(tmp_path_factory):
    return make_app(valleys.default_data_path(), tmp_path_factory.mktemp("instance-stale"))


def _post(client, **fields):
    data = {"csrf_token": csrf_token(client, "/match")}
    data.update(fields)
    return client.post("/match", data=data)


def _rent_unknown_or_stale(app) -> dict[str, str | None]:
    """Operating zones of the shipped data whose rent is unknown (None) or out of date (its
    year), computed here from the zones and today's date, not from the engine."""
    sites = app.extensions["techvalley_data"].sites
    cutoff = fact_cutoff(today_in_morocco(), 5).isoformat()
    found: dict[str, str | None] = {}
    for _, row in sites.iterrows():
        if row.get("status") != "operating":
            continue
        rent, as_of = row.get("rent_mad_m2_month"), row.get("rent_mad_m2_month_as_of")
        if rent is None or (isinstance(rent, float) and math.isnan(rent)):
            found[str(row["name"])] = None
        elif isinstance(as_of, str) and as_of[:10] < cutoff[: len(as_of[:10])]:
            found[str(row["name"])] = as_of[:4]
    return found


def _ranked_rows(page: str) -> dict[str, str]:
    """The ranked table's rows by zone name (the name, its explanation and flags)."""
    table = page.split('<table class="ranked">', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.split(r"<tr[ >]", table)[2:]:  # the header's row, then one per zone
        name = re.search(r'<a href="/sites/[^"]+">([^<]+)</a>', row)
        assert name, row
        rows[html.unescape(name.group(1))] = row
    return rows


def test_a_budget_on_the_form_keeps_and_flags_every_zone_with_an_unknown_or_stale_rent(
        shipped_app):
    client = shipped_app.test_client()
    flagged = _rent_unknown_or_stale(shipped_app)
    assert len(flagged) >= 5 and any(year for year in flagged.values())  # both kinds shipped
    response = _post(client, max_rent="150")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    page = response.get_data(as_text=True)
    document = json.loads(html.unescape(re.search(
        r'name="requirements" type="hidden" value="([^"]*)"', page).group(1)))
    assert {"column": "rent_mad_m2_month", "op": "<=", "value": 150.0,
            "missing": "ignore"} in document["constraints"]
    rows = _ranked_rows(page)
    for name, year in flagged.items():
        assert name in rows, f"{name} is not ranked"
        text = html.unescape(rows[name])
        assert "not checked, ask the operator" in text, (name, text)
        if year:  # out of date: the value with its year, not a silent 90
            assert re.search(rf"Rent \d+ MAD/m²/month dates from {year}", text), (name, text)
    # the why table shows each stale rent with its year
    explain = page.split('<table class="explain">', 1)[1].split("</table>", 1)[0]
    for year in {y for y in flagged.values() if y}:
        assert f'<span class="dated" title="out of date">({year})</span>' in explain
    # the result says how many zones were kept without the rent checked
    kept = re.search(r"(\d+) of (\d+) zones kept without checking Rent \(MAD/m²/month\) ≤ 150",
                     html.unescape(page))
    assert kept and int(kept.group(1)) >= len(flagged)


def test_the_same_flags_in_french(shipped_app):
    client = shipped_app.test_client()
    client.get("/match?lang=fr")
    page = html.unescape(_post(client, max_rent="150").get_data(as_text=True))
    assert "valeur inconnue, non vérifiée, demandez à l'opérateur" in page
    assert re.search(r"date de \d{4} : non vérifié, demandez à l'opérateur", page)
    assert re.search(r"\d+ zones sur \d+ gardées sans vérifier Loyer", page)
    assert "ask the operator" not in page


def test_a_requirements_document_and_the_api_still_exclude_by_default(shipped_app):
    client = shipped_app.test_client()
    flagged = _rent_unknown_or_stale(shipped_app)
    body = {"constraints": [{"column": "rent_mad_m2_month", "op": "<=", "value": 150}],
            "criteria": [{"column": "catchment_labour_active", "direction": "benefit"}]}
    result = client.post("/api/v1/rank", json=body).get_json()
    excluded = {z["name"]: z for z in result["excluded"]}
    for name, year in flagged.items():
        assert name in excluded, name
        reasons = excluded[name]["reasons"]
        if year:
            assert any(f"dates from {year}: out of date" in r for r in reasons), reasons
            assert excluded[name]["dated"] == {"rent_mad_m2_month": excluded[name]["dated"][
                "rent_mad_m2_month"]}
        else:
            assert "rent_mad_m2_month missing" in reasons
    # a longer horizon counts the 2007 launch price again (and a bad one is a clear 422)
    lenient = client.post("/api/v1/rank", json={**body, "max_fact_age_years": 100}).get_json()
    assert not any("out of date" in r for z in lenient["excluded"] for r in z["reasons"])
    bad = client.post("/api/v1/rank", json={**body, "max_fact_age_years": 0})
    assert bad.status_code == 422
    assert "max_fact_age_years" in json.dumps(bad.get_json())


def test_the_form_refuses_nothing_new_and_an_activity_preset_keeps_unknown_statuses(
        shipped_app):
    client = shipped_app.test_client()
    response = _post(client, activity="CRM", max_rent="150", headcount="200")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    # the preset's status limit is not checked on a status dated more than five years ago
    assert re.search(r"Status uncertain dates from \d{4}: Status is one of operating or under "
                     r"development not checked", page)
