"""One settings mechanism naming every bad setting at once; one ``techvalley`` group (issue 10)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from valleys.settings import SettingsError
from web.cli import COMMAND_MODULES, main

#: one bad variable of each package: the territory's, the decision's, the web's
THREE_BAD = {
    "TECHVALLEY_CATCHMENT_KM": "abc",
    "TECHVALLEY_M2_PER_SEAT": "-8",
    "TECHVALLEY_RATELIMIT_API": "banana",
}


def _assert_three_named(text: str) -> None:
    assert "'abc' must be a number above 0" in text
    assert "TECHVALLEY_M2_PER_SEAT '-8' must be a number above 0" in text
    assert "TECHVALLEY_RATELIMIT_API 'banana' must be a rate limit" in text
    assert "TECHVALLEY_CATCHMENT_KM" in text and "Traceback" not in text


def test_three_bad_variables_are_all_named_by_the_command_line(tiny_data_path):
    """In a fresh interpreter: the settings are read at import, which must not fail."""
    done = subprocess.run(
        [sys.executable, "-c", "from web.cli import main; main()", "sites", "--data", str(tiny_data_path)],
        capture_output=True, text=True, timeout=120, env={**os.environ, **THREE_BAD},
    )
    assert done.returncode == 2, done.stderr[-800:]
    assert done.stdout == ""
    _assert_three_named(done.stderr)


def test_three_bad_variables_are_all_named_by_create_app(tiny_data_path, tmp_path):
    from web import create_app

    config = {"TECHVALLEY_DATA": str(tiny_data_path), "TECHVALLEY_INSTANCE": str(tmp_path / "i"),
              "TECHVALLEY_SESSION_HOURS": 0, "TECHVALLEY_SERVE_WORKERS": True,
              "TECHVALLEY_PUBLIC_URL": "javascript:alert(1)"}
    with pytest.raises(SettingsError) as caught:
        create_app(config)
    assert caught.value.details == [
        "TECHVALLEY_SESSION_HOURS 0 must be a whole number >= 1 (default 12)",
        "TECHVALLEY_SERVE_WORKERS True must be a whole number >= 1 (default 1)",
        "TECHVALLEY_PUBLIC_URL 'javascript:alert(1)' must be the site's address, written "
        "https://host[:port][/prefix], e.g. https://techvalley.invest.ma",
    ]
    assert not (tmp_path / "i").exists()  # refused before anything is made


def test_create_app_names_bad_variables_of_the_environment_and_of_its_config(
        tiny_data_path, tmp_path, monkeypatch):
    from web import create_app

    for name, value in THREE_BAD.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        create_app({"TECHVALLEY_DATA": str(tiny_data_path), "TECHVALLEY_INSTANCE": str(tmp_path / "i"),
                    "TECHVALLEY_API_MAX_DRAWS": -5})
    _assert_three_named(str(caught.value))
    assert "TECHVALLEY_API_MAX_DRAWS -5 must be a whole number >= 0" in str(caught.value)
    assert len(caught.value.details) == 4


def test_a_config_value_overrides_a_bad_environment_value(tiny_data_path, tmp_path, monkeypatch):
    from web import create_app

    monkeypatch.setenv("TECHVALLEY_API_ROBUSTNESS_DRAWS", "lots")  # read by matching and web
    app = create_app({"TECHVALLEY_DATA": str(tiny_data_path), "TECHVALLEY_INSTANCE": str(tmp_path / "i"),
                      "TECHVALLEY_API_ROBUSTNESS_DRAWS": 20, "TESTING": True}, load_data=False)
    assert app.config["TECHVALLEY_API_ROBUSTNESS_DRAWS"] == 20 and app.config["TESTING"] is True


def test_a_variable_read_by_two_packages_is_named_once(monkeypatch):
    from valleys.settings import check

    monkeypatch.setenv("TECHVALLEY_API_ROBUSTNESS_DRAWS", "-1")
    with pytest.raises(SettingsError) as caught:
        check()
    assert caught.value.details == [
        "TECHVALLEY_API_ROBUSTNESS_DRAWS '-1' must be a whole number >= 0 (default 200)"
    ]


def test_every_command_is_in_the_one_group_once():
    defined = {
        command.name: module
        for module in sorted(set(COMMAND_MODULES.values()))
        for command in importlib.import_module(module).COMMANDS
    }
    assert defined == COMMAND_MODULES
    listed = CliRunner().invoke(main, ["--help"]).output.split("Commands:")[1].split()
    names = [word for word in listed if word in {*COMMAND_MODULES, "serve", "create-staff"}]
    assert sorted(names) == sorted({*COMMAND_MODULES, "serve", "create-staff"})


def test_the_serve_supervisor_loads_no_command_module_nor_geopandas():
    """``techvalley serve --workers N``: the supervisor imports web.cli and web.serve only."""
    code = ("import sys, web.cli, web.serve; print(sorted(m for m in sys.modules if m in "
            "{'geopandas', 'pandas', 'valleys.cli', 'matching.cli', 'matching.cli_learning', "
            "'matching.cli_suitability'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == "[]"
