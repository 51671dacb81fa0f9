"""The school's side of a notice: the Key Adult acknowledges it and records the support the
school will give; a notice not acknowledged by the set time (10:00 on the day it was due, by
default) alerts the council's Operation Encompass coordinators, with the school's phone and
email, so that someone phones the school. A notice that reached no one (the school has no Key
Adult in SafeHub) alerts them at once."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from safehub.access import policy
from safehub.audit.services import record
from safehub.encompass.models import Notice, RecipientKind
from safehub.notifications.models import Channel
from safehub.notifications.services import notify
from safehub.partnership.models import Organisation, User
from safehub.partnership.roles import Role

NOT_YOUR_NOTICE = "This notice is not addressed to your school or team."
ALREADY_ACKNOWLEDGED = "This notice has already been acknowledged."


@transaction.atomic
def acknowledge(*, notice: Notice, by: User, support: str = "") -> Notice:
    """The Key Adult has read the notice; `support` is what the school will do for the child."""
    if not policy.can(by, "acknowledge", notice):
        raise PermissionDenied(NOT_YOUR_NOTICE)
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.acknowledged_at is not None:
        raise ValidationError(ALREADY_ACKNOWLEDGED)
    notice.acknowledged_at, notice.acknowledged_by = timezone.now(), by
    notice.support = support.strip()
    notice.full_clean()
    notice.save(update_fields=["acknowledged_at", "acknowledged_by", "support"])
    record(
        action="encompass.notice_acknowledged",
        actor=by,
        target=notice,
        purpose="Operation Encompass",
        detail={"on_time": notice.acknowledged_at <= notice.acknowledge_by, "support_recorded": bool(notice.support)},
    )
    return notice


@transaction.atomic
def record_support(*, notice: Notice, by: User, support: str) -> Notice:
    """Add or change the support the school will give, after acknowledging."""
    if not policy.can(by, "acknowledge", notice):
        raise PermissionDenied(NOT_YOUR_NOTICE)
    if notice.acknowledged_at is None:
        return acknowledge(notice=notice, by=by, support=support)
    if not support.strip():
        raise ValidationError({"support": "Describe the support the school will give."})
    notice.support = support.strip()
    notice.save(update_fields=["support"])
    record(action="encompass.support_recorded", actor=by, target=notice, purpose="Operation Encompass")
    return notice


def council_of(notice: Notice) -> Organisation:
    if notice.recipient_kind == RecipientKind.LOCAL_AUTHORITY:
        return notice.organisation
    return notice.organisation.local_authority or notice.incident.local_authority


def coordinators_for(notice: Notice) -> list[User]:
    """The Operation Encompass coordinators of the school's council (else of the incident's)."""
    users = User.objects.filter(is_active=True, role_assignments__role=Role.ENCOMPASS_COORDINATOR)
    for council in (council_of(notice), notice.incident.local_authority):
        found = list(users.filter(organisation=council).distinct().order_by("pk"))
        if found:
            return found
    return []


def escalate_unacknowledged(*, now: datetime.datetime | None = None) -> int:
    """Alert the coordinators of each notice past its acknowledge-by time, or delivered to no
    one, once. Returns how many were escalated; running it again changes nothing."""
    now = now or timezone.now()
    due = Notice.objects.filter(acknowledged_at__isnull=True, escalated_at__isnull=True).filter(
        Q(acknowledge_by__lte=now) | Q(delivered_at__isnull=True)
    )
    escalated = 0
    for pk in due.values_list("pk", flat=True):
        escalated += _escalate(pk, now)
    return escalated


@transaction.atomic
def _escalate(pk: int, now: datetime.datetime) -> int:
    notice = Notice.objects.select_for_update(of=("self",)).select_related("organisation", "incident").get(pk=pk)
    if notice.acknowledged_at is not None or notice.escalated_at is not None:
        return 0
    recipients = coordinators_for(notice)
    for user in recipients:
        notify(
            key=f"encompass.unacknowledged:notice-{notice.pk}:user-{user.pk}",
            recipient=user,
            kind="encompass.unacknowledged",
            reference=notice.reference,
            link=reverse("encompass:notice", args=[notice.pk]),
            channels=[Channel.INBOX] + ([Channel.EMAIL] if user.email else []),
        )
    notice.escalated_at = now
    notice.save(update_fields=["escalated_at"])
    record(
        action="encompass.notice_escalated",
        target=notice,
        purpose="Operation Encompass notice not acknowledged",
        detail={"undelivered": notice.delivered_at is None, "coordinators": [u.pk for u in recipients]},
    )
    return 1
