"""The header's EN/FR switch links to the same page with its query string, ``lang`` set."""

from __future__ import annotations

import html
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
