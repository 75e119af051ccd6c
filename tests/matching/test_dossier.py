"""The PDF dossier an officer hands over (issue 13): the CRM example on the shipped dataset."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import pytest

from matching import export
from matching.export.figures import MapPoint, draw_map
from matching.export.sections import citation_url

pytestmark = pytest.mark.slow

#: a '/'-rooted path, a Windows drive, or a data file's name
FILE_PATH = re.compile(r"(?:^|[\s(\"'])/[\w.-]+/|\b[A-Z]:\\|\.gpkg\b|\.geojson\b|/work\b")


@pytest.fixture(scope="module")
def crm() -> tuple[dict, object]:
    import valleys
    from matching.requirements import load_yaml
    from matching.shortlist import make_shortlist

    path = Path(__file__).parents[2] / "examples" / "crm.yaml"
    sites = valleys.site_features(valleys.load_dataset())
    return make_shortlist(load_yaml(path.read_text(encoding="utf-8")), sites), sites


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_crm_dossier_fits_nine_pages_opens_with_a_map_and_prints_no_file_path(crm, lang):
    result, sites = crm
    reader = pypdf.PdfReader(io.BytesIO(export.to_pdf(result, sites, lang=lang)))
    # a summary, a page for each of the first six zones, the rest on at most two
    assert len(result["ranked"]) >= 6  # the example the issue measured ranks six zones or more
    assert len(reader.pages) <= 9
    assert len(reader.pages[0].images) >= 1  # the map of the ranked zones
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert FILE_PATH.findall(text) == []
    # one page for each of the first six zones, each with its own map
    for entry in result["ranked"][:6]:
        page = next(p for p in reader.pages if f"{entry['rank']}. {entry['name']}" in p.extract_text())
        assert len(page.images) == 1


def test_the_dossier_gives_sources_in_full_with_links_and_zone_pages_name_their_keys(crm):
    from valleys.citations import read_sources

    result, sites = crm
    reader = pypdf.PdfReader(io.BytesIO(export.to_pdf(result, sites)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    first = str(sites.loc[result["ranked"][0]["id"], "source"]).split()[0]
    citation = dict(part.split(": ", 1) for part in
                    str(sites.loc[result["ranked"][0]["id"], "source_citations"]).split("; ")
                    if ": " in part)[first]
    assert f"Sources: {first}" in text  # on the zone page
    source = read_sources()[first]
    assert source.citation == citation  # the dataset cites the shipped list
    last_pages = (reader.pages[-2].extract_text() + reader.pages[-1].extract_text()).replace("\n", " ")
    # the closing list: the title, then the publisher and the address
    assert source.title[:30] in last_pages and source.publisher in last_pages
    assert "title read from the web address" in last_pages
    links = [a.get_object().get("/A", {}).get("/URI") for p in reader.pages for a in p.get("/Annots") or []]
    assert source.url in links and citation_url(citation) == source.url


def test_a_planned_or_developing_zone_page_says_it_is_not_all_built(crm):
    result, sites = crm
    developing = [e for e in result["ranked"] if sites.loc[e["id"], "status"] == "under_development"]
    assert developing, "the CRM example ranks a zone under development"
    text = "\n".join(p.extract_text() for p in
                     pypdf.PdfReader(io.BytesIO(export.to_pdf(result, sites))).pages)
    assert text.count("Under development: not all of it is built yet.") == len(developing)


def test_the_map_is_drawn_without_boundaries_and_refuses_nothing_to_draw():
    png = draw_map([MapPoint("1", -7.6, 33.5), MapPoint("2", -7.61, 33.5), MapPoint("", -5.0, 34.0, False)])
    assert png is not None and png.startswith(b"\x89PNG")
    assert draw_map([MapPoint("1", -7.6, 33.5)]) == draw_map([MapPoint("1", -7.6, 33.5)])  # no date inside
    assert draw_map([MapPoint("1", float("nan"), 33.5)]) is None
