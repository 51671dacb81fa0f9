"""Every page each demo user can reach opens: starting from the home page, follow every link
on every page (navigation, lists, detail pages, dashboards) as that user, and require that
none fails with a server error or renders a variable the template could not resolve.

This is the test that opens the pages the demo actually has, so that a state the demo makes
and a page cannot show (a check with no answerer, say) fails here before anyone sees it."""

import datetime
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

from safehub.demo import seed as demo
from safehub.partnership.models import User

TODAY = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)
# Each role's crawl stops after this many pages, and opens at most this many pages of one
# kind (contact pages, a list's filters and pages), so that every kind is reached in time.
PAGES_PER_ROLE = 300
PAGES_PER_KIND = 12
MISSING = "!!TEMPLATE-VARIABLE-MISSING:"


class _Missing(str):
    """What a template variable that does not resolve renders as, so the crawl can see it. It
    is false, as the empty string is in production, so `{% if %}` and filters such as
    `default` behave as they do for real users: only a value a page prints is caught."""

    def __bool__(self) -> bool:
        return False

    def __mod__(self, name: object) -> "_Missing":
        return _Missing(f"{MISSING}{name}!!")


INVALID = _Missing(MISSING + "%s!!")
# Links the crawl does not follow: static files, the admin (its own test), downloads of
# the API schema, and the links that act (a GET must never act, but these are not pages).
SKIP_PREFIXES = ("/static/", "/admin/", "/api/", "/sign-out/", "/sign-in/")

pytestmark = pytest.mark.django_db


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _links(page_url: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        url, _ = urldefrag(urljoin(page_url, href))
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(SKIP_PREFIXES) or not path.startswith("/"):
            continue
        found.append(path)
    return found


def _kind(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return path
    return match.view_name


@pytest.fixture
def seeded(time_machine, settings):
    time_machine.move_to(TODAY, tick=False)
    demo.seed_demo(size="small", seed=2026)
    template = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**template, "OPTIONS": {**template["OPTIONS"], "string_if_invalid": INVALID}}]


def _crawl(client, user: User) -> tuple[Counter[str], list[str]]:
    client.raise_request_exception = False  # a crash is a 500 to report, with the others
    client.force_login(user)
    seen: set[str] = {"/"}
    queue: deque[str] = deque(["/"])
    per_kind: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    problems: list[str] = []
    opened = 0
    while queue and opened < PAGES_PER_ROLE:
        path = queue.popleft()
        kind = _kind(path)
        if per_kind[kind] >= PAGES_PER_KIND:
            continue
        per_kind[kind] += 1
        opened += 1
        response = client.get(path)
        statuses[f"{kind} {response.status_code}"] += 1
        if response.status_code >= 500:
            problems.append(f"{user.username}: {path} answered {response.status_code}")
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            target = urlsplit(response["Location"])
            if target.netloc in ("", "testserver") and target.path not in seen:
                location = target.path + (f"?{target.query}" if target.query else "")
                if not location.startswith(SKIP_PREFIXES):
                    seen.add(location)
                    queue.append(location)
            continue
        if response.status_code not in (200, 403, 404):
            problems.append(f"{user.username}: {path} answered {response.status_code}")
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        if MISSING in html:
            start = html.index(MISSING)
            problems.append(f"{user.username}: {path} rendered {html[start : start + 80]}")
        for link in _links(path, html):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return statuses, problems


def test_every_page_each_demo_user_reaches_from_their_home_page_opens(seeded, client):
    problems: list[str] = []
    reached: dict[str, Counter[str]] = {}
    for username, *_ in demo.names.DEMO_STAFF:
        user = User.objects.get(username=username)
        statuses, found = _crawl(client, user)
        reached[username] = statuses
        problems += found
        client.logout()
    assert not problems, "\n".join(problems[:40])
    # The crawl reached the pages the defects were on, not only the navigation.
    hub = reached["hub.practitioner"]
    assert hub["hub:contact 200"] >= 5, hub
    assert sum(count for key, count in hub.items() if key.endswith(" 200")) >= 40
    for username, statuses in reached.items():
        assert sum(count for key, count in statuses.items() if key.endswith(" 200")) >= 3, (username, statuses)
