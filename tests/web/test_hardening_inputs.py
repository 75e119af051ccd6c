"""The web app fed the hostile inputs of issue 9: a 4xx with a clear message, never a 500, and
the alias bomb answered at once."""

from __future__ import annotations

import html
import json
import tracemalloc

import pytest

from tests.web.conftest import make_app

ALIAS_BOMB = "\n".join(
    ["l0: &l0 [a, a, a, a, a, a, a, a, a]"]
    + [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 8)]
) + "\n"
RENT = {"column": "rent_mad_m2_month", "direction": "cost", "missing": "worst"}


@pytest.fixture
def client(tiny_data_path, tmp_path):
    return make_app(tiny_data_path, tmp_path / "instance", WTF_CSRF_ENABLED=False).test_client()


def problem_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def api_post(client, body: str):
    return client.post("/api/v1/shortlists", data=body, content_type="application/json")


# --------------------------------------------------------------------------------------------
# the match form's requirements box


def test_alias_bomb_in_the_requirements_box_is_a_422_at_once(client):
    tracemalloc.start()
    try:
        response = client.post("/match", data={"requirements_text": ALIAS_BOMB})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert response.status_code == 422
    assert ("requirements box, line 1, column 5: YAML anchors and aliases (here &l0) are not "
            "accepted") in problem_text(response)
    assert peak < 50_000_000  # the expansion was 3 GB
    assert len(response.data) < 100_000  # the answer was 948 MB


@pytest.mark.parametrize("depth", [300, 500])
def test_deep_documents_in_the_requirements_box_are_422(client, depth):
    deep_json = '{"name": ' + "[" * depth + "]" * depth + "}"
    response = client.post("/match", data={"requirements_text": deep_json})
    assert response.status_code == 422
    assert "requirements box is nested more than 32 levels deep (at name[0]" in problem_text(response)
    deep_yaml = "criteria: [{column: rent_mad_m2_month, direction: cost}]\nabout: " + "{a: " * depth + "1" + "}" * depth
    response = client.post("/match", data={"requirements_text": deep_yaml})
    assert response.status_code == 422
    assert "requirements box, line 2, column " in problem_text(response)
    assert "nested more than 32 levels deep" in problem_text(response)


def test_constraint_of_ten_to_the_309_in_the_requirements_box_is_422(client):
    text = ('{"constraints":[{"column":"rent_mad_m2_month","op":"<=","value": 1' + "0" * 309
            + '}], "criteria": [' + json.dumps(RENT) + "]}")
    response = client.post("/match", data={"requirements_text": text})
    assert response.status_code == 422
    assert ("constraints[0].value (column rent_mad_m2_month): 310-digit number is too large"
            in problem_text(response))


# --------------------------------------------------------------------------------------------
# the match form's number fields


@pytest.mark.parametrize("field", ["max_rent", "max_airport_km", "headcount"])
@pytest.mark.parametrize("value", ["sNaN", "-sNaN", "NaN", "Infinity", "-Infinity", "1e999"])
def test_number_fields_refuse_non_finite_values_as_field_errors(client, field, value):
    response = client.post("/match", data={field: value})
    assert response.status_code == 422
    page = problem_text(response)
    if value == "1e999" and field != "headcount":  # a finite Decimal: over the field's maximum
        assert "Number must be between 0 and" in page
    else:
        assert "Not a valid decimal value." in page or "Not a valid integer value." in page


# --------------------------------------------------------------------------------------------
# the JSON API


@pytest.mark.parametrize("depth", [300, 500])
def test_api_deep_json_is_422_naming_where(client, depth):
    response = api_post(client, '{"name": ' + "[" * depth + "]" * depth + "}")
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"].startswith("request body is nested more than 32 levels deep (at name[0]")
    response = api_post(client, '{"criteria": [' + json.dumps(RENT) + '], "about": '
                        + '{"a":' * depth + "1" + "}" * depth + "}")
    assert response.status_code == 422
    assert "(at about.a.a.a.a.a...)" in response.get_json()["error"]


def test_api_json_too_deep_for_python_is_400(client):
    response = api_post(client, "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400
    assert response.get_json()["details"] == ["the body is nested too deeply"]


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ({"constraints": [{"column": "rent_mad_m2_month", "op": "<=", "value": "HUGE"}]},
         "constraints[0].value (column rent_mad_m2_month): 310-digit number is too large"),
        ({"criteria": [{**RENT, "weight": "HUGE"}]},
         "criteria[0].weight (column rent_mad_m2_month): 310-digit number is too large"),
        ({"headcount": "HUGE"}, "headcount: Input should be less than or equal to 1000000"),
        ({"floor_area_m2": "HUGE"}, "floor_area_m2: 310-digit number is too large"),
        ({"salary_mad_month": "HUGE"}, "salary_mad_month: 310-digit number is too large"),
        ({"robustness": {"seed": "HUGE"}}, "robustness.seed: Input should be less than or equal to"),
        ({"robustness": {"draws": "HUGE"}}, "robustness.draws: Input should be less than or equal to"),
    ],
)
def test_api_integers_of_ten_to_the_309_are_422_naming_the_field(client, document, fragment):
    document = {"criteria": [RENT], **document}
    body = json.dumps(document).replace('"HUGE"', "1" + "0" * 309)
    response = api_post(client, body)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert any(fragment in detail for detail in response.get_json()["details"]), response.get_json()


def test_api_ahp_block_of_62000_criteria_is_422_with_a_short_answer(client):
    body = json.dumps({"ahp": {"criteria": ["a"] * 62_000, "matrix": [[1]]}}, separators=(",", ":"))
    assert len(body) < 256 * 1024  # under the body limit, as in the report
    # /rank computes without saving (an anonymous save is capped far lower)
    response = client.post("/api/v1/rank", data=body, content_type="application/json")
    assert response.status_code == 422
    assert len(response.data) < 2000
    assert any("at most 100 items" in d for d in response.get_json()["details"])


def test_a_shortlist_with_control_characters_in_its_name_exports_as_xlsx(client):
    import io

    import openpyxl

    document = {"name": "Acme\x01\x0bBPO", "criteria": [RENT]}
    response = client.post("/match/export/xlsx", data={"requirements": json.dumps(document)})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert "Acme\ufffd\ufffdBPO" in [c.value for row in workbook["assumptions"].iter_rows() for c in row]


def test_api_number_too_long_to_read_is_400_in_plain_words(client):
    response = api_post(client, '{"headcount": 1' + "0" * 5000 + "}")
    assert response.status_code == 400
    assert response.get_json()["details"] == ["a number is too long to read (more than 4300 digits)"]
