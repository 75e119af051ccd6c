"""Staff inquiries: handled/unhandled status (who, when), the status filter, the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from tests.web.conftest import STAFF_EMAIL, csrf_token


def _inquire(app, **fields) -> int:
    from web.extensions import db
    from web.models import Inquiry, now

    values = {"zone_id": "technopolis", "zone_name": "Technopolis", "name": "Ana",
              "email": "ana@example.com", "message": "500 seats", "created_at": now()}
    values.update(fields)
    with app.app_context():
        row = Inquiry(**values)
        db.session.add(row)
        db.session.commit()
        return row.id


def _status(client, inquiry_id: int, handled: str, **extra):
    token = csrf_token(client, "/staff/inquiries")
    data = {"handled": handled, "csrf_token": token, **extra}
    return client.post(f"/staff/inquiries/{inquiry_id}/status", data=data)


def _row(app, inquiry_id: int):
    from web.extensions import db
    from web.models import Inquiry

    with app.app_context():
        return db.session.get(Inquiry, inquiry_id)


def test_mark_handled_records_who_and_when_then_unhandled_clears_them(app, staff_client):
    inquiry = _inquire(app)
    response = _status(staff_client, inquiry, "yes", next="/staff/inquiries?status=unhandled")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/inquiries?status=unhandled")
    row = _row(app, inquiry)
    assert row.handled_by == STAFF_EMAIL
    assert str(row.handled_at.tzinfo) == "Africa/Casablanca"
    page = staff_client.get("/staff/inquiries").get_data(as_text=True)
    assert f"Handled by {STAFF_EMAIL}" in page and "Mark unhandled" in page
    first = row.handled_at
    _status(staff_client, inquiry, "yes")  # a second click keeps the first handling
    assert _row(app, inquiry).handled_at == first
    assert _status(staff_client, inquiry, "no").status_code == 302
    row = _row(app, inquiry)
    assert row.handled_at is None and row.handled_by is None
    assert "Mark handled" in staff_client.get("/staff/inquiries").get_data(as_text=True)


def test_status_filter_lists_handled_or_unhandled(app, staff_client):
    done = _inquire(app, name="Done Person")
    _inquire(app, name="Waiting Person")
    _status(staff_client, done, "yes")
    handled = staff_client.get("/staff/inquiries?status=handled").get_data(as_text=True)
    unhandled = staff_client.get("/staff/inquiries?status=unhandled").get_data(as_text=True)
    every = staff_client.get("/staff/inquiries").get_data(as_text=True)
    assert "Done Person" in handled and "Waiting Person" not in handled
    assert "Waiting Person" in unhandled and "Done Person" not in unhandled
    assert "Waiting Person" in every and "Done Person" in every


@pytest.mark.parametrize("url", ["/staff/inquiries?status=open", "/staff/inquiries.csv?status=%00"])
def test_unknown_status_filter_is_400_naming_it(staff_client, url):
    response = staff_client.get(url)
    assert response.status_code == 400
    assert "is not a filter: use unhandled, handled or all" in response.get_data(as_text=True)


@pytest.mark.parametrize("handled", ["", "maybe", "YES"])
def test_bad_handled_value_is_400_and_changes_nothing(app, staff_client, handled):
    inquiry = _inquire(app)
    response = _status(staff_client, inquiry, handled)
    assert response.status_code == 400
    assert "handled must be yes or no" in response.get_data(as_text=True)
    assert _row(app, inquiry).handled_at is None


def test_status_without_csrf_is_400(app, staff_client):
    inquiry = _inquire(app)
    response = staff_client.post(f"/staff/inquiries/{inquiry}/status", data={"handled": "yes"})
    assert response.status_code == 400
    assert _row(app, inquiry).handled_at is None


@pytest.mark.parametrize("inquiry_id", ["999", "99999999999999999999999", "abc"])
def test_unknown_inquiry_is_404(staff_client, inquiry_id):
    token = csrf_token(staff_client, "/staff/inquiries")
    response = staff_client.post(f"/staff/inquiries/{inquiry_id}/status", data={"handled": "yes", "csrf_token": token})
    assert response.status_code == 404


def test_next_page_must_be_on_this_site(app, staff_client):
    inquiry = _inquire(app)
    response = _status(staff_client, inquiry, "yes", next="https://evil.example/")
    assert response.headers["Location"].endswith("/staff/inquiries")


@pytest.mark.parametrize("url", ["/staff/inquiries.csv", "/staff/inquiries?status=handled"])
def test_inquiry_pages_are_staff_only(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_status_change_is_staff_only(app, client):
    inquiry = _inquire(app)
    # without a token the CSRF check answers first; with one, the login is asked for
    assert client.post(f"/staff/inquiries/{inquiry}/status", data={"handled": "yes"}).status_code == 400
    token = csrf_token(client, "/staff/login")
    response = client.post(f"/staff/inquiries/{inquiry}/status", data={"handled": "yes", "csrf_token": token})
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    assert _row(app, inquiry).handled_at is None


def test_csv_export_guards_formulas_keeps_numbers_and_follows_the_filter(app, staff_client):
    from web.models import now

    hostile = _inquire(app, name="=HYPERLINK(\"http://evil\")", email="-cmd@example.com",
                       message="+212 600 000 000\n@SUM(A1)", zone_name="Technopolis, \"Rabat\"",
                       created_at=now() - timedelta(hours=1))
    plain = _inquire(app, name="Ana Écrit", message="500 seats")
    _status(staff_client, hostile, "yes")
    response = staff_client.get("/staff/inquiries.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["id"]) for r in rows] == [plain, hostile]  # newest first
    first_line = text.splitlines()[1]
    assert first_line.startswith(f"{plain},")  # the id is a bare number, not text
    bad = rows[1]
    assert bad["name"] == "'=HYPERLINK(\"http://evil\")"
    assert bad["email"] == "'-cmd@example.com"
    assert bad["message"] == "'+212 600 000 000\n@SUM(A1)"
    assert bad["zone_name"] == "Technopolis, \"Rabat\""
    assert bad["status"] == "handled" and bad["handled_by"] == STAFF_EMAIL and bad["handled_at"]
    assert rows[0]["name"] == "Ana Écrit" and rows[0]["status"] == "unhandled" and rows[0]["handled_at"] == ""
    only = list(csv.DictReader(io.StringIO(staff_client.get("/staff/inquiries.csv?status=unhandled").get_data(as_text=True))))
    assert [int(r["id"]) for r in only] == [plain]


def test_csv_of_no_inquiry_has_the_header_only(staff_client):
    text = staff_client.get("/staff/inquiries.csv").get_data(as_text=True)
    assert text == "id,received_at,zone_id,zone_name,name,email,message,status,handled_at,handled_by\n"


def test_inquiries_stored_before_the_status_existed_read_as_unhandled(tiny_data_path, tmp_path):
    from sqlalchemy import create_engine, text

    from tests.web.conftest import add_staff, login, make_app

    instance = tmp_path / "instance"
    instance.mkdir()
    engine = create_engine(f"sqlite:///{instance / 'techvalley.sqlite3'}")
    with engine.begin() as connection:  # the inquiry table as the previous release made it
        connection.execute(text(
            "CREATE TABLE inquiry (id INTEGER PRIMARY KEY, zone_id VARCHAR(200), zone_name VARCHAR(500), "
            "name VARCHAR(200), email VARCHAR(254), message TEXT, created_at DATETIME)"
        ))
        connection.execute(text(
            "INSERT INTO inquiry VALUES (1, 'technopolis', 'Technopolis', 'Old Ana', 'a@example.com', '', "
            "'2025-01-02 10:00:00')"
        ))
    engine.dispose()
    app = make_app(tiny_data_path, instance)
    add_staff(app)
    client = app.test_client()
    login(client)
    assert "Old Ana" in client.get("/staff/inquiries?status=unhandled").get_data(as_text=True)
    assert _status(client, 1, "yes").status_code == 302
    assert "Old Ana" in client.get("/staff/inquiries?status=handled").get_data(as_text=True)
