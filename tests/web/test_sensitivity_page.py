"""The result page shows the weight sensitivity table and its sentences, in the page's language."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import csrf_token


def _section(page: str) -> str:
    found = re.search(r'<section id="sensitivity"[^>]*>(.*?)</section>', page, re.DOTALL)
    assert found, "no sensitivity section"
    return found.group(1)


@pytest.mark.parametrize(("lang", "heading", "sentence"), [
    ("en", "How far each weight can move", r"would come first if .+ weighed (more|less) than "
                                           r"0\.\d+|stays first whatever the weight of"),
    ("fr", "chaque poids peut varier", r"passerait en tête si .+ pesait (plus|moins) "
                                                    r"de 0,\d+|reste en tête quel que soit"),
])
def test_the_result_page_shows_the_sensitivity_table(client, lang, heading, sentence):
    client.get(f"/?lang={lang}")
    response = client.post("/match", data={"csrf_token": csrf_token(client, "/match"),
                                           "name": "Atlas", "weight_labour": "5",
                                           "weight_rent": "3"})
    assert response.status_code == 200
    section = _section(response.get_data(as_text=True))
    assert heading in section
    assert re.search(sentence, section)
    rows = re.findall(r"<tr><td>([^<]+)</td>", section)
    assert rows  # one row per criterion, each by its label
    assert not [r for r in rows if "_" in r], rows  # never a column id
