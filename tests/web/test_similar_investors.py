""""Investors like you" (TECHVALLEY_PAST_INVESTORS): the result page, the API, the start."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.web.conftest import (
    HOSTILE_NAME,
    STAFF_EMAIL,
    STAFF_PASSWORD,
    add_staff,
    csrf_token,
    hostile_data_path,  # noqa: F401  (fixture)
    login,
    make_app,
)
from tests.web.shipped_like import PAST_INVESTORS, past_investors_path, write_past_investors  # noqa: F401
from valleys.errors import TechValleyError

CRM_FORM = {"activity": "CRM", "headcount": "300"}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def similar_app(tiny_data_path, past_investors_path, tmp_path):  # noqa: F811 (imported fixture)
    return make_app(tiny_data_path, tmp_path / "instance", TECHVALLEY_PAST_INVESTORS=str(past_investors_path))


def _post_match(client, **fields):
    data = {"csrf_token": csrf_token(client, "/match")}
    data.update(fields)
    response = client.post("/match", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def _section(page: str) -> str:
    match = re.search(r'<section class="similar-investors" id="similar-investors">(.*?)</section>', page, re.S)
    assert match, "no Investors like you section"
    return match.group(1)


def _rows(section: str, table_class: str) -> list[list[str]]:
    table = re.search(rf'<table class="{table_class}">.*?<tbody>(.*?)</tbody>', section, re.S).group(1)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]


def _expected(app, document: dict) -> dict:
    """What the engine says, computed directly (not through the web app)."""
    from matching.neighbours import similar_investors

    data = app.extensions["techvalley_data"]
    return similar_investors(document, PAST_INVESTORS, k=5, sites=data.table)


def test_hidden_by_default(app, client):
    page = _post_match(client, **CRM_FORM)
    assert "similar-investors" not in page and "Investors like you" not in page
    assert app.config["TECHVALLEY_PAST_INVESTORS"] is None
    body = client.post("/api/v1/shortlists", json={"activity": "CRM", "headcount": 300}).get_json()
    assert "similar_investors" not in body


def test_staff_see_the_five_nearest_their_zones_and_the_suggested_weights(similar_app):
    add_staff(similar_app)
    client = similar_app.test_client()
    login(client)
    section = _section(_post_match(client, **CRM_FORM))
    expected = _expected(similar_app, {"activity": "CRM", "headcount": 300})

    neighbours = _rows(section, "similar")
    assert len(neighbours) == 5
    assert [row[1] for row in neighbours] == [n["investor"] for n in expected["neighbours"]]
    assert neighbours[0][1:5] == ["Atlas Contact", "CRM", "300", "Casanearshore Park"]  # the same profile
    assert [row[4] for row in neighbours] == [n["chosen_name"] for n in expected["neighbours"]]
    assert 'href="/sites/casanearshore"' in section

    zones = _rows(section, "similar-zones")
    assert zones == [[z["name"], str(z["count"])] for z in expected["chosen_zones"]]

    weights = _rows(section, "suggested")
    assert len(weights) == len(expected["suggested_criteria"])
    assert weights[0][0] == "Labour force within the catchment"  # labelled, not the column name
    assert [row[1] for row in weights] == [
        "higher" if c["direction"] == "benefit" else "lower" for c in expected["suggested_criteria"]
    ]
    assert "&#34;criteria&#34;" in section or '"criteria"' in section  # the fragment to paste
    assert "Synthetic example" in section  # the file's header says it is synthetic


def test_anonymous_viewers_do_not_see_the_past_investors_names(similar_app):
    client = similar_app.test_client()
    page = _post_match(client, **CRM_FORM)
    section = _section(page)
    assert len(_rows(section, "similar")) == 5
    assert "name shown to staff only" in section
    for investor in PAST_INVESTORS:
        assert investor["name"] not in page
    assert "Casanearshore Park" in section  # the zones they chose are shown


def test_french(similar_app):
    client = similar_app.test_client()
    client.get("/match?lang=fr")
    section = _section(_post_match(client, **CRM_FORM))
    assert "Des investisseurs comme vous" in section
    assert "Exemple synthétique" in section
    assert "Poids suggérés" in section and "Les zones qu'ils ont choisies" in section
    assert "Investors like you" not in section and "Suggested weights" not in section
    # a French decimal comma in the distances and the weight shares
    assert re.search(r"<td>\d+,\d+</td>", section)
    assert re.search(r"<td>\d+\u202f%</td>", section)


def test_no_synthetic_notice_for_a_file_that_does_not_say_so(tiny_data_path, tmp_path):
    past = write_past_investors(tmp_path / "real.yaml", header="# Placements 2019-2025, AMDIE\n")
    app = make_app(tiny_data_path, tmp_path / "instance", TECHVALLEY_PAST_INVESTORS=str(past))
    assert app.extensions["techvalley_data"].past_investors.synthetic is False
    section = _section(_post_match(app.test_client(), **CRM_FORM))
    assert "Synthetic example" not in section
    # named "Synthetic ..." throughout, without a header: the file says so all the same
    renamed = [dict(p, name=f"Synthetic investor {i}") for i, p in enumerate(PAST_INVESTORS)]
    past = write_past_investors(tmp_path / "named.yaml", renamed, header="")
    app = make_app(tiny_data_path, tmp_path / "instance2", TECHVALLEY_PAST_INVESTORS=str(past))
    assert "Synthetic example" in _section(_post_match(app.test_client(), **CRM_FORM))


def test_hostile_names_are_escaped(hostile_data_path, tmp_path):  # noqa: F811 (imported fixture)
    hostile_investor = "<script>alert('investor')</script>"
    investors = [dict(p) for p in PAST_INVESTORS]
    investors[0]["name"] = hostile_investor
    investors[1]["chosen"] = "technopolis"  # the zone the hostile fixture renames
    past = write_past_investors(tmp_path / "hostile.yaml", investors)
    app = make_app(hostile_data_path, tmp_path / "instance", TECHVALLEY_PAST_INVESTORS=str(past))
    add_staff(app)
    client = app.test_client()
    login(client)
    page = _post_match(client, **CRM_FORM)
    section = _section(page)
    assert hostile_investor not in page and HOSTILE_NAME not in page
    assert "&lt;script&gt;alert(&#39;investor&#39;)&lt;/script&gt;" in section
    assert "&lt;img src=x onerror=alert(1)&gt;" in section


def test_api_gives_similar_investors_names_to_staff_only(similar_app):
    client = similar_app.test_client()
    response = client.post("/api/v1/shortlists", json={"name": "API CRM", "activity": "CRM", "headcount": 300})
    assert response.status_code == 201
    body = response.get_json()
    similar = body["similar_investors"]
    expected = _expected(similar_app, {"activity": "CRM", "headcount": 300})
    assert similar["k"] == 5 and similar["synthetic"] is True
    assert [n["chosen"] for n in similar["neighbours"]] == [n["chosen"] for n in expected["neighbours"]]
    assert all(n["investor"] is None for n in similar["neighbours"])
    assert similar["chosen_zones"] == expected["chosen_zones"]
    assert similar["suggested_criteria"] == expected["suggested_criteria"]
    assert "features" not in similar
    assert client.get(f"/api/v1/shortlists/{body['id']}").get_json()["similar_investors"] == similar

    add_staff(similar_app)
    credentials = base64.b64encode(f"{STAFF_EMAIL}:{STAFF_PASSWORD}".encode()).decode()
    staff = client.get(f"/api/v1/shortlists/{body['id']}", headers={"Authorization": f"Basic {credentials}"})
    assert [n["investor"] for n in staff.get_json()["similar_investors"]["neighbours"]] == [
        n["investor"] for n in expected["neighbours"]
    ]


def test_openapi_documents_the_optional_field(similar_app):
    document = similar_app.test_client().get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    declared = schemas["Shortlist"]["properties"]["similar_investors"]  # generated: optional
    assert {"$ref": "#/components/schemas/SimilarInvestors"} in declared["anyOf"]
    assert "similar_investors" not in schemas["Shortlist"]["required"]
    similar = schemas["SimilarInvestors"]
    body = similar_app.test_client().post("/api/v1/shortlists", json={"activity": "CRM", "headcount": 300}).get_json()
    # the response has what the document says, and nothing it does not describe
    assert set(similar["required"]) <= set(body["similar_investors"]) <= set(similar["properties"])
    neighbour = schemas[similar["properties"]["neighbours"]["items"]["$ref"].rsplit("/", 1)[-1]]
    for n in body["similar_investors"]["neighbours"]:
        assert set(neighbour["required"]) <= set(n) <= set(neighbour["properties"])


def test_saved_and_shared_pages_show_what_was_stored(similar_app):
    add_staff(similar_app)
    client = similar_app.test_client()
    login(client)
    page = _post_match(client, name="Saved CRM", **CRM_FORM)
    requirements = re.search(r'id="requirements" name="requirements" type="hidden" value="([^"]*)"', page).group(1)
    import html

    response = client.post("/match/save", data={"requirements": html.unescape(requirements),
                                                "csrf_token": csrf_token(client, "/match")})
    location = response.headers["Location"]
    saved = client.get(location).get_data(as_text=True)
    assert "Atlas Contact" in _section(saved)
    token = re.search(r'class="share" readonly value="[^"]*/s/([^"]+)"', saved).group(1)
    shared = similar_app.test_client().get(f"/s/{token}").get_data(as_text=True)
    assert "Atlas Contact" not in shared and "name shown to staff only" in _section(shared)


# --- a bad file stops the start, naming the file --------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "not found"),
        ("- name: A\n  chosen: [technopolis\n", "YAML syntax error"),
        ("name: not a list\n", "expected a YAML list"),
        ("- name: A\n  activity: CRM\n", "no chosen zone"),
        ("- name: A\n  chosen: atlantis\n", "'atlantis' is not a zone of the dataset"),
        ("- name: A\n  chosen: technopolis\n  criteria: [{column: x, direction: up}]\n", "direction"),
    ],
)
def test_a_bad_file_is_a_clear_startup_error(tiny_data_path, tmp_path, content, expected):
    path = tmp_path / "past.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(TechValleyError) as caught:
        make_app(tiny_data_path, tmp_path / "instance", TECHVALLEY_PAST_INVESTORS=str(path))
    message = str(caught.value)
    assert "TECHVALLEY_PAST_INVESTORS" in message and str(path) in message
    assert expected in message


def test_serve_with_a_bad_file_exits_2_with_the_message(tiny_data_path, tmp_path, monkeypatch):
    from web.cli import main

    path = tmp_path / "past.yaml"
    path.write_text("- name: A\n  chosen: atlantis\n", encoding="utf-8")
    monkeypatch.setenv("TECHVALLEY_PAST_INVESTORS", str(path))
    monkeypatch.setenv("TECHVALLEY_INSTANCE", str(tmp_path / "instance"))
    result = CliRunner().invoke(main, ["serve", "--data", str(tiny_data_path), "--port", "1"])
    assert result.exit_code == 2, result.output
    assert "Error: TECHVALLEY_PAST_INVESTORS" in result.output and str(path) in result.output
    assert "atlantis" in result.output and "Traceback" not in result.output


@pytest.mark.slow
def test_the_shipped_example_loads_on_the_shipped_dataset_and_says_synthetic(tmp_path):
    # in a child process: the shipped dataset is large, keep it out of this process's memory
    example = ROOT / "geodata" / "examples" / "PAST_INVESTORS.yaml"
    script = (
        "from web import create_app\n"
        f"app = create_app({{'TECHVALLEY_INSTANCE': {str(tmp_path)!r}, 'TESTING': True,\n"
        f"    'TECHVALLEY_RATELIMIT_ENABLED': False, 'WTF_CSRF_ENABLED': False,\n"
        f"    'TECHVALLEY_PAST_INVESTORS': {str(example)!r}}})\n"
        "assert app.extensions['techvalley_data'].past_investors.synthetic\n"
        "page = app.test_client().post('/match', data={'activity': 'BPO', 'headcount': '400'}).get_data(as_text=True)\n"
        "assert 'Investors like you' in page and 'Synthetic example' in page, page[-3000:]\n"
        "print('ok', page.count('<tr><td>'))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("ok")


def test_on_a_zones_only_dataset(tiny_zones_only_path, past_investors_path, tmp_path):  # noqa: F811
    app = make_app(tiny_zones_only_path, tmp_path / "instance", TECHVALLEY_PAST_INVESTORS=str(past_investors_path))
    client = app.test_client()
    section = _section(_post_match(client, weight_rent="3", headcount="300"))
    assert len(_rows(section, "similar")) == 5
    body = client.post("/api/v1/shortlists", json={"criteria": [
        {"column": "area_ha", "direction": "benefit", "weight": 1}]}).get_json()
    # no headcount: compared at the past investors' median size, and said so
    assert any("median size" in note for note in body["similar_investors"]["notes"])
