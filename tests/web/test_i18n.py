"""French and English: the switch, the catalogue, numbers and dates in the locale."""

from __future__ import annotations

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from tests.web.conftest import shortlist_body
from web.i18n import SOURCE_DIR


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
    keywords = dict(DEFAULT_KEYWORDS, _l=None)
    method_map = [
        ("**/maps/**.py", "ignore"),
        ("**/assets.py", "ignore"),
        ("**.py", "python"),
        ("**/templates/**.html", "jinja2.ext:babel_extract"),
    ]
    messages = {
        (m[2][0] if isinstance(m[2], tuple) else m[2])
        for m in extract_from_dir(str(SOURCE_DIR.parent), method_map=method_map, keywords=keywords)
    }
    with (SOURCE_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    untranslated = sorted(m for m in messages if not (catalog.get(m) and catalog.get(m).string))
    assert not untranslated, f"add French for: {untranslated}"
    assert len(messages) > 100
