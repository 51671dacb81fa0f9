"""The request an audit event belongs to: set by middleware, read by `services.record`."""

import contextvars
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip_address: str | None


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("safehub_request", default=None)


def current() -> RequestContext | None:
    return _current.get()


class AuditContextMiddleware:
    """Gives every request an id (echoed as X-Request-ID) and remembers the client address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context = RequestContext(request_id=uuid.uuid4().hex, ip_address=request.META.get("REMOTE_ADDR") or None)
        token = _current.set(context)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = context.request_id
        return response
