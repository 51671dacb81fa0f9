"""Writes about access: the audit events of reads, break-glass grants and their review.

Each writes its audit event in the same transaction as its change; `record` fails closed,
so if the event cannot be written the caller gets an error and no data.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safehub.access import policy
from safehub.access.models import BreakGlassGrant, ReviewOutcome, break_glass_hours
from safehub.audit.services import record
from safehub.core import throttling
from safehub.core.models import SignInAttempt
from safehub.notifications.services import notify
from safehub.partnership.models import User
from safehub.partnership.roles import Capability, Role, has_capability
from safehub.people.models import Person

PERSON_OBJECT_TYPE = "people.person"

NOT_ALLOWED_TO_BREAK_GLASS = "Your roles do not allow emergency access. Ask your manager to arrange access instead."
ALREADY_IN_SCOPE = "You can already open this record: use Find a person."


def record_person_viewed(*, user: User, person: Person, part: str = "record") -> None:
    """Before a person's record (or a part of it) is shown: who, and on what basis."""
    record(
        action="person.viewed",
        actor=user,
        target=person,
        purpose=policy.access_basis(user, person),
        detail={"part": part},
    )


def record_access_refused(*, user: User, person_pk: int, part: str = "record") -> None:
    """A request for a record outside the user's scope. The user is told only "not found"."""
    record(
        action="access.refused",
        actor=user,
        object_type=PERSON_OBJECT_TYPE,
        object_id=str(person_pk),
        outcome="refused",
        purpose="outside the user's scope",
        detail={"part": part},
    )


def record_forbidden(*, user: object, path: str, method: str) -> None:
    """A request refused because the user's roles do not allow it (a 403): audited like an
    out-of-scope record, so that a privacy officer sees someone probing. The path is kept
    without its query string (which may hold search terms)."""
    if not getattr(user, "is_authenticated", False):
        return
    record(
        action="access.forbidden",
        actor=user,
        outcome="refused",
        purpose="not allowed by the user's roles",
        detail={"path": path[:300], "method": method},
    )


def record_search(*, user: User, criteria: dict[str, Any], result_count: int, purpose: str = "") -> None:
    """The terms searched for stay in the log so the privacy officer can see what was looked for."""
    record(
        action="person.searched",
        actor=user,
        purpose=purpose,
        detail={"criteria": {k: v for k, v in criteria.items() if v}, "result_count": result_count},
    )


@transaction.atomic
def record_break_glass_password_attempt(*, user: User, ip_address: str | None, succeeded: bool) -> None:
    """Count the re-entered password towards throttling; audit a wrong one."""
    throttling.record_attempt(
        stage=SignInAttempt.Stage.EMERGENCY, username=user.get_username(), ip_address=ip_address, succeeded=succeeded
    )
    if not succeeded:
        record(action="break_glass.refused", actor=user, outcome="refused", purpose="password re-entered wrongly")


@transaction.atomic
def open_break_glass(*, user: User, person: Person, reason: str) -> BreakGlassGrant:
    """Emergency access to one record outside the user's scope, for the configured hours."""
    if not has_capability(user, Capability.BREAK_GLASS):
        raise PermissionDenied(NOT_ALLOWED_TO_BREAK_GLASS)
    if not policy.can(user, "break_glass", person):
        raise ValidationError(ALREADY_IN_SCOPE)
    starts_at = timezone.now()
    grant = BreakGlassGrant(
        user=user,
        person=person,
        reason=reason.strip(),
        starts_at=starts_at,
        expires_at=starts_at + datetime.timedelta(hours=break_glass_hours()),
    )
    grant.full_clean()
    grant.save()
    record(
        action="break_glass.opened",
        actor=user,
        target=person,
        purpose=f"break-glass: {grant.reason}",
        detail={"grant": grant.pk, "expires_at": grant.expires_at.isoformat()},
    )
    alert_privacy_officers(grant)
    return grant


def alert_privacy_officers(grant: BreakGlassGrant) -> None:
    """Every privacy officer hears of an emergency access at once, in SafeHub and by email
    (a reference only: the reason and the person stay in SafeHub)."""
    officers = User.objects.filter(is_active=True, role_assignments__role=Role.PRIVACY_OFFICER).distinct()
    for officer in officers:
        notify(
            key=f"break_glass.alert:grant-{grant.pk}:user-{officer.pk}",
            recipient=officer,
            kind="break_glass.alert",
            reference=f"BG-{grant.pk:06d}",
            link=reverse("access:review", args=[grant.pk]),
        )


@transaction.atomic
def review_break_glass(*, reviewer: User, grant: BreakGlassGrant, outcome: str, notes: str) -> BreakGlassGrant:
    """The privacy officer's judgement on one emergency access."""
    if not policy.can(reviewer, "review_access"):
        raise PermissionDenied
    grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.is_reviewed:
        raise ValidationError("This emergency access has already been reviewed.")
    if outcome not in ReviewOutcome.values:
        raise ValidationError({"outcome": "Choose whether the access was appropriate."})
    if outcome != ReviewOutcome.APPROPRIATE and not notes.strip():
        raise ValidationError({"review_notes": "Say what was wrong or what needs following up."})
    grant.reviewed_by = reviewer
    grant.reviewed_at = timezone.now()
    grant.outcome = outcome
    grant.review_notes = notes.strip()
    grant.full_clean()
    grant.save()
    record(
        action="break_glass.reviewed",
        actor=reviewer,
        target=grant.person,
        purpose=f"review of emergency access by {grant.user.get_username()}",
        detail={"grant": grant.pk, "outcome": outcome},
    )
    return grant


def record_access_history_viewed(*, user: User, person: Person) -> None:
    record(action="access_history.viewed", actor=user, target=person, purpose="access review")
