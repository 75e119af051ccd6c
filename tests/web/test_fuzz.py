"""Many malformed bodies and forms: never a 500, always an error the caller can read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.conftest import make_app

FIXTURES = Path(__file__).parent.parent / "fixtures"
COLUMNS = ["rent_mad_m2_month", "airports_km", "catchment_labour_active", "area_ha", "name", "status", "nope"]


@pytest.fixture(scope="module")
def fuzz_client(tmp_path_factory):
    app = make_app(FIXTURES / "tiny", tmp_path_factory.mktemp("fuzz"), TECHVALLEY_API_ROBUSTNESS_DRAWS=5,
                   WTF_CSRF_ENABLED=False)
    return app.test_client()


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20), st.sampled_from(COLUMNS),
)
json_values = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=20,
)
constraint = st.fixed_dictionaries(
    {"column": st.sampled_from(COLUMNS), "op": st.sampled_from(["<", "<=", "==", "in", "not in", "~", 3]),
     "value": json_values},
    optional={"missing": st.sampled_from(["exclude", "worst", "ignore", 0])},
)
criterion = st.fixed_dictionaries(
    {"column": st.sampled_from(COLUMNS), "direction": st.sampled_from(["benefit", "cost", "up", None]),
     "weight": st.one_of(st.integers(-2, 6), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=3))},
    optional={"missing": st.sampled_from(["exclude", "worst", "zero"])},
)
requirements = st.fixed_dictionaries(
    {},
    optional={
        "name": json_values,
        "activity": st.sampled_from(["BPO", "ITO", "bpo", "XYZ", 7]),
        "headcount": st.one_of(st.integers(-5, 10**7), st.text(max_size=4)),
        "constraints": st.one_of(st.lists(constraint, max_size=3), json_values),
        "criteria": st.one_of(st.lists(criterion, max_size=4), json_values),
        "method": st.sampled_from(["topsis", "weighted_sum", "electre", None]),
        "normalization": st.sampled_from(["vector", "minmax", "sum", "none", "zscore"]),
        "robustness": st.one_of(st.fixed_dictionaries({"draws": st.integers(-3, 3000), "seed": json_values}), json_values),
        "ahp": json_values,
        "extra": json_values,
    },
)


def _check(response) -> None:
    assert response.status_code != 500, response.get_data(as_text=True)[:500]
    assert response.status_code in (201, 400, 413, 422)
    if response.status_code != 201:
        body = response.get_json()
        assert isinstance(body["error"], str) and body["error"]
        assert isinstance(body["details"], list)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(requirements, json_values))
def test_api_never_500_on_json(fuzz_client, body):
    _check(fuzz_client.post("/api/v1/shortlists", data=json.dumps(body), content_type="application/json"))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300))
def test_api_never_500_on_bytes(fuzz_client, raw):
    _check(fuzz_client.post("/api/v1/shortlists", data=raw, content_type="application/json"))


form_text = st.one_of(st.text(max_size=12), st.sampled_from(["", "0", "5", "-1", "1e400", "nan", "BPO", "y"]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fields=st.dictionaries(
        st.sampled_from(["name", "activity", "headcount", "max_rent", "max_airport_km", "french", "english",
                         "weight_labour", "weight_rent", "weight_airport", "weight_languages", "requirements_text"]),
        form_text, max_size=8,
    )
)
def test_match_form_never_500(fuzz_client, fields):
    response = fuzz_client.post("/match", data=fields)
    assert response.status_code in (200, 422), response.get_data(as_text=True)[:500]
