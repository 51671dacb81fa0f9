"""Operation Encompass pages (to be completed)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse


@login_required
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


@login_required
def incident(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
