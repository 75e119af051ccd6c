"""Staff shortlists: search (server side), rename and delete, with CSRF, confirmation and errors."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, text

from tests.web.conftest import add_staff, csrf_token, login, make_app, shortlist_body


def _save(client, **overrides) -> str:
    response = client.post("/api/v1/shortlists", json=shortlist_body(**overrides))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def _names(page: str) -> list[str]:
    """The shortlist names the list shows, in order (first cell of each body row)."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return re.findall(r"<tr><td><a href=\"/shortlists/[0-9a-f]+\">([^<]*)</a>", body)


@pytest.fixture
def saved(staff_client):
    ids = {
        "acme": _save(staff_client, name="Acme call centre", about={"investor": "Acme Holdings", "contact": "Sara"}),
        "okami": _save(staff_client, name="Nearshore IT", about="Ōkami Société Générale, 300 seats"),
        "plain": _save(staff_client, name="100% plain_name"),
    }
    return ids


@pytest.mark.parametrize(("query", "expected"), [
    ("acme", ["Acme call centre"]),            # the name
    ("HOLDINGS", ["Acme call centre"]),        # the investor in about, any case
    ("société", ["Nearshore IT"]),              # accented text of about
    ("SOCIÉTÉ 300", ["Nearshore IT"]),          # every word must appear
    ("acme ōkami", []),
    ("100%", ["100% plain_name"]),              # LIKE wildcards are searched as text
    ("_", ["100% plain_name"]),
    ("nothing-like-this", []),
])
def test_search_finds_by_name_investor_and_about(staff_client, saved, query, expected):
    response = staff_client.get("/staff/shortlists", query_string={"q": query})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert sorted(_names(page)) == sorted(expected)
    if not expected:
        assert "No saved shortlist matches" in page


def test_search_keeps_the_saved_by_filter_and_pages(staff_client, saved):
    for n in range(3):
        _save(staff_client, name=f"Acme site {n}")
    page = staff_client.get("/staff/shortlists?q=acme&per_page=2").get_data(as_text=True)
    assert len(_names(page)) == 2 and "Page 1 of 2" in page
    assert "q=acme" in re.search(r'rel="next" href="([^"]+)"', page).group(1)
    second = staff_client.get("/staff/shortlists?q=acme&per_page=2&page=2").get_data(as_text=True)
    assert len(_names(second)) == 2
    assert _names(staff_client.get("/staff/shortlists?q=acme&saved_by=anonymous").get_data(as_text=True)) == []


@pytest.mark.parametrize(("query", "problem"), [
    ("x" * 201, "201 characters long"),
    ("a\x00b", "control character"),
    (" ".join("w" * 11), "11 words"),
])
def test_a_bad_search_is_400_naming_the_problem(staff_client, query, problem):
    response = staff_client.get("/staff/shortlists", query_string={"q": query})
    assert response.status_code == 400
    assert problem in response.get_data(as_text=True)


def test_search_is_staff_only(client):
    response = client.get("/staff/shortlists?q=acme")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_rename_changes_the_name_and_what_search_finds(app, staff_client, saved):
    url = f"/staff/shortlists/{saved['acme']}/rename"
    form = staff_client.get(url).get_data(as_text=True)
    assert 'value="Acme call centre"' in form
    response = staff_client.post(url, data={"name": "  Casablanca CRM  ", "csrf_token": csrf_token(staff_client, url)})
    assert response.status_code == 302
    assert "Casablanca CRM" in staff_client.get("/staff/shortlists").get_data(as_text=True)
    assert _names(staff_client.get("/staff/shortlists?q=casablanca").get_data(as_text=True)) == ["Casablanca CRM"]
    # the investor in about still finds it, and so does the requirement's own name (the form's
    # "Project or investor"), which a rename leaves as the investor wrote it
    assert _names(staff_client.get("/staff/shortlists?q=holdings").get_data(as_text=True)) == ["Casablanca CRM"]
    assert _names(staff_client.get("/staff/shortlists?q=centre").get_data(as_text=True)) == ["Casablanca CRM"]
    assert "Acme call centre" not in _names(staff_client.get("/staff/shortlists").get_data(as_text=True))


@pytest.mark.parametrize(("name", "problem"), [
    ("", "cannot be empty"),
    ("   ", "cannot be empty"),
    ("x" * 201, "At most 200 characters"),
    ("two\nlines", "control character"),
    ("tab\there", "control character"),
    ("nul\x00", "control character"),
])
def test_a_bad_name_is_422_with_the_error_and_nothing_changes(app, staff_client, saved, name, problem):
    url = f"/staff/shortlists/{saved['acme']}/rename"
    response = staff_client.post(url, data={"name": name, "csrf_token": csrf_token(staff_client, url)})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert problem in page and 'class="error"' in page
    from web.extensions import db
    from web.models import Shortlist

    with app.app_context():
        assert db.session.get(Shortlist, saved["acme"]).name == "Acme call centre"


def test_rename_and_delete_refuse_a_post_without_csrf(app, staff_client, saved):
    for action in ("rename", "delete"):
        response = staff_client.post(f"/staff/shortlists/{saved['acme']}/{action}", data={"name": "x"})
        assert response.status_code == 400, action
    assert "Acme call centre" in staff_client.get("/staff/shortlists").get_data(as_text=True)


@pytest.mark.parametrize("action", ["rename", "delete"])
@pytest.mark.parametrize("shortlist_id", ["0" * 32, "nope", "x" * 40])
def test_unknown_shortlist_is_404(staff_client, action, shortlist_id):
    url = f"/staff/shortlists/{shortlist_id}/{action}"
    assert staff_client.get(url).status_code == 404
    token = csrf_token(staff_client, "/staff/shortlists")
    assert staff_client.post(url, data={"name": "x", "csrf_token": token}).status_code == 404


def test_delete_asks_first_then_removes_the_record_and_its_link(app, staff_client, saved):
    from web.extensions import db
    from web.models import Shortlist

    with app.app_context():
        token = db.session.get(Shortlist, saved["okami"]).share_token
    url = f"/staff/shortlists/{saved['okami']}/delete"
    confirm = staff_client.get(url)
    assert confirm.status_code == 200
    text = confirm.get_data(as_text=True)
    assert "Nearshore IT" in text and "Delete for good" in text
    with app.app_context():  # asking deleted nothing
        assert db.session.get(Shortlist, saved["okami"]) is not None
    response = staff_client.post(url, data={"csrf_token": csrf_token(staff_client, url)}, follow_redirects=True)
    assert response.request.path == "/staff/shortlists"
    listing = response.get_data(as_text=True)
    assert "“Nearshore IT” was deleted" in listing
    assert "Nearshore IT" not in _names(listing) and len(_names(listing)) == 2
    with app.app_context():
        assert db.session.get(Shortlist, saved["okami"]) is None
    assert staff_client.get(f"/s/{token}").status_code == 404
    assert staff_client.get(f"/shortlists/{saved['okami']}").status_code == 404


def test_any_staff_account_may_rename_or_delete_a_colleagues_shortlist(app, client, staff_client, saved):
    # the team shares its shortlists (as revoking does): a second account acts on the first's
    staff_client.post("/staff/logout", data={"csrf_token": csrf_token(staff_client, "/")})
    add_staff(app, "colleague@amdie.example", "another long password")
    assert login(client, "colleague@amdie.example", "another long password").status_code == 302
    url = f"/staff/shortlists/{saved['plain']}/rename"
    assert client.post(url, data={"name": "Renamed", "csrf_token": csrf_token(client, url)}).status_code == 302
    url = f"/staff/shortlists/{saved['plain']}/delete"
    assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code == 302


def test_rename_and_delete_are_staff_only(app, client, saved):
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/")})
    for action in ("rename", "delete"):
        response = client.get(f"/staff/shortlists/{saved['acme']}/{action}")
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_shortlists_saved_before_search_existed_are_found(tiny_data_path, tmp_path):
    instance = tmp_path / "instance"
    app = make_app(tiny_data_path, instance)
    add_staff(app)
    client = app.test_client()
    login(client)
    shortlist_id = _save(client, name="Old Rabat save", about={"investor": "Legacy SA"})
    # the store as the previous release left it: no search_text column
    engine = create_engine(f"sqlite:///{instance / 'techvalley.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE shortlist DROP COLUMN search_text"))
    engine.dispose()
    app = make_app(tiny_data_path, instance)
    client = app.test_client()
    login(client)
    page = client.get("/staff/shortlists?q=legacy").get_data(as_text=True)
    assert _names(page) == ["Old Rabat save"]
    from web.extensions import db
    from web.models import Shortlist

    with app.app_context():
        assert "legacy sa" in db.session.get(Shortlist, shortlist_id).search_text
