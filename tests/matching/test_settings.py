"""The decision's settings: defaults, and environment variables that override them."""

from __future__ import annotations

import importlib

import pytest

from matching import settings


@pytest.fixture
def reload_settings(monkeypatch):
    """Reload matching.settings under a changed environment; restore it afterwards."""
    yield lambda: importlib.reload(settings)
    monkeypatch.undo()
    importlib.reload(settings)


def test_api_draws_default_to_200(monkeypatch, reload_settings):
    monkeypatch.delenv("TECHVALLEY_API_ROBUSTNESS_DRAWS", raising=False)
    reloaded = reload_settings()
    assert reloaded.API_ROBUSTNESS_DRAWS == reloaded.DEFAULT_API_ROBUSTNESS_DRAWS == 200


@pytest.mark.parametrize(("raw", "expected"), [("50", 50), ("", 200)])
def test_api_draws_follow_the_environment(monkeypatch, reload_settings, raw, expected):
    monkeypatch.setenv("TECHVALLEY_API_ROBUSTNESS_DRAWS", raw)
    assert reload_settings().API_ROBUSTNESS_DRAWS == expected
