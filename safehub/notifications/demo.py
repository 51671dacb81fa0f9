"""The outbox in the demo partnership: the history the other apps' demos made through the
services left their emails waiting, as the worker had not run while the history was made."""

from django.core.mail.backends.dummy import EmailBackend as DiscardingEmailBackend
from django.utils import timezone

from safehub.notifications.models import Notification, State
from safehub.notifications.services import dispatch_due


def deliver_history() -> dict[str, int]:
    """Send every email already due through the outbox (the real dispatcher: claimed, sent,
    audited), to a mail backend that keeps nothing. The demo then starts with the outbox it
    would have in use, not a year of emails that the worker would pour out when it starts."""
    due = Notification.objects.filter(state=State.PENDING, next_attempt_at__lte=timezone.now()).count()
    if not due:
        return {}
    result = dispatch_due(limit=due, mailer=DiscardingEmailBackend())
    return {"emails the worker had sent": result.sent}
