"""Browser fixtures: the app served by waitress in a thread on a free loopback port, and
headless Debian Chromium driven by Playwright, with every non-local request blocked.

``tests/browser/conftest.py`` shares ``browser``, ``context`` and ``page``; a test module that
serves the web app imports ``live_server`` (it needs the ``app`` fixture of
``tests/web/conftest.py``, imported alongside)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import waitress
from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CDN_MARKERS = ("unpkg", "cdnjs", "jsdelivr", "cdn.", "googleapis", "bootstrapcdn", "code.jquery")


@dataclass
class LiveServer:
    url: str
    app: object


def serve(flask_app) -> tuple[LiveServer, waitress.server.BaseWSGIServer, threading.Thread]:
    """Serve ``flask_app`` with waitress in a daemon thread on a free loopback port."""
    server = waitress.create_server(flask_app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return LiveServer(f"http://127.0.0.1:{server.effective_port}", flask_app), server, thread


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    live, server, thread = serve(app)
    yield live
    server.close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Guard:
    """Non-local requests the page tried (all blocked) and dialogs it opened."""

    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def cdn_requests(self) -> list[str]:
        return [u for u in self.blocked if any(m in u for m in CDN_MARKERS)]


def guard_page(page: Page) -> Guard:
    guard = Guard()

    def route(route):
        url = route.request.url
        host = urlsplit(url).hostname
        if url.startswith(("data:", "blob:", "about:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            guard.blocked.append(url)
            route.abort()

    page.route("**/*", route)

    def on_dialog(dialog):
        guard.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: guard.errors.append(str(exc)))
    return guard


def log_in_as_staff(page: Page, base_url: str) -> None:
    """Log ``page`` in as the staff member that ``tests.web.conftest.add_staff`` creates."""
    from tests.web.conftest import STAFF_EMAIL, STAFF_PASSWORD

    page.goto(base_url + "/staff/login")
    page.fill("input[name=email]", STAFF_EMAIL)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/staff/shortlists$"))


@pytest.fixture
def context(browser):
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture
def page(context) -> Page:
    return context.new_page()
