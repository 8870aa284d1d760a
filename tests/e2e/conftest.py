"""Real-browser tests: Playwright's sync API driving Debian's chromium against
pytest-django's `live_server`.

- The browser is the system one (`/usr/bin/chromium`, apt package `chromium`, with
  `fonts-noto-cjk` so Chinese renders). Never run `playwright install`. If chromium is
  missing, every test here fails with a message saying so when E2E_REQUIRED=1 or CI is
  set (`make e2e`, `.ci/run`); on a developer's machine without it (`make test` on a
  fresh machine) they are reported as skipped, with the reason.
- Every test in this folder is marked `e2e` (select with `-m e2e`, leave out with
  `-m "not e2e"`).
- A failed test leaves a full-page screenshot in `artifacts/e2e/<test name>.png`.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Playwright's sync API runs an event loop in the test thread, so Django would refuse ORM
# calls from the test body (factories, assertions on rows) without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCALE = "zh-CN"
TIMEZONE = "Asia/Shanghai"
# Fail fast: a missing element should not hang a test for Playwright's default 30 s.
DEFAULT_TIMEOUT_MS = 10_000

E2E_DIR = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Runs before `-m` deselects anything, so `-m e2e` / `-m "not e2e"` see the marker.
    # This hook receives every collected item of the session, not only this folder's.
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Keep each phase's report on the item (item.rep_setup / rep_call / rep_teardown) so
    # the `page` fixture's teardown can tell whether the test failed.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if not (os.environ.get("E2E_REQUIRED") == "1" or os.environ.get("CI")):
            pytest.skip(
                f"{CHROMIUM} not found: apt-get install chromium fonts-noto-cjk "
                "(required in CI and by `make e2e`)."
            )
        pytest.fail(
            f"{CHROMIUM} not found: the e2e tests need Debian's chromium "
            "(apt-get install chromium fonts-noto-cjk). Do not run `playwright install`.",
            pytrace=False,
        )
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is not executable.", pytrace=False)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(locale=LOCALE, timezone_id=TIMEZONE)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        page = context.new_page()
        yield page
        if _failed(request.node):
            _save_screenshot(page, request)
    finally:
        context.close()


def _failed(item: pytest.Item) -> bool:
    return any(
        getattr(getattr(item, f"rep_{when}", None), "failed", False) for when in ("setup", "call")
    )


def _save_screenshot(page: Page, request: pytest.FixtureRequest) -> None:
    name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_") or "test"
    path = request.config.rootpath / "artifacts" / "e2e" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(path), full_page=True)
    except Exception as exc:  # a broken page must not hide the test's own failure
        warnings.warn(f"could not save screenshot {path}: {exc}", stacklevel=1)
    else:
        print(f"\nscreenshot of the failed page: {path}")  # shown with the failure report
