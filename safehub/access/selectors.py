"""Reads for the privacy officer: emergency access to review and a record's access history.

These show who looked at a record, never the record itself; each checks REVIEW_ACCESS.
"""

from django.db.models import QuerySet
from django.http import Http404

from safehub.access import policy
from safehub.access.models import BreakGlassGrant
from safehub.audit.models import AuditEvent
from safehub.audit.selectors import events_for_object
from safehub.partnership.models import User
from safehub.people.models import Person

PERSON_OBJECT_TYPE = "people.person"


def _require_review(user: User) -> None:
    if not policy.can(user, "review_access"):
        raise Http404("Not found")


def grants_to_review(*, user: User) -> QuerySet[BreakGlassGrant]:
    """Emergency access not yet reviewed, oldest first, so none waits longest."""
    if not policy.can(user, "review_access"):
        return BreakGlassGrant.objects.none()
    return BreakGlassGrant.objects.unreviewed().select_related("user", "user__organisation").order_by("starts_at")


def reviewed_grants(*, user: User) -> QuerySet[BreakGlassGrant]:
    if not policy.can(user, "review_access"):
        return BreakGlassGrant.objects.none()
    return (
        BreakGlassGrant.objects.filter(reviewed_at__isnull=False)
        .select_related("user", "user__organisation", "reviewed_by")
        .order_by("-reviewed_at")
    )


def grant_to_review(*, user: User, pk: int) -> BreakGlassGrant:
    _require_review(user)
    grant = BreakGlassGrant.objects.select_related("user", "user__organisation", "reviewed_by").filter(pk=pk).first()
    if grant is None:
        raise Http404("No such grant")
    return grant


def person_exists(*, user: User, pk: int) -> bool:
    _require_review(user)
    return Person.objects.filter(pk=pk).exists()


def person_for_access_history(*, user: User, pk: int) -> Person:
    """The record whose history is asked for: only its reference is shown, never its contents."""
    _require_review(user)
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise Http404("No such person")
    return person


def access_history(*, user: User, person: Person) -> QuerySet[AuditEvent]:
    """Who looked at this person's record, when and why: every audit event about it, newest first."""
    _require_review(user)
    return events_for_object(PERSON_OBJECT_TYPE, str(person.pk))


def emergency_access_to(*, user: User, person: Person) -> QuerySet[BreakGlassGrant]:
    _require_review(user)
    return BreakGlassGrant.objects.filter(person=person).select_related("user", "user__organisation", "reviewed_by")
