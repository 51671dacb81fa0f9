"""Every read of Operation Encompass incidents and notices, starting from
`safehub.access.policy` (`visible_notices`, `visible_incidents`).

What a school sees of a notice (`notice_for_school`) is what DOMAIN.md says it needs and no
more: the child's name and date of birth, the police reference, when it happened and the kind
of place (never the address), whether the child was present and where, what the child saw,
heard or said, injuries, the circumstances and the actions taken; and the adults involved by
name, with their part and their relationship to the child as SafeHub's records hold it, so
the school knows who may come to collect the child. It never sees the adults' dates of birth
or addresses, nor other children's notices.

Opening a notice or an incident is audited here; one outside the user's scope is "not
found", exactly like one that does not exist (and the refusal is audited).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from safehub.access import policy
from safehub.audit.services import record
from safehub.encompass.models import Incident, Notice
from safehub.partnership.models import User
from safehub.people.models import Relationship, RelationshipKind


def notices_visible_to(user: User) -> QuerySet[Notice]:
    return policy.visible_notices(user).select_related("incident", "child", "organisation", "acknowledged_by")


def incidents_visible_to(user: User) -> QuerySet[Incident]:
    return policy.visible_incidents(user)


def get_notice(*, user: User, pk: int) -> Notice:
    notice = notices_visible_to(user).filter(pk=pk).first()
    if notice is None:
        record(
            action="access.refused",
            actor=user,
            object_type="encompass.notice",
            object_id=str(pk),
            outcome="refused",
            purpose="notice not visible",
        )
        raise Http404("No notice found")
    record(action="encompass.notice_viewed", actor=user, target=notice, purpose="Operation Encompass")
    return notice


def get_incident(*, user: User, pk: int) -> Incident:
    incident = incidents_visible_to(user).filter(pk=pk).first()
    if incident is None:
        record(
            action="access.refused",
            actor=user,
            object_type="encompass.incident",
            object_id=str(pk),
            outcome="refused",
            purpose="incident not visible",
        )
        raise Http404("No incident found")
    record(action="encompass.incident_viewed", actor=user, target=incident, purpose="Operation Encompass")
    return incident


def awaiting_acknowledgement(*, user: User) -> QuerySet[Notice]:
    """Notices the user may acknowledge (their school's or team's) not yet acknowledged, the
    oldest due first."""
    return (
        policy.acknowledgeable_notices(user)
        .filter(acknowledged_at__isnull=True)
        .select_related("incident", "child", "organisation")
        .order_by("due_at", "pk")
    )


def chase_list(*, user: User) -> QuerySet[Notice]:
    """For a coordinator: notices past their acknowledge-by time, or delivered to no one."""
    # One filter, not a union: SQLite refuses the model's ordering inside a compound query.
    return (
        notices_visible_to(user)
        .filter(acknowledged_at__isnull=True)
        .filter(Q(acknowledge_by__lte=timezone.now()) | Q(delivered_at__isnull=True))
        .order_by("due_at", "pk")
    )


@dataclass(frozen=True)
class SchoolNotice:
    """The notice as the school reads it."""

    notice: Notice
    child_name: str
    date_of_birth: datetime.date | None
    police_reference: str
    occurred_at: datetime.datetime
    location_kind: str
    present: bool
    whereabouts: str
    voice_of_child: str
    injuries: str
    circumstances: str
    actions_taken: str
    version: int
    corrected_at: datetime.datetime | None
    correction_note: str
    adults: list["NoticeAdult"]


@dataclass(frozen=True)
class NoticeAdult:
    """An adult involved, as the school reads them: name, part, relationship to the child."""

    name: str
    role: str
    part: str
    relationship: str


NOT_ON_RECORD = "Not known from SafeHub's records"


def _adults_for(incident: Incident, child_person_id: int | None) -> list[NoticeAdult]:
    """Each adult with their relationship to this child, from the people records when both
    are matched (a current parent, step-parent or carer relationship), else not known."""
    adults = list(incident.adults.all())
    kinds: dict[int, str] = {}
    matched = [a.person_id for a in adults if a.person_id is not None]
    if child_person_id is not None and matched:
        today = timezone.localdate()
        links = Relationship.objects.filter(person_id__in=matched, related_to_id=child_person_id).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today)
        )
        for person_id, kind in links.values_list("person_id", "kind"):
            kinds.setdefault(person_id, RelationshipKind(kind).label)
    return [
        NoticeAdult(
            name=f"{adult.given_names} {adult.family_name}".strip(),
            role=adult.role,
            part=adult.get_role_display(),
            relationship=kinds.get(adult.person_id, NOT_ON_RECORD) if adult.person_id else NOT_ON_RECORD,
        )
        for adult in adults
    ]


def notice_for_school(notice: Notice) -> SchoolNotice:
    incident, child = notice.incident, notice.child
    return SchoolNotice(
        notice=notice,
        child_name=f"{child.given_names} {child.family_name}",
        date_of_birth=child.date_of_birth,
        police_reference=incident.police_reference,
        occurred_at=incident.occurred_at,
        location_kind=incident.get_location_kind_display(),
        present=child.present,
        whereabouts=child.whereabouts,
        voice_of_child=child.voice_of_child,
        injuries=child.injuries,
        circumstances=incident.circumstances,
        actions_taken=child.actions_taken,
        version=incident.version,
        corrected_at=incident.corrected_at,
        correction_note=incident.correction_note,
        adults=_adults_for(incident, child.person_id),
    )
