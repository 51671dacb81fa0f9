"""The pages SafeHub answers with when a request fails before a view can answer it.

A lock timeout is not a fault: on SQLite one writer works at a time, and if a write waited
longer than the busy timeout (config.settings.base) the person is told SafeHub is busy and
to try again, with a 503 and Retry-After, rather than shown an error. Nothing was saved.
Under /api/ every such answer is the API's documented JSON error.
"""

import logging
import sys

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
BUSY_MESSAGE = "SafeHub is busy and could not save this. Nothing was saved: try again in a minute."


def is_lock_timeout(error: BaseException | None) -> bool:
    """Whether the database gave up waiting for another writer (SQLite's "database is locked")."""
    return isinstance(error, OperationalError) and "locked" in str(error).lower()


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"status": status, "code": code, "message": message, "fields": {}}}, status=status)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the busy page for a lock timeout, else the problem page."""
    error = sys.exc_info()[1]
    api = request.path.startswith("/api/")
    if is_lock_timeout(error):
        logger.warning("A request waited too long for the database and was told to try again.")
        if api:
            response: HttpResponse = _api_error(503, "busy", BUSY_MESSAGE)
        else:
            response = HttpResponse(loader.render_to_string("busy.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if isinstance(error, OverflowError):
        # A number too large for the database, from an input not bounded where it is read.
        if api:
            return _api_error(400, "invalid", "A number in the request is too large.")
        return defaults.bad_request(request, error)
    if api:
        return _api_error(500, "error", "Sorry, there is a problem with SafeHub. Try again later.")
    return HttpResponse(loader.render_to_string("500.html"), status=500)


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: under /api/, an unknown path or a malformed id is the JSON 404."""
    if _api(request):
        return _api_error(404, "not_found", "Not found.")
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: under /api/, a request Django refuses (a body over the size limit, say)."""
    if _api(request):
        return _api_error(400, "invalid", "The request could not be read: check its size and format.")
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403: audited (access.forbidden); under /api/, the JSON 403."""
    from safehub.access.services import record_forbidden

    record_forbidden(user=getattr(request, "user", None), path=request.path, method=request.method or "")
    if _api(request):
        return _api_error(403, "permission_denied", "You do not have permission to perform this action.")
    return defaults.permission_denied(request, exception)
