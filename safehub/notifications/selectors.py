"""Reads of the outbox: a user's own inbox, and what is still to be delivered.

Notifications hold references and ids, not personal data; still, a user only ever reads
their own."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from safehub.notifications.models import Channel, Notification, State
from safehub.partnership.models import User


def inbox_for(*, user: User) -> QuerySet[Notification]:
    """The user's delivered in-app notifications, newest first."""
    return Notification.objects.filter(recipient=user, channel=Channel.INBOX, state=State.SENT).order_by(
        "-sent_at", "-pk"
    )


def unread_count(*, user: User) -> int:
    return inbox_for(user=user).filter(read_at__isnull=True).count()


def get_inbox_item(*, user: User, pk: int) -> Notification:
    """One of the user's own inbox notifications; anyone else's is a 404, as if it did not exist."""
    return get_object_or_404(inbox_for(user=user), pk=pk)


def outstanding_count() -> int:
    """Rows still to deliver now: due and pending, or claimed and not yet marked sent."""
    now = timezone.now()
    return Notification.objects.filter(
        Q(state=State.PENDING, next_attempt_at__lte=now) | Q(state=State.SENDING)
    ).count()
