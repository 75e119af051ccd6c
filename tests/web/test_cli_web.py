"""``techvalley serve`` and ``techvalley create-staff``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from click.testing import CliRunner

from tests.web.conftest import login, make_app
from web.cli import main


def test_create_staff_with_password_stdin_then_login(tiny_data_path, tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    monkeypatch.setenv("TECHVALLEY_INSTANCE", str(instance))
    result = CliRunner().invoke(main, ["create-staff", "Ana@Example.ma", "--password-stdin"], input="a long password\n")
    assert result.exit_code == 0, result.output
    app = make_app(tiny_data_path, instance)
    client = app.test_client()
    assert login(client, email="ana@example.ma", password="a long password").status_code == 302


def test_create_staff_with_prompt(tmp_path, monkeypatch):
    monkeypatch.setenv("TECHVALLEY_INSTANCE", str(tmp_path / "i"))
    result = CliRunner().invoke(main, ["create-staff", "b@example.ma"], input="another password\nanother password\n")
    assert result.exit_code == 0, result.output


def test_create_staff_short_password_exits_2_with_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv("TECHVALLEY_INSTANCE", str(tmp_path / "i"))
    result = CliRunner().invoke(main, ["create-staff", "c@example.ma", "--password-stdin"], input="short\n")
    assert result.exit_code == 2
    assert "shorter than 8" in result.output
    assert "Traceback" not in result.output


def test_serve_bad_data_path_exits_2(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--data", str(tmp_path / "nothing")])
    assert result.exit_code == 2


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_runs_waitress_on_the_given_dataset(tiny_zones_only_path, tmp_path, workers):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, TECHVALLEY_INSTANCE=str(tmp_path / "i"))
    script = "from web.cli import main; main()"
    process = subprocess.Popen(
        [sys.executable, "-c", script, "serve", "--port", str(port), "--data", str(tiny_zones_only_path), "--threads", "2", "--workers", workers],
        env=env, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/sites", timeout=5) as response:
                    body = response.read().decode()
                    server = response.headers.get("Server", "")
                break
            except OSError:
                assert process.poll() is None, process.stderr.read()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        assert '"technopolis"' in body
        assert "waitress" in server.lower() or "techvalley" in server.lower()
        # every worker answers: several connections, each a new one
        for _ in range(6):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sites/ctv", timeout=10) as response:
                assert response.status == 200
    finally:
        process.terminate()
        assert process.wait(timeout=20) in (0, -15)


def test_serve_workers_with_a_bad_dataset_exit_2_without_traceback(tmp_path):
    """With --workers 2 the error happens in the workers: each prints the message, none a traceback."""
    (tmp_path / "zones.geojson").write_text('{"type": "FeatureCollection", "features": [')
    env = dict(os.environ, TECHVALLEY_INSTANCE=str(tmp_path / "i"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = subprocess.run(
        [sys.executable, "-c", "from web.cli import main; main()", "serve", "--port", str(port),
         "--data", str(tmp_path), "--workers", "2"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "Error:" in result.stderr and "zones" in result.stderr
    assert "Traceback" not in result.stderr


def test_create_staff_refuses_markup_as_an_email(tmp_path, monkeypatch):
    monkeypatch.setenv("TECHVALLEY_INSTANCE", str(tmp_path / "i"))
    result = CliRunner().invoke(
        main, ["create-staff", "<img src=x>@b.ma", "--password-stdin"], input="long enough pw\n"
    )
    assert result.exit_code == 2
    assert "is not an email address" in result.output and "Traceback" not in result.output
