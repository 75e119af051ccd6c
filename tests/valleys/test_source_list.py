"""The fact sheet's source list (geodata/facts/sources.csv): a title, a publisher, a date and an
https address for each source (issue 13)."""

from __future__ import annotations

import re
import shutil
from urllib.parse import urlsplit

import pandas as pd
import pytest

from valleys.citations import SOURCE_COLUMNS, TITLE_ORIGINS, read_sources
from valleys.errors import DatasetError
from valleys.paths import FACTS_DIR


@pytest.fixture(scope="module")
def listed() -> pd.DataFrame:
    return pd.read_csv(FACTS_DIR / "sources.csv", dtype="string", keep_default_na=False)


def test_every_source_has_a_title_a_publisher_and_says_where_its_title_comes_from(listed):
    assert tuple(listed.columns) == SOURCE_COLUMNS
    assert listed["key"].is_unique
    for row in listed.itertuples():
        assert row.title.strip() and row.publisher.strip(), row.key
        assert row.title_from in TITLE_ORIGINS, row.key


def test_every_url_is_an_https_address_and_every_date_an_iso_date_or_year(listed):
    with_url = listed[listed["url"] != ""]
    assert len(with_url) >= 30  # most of the fact sheet is web pages
    for row in with_url.itertuples():
        parts = urlsplit(row.url)
        assert parts.scheme == "https" and parts.netloc and " " not in row.url, row.key
        # the address is the one the fact sheet cites (the first one, when it cites several)
        assert parts.netloc in row.citation, row.key
    for row in listed[listed["date"] != ""].itertuples():
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", row.date), row.key
        assert row.date[:4] in row.citation, row.key  # a date only where the source gives it


def test_non_web_sources_have_no_address_and_keep_a_readable_title(listed):
    by_key = listed.set_index("key")
    assert by_key.at["S14", "url"] == "" and by_key.at["S14", "date"] == "2010"
    assert by_key.at["A1", "url"] == "" and "OpenFlights" in by_key.at["A1", "title"]
    assert by_key.at["I11", "title"] == "Morocco signs three deals to strengthen digital offshoring"
    assert by_key.at["S19", "publisher"] == "Les Echos (via Maghress)"


def test_a_broken_source_list_names_each_problem_by_line_and_column(tmp_path):
    shutil.copy(FACTS_DIR / "sources.csv", tmp_path / "sources.csv")
    frame = pd.read_csv(tmp_path / "sources.csv", dtype="string", keep_default_na=False)
    frame.loc[0, "title"] = ""
    frame.loc[1, "url"] = "challenge.ma/x"
    frame.loc[2, "date"] = "June 2013"
    frame.loc[3, "title_from"] = "guess"
    frame.to_csv(tmp_path / "sources.csv", index=False)
    with pytest.raises(DatasetError) as caught:
        read_sources(tmp_path)
    details = caught.value.details
    assert "sources.csv line 2 (key 'S1'), column title: empty" in details
    assert "sources.csv line 3 (key 'S2'), column url: 'challenge.ma/x' is not an https:// address" in details
    assert any(d.startswith("sources.csv line 4 (key 'S3'), column date: 'June 2013'") for d in details)
    assert any(d.startswith("sources.csv line 5 (key 'S4'), column title_from: 'guess'") for d in details)
    assert len(details) == 4


def test_the_build_still_resolves_keys_to_the_fact_sheets_citations():
    from valleys.build import read_source_citations

    citations = read_source_citations()
    assert citations == {k: s.citation for k, s in read_sources().items()}
    assert citations["S14"] == "MAP dispatch, 2010"
