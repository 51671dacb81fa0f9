"""Fixtures for the browser tests: one Chromium per session, a fresh context per test,
and helpers to sign in, read the navigation and check pages with axe.

Playwright's sync API runs an event loop in the test thread, which makes Django refuse
database calls from it ("async unsafe"); the tests only touch the database to build
data, so that guard is lifted here and only here.
"""

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    sync_playwright,
)

from safehub.partnership.models import User
from tests.conftest import SignedInClient, authenticator_code, enrolled_authenticator
from tests.factories import TEST_PASSWORD

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


class OneRequestAtATime(WSGIServer):
    """The live server for an in-memory SQLite database: its threads would share the test's one
    connection, and a page that loads several dynamic images (the dashboard's charts) would
    use it from two threads at once ("bad parameter or other API misuse"). Served in the
    server's own thread, one request at a time (Django then closes each connection after its
    response, so an idle keep-alive never holds the next). PostgreSQL keeps the threads."""

    def __init__(self, *args: object, connections_override: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    LiveServerThread.server_class = OneRequestAtATime  # type: ignore[assignment]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
NO_CHROMIUM = f"The browser tests need Chromium at {CHROMIUM}: install it with `apt-get install chromium`."

# Every WCAG 2.0, 2.1 and 2.2 A and AA rule, plus axe's best practices.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    manager = sync_playwright().start()
    yield manager
    manager.stop()


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    browser = playwright_session.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class BrowserProblems:
    """Console errors, uncaught script errors and failed sub-resources seen by a page.

    A "Failed to load resource" message for the page itself is left out: an error page
    (404, 403) that a test opens on purpose is not a problem.
    """

    documents: set[str] = field(default_factory=set)
    messages: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and url in self.documents:
            return
        self.messages.append(f"console: {message.text} ({url})")

    def on_response(self, response: Response) -> None:
        if response.request.resource_type == "document":
            self.documents.add(response.url)
        elif response.status >= 400:
            self.messages.append(f"{response.status} for {response.request.resource_type} {response.url}")

    def on_page_error(self, error: Exception) -> None:
        self.messages.append(f"script error: {error}")

    def on_request_failed(self, request: Request) -> None:
        # Leaving a page cancels what it was still loading (a favicon, say): not a fault.
        failure = request.failure or ""
        if "ERR_ABORTED" not in failure:
            self.messages.append(f"failed request: {request.url} ({failure})")


def _watch(page: Page, problems: BrowserProblems) -> None:
    page.on("console", problems.on_console)
    page.on("response", problems.on_response)
    page.on("pageerror", problems.on_page_error)
    page.on("requestfailed", problems.on_request_failed)


@pytest.fixture
def browser_problems() -> BrowserProblems:
    return BrowserProblems()


def _new_context(browser: Browser, base_url: str, **options: object) -> BrowserContext:
    context = browser.new_context(base_url=base_url, **options)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def page(browser: Browser, live_server, transactional_db, browser_problems: BrowserProblems) -> Iterator[Page]:
    """A page in its own browser context (own cookies), failing the test on any console error."""
    context = _new_context(browser, live_server.url)
    page = context.new_page()
    _watch(page, browser_problems)
    yield page
    context.close()
    assert not browser_problems.messages, "The browser reported problems:\n" + "\n".join(browser_problems.messages)


@pytest.fixture
def page_without_javascript(
    browser: Browser, live_server, transactional_db, browser_problems: BrowserProblems
) -> Iterator[Page]:
    context = _new_context(browser, live_server.url, java_script_enabled=False)
    page = context.new_page()
    _watch(page, browser_problems)
    yield page
    context.close()
    assert not browser_problems.messages, "The browser reported problems:\n" + "\n".join(browser_problems.messages)


_axe = Axe()


def assert_no_axe_violations(page: Page) -> None:
    """Run axe-core on the page once it has loaded; fail naming every violation and where it is.

    A click on a link returns once the next page has started loading, not when its
    stylesheets have arrived: axe run then sees an unstyled page (browser-blue links, no
    focus styles) and reports contrast and target-size faults that are not there. So wait
    for the load event first, and fail plainly if a stylesheet still did not apply.
    """
    page.wait_for_load_state("load")
    unstyled = page.evaluate(
        "() => [...document.querySelectorAll('link[rel=stylesheet]')].filter(l => !l.sheet).map(l => l.href)"
    )
    assert not unstyled, f"{page.url} was checked before its stylesheets applied: {unstyled}"
    results = _axe.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    if not violations:
        return
    lines = [f"axe found {len(violations)} accessibility violation(s) on {page.url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}: {node.get('failureSummary', '').replace(chr(10), ' ')}")
    pytest.fail("\n".join(lines), pytrace=False)


def sign_in_with_password(page: Page, username: str, password: str = TEST_PASSWORD) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_in(page: Page, username: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the forms, as a person would: the password, then the code their
    authenticator app shows (the user is enrolled first if they were not), and wait for
    the page that follows."""
    device = enrolled_authenticator(User.objects.get(username=username))
    sign_in_with_password(page, username, password)
    page.get_by_label("Enter the code from your authenticator app").fill(authenticator_code(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


@pytest.fixture
def sign_in_as(page: Page, live_server) -> Callable[[User], None]:
    """Start a signed-in session (both factors) without the forms and open the home page.

    The form itself is exercised by the sign-in tests; tests about what comes after
    signing in use this to save the round trips.
    """

    def sign_in_as(user: User) -> None:
        client = SignedInClient()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        page.goto("/")

    return sign_in_as


def navigation_labels(page: Page) -> list[str]:
    """The sections in the service navigation, in order."""
    return [text.strip() for text in page.locator(".govuk-service-navigation__link").all_inner_texts()]


@pytest.fixture
def riverside(transactional_db):
    """The fictional partnership of `tests/e2e/scenario.py`."""
    from tests.e2e.scenario import build_partnership

    return build_partnership()
