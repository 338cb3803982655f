"""Browser tests: a Chromium of its own for each test (and so for each pytest-xdist worker), and a
full-page screenshot with the page's HTML for each test that fails with a page open."""

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING

import pytest

from tests.browser.chromium import LAUNCH_ARGS, artifact_stem, require_browser

if TYPE_CHECKING:
    from playwright.sync_api import Page

# How long Playwright waits for a page to reach what an action or assertion expects: an admin page
# answers in well under a second, but the suite runs on every core at once.
TIMEOUT_MS = 15_000


@pytest.fixture
def page(monkeypatch) -> "Iterator[Page]":
    """A new page in a freshly started Chromium; skips (fails under CI=true) without a browser."""
    executable = require_browser()
    from playwright.sync_api import expect, sync_playwright

    # While Playwright's sync API is started, its event loop counts as running in this thread, and
    # Django refuses ORM calls from a thread with a running loop (SynchronousOnlyOperation). No Django
    # code runs inside that loop: the test's ORM calls run between Playwright's calls, synchronously.
    # So Django's check is off while the browser runs; the live server answers from threads of its
    # own, without a loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        try:
            context = browser.new_context()
            context.set_default_timeout(TIMEOUT_MS)
            yield context.new_page()
        finally:
            _close_database_connections()
            browser.close()


def _close_database_connections() -> None:
    """Close the database connections this thread opened while Playwright's loop ran. Django keeps
    them apart from the thread's others then (a thread with a running loop is an async context to
    asgiref's Local) and no one else closes them: left open, they keep PostgreSQL from dropping the
    test database at the end of the session. Runs before the loop stops, while they can be reached."""
    from django.conf import settings

    if settings.configured:  # the hook's own test runs the browser without Django
        from django.db import connections

        connections.close_all()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A test that failed with its `page` open leaves a full-page screenshot and the page's HTML in
    artifacts_dir() (CI keeps them), named after the test; the failure report says where."""
    report = yield
    page = getattr(item, "funcargs", {}).get("page")
    if report.failed and report.when in ("setup", "call") and page is not None and not page.is_closed():
        report.sections.append(("browser artifacts", _save_artifacts(page, item.name)))
    return report


def _save_artifacts(page: "Page", test_name: str) -> str:
    stem = artifact_stem(test_name)
    screenshot, html = stem.parent / f"{stem.name}.png", stem.parent / f"{stem.name}.html"
    try:
        stem.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=screenshot, full_page=True)
        html.write_text(page.content())
    except Exception as exc:  # a browser gone or a disk full must not hide the test's own failure
        return f"could not save the page ({type(exc).__name__}: {exc}); url {page.url}"
    return f"url: {page.url}\nscreenshot: {screenshot}\npage HTML: {html}"
