"""Every read of strategy discussions and conferences. Each starts from
`safehub.access.policy` (`visible_meetings`, `managed_meetings`, `open_invitations_to`), so
lists, pages, the API and the measures see only what the user may see.

Opening one meeting is audited here (`meeting.viewed`, or `access.refused` for one outside
the user's scope, which is then "not found" exactly like one that does not exist).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from safehub.access import policy
from safehub.audit.services import record
from safehub.hub.models import Contact, ContactState, Decision
from safehub.meetings import due_dates
from safehub.meetings.models import (
    WITHOUT_CONFERENCE,
    Agency,
    ChildProtectionPlan,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingState,
    ResponseState,
)
from safehub.meetings.services.convening import unsettled_required_agencies
from safehub.meetings.services.recording import attendance_missing, quorum_gaps, review_due_after
from safehub.partnership.models import User
from safehub.partnership.roles import Capability, has_capability
from safehub.people.models import Person


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    return policy.visible_meetings(user)


def get_meeting(*, user: User, pk: int) -> Meeting:
    """One meeting the user may open, audited; 404 (and audited as refused) otherwise."""
    meeting = (
        policy.visible_meetings(user)
        .select_related("team__organisation", "local_authority", "chair", "convened_by", "contact", "previous")
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        record(
            action="access.refused",
            actor=user,
            object_type="meetings.meeting",
            object_id=str(pk),
            outcome="refused",
            purpose="meeting not visible",
        )
        raise Http404("No meeting found")
    basis = "runs the meeting" if policy.managed_meetings(user).filter(pk=pk).exists() else "invited"
    record(action="meeting.viewed", actor=user, target=meeting, purpose=basis)
    return meeting


def upcoming_meetings(*, user: User) -> QuerySet[Meeting]:
    today_start = datetime.datetime.combine(
        timezone.localdate(), datetime.time(0, 0), tzinfo=timezone.get_current_timezone()
    )
    return (
        policy.visible_meetings(user)
        .filter(state=MeetingState.SCHEDULED, ends_at__gte=today_start)
        .select_related("team__organisation")
        .order_by("starts_at", "pk")
    )


def waiting_for_record(*, user: User) -> QuerySet[Meeting]:
    """Meetings the user runs that have started but whose outcome is not recorded yet."""
    return (
        policy.managed_meetings(user)
        .filter(state=MeetingState.SCHEDULED, starts_at__lte=timezone.now())
        .order_by("starts_at", "pk")
    )


def invitations_to_answer(*, user: User) -> QuerySet[Invitation]:
    return (
        policy.open_invitations_to(user)
        .filter(
            response=ResponseState.PENDING, meeting__state=MeetingState.SCHEDULED, meeting__ends_at__gte=timezone.now()
        )
        .select_related("meeting", "team")
        .order_by("meeting__starts_at", "pk")
    )


def past_meetings(*, user: User) -> QuerySet[Meeting]:
    return policy.visible_meetings(user).exclude(state=MeetingState.SCHEDULED).order_by("-starts_at", "-pk")


@dataclass(frozen=True)
class DueMeeting:
    """A meeting that should be convened and is not yet: what, for whom, by when."""

    kind: str
    reference: str  # the contact or meeting it follows
    due_at: datetime.datetime
    contact: Contact | None = None
    previous: Meeting | None = None

    @property
    def kind_label(self) -> str:
        return MeetingKind(self.kind).label

    @property
    def overdue(self) -> bool:
        return timezone.now() > self.due_at


def meetings_to_convene(*, user: User, after: Meeting | None = None) -> list[DueMeeting]:
    """What the user's teams must still convene, soonest due first: strategy discussions the
    hub decided on, initial conferences after a section 47 enquiry started, the next review
    of a plan, the first core group after an initial conference, and the next core group
    after each one while the plan lasts."""
    if not has_capability(user, Capability.CONVENE_MEETINGS):
        return []
    due: list[DueMeeting] = []
    if after is not None:
        return _follow_ons(held=policy.managed_meetings(user).filter(pk=after.pk, state=MeetingState.HELD))
    sd_convened = Meeting.objects.filter(contact=OuterRef("pk"), kind=MeetingKind.STRATEGY_DISCUSSION).exclude(
        state=MeetingState.CANCELLED
    )
    contacts = (
        policy.hub_contacts(user)
        .filter(state=ContactState.DECIDED, decision=Decision.STRATEGY_DISCUSSION, decided_at__isnull=False)
        .exclude(Exists(sd_convened))
        .order_by("decided_at")[:200]
    )
    for contact in contacts:
        assert contact.decided_at is not None
        due.append(
            DueMeeting(
                MeetingKind.STRATEGY_DISCUSSION,
                contact.reference,
                due_dates.strategy_discussion_due(contact.decided_at),
                contact=contact,
            )
        )
    due += _follow_ons(held=policy.managed_meetings(user).filter(state=MeetingState.HELD))
    return sorted(due, key=lambda d: d.due_at)


def _follow_ons(*, held: QuerySet[Meeting]) -> list[DueMeeting]:
    """Conferences, reviews and core groups due after the held meetings given."""
    due: list[DueMeeting] = []
    held = held.prefetch_related("subjects")
    followed = Meeting.objects.filter(previous=OuterRef("pk")).exclude(state=MeetingState.CANCELLED)
    enquiries = held.filter(kind=MeetingKind.STRATEGY_DISCUSSION, outcome__in=["s47_single", "s47_joint"])
    for sd in enquiries.exclude(Exists(followed)).exclude(enquiry_outcome__in=WITHOUT_CONFERENCE)[:200]:
        unborn_due = _pre_birth_due(sd)
        if unborn_due is not None:
            due.append(DueMeeting(MeetingKind.PRE_BIRTH_CONFERENCE, sd.reference, unborn_due, previous=sd))
        else:
            due.append(
                DueMeeting(
                    MeetingKind.INITIAL_CONFERENCE,
                    sd.reference,
                    due_dates.initial_conference_due(sd.starts_at),
                    previous=sd,
                )
            )
    reviews_held = Meeting.objects.filter(previous=OuterRef("pk"), kind=MeetingKind.REVIEW_CONFERENCE).exclude(
        state=MeetingState.CANCELLED
    )
    core_groups = Meeting.objects.filter(previous=OuterRef("pk"), kind=MeetingKind.CORE_GROUP).exclude(
        state=MeetingState.CANCELLED
    )
    with_plan = held.filter(plan_decision=True)
    for conference in with_plan.exclude(Exists(reviews_held))[:200]:
        review_day = conference.plan_review_due or review_due_after(conference)
        due.append(
            DueMeeting(
                MeetingKind.REVIEW_CONFERENCE,
                conference.reference,
                due_dates.end_of(review_day),
                previous=conference,
            )
        )
    for conference in with_plan.filter(
        kind__in=[MeetingKind.INITIAL_CONFERENCE, MeetingKind.PRE_BIRTH_CONFERENCE]
    ).exclude(Exists(core_groups))[:200]:
        due.append(
            DueMeeting(
                MeetingKind.CORE_GROUP,
                conference.reference,
                due_dates.core_group_due(conference.starts_at),
                previous=conference,
            )
        )
    # The core group goes on meeting while a child of it is on a plan: the next after each.
    open_plan = Meeting.subjects.through.objects.filter(
        meeting_id=OuterRef("pk"), person__protection_plans__ended_on__isnull=True
    )
    core_groups_held = held.filter(kind=MeetingKind.CORE_GROUP).filter(Exists(open_plan))
    for core_group in core_groups_held.exclude(Exists(core_groups))[:200]:
        due.append(
            DueMeeting(
                MeetingKind.CORE_GROUP,
                core_group.reference,
                due_dates.core_group_due(core_group.starts_at, first=False),
                previous=core_group,
            )
        )
    return due


def _pre_birth_due(meeting: Meeting) -> datetime.datetime | None:
    """A strategy discussion about an unborn child leads to a pre-birth conference."""
    subjects = list(meeting.subjects.all())
    dates = [p.expected_due_date for p in subjects if p.expected_due_date]
    if not dates or len(dates) != len(subjects):
        return None
    return due_dates.pre_birth_conference_due(min(dates))


@dataclass
class AgencyLine:
    agency: str
    label: str
    required: bool
    invitations: list[Invitation] = field(default_factory=list)
    settled: bool = False


@dataclass
class MeetingPage:
    """Everything the meeting page shows, already narrowed to what the user may see."""

    meeting: Meeting
    invitations: list[Invitation]
    my_invitations: list[Invitation]
    unsettled_agencies: list[str]
    escalation_at: datetime.datetime
    quorum_gaps: list[str]
    attendance_missing: list[Invitation]
    may_manage: bool
    may_chair: bool
    may_override_quorum: bool
    may_read_minutes: bool
    plans: list[ChildProtectionPlan]
    next_due: list[DueMeeting]

    @property
    def unsettled_labels(self) -> list[str]:
        return [Agency(a).label for a in self.unsettled_agencies]

    @property
    def quorum_gap_labels(self) -> list[str]:
        return [Agency(a).label for a in self.quorum_gaps]

    @property
    def started(self) -> bool:
        return timezone.now() >= self.meeting.starts_at

    @property
    def past_escalation(self) -> bool:
        return timezone.now() >= self.escalation_at


def meeting_page(*, user: User, meeting: Meeting) -> MeetingPage:
    invitations = list(
        meeting.invitations.select_related(
            "invitee__organisation", "team__organisation", "organisation", "attendance", "responded_by"
        )
        .prefetch_related(Prefetch("deputies"))
        .order_by("pk")
    )
    mine = list(policy.open_invitations_to(user).filter(meeting=meeting).order_by("pk"))
    following = meetings_to_convene(user=user, after=meeting) if meeting.state == MeetingState.HELD else []
    return MeetingPage(
        meeting=meeting,
        invitations=invitations,
        my_invitations=mine,
        unsettled_agencies=unsettled_required_agencies(meeting) if meeting.state == MeetingState.SCHEDULED else [],
        escalation_at=due_dates.invitation_escalation_time(meeting.starts_at),
        quorum_gaps=quorum_gaps(meeting),
        attendance_missing=attendance_missing(meeting) if meeting.state == MeetingState.SCHEDULED else [],
        may_manage=policy.can(user, "manage", meeting),
        may_chair=policy.can(user, "chair", meeting),
        may_override_quorum=policy.can(user, "override_quorum", meeting),
        may_read_minutes=policy.can(user, "read_minutes", meeting),
        plans=list(
            ChildProtectionPlan.objects.filter(started_by__in=[meeting.pk]).select_related("person")
            if meeting.is_conference
            else []
        ),
        next_due=following,
    )


# A person's record ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanLine:
    """A child protection plan as the person's record shows it."""

    plan: ChildProtectionPlan
    overdue: bool
    # On an unborn child's record: the plan moved to the child's record at birth.
    moved_at_birth: bool = False

    @property
    def is_open(self) -> bool:
        return self.plan.is_open and not self.moved_at_birth


def plans_of(*, user: User, person: Person) -> list[PlanLine]:
    """The person's child protection plans, open or past, and (for an unborn child) a plan
    that moved to the child's record at birth; nothing unless the user may open the record."""
    if not policy.can(user, "view", person):
        return []
    today = timezone.localdate()
    own = ChildProtectionPlan.objects.filter(person=person).select_related("started_by", "transferred_from")
    lines = [PlanLine(plan, overdue=plan.is_open and plan.next_review_due < today) for plan in own]
    moved = ChildProtectionPlan.objects.filter(transferred_from=person).select_related("person", "started_by")
    lines += [PlanLine(plan, overdue=False, moved_at_birth=True) for plan in moved]
    return sorted(lines, key=lambda line: line.plan.started_on, reverse=True)


def meetings_about(*, user: User, person: Person) -> QuerySet[Meeting]:
    """The meetings about this person that the user may open, latest first."""
    if not policy.can(user, "view", person):
        return Meeting.objects.none()
    return policy.visible_meetings(user).filter(subjects=person).order_by("-starts_at", "-pk")
