"""Browser fixtures shared by the browser tests (``browser``, ``context``, ``page``): see
:mod:`tests.browser.live`."""

from tests.browser.live import browser, context, page  # noqa: F401
