"""Holding the meeting and recording it: attendance for every invitee, quorum, the strategy
discussion's outcome or the conference's decision, actions and minutes; child protection
plans, and moving an unborn child's plan to the child's record at birth.

Quorum: a decision on a section 47 enquiry (to start one, or not) and a conference's plan
decision need children's social care, the police and health each represented by someone able
to make decisions for their agency. A team manager may record the decision without quorum,
giving the reason, which is kept and counted on the attendance page.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from safehub.access import policy
from safehub.audit.services import record
from safehub.meetings import due_dates
from safehub.meetings.models import (
    CONFERENCE_KINDS,
    PRESENT_STATUSES,
    QUORUM_AGENCIES,
    WITHOUT_CONFERENCE,
    Agency,
    Attendance,
    AttendanceStatus,
    ChildProtectionPlan,
    EnquiryOutcome,
    Invitation,
    Meeting,
    MeetingAction,
    MeetingKind,
    MeetingState,
    PlanCategory,
    ResponseState,
    StrategyOutcome,
)
from safehub.meetings.services.convening import _chronology, _link
from safehub.notifications.models import Channel
from safehub.notifications.services import notify
from safehub.partnership.models import Organisation, User
from safehub.people.models import Person, PersonKind
from safehub.timescales.calendar import is_working_day

NOT_THE_CHAIR = "Only the meeting's chair, or a manager of the team that convened it, can record the meeting."
NOT_SCHEDULED = "This meeting has already been recorded or was cancelled."
NOT_A_STRATEGY_DISCUSSION = "Only a strategy discussion decides on a section 47 enquiry."
NOT_A_CONFERENCE = "Only a child protection conference decides on a plan."
NOT_A_CORE_GROUP = "Only a core group meeting is recorded as one."
NOT_STARTED = "Record the meeting once it has started."
OVERRIDE_NOT_ALLOWED = (
    "Only a team manager can record a decision without quorum. Ask a team manager, or reconvene the meeting."
)


@dataclass(frozen=True)
class AttendanceInput:
    invitation: Invitation
    status: str
    attendee_name: str = ""
    late_minutes: int = 0
    able_to_decide: bool = False


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner_organisation: Organisation
    owner_name: str
    due_on: datetime.date


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _locked_scheduled(meeting: Meeting, by: User) -> Meeting:
    _require(policy.can(by, "chair", meeting), NOT_THE_CHAIR)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.state != MeetingState.SCHEDULED:
        raise ValidationError(NOT_SCHEDULED)
    if timezone.now() < meeting.starts_at:
        raise ValidationError(NOT_STARTED)
    return meeting


# Attendance ---------------------------------------------------------------------------------


@transaction.atomic
def record_attendance(*, meeting: Meeting, entries: Sequence[AttendanceInput], by: User) -> list[Attendance]:
    """The chair's record of who came and how, one entry per invitation; recording again
    replaces an earlier entry until the meeting's outcome is recorded."""
    meeting = _locked_scheduled(meeting, by)
    now = timezone.now()
    saved = []
    errors: dict[str, str] = {}
    for entry in entries:
        invitation = entry.invitation
        if invitation.meeting_id != meeting.pk or invitation.response == ResponseState.WITHDRAWN:
            raise ValidationError("Record attendance only for this meeting's invitations.")
        if entry.status not in AttendanceStatus.values:
            errors[f"status-{invitation.pk}"] = f"Choose how {invitation.addressee} attended, or that they did not."
            continue
        present = entry.status in PRESENT_STATUSES
        attendance = Attendance.objects.filter(invitation=invitation).first() or Attendance(invitation=invitation)
        attendance.status = entry.status
        attendance.attendee_name = entry.attendee_name.strip()
        attendance.late_minutes = entry.late_minutes if present else 0
        attendance.able_to_decide = entry.able_to_decide if present else False
        attendance.recorded_at, attendance.recorded_by = now, by
        try:
            attendance.full_clean()
        except ValidationError as error:
            errors[f"status-{invitation.pk}"] = " ".join(error.messages)
            continue
        attendance.save()
        saved.append(attendance)
    if errors:
        raise ValidationError(errors)
    record(
        action="meeting.attendance_recorded",
        actor=by,
        target=meeting,
        detail={"attendance": {str(a.invitation_id): a.status for a in saved}},
    )
    return saved


@transaction.atomic
def add_attendee(
    *, meeting: Meeting, agency: str, name: str, organisation: Organisation | None, by: User
) -> Invitation:
    """Someone who came without an invitation (an officer who joined late, a parent's
    advocate): added so that their attendance can be recorded."""
    meeting = _locked_scheduled(meeting, by)
    if agency not in Agency.values:
        raise ValidationError({"agency": "Choose the agency the attendee came for."})
    if not name.strip():
        raise ValidationError({"name": "Enter the attendee's name."})
    invitation = Invitation(
        meeting=meeting,
        agency=agency,
        organisation=organisation,
        external_name=name.strip(),
        invited_at=timezone.now(),
        invited_by=by,
    )
    invitation.full_clean()
    invitation.save()
    record(
        action="meeting.attendee_added",
        actor=by,
        target=meeting,
        detail={"invitation": invitation.pk, "agency": agency},
    )
    return invitation


def represented_agencies(meeting: Meeting) -> set[str]:
    """Agencies with someone present who could make decisions for them."""
    return set(
        Attendance.objects.filter(
            invitation__meeting=meeting, status__in=PRESENT_STATUSES, able_to_decide=True
        ).values_list("invitation__agency", flat=True)
    )


def quorum_gaps(meeting: Meeting) -> list[str]:
    """The quorum agencies (social care, police, health) not represented by a decision-maker."""
    represented = represented_agencies(meeting)
    return [agency for agency in QUORUM_AGENCIES if agency not in represented]


def attendance_missing(meeting: Meeting) -> list[Invitation]:
    return list(
        meeting.invitations.exclude(response=ResponseState.WITHDRAWN)
        .filter(attendance__isnull=True)
        .select_related("invitee", "team__organisation")
    )


def _check_ready(meeting: Meeting, *, by: User, needs_quorum: bool, override_reason: str) -> bool:
    """Raise unless attendance is complete and the meeting quorate (or overridden); returns
    whether it was quorate."""
    missing = attendance_missing(meeting)
    if missing:
        names = ", ".join(i.addressee for i in missing)
        raise ValidationError(f"Record attendance for everyone invited first: {names}.")
    gaps = quorum_gaps(meeting)
    if not gaps or not needs_quorum:
        return not gaps
    if not override_reason.strip():
        labels = ", ".join(Agency(a).label.lower() for a in gaps)
        raise ValidationError(
            {
                "quorum_override_reason": f"This decision needs children's social care, police and health "
                f"each represented by someone able to make decisions. Not represented: {labels}. "
                "A team manager may record it anyway, with the reason."
            }
        )
    _require(policy.can(by, "override_quorum", meeting), OVERRIDE_NOT_ALLOWED)
    return False


def _save_actions(meeting: Meeting, actions: Sequence[ActionInput]) -> None:
    for given in actions:
        action = MeetingAction(
            meeting=meeting,
            description=given.description.strip(),
            owner_organisation=given.owner_organisation,
            owner_name=given.owner_name.strip(),
            due_on=given.due_on,
        )
        action.full_clean()
        action.save()


def _share_minutes(meeting: Meeting) -> None:
    """Tell those who attended that the record is ready (in SafeHub only)."""
    attended = (
        Attendance.objects.filter(invitation__meeting=meeting, status__in=PRESENT_STATUSES)
        .exclude(invitation__invitee__isnull=True)
        .select_related("invitation__invitee")
    )
    for attendance in attended:
        user = attendance.invitation.invitee
        assert user is not None
        if user.is_active:
            notify(
                key=f"meetings.minutes:meeting-{meeting.pk}:user-{user.pk}",
                recipient=user,
                kind="meetings.minutes",
                reference=meeting.reference,
                link=_link(meeting),
                channels=(Channel.INBOX,),
            )


def _close(meeting: Meeting, *, by: User, quorate: bool, override_reason: str, minutes: str, information: str) -> None:
    now = timezone.now()
    meeting.state, meeting.held_at, meeting.recorded_by = MeetingState.HELD, now, by
    meeting.quorate = quorate
    meeting.quorum_override_reason = "" if quorate else override_reason.strip()
    meeting.quorum_overridden_by = None if quorate or not override_reason.strip() else by
    meeting.minutes, meeting.information_shared = minutes.strip(), information.strip()


# Strategy discussions -----------------------------------------------------------------------


@transaction.atomic
def record_strategy_outcome(
    *,
    meeting: Meeting,
    by: User,
    outcome: str,
    minutes: str,
    information_shared: str = "",
    actions: Sequence[ActionInput] = (),
    quorum_override_reason: str = "",
) -> Meeting:
    """The strategy discussion's outcome: a section 47 enquiry (single-agency or joint with the
    police), none, or further information needed, with the actions agreed and the minutes."""
    meeting = _locked_scheduled(meeting, by)
    if meeting.kind != MeetingKind.STRATEGY_DISCUSSION:
        raise ValidationError(NOT_A_STRATEGY_DISCUSSION)
    if outcome not in StrategyOutcome.values:
        raise ValidationError({"outcome": "Choose the outcome of the strategy discussion."})
    if not minutes.strip():
        raise ValidationError({"minutes": "Write the minutes: what was discussed, decided and why."})
    decides_s47 = outcome != StrategyOutcome.FURTHER_INFORMATION
    quorate = _check_ready(meeting, by=by, needs_quorum=decides_s47, override_reason=quorum_override_reason)
    _close(
        meeting,
        by=by,
        quorate=quorate,
        override_reason=quorum_override_reason,
        minutes=minutes,
        information=information_shared,
    )
    meeting.outcome = outcome
    meeting.full_clean()
    meeting.save()
    _save_actions(meeting, actions)
    record(
        action="meeting.outcome_recorded",
        actor=by,
        target=meeting,
        purpose="strategy discussion",
        detail={
            "outcome": outcome,
            "quorate": quorate,
            "quorum_overridden": bool(meeting.quorum_override_reason),
            "actions": len(actions),
        },
    )
    _chronology(
        meeting,
        summary=f"{meeting.title} held: {meeting.get_outcome_display()}.",
        by=by,
        at=meeting.held_at or timezone.now(),
        category="strategy_discussion",
    )
    _share_minutes(meeting)
    return meeting


@transaction.atomic
def record_core_group(
    *,
    meeting: Meeting,
    by: User,
    minutes: str,
    information_shared: str = "",
    actions: Sequence[ActionInput] = (),
) -> Meeting:
    """A core group meeting's record: how the plan is going, with the actions agreed and the
    minutes. It decides nothing a quorum is needed for; the next core group falls due from it
    (`due_dates.core_group_due`) while the child's plan lasts."""
    meeting = _locked_scheduled(meeting, by)
    if meeting.kind != MeetingKind.CORE_GROUP:
        raise ValidationError(NOT_A_CORE_GROUP)
    if not minutes.strip():
        raise ValidationError({"minutes": "Write the minutes: how the plan is going and what was agreed."})
    quorate = _check_ready(meeting, by=by, needs_quorum=False, override_reason="")
    _close(meeting, by=by, quorate=quorate, override_reason="", minutes=minutes, information=information_shared)
    meeting.full_clean()
    meeting.save()
    _save_actions(meeting, actions)
    record(
        action="meeting.core_group_recorded",
        actor=by,
        target=meeting,
        purpose="core group",
        detail={"actions": len(actions)},
    )
    _chronology(
        meeting,
        summary=f"{meeting.title} held: the child protection plan reviewed by the core group.",
        by=by,
        at=meeting.held_at or timezone.now(),
        category="core_group",
    )
    _share_minutes(meeting)
    return meeting


def initial_conference_due(meeting: Meeting) -> datetime.datetime | None:
    """For a strategy discussion that started a section 47 enquiry: when its initial conference
    is due, unless the enquiry ended without one."""
    if meeting.kind != MeetingKind.STRATEGY_DISCUSSION or not meeting.section_47_started:
        return None
    if meeting.enquiry_outcome in WITHOUT_CONFERENCE:
        return None
    return due_dates.initial_conference_due(meeting.starts_at)


NOT_AN_ENQUIRY = "Only a strategy discussion that started a section 47 enquiry has an enquiry outcome."


@transaction.atomic
def record_enquiry_outcome(*, meeting: Meeting, by: User, outcome: str, reason: str) -> Meeting:
    """How the section 47 enquiry the discussion started ended. If it ended without a
    conference (a child in need plan, or concerns not substantiated), the reason is kept and
    the initial conference is no longer due."""
    _require(policy.can(by, "manage", meeting), NOT_THE_CHAIR)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.kind != MeetingKind.STRATEGY_DISCUSSION or meeting.state != MeetingState.HELD:
        raise ValidationError(NOT_AN_ENQUIRY)
    if not meeting.section_47_started:
        raise ValidationError(NOT_AN_ENQUIRY)
    if outcome not in EnquiryOutcome.values:
        raise ValidationError({"enquiry_outcome": "Choose how the enquiry ended."})
    if meeting.followed_by.exclude(state=MeetingState.CANCELLED).filter(kind__in=CONFERENCE_KINDS).exists():
        raise ValidationError("An initial conference has already been arranged for this enquiry.")
    if outcome in WITHOUT_CONFERENCE and not reason.strip():
        raise ValidationError({"enquiry_outcome_reason": "Record why no conference is needed."})
    now = timezone.now()
    meeting.enquiry_outcome, meeting.enquiry_outcome_reason = outcome, reason.strip()
    meeting.enquiry_concluded_at, meeting.enquiry_concluded_by = now, by
    meeting.full_clean()
    meeting.save()
    record(
        action="meeting.enquiry_concluded",
        actor=by,
        target=meeting,
        purpose="section 47 enquiry",
        detail={"outcome": outcome},
    )
    _chronology(
        meeting,
        summary=f"Section 47 enquiry from {meeting.title} ended: {meeting.get_enquiry_outcome_display()}.",
        by=by,
        at=now,
        category="section_47",
    )
    return meeting


# Conferences --------------------------------------------------------------------------------


def review_due_after(meeting: Meeting) -> datetime.date:
    first = meeting.kind in {MeetingKind.INITIAL_CONFERENCE, MeetingKind.PRE_BIRTH_CONFERENCE}
    return due_dates.london_day(due_dates.review_conference_due(meeting.starts_at, first=first))


@transaction.atomic
def record_conference_decision(
    *,
    meeting: Meeting,
    by: User,
    plan: bool,
    category: str = "",
    review_on: datetime.date | None = None,
    minutes: str,
    information_shared: str = "",
    actions: Sequence[ActionInput] = (),
    quorum_override_reason: str = "",
) -> Meeting:
    """The conference's decision: a child protection plan or not, its category, and when it is
    next reviewed (no later than 3 months after an initial conference, 6 after a review). A
    plan starts (or continues) for every child; at a review, "no plan" ends it."""
    meeting = _locked_scheduled(meeting, by)
    if not meeting.is_conference:
        raise ValidationError(NOT_A_CONFERENCE)
    if plan and category not in PlanCategory.values:
        raise ValidationError({"plan_category": "Choose the category of the child protection plan."})
    if not minutes.strip():
        raise ValidationError({"minutes": "Write the minutes: what was discussed, decided and why."})
    latest_review = review_due_after(meeting)
    if plan:
        review_on = review_on or latest_review
        if review_on > latest_review:
            raise ValidationError(
                {
                    "plan_review_due": f"The plan must be reviewed by {latest_review:%-d %B %Y}: "
                    "choose that date or earlier."
                }
            )
        if review_on <= due_dates.london_day(meeting.starts_at):
            raise ValidationError({"plan_review_due": "The review must be after this conference."})
        if not is_working_day(review_on):
            not_working = f"{review_on:%A %-d %B %Y} is not a working day: choose a working day for the review."
            raise ValidationError({"plan_review_due": not_working})
    quorate = _check_ready(meeting, by=by, needs_quorum=True, override_reason=quorum_override_reason)
    _close(
        meeting,
        by=by,
        quorate=quorate,
        override_reason=quorum_override_reason,
        minutes=minutes,
        information=information_shared,
    )
    meeting.plan_decision = plan
    meeting.plan_category = category if plan else ""
    meeting.plan_review_due = review_on if plan else None
    meeting.full_clean()
    meeting.save()
    _save_actions(meeting, actions)
    day = due_dates.london_day(meeting.starts_at)
    for person in meeting.subjects.all():
        current = ChildProtectionPlan.objects.filter(person=person, ended_on__isnull=True).first()
        if plan and current is None:
            assert review_on is not None
            started = ChildProtectionPlan(
                person=person, category=category, started_by=meeting, started_on=day, next_review_due=review_on
            )
            started.full_clean()
            started.save()
        elif plan and current is not None:
            assert review_on is not None
            current.category, current.next_review_due = category, review_on
            current.save(update_fields=["category", "next_review_due"])
        elif current is not None:
            current.ended_by, current.ended_on = meeting, day
            current.save(update_fields=["ended_by", "ended_on"])
    record(
        action="meeting.conference_decided",
        actor=by,
        target=meeting,
        purpose="child protection conference",
        detail={
            "plan": plan,
            "category": category if plan else "",
            "review_on": review_on.isoformat() if plan and review_on else "",
            "quorate": quorate,
            "quorum_overridden": bool(meeting.quorum_override_reason),
        },
    )
    summary = (
        f"{meeting.title}: child protection plan ({meeting.get_plan_category_display().lower()}), "
        f"review by {review_on:%-d %B %Y}."
        if plan and review_on
        else f"{meeting.title}: no child protection plan."
    )
    _chronology(meeting, summary=summary, by=by, at=meeting.held_at or timezone.now(), category="conference")
    _share_minutes(meeting)
    return meeting


@transaction.atomic
def transfer_plan_at_birth(*, unborn: Person, child: Person, by: User) -> ChildProtectionPlan:
    """An unborn child with a plan has been born: the plan continues on the child's record."""
    if unborn.kind != PersonKind.UNBORN or child.kind != PersonKind.CHILD:
        raise ValidationError("Link an unborn child's record to the born child's record.")
    _require(policy.can(by, "view", unborn) and policy.can(by, "view", child), "You cannot open both records.")
    plan = ChildProtectionPlan.objects.select_for_update().filter(person=unborn, ended_on__isnull=True).first()
    if plan is None:
        raise ValidationError("The unborn child has no child protection plan to move.")
    if ChildProtectionPlan.objects.filter(person=child, ended_on__isnull=True).exists():
        raise ValidationError("The child already has a child protection plan.")
    plan.transferred_from, plan.person, plan.transferred_at = unborn, child, timezone.now()
    plan.save(update_fields=["transferred_from", "person", "transferred_at"])
    for meeting in Meeting.objects.filter(subjects=unborn, state=MeetingState.SCHEDULED):
        meeting.subjects.add(child)
    record(
        action="plan.transferred_at_birth",
        actor=by,
        target=plan,
        purpose="child protection plan",
        detail={"from": unborn.reference, "to": child.reference},
    )
    return plan
