"""On French pages the engine's explanations, reasons, warnings and hint are French (its
messages rendered from the shared catalogue, :mod:`matching.i18n`; a shortlist saved before it
carried messages: its English sentences read back with :func:`matching.messages.from_text`); a
sentence no template wrote stays English, marked ``lang="en"``; every label of the page around
them is French."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po

from tests.web.conftest import csrf_token, make_app
from tests.web.shipped_like import write_past_investors
from web.i18n import DOMAIN, SOURCE_DIR

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
#: a requirement whose shortlist has engine warnings, a hint, excluded zones and a ranked zone
WARNED = ("activity: CRM\n"
          "constraints: [{column: rent_mad_m2_month, op: '<=', value: 60}]\n")
NOTHING_RANKED = ("activity: CRM\n"
                  "constraints: [{column: rent_mad_m2_month, op: '<=', value: 1}]\n")


class _Text(HTMLParser):
    """The visible text of a page, without the parts marked ``lang="en"`` (nor scripts, styles,
    the requirements in ``<pre>``, the user's text in ``<textarea>``, the map, or the attributes)."""

    SKIP = {"script", "style", "pre", "textarea"}
    VOID = {"br", "input", "img", "meta", "link", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[bool, bool]] = []  # (hidden from the visible text, in lang="en")
        self.chunks: list[str] = []
        self.english: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attrs = dict(attrs)
        skip, in_english = self.stack[-1] if self.stack else (False, False)
        switch = "hreflang" in attrs  # the language switch names its language in that language
        english = attrs.get("lang") == "en" and tag != "html" and not switch
        if english and not in_english:
            self.english.append("")
        hidden = tag in self.SKIP or "map" in (attrs.get("class") or "").split() or switch
        self.stack.append((skip or hidden or english, (in_english or english) and not hidden))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        skip, in_english = self.stack[-1] if self.stack else (False, False)
        if in_english:
            self.english[-1] += data
        elif not skip:
            self.chunks.append(data)


def _visible(page: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(page)
    return " ".join(" ".join(parser.chunks).split()), [e.strip() for e in parser.english if e.strip()]


def _shown(label: str, visible: str) -> bool:
    """``label`` as words of ``visible`` ("Export" is not in "Exporter")."""
    return re.search(rf"(?<!\w){re.escape(label)}(?!\w)", visible) is not None


def _english_labels(template: str) -> list[str]:
    """The template's messages that French translates differently, as plain text fragments."""
    keywords = dict(DEFAULT_KEYWORDS)
    messages = [m[1] for m in extract_from_file("jinja2.ext:babel_extract", str(TEMPLATES / template),
                                                keywords=keywords)]
    with (SOURCE_DIR / "fr" / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        catalog = read_po(po)
    fragments = []
    for message in messages:
        message = message[0] if isinstance(message, tuple) else message
        french = catalog.get(message).string
        if french == message:
            continue
        # the literal parts between placeholders, long enough not to be a French word as well
        fragments += [part.strip() for part in re.split(r"%\(\w+\)s", message) if len(part.strip()) >= 6]
    return fragments


@pytest.fixture
def french_client(shipped_like_or_tiny):
    client = shipped_like_or_tiny.test_client()
    client.get("/match?lang=fr")
    return client


@pytest.fixture
def shipped_like_or_tiny(tiny_data_path, tmp_path):
    past = write_past_investors(tmp_path / "past.yaml")
    return make_app(tiny_data_path, tmp_path / "instance", TECHVALLEY_PAST_INVESTORS=str(past))


def _result(client, text: str) -> str:
    response = client.post("/match", data={"csrf_token": csrf_token(client, "/match"), "requirements_text": text,
                                           "headcount": "300"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


@pytest.mark.parametrize("text", [WARNED, NOTHING_RANKED])
def test_french_result_page_is_french_engine_sentences_included(french_client, text):
    page = _result(french_client, text)
    visible, english = _visible(page)
    assert '<html lang="fr">' in page
    labels = _english_labels("match/result.html")
    assert len(labels) > 15
    left = [label for label in labels if _shown(label, visible)]
    assert not left, f"English labels on the French page: {left}"
    # every sentence of the engine is French: warnings, reasons, explanations, hint
    assert not english, english
    assert "préréglage CRM" in visible  # a warning: the incentive criterion left out
    assert "Avertissements" in visible and "Zones exclues" in visible
    assert "avertissements en anglais" not in visible
    assert "Loyer (MAD/m²/mois) : valeur manquante" in visible
    for english_words in ("missing", "strongest criterion", "weakest criterion", "not checked",
                          "Relax the constraint", "do not include", "is not one of", "preset",
                          "dropped", "the dataset", "rent_mad_m2_month", "catchment_"):
        assert english_words not in visible, english_words
    if text is NOTHING_RANKED:
        assert "Pourquoi aucune zone n'est classée" in visible
        assert "Assouplir d'abord la contrainte Loyer (MAD/m²/mois) ≤ 1" in visible
    else:
        assert "Des investisseurs comme vous" in visible


def test_english_result_page_has_no_note_about_english(shipped_like_or_tiny):
    page = _result(shipped_like_or_tiny.test_client(), WARNED)
    visible, _ = _visible(page)
    assert "Warnings" in visible and "Excluded zones" in visible
    assert "warnings in English" not in visible
    assert "Rent (MAD/m²/month) missing" in visible


def test_french_form_problem_is_labelled(french_client):
    response = french_client.post("/match", data={"csrf_token": csrf_token(french_client, "/match"),
                                                  "requirements_text": "criteria: [{column: nowhere, direction: benefit}]\n"})
    assert response.status_code == 422
    visible, english = _visible(response.get_data(as_text=True))
    assert "Ces exigences ne peuvent pas être évaluées" in visible
    assert any("nowhere" in e for e in english) and "nowhere" not in visible
    left = [label for label in _english_labels("match/form.html") if _shown(label, visible)]
    assert not left, left


def test_the_labels_checked_exist_in_the_templates():
    assert Path(TEMPLATES / "match" / "result.html").exists()
    assert "Investors like you" in _english_labels("match/result.html")


def test_french_explanations_are_french_with_french_numbers_and_units(french_client):
    page = _result(french_client, "criteria: [{column: airports_km, direction: cost}, "
                                  "{column: rent_mad_m2_month, direction: cost, missing: worst}]\n")
    visible, _ = _visible(page)
    # (_visible folds the narrow no-break space before a French colon into a space)
    assert "critère le plus fort : Aéroport le plus proche (2,83 km)" in visible
    assert "Loyer : valeur manquante, notée à la pire valeur observée (110 MAD/m²/mois)" in visible
    assert "MAD/m²/mois" in visible and "strongest criterion" not in visible


def _without_messages(value):
    if isinstance(value, dict):
        return {k: _without_messages(v) for k, v in value.items() if k != "messages"}
    if isinstance(value, list):
        return [_without_messages(v) for v in value]
    return value


def test_a_shortlist_saved_before_messages_reads_its_sentences_back(french_client, monkeypatch):
    """Its English sentences are read back from their templates and rendered in French; one no
    template wrote stays English, marked ``lang="en"``, with a note saying so."""
    import matching.shortlist

    real = matching.shortlist.make_shortlist

    def as_saved_before(*args, **kwargs):
        result = _without_messages(real(*args, **kwargs))
        result["warnings"] = [*result["warnings"], "a warning of an older version"]
        return result

    monkeypatch.setattr(matching.shortlist, "make_shortlist", as_saved_before)
    page = _result(french_client, WARNED + "name: older\n")
    visible, english = _visible(page)
    assert '<li class="warning" lang="en">a warning of an older version</li>' in page
    assert english == ["a warning of an older version"]
    assert "a warning of an older version" not in visible
    assert "Le moteur de classement donne certains de ses avertissements en anglais." in visible
    assert "préréglage CRM" in visible  # a known warning, in French
    assert "Loyer (MAD/m²/mois) : valeur manquante" in visible  # a reason, in French, with its label
    assert "rent_mad_m2_month" not in visible
