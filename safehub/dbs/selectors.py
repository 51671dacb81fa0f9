"""Every read of DBS local checks, narrowed to what the user may see (`policy.visible_checks`:
the force's disclosure unit only). Opening a check is audited; the queue shows references,
names and clocks, and a check outside the user's reach is 404, exactly like none."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from safehub.access import policy
from safehub.audit.services import record
from safehub.dbs.models import OPEN_STATES, CheckState, LocalCheck, Workforce
from safehub.partnership.models import User
from safehub.partnership.roles import Capability, Role, has_capability


def checks_for(*, user: User) -> QuerySet[LocalCheck]:
    return policy.visible_checks(user).select_related("allocated_to")


def get_check(*, user: User, pk: int) -> LocalCheck:
    check = (
        checks_for(user=user)
        .select_related("person", "searched_by", "assessed_by", "reviewed_by", "returned_by", "recorded_by")
        .filter(pk=pk)
        .first()
    )
    if check is None:
        record(
            action="access.refused",
            actor=user,
            object_type="dbs.localcheck",
            object_id=str(pk),
            outcome="refused",
            purpose="DBS local check not visible",
        )
        raise Http404("No such check")
    record(action="dbs.check_viewed", actor=user, target=check, purpose="DBS local check")
    return check


@dataclass(frozen=True)
class QueueFilter:
    state: str = ""
    officer: int | None = None
    unallocated: bool = False
    overdue: bool = False
    workforce: str = ""


def queue(*, user: User, filters: QueueFilter, today: datetime.date) -> QuerySet[LocalCheck]:
    """The open checks, soonest due first (the 14-day date, then the 60-day one)."""
    rows = checks_for(user=user).filter(state__in=OPEN_STATES)
    if filters.state in CheckState.values:
        rows = rows.filter(state=filters.state)
    if filters.unallocated:
        rows = rows.filter(allocated_to__isnull=True)
    elif filters.officer is not None:
        rows = rows.filter(allocated_to_id=filters.officer)
    if filters.overdue:
        rows = rows.filter(standard_due_on__lt=today)
    if filters.workforce in Workforce.values:
        rows = rows.filter(workforce=filters.workforce)
    return rows.order_by("standard_due_on", "limit_due_on", "pk")


def unit_officers(*, user: User) -> QuerySet[User]:
    """The force's disclosure officers and supervisors, for allocation and workload."""
    if not has_capability(user, Capability.WORK_DBS_CHECKS) or user.organisation_id is None:
        return User.objects.none()
    return (
        User.objects.filter(
            is_active=True,
            organisation_id=user.organisation_id,
            role_assignments__role__in=[Role.DISCLOSURE_OFFICER, Role.DISCLOSURE_SUPERVISOR],
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def workload(*, user: User) -> list[tuple[User, int]]:
    """Each officer of the unit and how many open checks they hold."""
    officers = list(unit_officers(user=user))
    held = dict(
        checks_for(user=user)
        .filter(state__in=OPEN_STATES, allocated_to__isnull=False)
        .values_list("allocated_to")
        .annotate(n=Count("pk"))
    )
    return [(officer, held.get(officer.pk, 0)) for officer in officers]


def awaiting_review(*, user: User) -> QuerySet[LocalCheck]:
    """Disclosures waiting for quality review that this user may give (not their own)."""
    if not has_capability(user, Capability.REVIEW_DISCLOSURES):
        return LocalCheck.objects.none()
    return (
        checks_for(user=user).filter(state=CheckState.REVIEW).filter(~Q(assessed_by=user)).order_by("standard_due_on")
    )
