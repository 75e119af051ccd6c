"""Rate limits: one counter shared by every process of an instance, and ``Retry-After`` on every 429."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from tests.web.conftest import STAFF_EMAIL, add_staff, login, make_app, shortlist_body
from web.ratelimit_store import storage_uri

ROOT = Path(__file__).resolve().parents[2]


def _retry_after(response) -> int:
    value = response.headers.get("Retry-After")
    assert value is not None, f"429 without Retry-After: {dict(response.headers)}"
    assert value.isdigit() and int(value) > 0, value
    return int(value)


def test_two_apps_on_one_instance_share_one_counter(tiny_data_path, tmp_path):
    # issue 9: "with --workers N the limit is N times the setting"; two apps = two workers
    config = {"TECHVALLEY_RATELIMIT_ENABLED": True, "TECHVALLEY_RATELIMIT_API": "5 per minute"}
    first = make_app(tiny_data_path, tmp_path / "instance", **config).test_client()
    second = make_app(tiny_data_path, tmp_path / "instance", **config).test_client()
    statuses = []
    for _ in range(3):
        statuses.append(first.post("/api/v1/shortlists", json=shortlist_body()).status_code)
        statuses.append(second.post("/api/v1/shortlists", json=shortlist_body()).status_code)
    assert statuses == [201, 201, 201, 201, 201, 429]
    assert (tmp_path / "instance" / "ratelimits.sqlite3").exists()


def test_two_processes_lose_no_hit(tmp_path):
    # concurrent increments from two processes, four threads each: every one is counted
    uri = storage_uri(tmp_path / "ratelimits.sqlite3")
    script = (
        "import sys, threading\n"
        "from limits.storage import storage_from_string\n"
        "import web.ratelimit_store\n"
        "storage = storage_from_string(sys.argv[1])\n"
        "def hit():\n"
        "    for _ in range(50):\n"
        "        storage.incr('client', 60)\n"
        "threads = [threading.Thread(target=hit) for _ in range(4)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
    )
    processes = [subprocess.Popen([sys.executable, "-c", script, uri], cwd=ROOT) for _ in range(2)]
    assert [p.wait(timeout=120) for p in processes] == [0, 0]
    assert storage_from_string(uri).get("client") == 2 * 4 * 50


def test_a_window_ends_and_expired_rows_are_pruned(tmp_path, monkeypatch):
    import web.ratelimit_store as store

    clock = [1_000_000.0]
    monkeypatch.setattr(store.time, "time", lambda: clock[0])
    storage = storage_from_string(storage_uri(tmp_path / "r.sqlite3"))
    limiter = FixedWindowRateLimiter(storage)
    item = parse("2/minute")
    assert [limiter.hit(item, "a"), limiter.hit(item, "a"), limiter.hit(item, "a")] == [True, True, False]
    assert storage.get_expiry(item.key_for("a")) == pytest.approx(clock[0] + 60)
    clock[0] += 61
    assert storage.get(item.key_for("a")) == 0
    assert limiter.hit(item, "a")  # a new window
    limiter.hit(item, "b")
    clock[0] += 61 + store.PRUNE_EVERY_S
    limiter.hit(item, "c")  # this write prunes the expired rows of a and b
    rows = storage._connection().execute("SELECT key FROM ratelimit").fetchall()
    assert rows == [(item.key_for("c"),)]
    storage.clear(item.key_for("c"))
    assert storage.get(item.key_for("c")) == 0
    assert storage.check()


@pytest.fixture
def limited(tiny_data_path, tmp_path):
    return make_app(
        tiny_data_path, tmp_path / "limited", WTF_CSRF_ENABLED=False, TECHVALLEY_RATELIMIT_ENABLED=True,
        TECHVALLEY_RATELIMIT_API="2 per minute", TECHVALLEY_RATELIMIT_FORMS="2 per minute",
        TECHVALLEY_RATELIMIT_LOGIN="2 per minute",
    )


@pytest.mark.parametrize(
    ("path", "kwargs"),
    [
        ("/api/v1/shortlists", {"json": shortlist_body()}),
        ("/api/v1/rank", {"json": shortlist_body()}),
        ("/match", {"data": {"requirements": "l0: &l0 [a]\nl1: &l1 [*l0, *l0]\n"}}),
        ("/match/export/csv", {"data": {}}),
        ("/match/save", {"data": {}}),
        ("/sites/technopolis/inquiry", {"data": {"email": "a@b.ma"}}),
        ("/staff/login", {"data": {"email": "a@b.ma", "password": "x"}}),
    ],
)
def test_every_rate_limited_429_carries_retry_after(limited, path, kwargs):
    client = limited.test_client()
    responses = [client.post(path, **kwargs) for _ in range(3)]
    assert [r.status_code == 429 for r in responses] == [False, False, True]
    assert 1 <= _retry_after(responses[-1]) <= 60
    if path.startswith("/api/"):
        assert "2 per 1 minute" in responses[-1].get_json()["error"]
    else:
        assert "Too many requests" in responses[-1].get_data(as_text=True)


def test_login_lock_429_carries_retry_after(app):
    add_staff(app)
    client = app.test_client()
    for _ in range(app.config["TECHVALLEY_LOGIN_MAX_FAILURES"]):
        login(client, email=STAFF_EMAIL, password="guess")
    response = login(client)
    assert response.status_code == 429
    minutes = app.config["TECHVALLEY_LOGIN_LOCK_MINUTES"]
    assert minutes * 60 - 120 < _retry_after(response) <= minutes * 60
