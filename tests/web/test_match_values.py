"""The match form's value-function choice per criterion (issue 12): preset by the activity,
set in the form, refused when unknown."""

from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from matching.presets import preset
from tests.web.conftest import csrf_token


def _post_match(client, **fields):
    data = {"csrf_token": csrf_token(client, "/match")}
    data.update(fields)
    return client.post("/match", data=data)


def _doc(app, fields, activity_preset=None):
    from web.forms import MatchForm, requirements_from_form

    columns = list(app.extensions["techvalley_data"].columns)
    with app.test_request_context():
        form = MatchForm(MultiDict(fields), meta={"csrf": False})
        assert form.validate(), form.errors
        return requirements_from_form(form, columns=columns, preset=activity_preset)[0]


def test_form_page_has_a_value_choice_per_criterion(client):
    page = client.get("/match").get_data(as_text=True)
    for field in ("value_labour", "value_rent", "value_airport", "value_universities",
                  "value_languages"):
        assert f'name="{field}"' in page
    assert '<option value="log">logarithmic</option>' in page
    french = client.get("/match?lang=fr").get_data(as_text=True)
    assert "logarithmique" in french or "logarithmic" not in french


def test_weights_from_the_form_keep_the_presets_value_functions(app):
    doc = _doc(app, {"activity": "CRM", "weight_labour": "5", "weight_airport": "2"},
               preset("CRM"))
    values = {c["column"]: c.get("value") for c in doc["criteria"]}
    assert values == {"catchment_labour_active": "log", "airports_km": "linear"}


def test_a_value_chosen_in_the_form_replaces_the_presets(app):
    doc = _doc(app, {"activity": "CRM", "value_labour": "linear", "french": "y",
                     "value_languages": "log"}, preset("CRM"))
    by_column = {c["column"]: c for c in doc["criteria"]}
    assert by_column["catchment_labour_active"]["value"] == "linear"
    assert by_column["catchment_french_literate_pct"]["value"] == "log"
    # without weights the preset's criteria are kept, with their other value functions
    assert by_column["rent_mad_m2_month"]["value"] == "linear"


def test_a_value_chosen_with_an_activity_and_nothing_else_copies_the_presets_criteria(app):
    activity = {"constraints": [], "criteria": [
        {"column": "airports_km", "direction": "cost", "value": "threshold", "floor": 60.0,
         "target": 10.0, "weight": 3},
        {"column": "rent_mad_m2_month", "direction": "cost", "value": "linear", "weight": 2}]}
    doc = _doc(app, {"activity": "ITO", "value_airport": "log"}, activity)
    assert doc["criteria"] == [
        {"column": "airports_km", "direction": "cost", "value": "log", "weight": 3},  # no bounds
        {"column": "rent_mad_m2_month", "direction": "cost", "value": "linear", "weight": 2}]
    assert activity["criteria"][0]["value"] == "threshold"  # the preset is left as it was


def test_the_form_ranks_with_a_chosen_value_function(client):
    response = _post_match(client, weight_labour="5", weight_rent="2", value_labour="log")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Ranked zones" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["cubic", "threshold", "none"])
def test_an_unknown_value_choice_is_refused_by_the_form(client, value):
    response = _post_match(client, weight_labour="5", value_labour=value)
    assert response.status_code == 422
    assert re.search(r'<div class="field invalid">\s*<label for="value_labour"',
                     response.get_data(as_text=True))
