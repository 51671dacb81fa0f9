"""Keeping search terms out of URLs.

Names, dates of birth and identifiers typed into a search are personal data, and a URL
ends up in browser history, server logs and referrer headers. So search forms are
POSTed; the terms are kept in the session under a random key and the results page is
addressed by that key alone (`?q=3f9c...&page=2`).
"""

import secrets
from typing import Any

from django.http import HttpRequest

SESSION_KEY = "safehub.searches"
MAX_SAVED_SEARCHES = 20


def save_search(request: HttpRequest, terms: dict[str, Any]) -> str:
    saved: dict[str, dict[str, Any]] = request.session.get(SESSION_KEY, {})
    key = secrets.token_urlsafe(8)
    saved[key] = terms
    while len(saved) > MAX_SAVED_SEARCHES:
        saved.pop(next(iter(saved)))
    request.session[SESSION_KEY] = saved
    return key


def load_search(request: HttpRequest) -> dict[str, Any] | None:
    key = request.GET.get("q", "")
    saved: dict[str, dict[str, Any]] = request.session.get(SESSION_KEY, {})
    return saved.get(key)
