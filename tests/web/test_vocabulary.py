"""No person reads a column id, a raw enumeration value, ``true``/``false``, a method code or an
English engine sentence on a French page (nor an id or a raw value on an English one): the
visible text of the result page of the CRM example (computed, shared, and saved before
shortlists carried messages), every zone page, the comparison of every zone, the planning page
and the 404 pages, on the shipped-like dataset, is scanned."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from matching.i18n import CODES_AND_TEMPLATES, VALUE_LABELS, gettext
from tests.conftest import FIXTURES
from tests.web.conftest import add_staff, csrf_token, login, make_app
from tests.web.shipped_like import SHIPPED_COLUMNS

CRM = Path(__file__).resolve().parents[2] / "examples" / "crm.yaml"
LANGS = ("fr", "en")
#: method and normalisation codes (never shown as such)
CODES = ("topsis", "weighted_sum", "vector", "minmax")
#: the enumerations whose raw values a page must write as words
ENUMS = ("status", "incentive_zone_class", "direction", "missing", "method", "normalization")
BOOLEANS = ("True", "False", "true", "false")


class _Visible(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts (the maps' data), styles; nor the
    requirements document as given (``<pre>``) or the user's own text (``<textarea>``), which
    are the machine format, shown for copying."""

    SKIP = frozenset({"script", "style", "pre", "textarea"})

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.depth += tag in self.SKIP

    def handle_endtag(self, tag):
        self.depth -= tag in self.SKIP and self.depth > 0

    def handle_data(self, data):
        if not self.depth:
            self.chunks.append(data)


def visible(page: str) -> str:
    parser = _Visible()
    parser.feed(page)
    return " ".join(" ".join(parser.chunks).split())


def _word(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])")


def _english_fragments() -> list[str]:
    """The literal parts of every message's English template that its French template does
    not have (at least two words: a single word may be French too)."""
    fragments: set[str] = set()
    for template in CODES_AND_TEMPLATES.values():
        french = gettext(template, "fr")
        for part in re.split(r"%\(\w+\)s|\{\w+\}", template):
            part = part.strip(" :;,.()'\"")
            if len(part.split()) >= 2 and part not in french:
                fragments.add(part)
    return sorted(fragments)


def forbidden(lang: str, columns: list[str]) -> dict[str, list[str]]:
    """What a page in ``lang`` must not show, by kind."""
    words = {value: gettext(VALUE_LABELS[column][value], lang)
             for column in ENUMS for value in VALUE_LABELS[column]}
    # a code is shown as itself only where it is its own label ("vector" in English)
    codes = [code for code in CODES if words[code] != code]
    ids = [c for c in columns if "_" in c] + codes
    raw = sorted(value for value, word in words.items()
                 if word != value and (lang == "fr" or "_" in value or value in CODES))
    kinds = {"column id or code": ids, "raw value": raw}
    if lang == "fr":
        kinds["boolean"] = list(BOOLEANS)
        kinds["English sentence"] = _english_fragments()
    return kinds


def problems(text: str, kinds: dict[str, list[str]]) -> list[str]:
    """Each forbidden word or fragment ``text`` shows, with its kind."""
    found = []
    for kind, words in kinds.items():
        for word in words:
            hit = _word(word).search(text) if kind != "English sentence" else word in text
            if hit:
                found.append(f"{kind}: {word!r}")
    return found


@pytest.fixture(scope="module")
def vocabulary_app(tmp_path_factory):
    """The tiny dataset with the shipped zone columns, one staff member, one store."""
    root = tmp_path_factory.mktemp("vocabulary")
    data = root / "shipped_like"
    shutil.copytree(FIXTURES / "tiny", data)
    zones = json.loads((data / "zones.geojson").read_text(encoding="utf-8"))
    for feature in zones["features"]:
        feature["properties"].update(SHIPPED_COLUMNS[feature["properties"]["id"]])
    (data / "zones.geojson").write_text(json.dumps(zones), encoding="utf-8")
    app = make_app(data, root / "instance")
    add_staff(app)
    return app


@pytest.fixture(scope="module")
def columns(vocabulary_app) -> list[str]:
    from web.data import get_data

    with vocabulary_app.app_context():
        return [str(c) for c in get_data().sites.columns]


@pytest.fixture(scope="module")
def shared_urls(vocabulary_app) -> dict[str, str]:
    """The CRM example saved through the API (its share page), and the same saved as a
    shortlist was before it carried messages (only its English strings)."""
    client = vocabulary_app.test_client()
    body = yaml.safe_load(CRM.read_text(encoding="utf-8"))
    urls = {}
    for kind in ("saved", "saved_before_messages"):
        response = client.post("/api/v1/shortlists", json=body)
        assert response.status_code == 201, response.get_data(as_text=True)
        urls[kind] = "/s/" + response.get_json()["url"].rsplit("/s/", 1)[1]
    from web.extensions import db
    from web.models import Shortlist

    with vocabulary_app.app_context():
        token = urls["saved_before_messages"].rsplit("/", 1)[1]
        record = db.session.execute(db.select(Shortlist).filter_by(share_token=token)).scalar_one()
        record.result = _without_messages(record.result)
        db.session.commit()
    return urls


def _without_messages(value):
    if isinstance(value, dict):
        return {k: _without_messages(v) for k, v in value.items() if k != "messages"}
    if isinstance(value, list):
        return [_without_messages(v) for v in value]
    return value


def _pages(app, lang: str, urls: dict[str, str]) -> dict[str, tuple[int, str]]:
    """Every page the test reads, in ``lang``: name -> (status, HTML)."""
    client = app.test_client()
    client.get(f"/?lang={lang}")
    pages = {}
    response = client.post("/match", data={"csrf_token": csrf_token(client, "/match"),
                                           "requirements_text": CRM.read_text(encoding="utf-8")})
    pages["result of the CRM example"] = response
    for kind, url in urls.items():
        pages[f"CRM example {kind.replace('_', ' ')}"] = client.get(url)
    from web.data import get_data

    with app.app_context():
        ids = [str(i) for i in get_data().sites.index]
    for site_id in ids:
        pages[f"zone {site_id}"] = client.get(f"/sites/{site_id}")
    pages["compare every zone"] = client.get("/compare?ids=" + ",".join(ids))
    pages["404 of a zone"] = client.get("/sites/nowhere")
    pages["404 of an address"] = client.get("/no/such/page")
    login(client)
    pages["404 of a saved shortlist"] = client.get("/shortlists/nope")
    pages["planning"] = client.get("/staff/planning?resolution=6&percentile=10")
    return {name: (r.status_code, r.get_data(as_text=True)) for name, r in pages.items()}


@pytest.fixture(scope="module")
def french_pages(vocabulary_app, shared_urls):
    return _pages(vocabulary_app, "fr", shared_urls)


@pytest.fixture(scope="module")
def english_pages(vocabulary_app, shared_urls):
    return _pages(vocabulary_app, "en", shared_urls)


def test_the_scan_finds_what_it_looks_for(columns):
    kinds = forbidden("fr", columns)
    assert len(kinds["column id or code"]) > 20 and "catchment_labour_active" in kinds["column id or code"]
    assert {"operating", "p2i_primary", "under_development", "cost"} <= set(kinds["raw value"])
    assert len(kinds["English sentence"]) > 30
    page = ("<p>strongest criterion: catchment_labour_active (1)</p><p>statut operating, eligible true"
            "</p><script>var airports_km = 1;</script><pre>topsis</pre>")
    assert problems(visible(page), kinds) == [
        "column id or code: 'catchment_labour_active'", "raw value: 'operating'",
        "boolean: 'true'", "English sentence: 'strongest criterion'"]
    # a label is not an id: "Loyer (MAD/m²/mois)" holds no ``rent_mad_m2_month``
    assert problems("Loyer (MAD/m²/mois) 95 ; en activité ; zone P2I principale", kinds) == []
    english = forbidden("en", columns)
    assert "operating" not in english["raw value"] and "under_development" in english["raw value"]
    assert "topsis" in english["column id or code"] and "vector" not in english["column id or code"]


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_shows_an_id_a_raw_value_or_an_english_sentence_in_french(
        lang, columns, french_pages, english_pages):
    pages = french_pages if lang == "fr" else english_pages
    kinds = forbidden(lang, columns)
    assert len(pages) >= 12
    found = {}
    for name, (status, page) in pages.items():
        expected = 404 if name.startswith("404") else 200
        assert status == expected, (name, page[:500])
        assert f'<html lang="{lang}">' in page, name
        left = problems(visible(page), kinds)
        if left:
            found[name] = left
    assert not found, f"on the {lang} pages: {found}"


def test_the_french_pages_say_it_in_french(french_pages):
    text = {name: visible(page) for name, (_, page) in french_pages.items()}
    for name in ("result of the CRM example", "CRM example saved", "CRM example saved before messages"):
        page = text[name]
        assert "Méthode : TOPSIS" in page.replace("\u202f", " ") or "Méthode: TOPSIS" in page, name
        assert "critère le plus fort" in page, name  # an explanation, rendered from its message
        assert "Population active du bassin" in page, name  # the column's label
        assert "n'incluent pas CRM" in page, name  # a reason of an excluded zone
        assert "Zones exclues" in page, name
    assert "zone P2I principale" in text["compare every zone"]
    assert "en activité" in text["compare every zone"]
    assert "ITO, CRM et BPO" in text["zone casanearshore"]
    assert "Il n'y a rien à cette adresse." in text["404 of an address"]
    assert "aucune zone avec l'identifiant 'nowhere'" in text["404 of a zone"]
    assert "aucune liste enregistrée avec l'identifiant 'nope'" in text["404 of a saved shortlist"]
    assert "Zones candidates" in text["planning"]


def test_the_english_pages_use_labels_too(english_pages):
    text = {name: visible(page) for name, (_, page) in english_pages.items()}
    page = text["result of the CRM example"]
    assert "strongest criterion: Labour force within the catchment" in page
    assert "Method: TOPSIS" in page
    assert "under development" in text["compare every zone"]
    assert "primary P2I zone" in text["compare every zone"]
    assert "There is nothing at this address." in text["404 of an address"]
    assert "no zone with id 'nowhere' in this dataset" in text["404 of a zone"]
