"""The header's EN/FR switch links to the same page with its query string, ``lang`` set; on a
posted result (no address to link to) it re-posts the requirement in the other language."""

from __future__ import annotations

import html
import json
import re

import pytest

from tests.web.conftest import app, client  # noqa: F401  (fixtures)


def switch_links(page: str) -> dict[str, str]:
    return {
        lang: html.unescape(href)
        for href, lang in re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', page)
    }


@pytest.mark.parametrize(
    "url, expected",
    [
        ("/compare?ids=technopolis&ids=ctv", "/compare?ids=technopolis&ids=ctv&lang=fr"),
        ("/compare?ids=technopolis,ctv&lang=en", "/compare?ids=technopolis%2Cctv&lang=fr"),
        ("/", "/?lang=fr"),
        ("/sites/technopolis", "/sites/technopolis?lang=fr"),
        # a path that holds an encoded "?" stays one path
        ("/sites/no%3Fsuch", "/sites/no%3Fsuch?lang=fr"),
    ],
)
def test_switch_keeps_the_page_and_its_query(client, url, expected):  # noqa: F811
    page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert switch_links(page) == {"fr": expected}


def test_switch_from_french_to_english(client):  # noqa: F811
    page = client.get("/compare?ids=ctv&lang=fr").get_data(as_text=True)
    assert switch_links(page) == {"en": "/compare?ids=ctv&lang=en"}
    # the choice is remembered: the next page without ?lang stays French
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)


# -- a posted result: the switch re-posts its requirement in the other language -------------------


def _repost_form(page: str, lang: str) -> dict[str, str]:
    """The switch's form to ``lang`` on a posted result page: its action and hidden fields."""
    match = re.search(
        r'<form class="inline lang-repost" method="post" action="([^"]+)">(.*?)</form>', page, re.S
    )
    assert match, "no language switch form on the posted result"
    assert f'data-lang="{lang}"' in match.group(2)
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', match.group(2))
    }
    return {"action": html.unescape(match.group(1)), **fields}


def ranked_rows(page: str) -> list[tuple[str, str]]:
    """(zone id, score) of each ranked row, the score's decimal mark made a point."""
    rows = re.findall(
        r'<tr data-id="([^"]+)">.*?<span class="score-value">([^<]*)</span>', page, re.S
    )
    return [(zid, score.replace(",", ".").strip()) for zid, score in rows]


FORM = {"name": "Atlas", "max_rent": "100", "weight_labour": "5", "weight_rent": "3",
        "weight_universities": "2", "french": "y"}


def posted_result(client, **fields) -> str:  # noqa: F811
    from tests.web.conftest import csrf_token

    data = {"csrf_token": csrf_token(client, "/match"), **(fields or FORM)}
    response = client.post("/match", data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_switch_on_a_posted_result_reshows_it_in_the_other_language(client):  # noqa: F811
    english = posted_result(client)
    assert '<html lang="en">' in english
    assert switch_links(english) == {}  # no link: it would open the empty form
    form = _repost_form(english, "fr")
    # the form's fields go again to /match, with a fresh CSRF token
    assert form["action"] == "/match?lang=fr"
    assert form["csrf_token"] and {k: v for k, v in form.items() if k in FORM} == FORM
    rows = ranked_rows(english)
    assert len(rows) >= 2
    # the tiny dataset has no distance to a university: the form says it was not scored
    assert "Nearest university (km) is not in this dataset: it was not scored" in html.unescape(english)

    french = client.post(form.pop("action"), data=form)
    assert french.status_code == 200
    page = french.get_data(as_text=True)
    assert '<html lang="fr">' in page and "Zones classées" in page
    # the same result: the same zones in the same order with the same scores, the same note
    assert ranked_rows(page) == rows
    assert "n'est pas dans ce jeu de données : ce critère n'a pas été noté" in html.unescape(page)
    back = _repost_form(page, "en")
    assert back["action"] == "/match?lang=en"
    # the choice is remembered for the next page, like the link switch
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)

    english_again = client.post(back.pop("action"), data=back).get_data(as_text=True)
    assert '<html lang="en">' in english_again and ranked_rows(english_again) == rows


def test_switch_on_a_result_of_a_requirements_document(client):  # noqa: F811
    text = "name: YAML project\ncriteria:\n  - {column: area_ha, direction: benefit, weight: 1}\n"
    english = posted_result(client, requirements_text=text)
    form = _repost_form(english, "fr")
    assert form["requirements_text"] == text
    french = client.post(form.pop("action"), data=form).get_data(as_text=True)
    assert '<html lang="fr">' in french and "YAML project" in french
    assert ranked_rows(french) == ranked_rows(english) and len(ranked_rows(english)) >= 2


def test_reweighted_result_keeps_its_weights_across_the_switch(client):  # noqa: F811
    from tests.web.test_match import _requirements_field

    english = posted_result(client)
    form = {"csrf_token": _repost_form(english, "fr")["csrf_token"], "requirements": _requirements_field(english)}
    document = json.loads(form["requirements"])
    columns = [crit["column"] for crit in document["criteria"]]
    weights = {f"w_{column}": "0" for column in columns}
    weights[f"w_{columns[-1]}"] = "100"
    reweighted = client.post("/match/reweight", data={**form, **weights})
    assert reweighted.status_code == 200
    page = reweighted.get_data(as_text=True)
    switch = _repost_form(page, "fr")
    assert switch["action"] == "/match/shown?lang=fr"
    french = client.post(switch.pop("action"), data=switch).get_data(as_text=True)
    assert ranked_rows(french) == ranked_rows(page)
    assert json.loads(switch["requirements"]) != document  # the new weights went along


@pytest.mark.parametrize(
    ("requirements", "status", "says"),
    [
        (None, 400, "requirements of this shortlist are missing"),
        ("{not json", 400, "not valid JSON"),
        ('{"criteria": [{"column": "colour", "weight": 1}]}', 422, "colour"),
    ],
)
def test_switch_repost_with_a_bad_requirement_says_what_is_wrong(client, requirements, status, says):  # noqa: F811
    from tests.web.conftest import csrf_token

    data = {"csrf_token": csrf_token(client, "/match")}
    if requirements is not None:
        data["requirements"] = requirements
    response = client.post("/match/shown?lang=en", data=data)
    assert response.status_code == status
    assert says in html.unescape(response.get_data(as_text=True))


def test_switch_repost_without_csrf_token_is_400(client):  # noqa: F811
    assert client.post("/match/shown?lang=fr", data={"requirements": "{}"}).status_code == 400


def test_switch_repost_is_rate_limited_like_the_match_form(tiny_data_path, tmp_path):
    from tests.web.conftest import make_app

    limited = make_app(tiny_data_path, tmp_path / "limited", WTF_CSRF_ENABLED=False,
                       TECHVALLEY_RATELIMIT_ENABLED=True, TECHVALLEY_RATELIMIT_API="2 per minute")
    limited_client = limited.test_client()
    codes = [limited_client.post("/match/shown?lang=fr", data={"requirements": "{}"}).status_code for _ in range(3)]
    assert codes[-1] == 429 and 429 not in codes[:2]
