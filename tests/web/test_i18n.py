"""French and English: the switch, the catalogue, numbers and dates in the locale."""

from __future__ import annotations

from pathlib import Path

import flask_babel
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from matching.i18n import catalogue_msgids
from tests.web.conftest import shortlist_body
from web.i18n import DOMAIN, SOURCE_DIR

WEB_DIR = Path(__file__).resolve().parents[2] / "web"


def test_english_by_default_french_by_switch_and_remembered(client):
    assert "Find a zone" in client.get("/").get_data(as_text=True)
    page = client.get("/?lang=fr").get_data(as_text=True)
    assert "Trouver une zone" in page and '<html lang="fr">' in page
    assert "Trouver une zone" in client.get("/compare").get_data(as_text=True)  # remembered
    assert "Find a zone" in client.get("/compare?lang=en").get_data(as_text=True)


def test_browser_language_is_used_without_a_choice(app):
    page = app.test_client().get("/", headers={"Accept-Language": "fr-MA,fr;q=0.9"}).get_data(as_text=True)
    assert "Trouver une zone" in page


def test_unknown_language_falls_back_to_english(client):
    assert "Find a zone" in client.get("/?lang=xx").get_data(as_text=True)


def test_numbers_in_the_locale(client):
    english = client.get("/sites/casanearshore?lang=en").get_data(as_text=True)
    french = client.get("/sites/casanearshore?lang=fr").get_data(as_text=True)
    assert "30,000" in english
    assert "30\u202f000" in french
    assert "Loyer (MAD/m²/mois)" in french


def test_dates_in_the_locale_and_casablanca_time(app, client):
    from datetime import UTC, datetime

    from web.extensions import db
    from web.models import Shortlist

    client.post("/api/v1/shortlists", json=shortlist_body(name="Dated"))
    with app.app_context():
        record = db.session.execute(db.select(Shortlist)).scalar_one()
        record.created_at = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)  # Ramadan 2026: Casablanca is UTC+0
        db.session.commit()
        record2 = db.session.execute(db.select(Shortlist)).scalar_one()
        assert record2.created_at.isoformat() == "2026-03-01T09:30:00+00:00"
        record.created_at = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)  # outside Ramadan: UTC+1
        db.session.commit()
    from tests.web.conftest import add_staff, login

    add_staff(app)
    login(client)
    english = client.get("/staff/shortlists?lang=en").get_data(as_text=True)
    french = client.get("/staff/shortlists?lang=fr").get_data(as_text=True)
    assert "Jun 1, 2026, 10:30:00" in english
    assert "1 juin 2026, 10:30:00" in french


def test_every_message_has_a_french_translation():
    """Every message of the web's code, templates and map words (``N_``) has French in the
    catalogue it shares with the engine."""
    keywords = dict(DEFAULT_KEYWORDS, _l=None, N_=None)
    method_map = [
        ("**/assets.py", "ignore"),
        ("**.py", "python"),
        ("**/templates/**.html", "jinja2.ext:babel_extract"),
    ]
    messages = {
        (m[2][0] if isinstance(m[2], tuple) else m[2])
        for m in extract_from_dir(str(WEB_DIR), method_map=method_map, keywords=keywords)
    }
    french = catalogue_msgids("fr")
    untranslated = sorted(messages - french)
    assert not untranslated, f"add French to {SOURCE_DIR}/fr/LC_MESSAGES/{DOMAIN}.po for: {untranslated}"
    assert len(messages) > 150
    assert {"Zone page", "Ranked zones", "no zone with id %(id)s in this dataset"} <= messages


def test_one_catalogue_for_the_engine_and_the_pages(app):
    """Flask-Babel reads the shared catalogue (domain ``techvalley``): the web's own catalogue
    is gone, and a page and the engine give the same French for the same words."""
    from matching.i18n import column_label, gettext

    assert app.config["BABEL_DOMAIN"] == DOMAIN == "techvalley"
    assert SOURCE_DIR == Path(__file__).resolve().parents[2] / "matching" / "locale"
    assert not (WEB_DIR / "translations").exists()
    with app.test_request_context("/?lang=fr"):
        assert flask_babel.gettext("Ranked zones") == gettext("Ranked zones", "fr") == "Zones classées"
    french = app.test_client().get("/sites/casanearshore?lang=fr").get_data(as_text=True)
    assert column_label("rent_mad_m2_month", "fr") in french


def test_error_pages_are_in_the_page_language(client):
    french = client.get("/sites/nowhere?lang=fr")
    assert french.status_code == 404
    page = french.get_data(as_text=True)
    assert "aucune zone avec l&#39;identifiant &#39;nowhere&#39; dans ce jeu de données" in page
    assert "Il n&#39;y a rien à cette adresse." in page
    # werkzeug's default sentence is English only: the French page leaves it out
    unknown = client.get("/no/such/page?lang=fr").get_data(as_text=True)
    assert "requested URL" not in unknown and "Il n&#39;y a rien à cette adresse." in unknown
    english = client.get("/sites/nowhere?lang=en").get_data(as_text=True)
    assert "no zone with id &#39;nowhere&#39; in this dataset" in english
    # the JSON API keeps its English description
    assert client.get("/api/v1/nothing").get_json()["error"].startswith("The requested URL")
