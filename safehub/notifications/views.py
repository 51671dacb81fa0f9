"""The inbox: a user's in-app notifications. Thin: each view calls a selector or a service."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from safehub.notifications import selectors, services

PER_PAGE = 25


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = selectors.inbox_for(user=request.user)  # type: ignore[arg-type]
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread": selectors.unread_count(user=request.user)},  # type: ignore[arg-type]
    )


@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a notification (a POST, from the inbox's button) marks it read and takes the
    user to the thing it is about. A GET (a link preview, a prefetch, a bookmarked address)
    reads nothing: it shows the notification with the button to open it."""
    notification = selectors.get_inbox_item(user=request.user, pk=pk)  # type: ignore[arg-type]
    if request.method != "POST":
        return render(request, "notifications/open.html", {"notification": notification})
    services.mark_read(notification=notification)
    if url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect(notification.link)
    return redirect("notifications:inbox")
