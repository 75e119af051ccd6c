"""The zone page's sources (issue 13): the title is the link, the publisher and date follow it."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from tests.web.conftest import make_app, tiny_copy
from valleys.citations import read_sources


@pytest.fixture
def shipped_cited_app(tiny_data_path, tmp_path):
    """The tiny dataset whose first zone cites two sources of the shipped list, as the build does."""
    listed = read_sources()
    def edit(features: list[dict]) -> None:
        for feature in features:
            feature["properties"].update(source=None, source_citations=None)
        features[0]["properties"].update(
            source="S6 S14",
            source_citations=f"S6: {listed['S6'].citation}; S14: {listed['S14'].citation}")

    target = tiny_copy(tiny_data_path, tmp_path / "cited", edit)
    return make_app(target, tmp_path / "instance")


def _sources_list(page: str) -> str:
    start = page.index('<ul class="sources">')
    return page[start:page.index("</ul>", start)]


@pytest.mark.parametrize(("lang", "note"), [("en", "title read from the web address"),
                                            ("fr", "titre lu dans l'adresse web")])
def test_the_zone_page_links_each_source_by_its_title_with_publisher_and_date(shipped_cited_app, lang, note):
    s6, s14 = read_sources()["S6"], read_sources()["S14"]
    page = html_lib.unescape(shipped_cited_app.test_client().get(f"/sites/technopolis?lang={lang}")
                             .get_data(as_text=True))
    listed = _sources_list(page)
    link = re.search(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', listed)
    assert link is not None and link.groups() == (s6.url, s6.title)
    assert f"{s6.publisher}, {s6.date}" in listed  # the publisher and the year after the title
    assert s6.title_from == "address" and note in page
    # a source that is not a web page: its title as text, no link, its publisher after it
    assert s14.url == "" and f"{s14.title}" in listed and s14.publisher in listed
    assert listed.count("<a ") == 1


def test_a_citation_not_in_the_shipped_list_is_shown_as_it_is(tiny_data_path, tmp_path):
    target = tiny_copy(tiny_data_path, tmp_path / "own", lambda features: features[0]["properties"].update(
        source="S6", source_citations="S6: example.org/our-own-survey"))
    page = make_app(target, tmp_path / "instance").test_client().get("/sites/technopolis").get_data(as_text=True)
    listed = _sources_list(page)
    assert '<a href="https://example.org/our-own-survey"' in listed and "example.org/our-own-survey</a>" in listed
    assert read_sources()["S6"].title not in listed
