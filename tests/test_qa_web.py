"""QA: the web app and JSON API as investors, staff and API clients use them, fed bad input.

The house rule: no 500 for bad input (400/413/422/404 with ``{"error", "details"}`` on the API),
user text never raw in a page, every zone once in a shortlist's machine formats. A test marked
``xfail(strict=True)`` asserts the correct behaviour of a bug found in QA: it fails until the
owner fixes it (then remove the marker).
"""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path

import pytest

from tests.web.conftest import add_staff, csrf_token, login, make_app, shortlist_body

TINY_IDS = ["technopolis", "casanearshore", "technopark-casa", "technopark-rabat", "ctv"]
HOSTILE = ["<img src=x onerror=alert(1)>", "{{7*7}}", "</script><script>alert(3)</script>", "a & b", "x"]
RAW = ["<img src=x onerror", "</script><script>alert(3)", ">49<"]


@pytest.fixture(scope="module")
def qa_app(tmp_path_factory):
    tiny = Path(__file__).parent / "fixtures" / "tiny"
    return make_app(tiny, tmp_path_factory.mktemp("qa-instance"))


@pytest.fixture
def api(qa_app):
    return qa_app.test_client()


@pytest.fixture(scope="module")
def form_app(tmp_path_factory):
    """The tiny dataset, forms without CSRF (the CSRF rule has its own tests)."""
    tiny = Path(__file__).parent / "fixtures" / "tiny"
    return make_app(tiny, tmp_path_factory.mktemp("qa-forms"), WTF_CSRF_ENABLED=False)


@pytest.fixture(scope="module")
def odd_ids_path(tmp_path_factory):
    """The tiny dataset with non-ASCII, URL-unsafe and hostile ids and names."""
    import geopandas as gpd

    tiny = Path(__file__).parent / "fixtures" / "tiny"
    root = tmp_path_factory.mktemp("odd-ids")
    for path in tiny.glob("*.geojson"):
        (root / path.name).write_bytes(path.read_bytes())
    zones = gpd.read_file(tiny / "zones.geojson")
    zones["id"] = ["فاس", "tétouan", "日本", "a/b", "e#f"]
    zones["name"] = HOSTILE
    zones.to_file(root / "zones.geojson", driver="GeoJSON")
    return root


@pytest.fixture(scope="module")
def odd_app(odd_ids_path, tmp_path_factory):
    return make_app(odd_ids_path, tmp_path_factory.mktemp("qa-odd"))


def assert_api_error(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert isinstance(body, dict) and set(body) >= {"error", "details"}, body
    assert isinstance(body["details"], list)
    return body


# --------------------------------------------------------------------------------------------
# Bugs found in QA, fixed: each test guards its fix
# --------------------------------------------------------------------------------------------

SEED_REASON = ("QA: robustness.seed < 0 passes the schema (matching/requirements.py:180) and numpy's "
               "default_rng raises ValueError (matching/robustness.py:234): 500")


def test_api_negative_seed_is_422(api):
    response = api.post("/api/v1/shortlists", json=shortlist_body(robustness={"draws": 10, "seed": -1}))
    body = assert_api_error(response, 422)
    assert "seed" in json.dumps(body)


def test_match_form_negative_seed_is_422(form_app):
    text = json.dumps(shortlist_body(robustness={"draws": 10, "seed": -1}))
    response = form_app.test_client().post("/match", data={"requirements_text": text})
    assert response.status_code == 422
    assert "seed" in response.get_data(as_text=True)


def test_export_negative_seed_is_not_500(form_app):
    text = json.dumps(shortlist_body(robustness={"draws": 10, "seed": -1}))
    response = form_app.test_client().post("/match/export/csv", data={"requirements": text})
    assert response.status_code in (400, 422)


def test_save_negative_seed_is_not_500(form_app):
    add_staff(form_app, email="saver@amdie.example")
    client = form_app.test_client()
    login_response = client.post("/staff/login", data={"email": "saver@amdie.example", "password": "correct horse battery"})
    assert login_response.status_code == 302
    text = json.dumps(shortlist_body(robustness={"draws": 10, "seed": -1}))
    assert client.post("/match/save", data={"requirements": text}).status_code in (400, 422)


def test_api_huge_weights_are_refused_or_normalised(api):
    criteria = [{"column": "rent_mad_m2_month", "direction": "cost", "weight": 1e308},
                {"column": "airports_km", "direction": "cost", "weight": 1e308}]
    response = api.post("/api/v1/shortlists", json=shortlist_body(criteria=criteria))
    if response.status_code == 422:
        assert_api_error(response, 422)
        return
    assert response.status_code == 201
    result = response.get_json()
    assert result["weights"] == pytest.approx({"rent_mad_m2_month": 0.5, "airports_km": 0.5})
    assert len({z["rank"] for z in result["ranked"]}) > 1


@pytest.mark.parametrize(("field", "value"), [("headcount", True), ("floor_area_m2", True),
                                              ("criteria", [{"column": "rent_mad_m2_month",
                                                             "direction": "cost", "weight": "3"}])])
def test_api_wrong_json_types_are_422(api, field, value):
    assert_api_error(api.post("/api/v1/shortlists", json=shortlist_body(**{field: value})), 422)


def test_zone_id_with_slash_has_a_page(odd_app):
    client = odd_app.test_client()
    page = client.get("/").get_data(as_text=True)
    links = set(re.findall(r'/sites/[^"\'<\s\\]+', page))
    assert links, "the map links to no zone page"
    for link in links:
        assert client.get(link).status_code == 200, link


def test_bad_rate_limit_setting_is_refused(tmp_path):
    tiny = Path(__file__).parent / "fixtures" / "tiny"
    with pytest.raises(ValueError, match="TECHVALLEY_RATELIMIT_API"):
        make_app(tiny, tmp_path / "instance", TECHVALLEY_RATELIMIT_ENABLED=True,
                 TECHVALLEY_RATELIMIT_API="banana")


@pytest.mark.parametrize("criterion", ["status", "name"])
def test_api_text_criterion_422_has_details(api, criterion):
    body = shortlist_body(criteria=[{"column": criterion, "direction": "benefit", "weight": 1}])
    assert assert_api_error(api.post("/api/v1/shortlists", json=body), 422)["details"]


def test_api_integral_float_headcount_is_accepted(api):
    response = api.post("/api/v1/shortlists", json=shortlist_body(headcount=400.0))
    assert response.status_code == 201, response.get_data(as_text=True)[:300]
    assert response.get_json()["requirements"]["headcount"] == 400


@pytest.mark.parametrize("setting", ["TECHVALLEY_API_ROBUSTNESS_DRAWS", "TECHVALLEY_API_MAX_DRAWS"])
def test_negative_draws_setting_is_refused(tmp_path, setting):
    tiny = Path(__file__).parent / "fixtures" / "tiny"
    with pytest.raises(ValueError, match=setting):
        make_app(tiny, tmp_path / "instance", **{setting: -5})


# --------------------------------------------------------------------------------------------
# Guards: behaviour that is correct now
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ('{"a":', 400),
        ("", 400),
        ('{"name": NaN}', 400),
        ('{"name": Infinity}', 400),
        (b'{"name": "\xff"}', 400),
        ("[" * 100_000 + "]" * 100_000, 400),
        ('{"about":' * 5000 + "1" + "}" * 5000, 400),
        ("[1]", 422),
        ('"x"', 422),
        ("null", 422),
        ('{"name": "' + "x" * 300_000 + '"}', 413),
    ],
)
def test_api_malformed_bodies(api, data, status):
    response = api.post("/api/v1/shortlists", data=data, content_type="application/json")
    body = assert_api_error(response, status)
    if status == 400:
        assert body["details"]


@pytest.mark.parametrize(
    ("overrides", "where"),
    [
        ({"name": 5}, "name"),
        ({"headcount": "a"}, "headcount"),
        ({"headcount": -1}, "headcount"),
        ({"headcount": 1e308}, "headcount"),
        ({"salary_mad_month": "x"}, "salary_mad_month"),
        ({"activity": "XYZ"}, "activity"),
        ({"method": None}, "method"),
        ({"normalization": 5}, "normalization"),
        ({"robustness": "x"}, "robustness"),
        ({"robustness": {"draws": 10**12}}, "robustness.draws"),
        ({"robustness": {"draws": 1.5}}, "robustness.draws"),
        ({"constraints": [{}]}, "constraints[0]"),
        ({"constraints": [{"column": "rent_mad_m2_month", "op": "<=", "value": "abc"}]}, "constraints[0]"),
        ({"constraints": [{"column": "rent_mad_m2_month", "op": "~", "value": 1}]}, "constraints[0].op"),
        ({"constraints": [{"column": 5, "op": "<=", "value": 1}]}, "constraints[0].column"),
        ({"criteria": [None]}, "criteria[0]"),
        ({"criteria": [{"column": "geometry", "direction": "benefit", "weight": 1}]}, "geometry"),
        ({"criteria": [{"column": "rent_mad_m2_month", "direction": "up", "weight": 1}]}, "direction"),
        ({"criteria": [{"column": "rent_mad_m2_month", "direction": "cost", "weight": 0}]}, "weight"),
        ({"ahp": {"criteria": ["rent_mad_m2_month", "airports_km"], "matrix": [[1, 2]]}}, "square"),
        ({"ahp": {"criteria": ["nope", "airports_km"], "matrix": [[1, 2], [0.5, 1]]}}, "nope"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_api_invalid_requirements_are_422_with_details(api, overrides, where):
    body = assert_api_error(api.post("/api/v1/shortlists", json=shortlist_body(**overrides)), 422)
    assert where in json.dumps(body)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", ["/api/v1/sites", "/api/v1/shortlists", "/api/v1/shortlists/abc",
                                  "/api/v1/openapi.json"])
def test_api_wrong_methods_are_405_json(api, method, path):
    assert_api_error(api.open(path, method=method), 405)


@pytest.mark.parametrize("path", ["/", "/api/v1/sites", "/api/v1/openapi.json", "/match", "/compare",
                                  "/sites/technopolis", "/staff/login"])
def test_head_and_options_are_not_500(api, path):
    assert api.head(path).status_code == 200
    assert api.options(path).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/shortlists/nope", "/api/v1/shortlists/%00",
                                  "/api/v1/shortlists/" + "x" * 5000])
def test_api_unknown_ids_are_404_json(api, path):
    assert_api_error(api.get(path), 404)


@pytest.mark.parametrize("path", ["/sites/%00", "/sites/nope", "/s/%00", "/s/nope", "/s/nope/export/csv",
                                  "/compare?ids=nope", "/compare?ids=%00",
                                  "/compare?ids=" + ",".join(f"z{i}" for i in range(100))])
def test_unknown_ids_in_pages_are_404(api, path):
    assert api.get(path).status_code == 404


@pytest.mark.parametrize("query", ["", ",,,", ",".join(["technopolis"] * 100), "technopolis&ids=ctv"])
def test_compare_odd_queries(api, query):
    assert api.get("/compare?ids=" + query).status_code == 200


def test_compare_more_than_twelve_zones_is_422_on_the_shipped_dataset(tmp_path):
    from web import create_app

    app = create_app({"TECHVALLEY_INSTANCE": str(tmp_path / "instance"), "TECHVALLEY_RATELIMIT_ENABLED": False,
                      "TESTING": True})
    client = app.test_client()
    ids = [f["properties"]["id"] for f in client.get("/api/v1/sites").get_json()["features"]]
    assert len(ids) > 12
    assert client.get("/compare?ids=" + ",".join(ids)).status_code == 422
    assert client.get("/compare?ids=" + ",".join(ids[:12])).status_code == 200


@pytest.mark.parametrize("fmt", ["json", "table", "CSV", "xyz"])
def test_unknown_export_format_is_404(form_app, fmt):
    response = form_app.test_client().post(f"/match/export/{fmt}",
                                           data={"requirements": json.dumps(shortlist_body())})
    assert response.status_code == 404


@pytest.mark.parametrize("document", ["[1]", "null", '"x"', '{"criteria": "x"}', "{}", '{"a":'])
def test_export_bad_requirements_are_not_500(form_app, document):
    response = form_app.test_client().post("/match/export/csv", data={"requirements": document})
    assert response.status_code in (400, 422)


@pytest.mark.parametrize(
    "fields",
    [
        {"headcount": "abc"}, {"headcount": "-5"}, {"headcount": "1e400"}, {"max_rent": "nan"},
        {"max_rent": "inf"}, {"max_airport_km": "1,5"}, {"activity": "XYZ"}, {"weight_labour": "7"},
        {"requirements_text": "- a\n- b"}, {"requirements_text": "42"}, {"requirements_text": "a: [\n"},
        {"requirements_text": "\x00"}, {"requirements_text": "a: &a [*a]"},
        {"requirements_text": '!!python/object/apply:os.system ["echo hi"]'},
        {"requirements_text": "x" * 100_001},
    ],
)
def test_match_form_absurd_fields_are_422(form_app, fields):
    response = form_app.test_client().post("/match", data=fields)
    assert response.status_code == 422
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("name", HOSTILE[:3])
def test_match_form_hostile_project_name_is_escaped(form_app, name):
    response = form_app.test_client().post("/match", data={"activity": "BPO", "name": name})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for raw in RAW:
        assert raw not in page


def test_match_form_without_csrf_is_400(qa_app):
    assert qa_app.test_client().post("/match", data={"activity": "BPO"}).status_code == 400


def test_odd_ids_pages_escape_names_and_list_every_zone(odd_app):
    client = odd_app.test_client()
    ids = ["فاس", "tétouan", "日本", "a/b", "e#f"]
    paths = ["/", "/match", "/compare?ids=" + urllib.parse.quote(",".join(ids))]
    paths += ["/sites/" + urllib.parse.quote(i, safe="") for i in ids if "/" not in i]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        for raw in RAW:
            assert raw not in page, (path, raw)
    criteria = [{"column": "rent_mad_m2_month", "direction": "cost", "weight": 1}]
    response = client.post("/api/v1/shortlists", json=shortlist_body(name=HOSTILE[0], criteria=criteria,
                                                                      constraints=[]))
    assert response.status_code == 201
    result = response.get_json()
    listed = [z["id"] for z in result["ranked"]] + [z["id"] for z in result["excluded"]]
    assert sorted(listed) == sorted(ids)
    share = urllib.parse.urlsplit(result["url"]).path
    page = client.get(share).get_data(as_text=True)
    for raw in RAW:
        assert raw not in page
    geojson = json.loads(client.get(share + "/export/geojson").get_data(as_text=True))
    assert sorted(f["properties"]["id"] for f in geojson["features"]) == sorted(ids)


def test_staff_pages_escape_hostile_inquiry(tiny_data_path, tmp_path):
    app = make_app(tiny_data_path, tmp_path / "instance")
    add_staff(app)
    client = app.test_client()
    response = client.post("/sites/technopolis/inquiry", data={
        "name": HOSTILE[0], "email": "a@b.ma", "message": HOSTILE[2],
        "csrf_token": csrf_token(client, "/sites/technopolis")})
    assert response.status_code in (200, 302)
    assert login(client).status_code == 302
    page = client.get("/staff/inquiries").get_data(as_text=True)
    assert "&lt;img" in page or "\\u003cimg" in page
    for raw in RAW:
        assert raw not in page


def test_zones_only_app_serves_every_page(tiny_zones_only_path, tmp_path):
    app = make_app(tiny_zones_only_path, tmp_path / "instance")
    client = app.test_client()
    for path in ["/", "/match", "/compare?ids=technopolis,ctv", "/sites/ctv", "/api/v1/sites"]:
        assert client.get(path).status_code == 200, path
    body = {"name": "x", "criteria": [{"column": "area_ha", "direction": "benefit", "weight": 1}]}
    response = client.post("/api/v1/shortlists", json=body)
    assert response.status_code == 201
    result = response.get_json()
    assert sorted([z["id"] for z in result["ranked"]] + [z["id"] for z in result["excluded"]]) == sorted(TINY_IDS)
    unknown = {"name": "x", "criteria": [{"column": "airports_km", "direction": "cost", "weight": 1}]}
    assert_api_error(client.post("/api/v1/shortlists", json=unknown), 422)


@pytest.mark.parametrize("field", ["floor_area_m2", "salary_mad_month", "headcount"])
@pytest.mark.parametrize("number", ["1e400", "1e308"])
def test_api_absurd_magnitudes_are_422(api, field, number):
    """Infinity (JSON 1e400 parses as inf) and absurd sizes are refused naming the field."""
    text = json.dumps(shortlist_body(**{field: 1})).replace(f'"{field}": 1', f'"{field}": {number}')
    response = api.post("/api/v1/shortlists", data=text, content_type="application/json")
    assert field in json.dumps(assert_api_error(response, 422))


def test_too_many_draws_and_a_schema_problem_are_both_detailed(api):
    """One detail per problem: the service's draws limit does not hide the schema's problems."""
    body = shortlist_body(headcount="3", robustness={"draws": 10_000_000, "seed": 0})
    details = assert_api_error(api.post("/api/v1/shortlists", json=body), 422)["details"]
    assert any("headcount" in d for d in details) and any("robustness.draws" in d for d in details)


@pytest.mark.parametrize("setting", ["TECHVALLEY_SERVE_THREADS", "TECHVALLEY_SERVE_WORKERS"])
def test_zero_threads_or_workers_is_refused(tmp_path, setting):
    tiny = Path(__file__).parent / "fixtures" / "tiny"
    with pytest.raises(ValueError, match=setting):
        make_app(tiny, tmp_path / "instance", **{setting: 0})
