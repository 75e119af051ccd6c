"""Error pages in the reader's language: 404, 405, 413, 429, 500, and the API's 410."""

from __future__ import annotations

import re

import pytest
from flask import abort

from tests.web.conftest import make_app, shortlist_body


@pytest.fixture
def error_app(tiny_data_path, tmp_path):
    app = make_app(tiny_data_path, tmp_path / "instance")

    @app.get("/_errors/<int:code>")
    def fail(code: int):
        if code == 500:
            raise RuntimeError("a bug")
        if code == 429:
            abort(429, description="5 per 1 minute")  # as flask-limiter words its limit
        abort(code)

    return app


def main_text(response) -> str:
    page = response.get_data(as_text=True)
    body = page.split("<main", 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split()).replace("&#39;", "'")


@pytest.mark.parametrize(
    "url, status, french, english",
    [
        ("/no/such/page", 404, "Il n'y a rien à cette adresse.", "There is nothing at this address."),
        ("/match/save", 405, "Cette adresse n'accepte pas ce type de requête.",
         "This address does not accept that kind of request."),
        ("/_errors/413", 413, "trop volumineux", "too large"),
        ("/_errors/429", 429, "(5 par minute)", "(5 per minute)"),
        ("/_errors/500", 500, "Une erreur est survenue de notre côté.", "Something went wrong on our side."),
    ],
)
def test_error_pages_speak_the_page_language(error_app, url, status, french, english):
    client = error_app.test_client()
    fr = client.get(url, headers={"Accept-Language": "fr"})
    assert fr.status_code == status
    text = main_text(fr)
    assert french in text and english not in text
    # no English sentence of werkzeug or the limits library
    assert not re.search(r"\b(the|per|request|server|allowed)\b", text), text
    assert fr.get_data(as_text=True).startswith("<!doctype html>\n<html lang=\"fr\">")
    en = client.get(url, headers={"Accept-Language": "en"})
    assert english in main_text(en)


def test_429_with_werkzeug_default_sentence_shows_only_the_translated_title(error_app):
    @error_app.get("/_errors/plain-429")
    def plain():
        abort(429)

    text = main_text(error_app.test_client().get("/_errors/plain-429", headers={"Accept-Language": "fr"}))
    assert "Trop de requêtes" in text and "exceeded" not in text


def test_api_410_of_a_revoked_shortlist_is_translated(error_app):
    from web.extensions import db
    from web.models import Shortlist

    client = error_app.test_client()
    created = client.post("/api/v1/shortlists", json=shortlist_body()).get_json()
    with error_app.app_context():
        db.session.get(Shortlist, created["id"]).revoked = True
        db.session.commit()
    url = f"/api/v1/shortlists/{created['id']}"
    fr = client.get(url, headers={"Accept-Language": "fr"})
    assert fr.status_code == 410
    assert fr.get_json()["error"] == (
        f"la liste {created['id']} a été révoquée par l'équipe d'investissement"
    )
    en = client.get(url)
    assert en.get_json()["error"] == f"shortlist {created['id']} was revoked by the investment team"
