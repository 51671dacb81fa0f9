"""Holding and recording a meeting: attendance per invitee, quorum (social care, police and
health each represented by a decision-maker) with a team manager's override, the strategy
discussion's outcome, minutes shared only with the agencies that came, conference decisions
and child protection plans, and an unborn child's plan moving to the child at birth."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safehub.access import policy
from safehub.meetings import selectors
from safehub.meetings.models import (
    Agency,
    AttendanceStatus,
    ChildProtectionPlan,
    EnquiryOutcome,
    Invitation,
    Meeting,
    MeetingFormat,
    MeetingKind,
    MeetingState,
    PlanCategory,
    ResponseState,
    StrategyOutcome,
)
from safehub.meetings.services import convening, recording
from safehub.meetings.services.recording import ActionInput, AttendanceInput
from safehub.notifications.models import Notification
from safehub.people.models import ChronologyEntry, PersonKind
from tests.factories import PersonFactory
from tests.meetings.conftest import convene_strategy_discussion, london, time_machine

pytestmark = pytest.mark.django_db

EVERYONE_DECIDES = {
    Agency.SOCIAL_CARE: AttendanceStatus.IN_PERSON,
    Agency.POLICE: AttendanceStatus.VIDEO,
    Agency.HEALTH: AttendanceStatus.PHONE,
    Agency.EDUCATION: AttendanceStatus.VIDEO,
}


def _invitations(meeting: Meeting) -> list[Invitation]:
    return list(meeting.invitations.exclude(response=ResponseState.WITHDRAWN).order_by("pk"))


def _attend(meeting: Meeting, by, statuses: dict[str, str], *, deciders: set[str] | None = None) -> None:
    deciders = set(statuses) if deciders is None else deciders
    entries = []
    for invitation in _invitations(meeting):
        status = statuses.get(invitation.agency, AttendanceStatus.APOLOGIES)
        present = status not in {AttendanceStatus.APOLOGIES, AttendanceStatus.DID_NOT_ATTEND}
        entries.append(
            AttendanceInput(
                invitation=invitation,
                status=status,
                attendee_name="DC Deputy" if status == AttendanceStatus.DEPUTY else "",
                able_to_decide=present and invitation.agency in deciders,
            )
        )
    recording.record_attendance(meeting=meeting, entries=entries, by=by)


@pytest.fixture
def started(world):
    """A strategy discussion that started a minute ago."""
    meeting = convene_strategy_discussion(world, starts_at=timezone.now() + datetime.timedelta(hours=1))
    traveller = time_machine.travel(meeting.starts_at + datetime.timedelta(minutes=1), tick=False)
    traveller.start()
    yield meeting
    traveller.stop()


def _outcome(world, meeting, **extra):
    defaults = {
        "outcome": StrategyOutcome.SECTION_47_JOINT,
        "minutes": "Agreed a joint section 47 enquiry; the child is safe at school today.",
    }
    return recording.record_strategy_outcome(meeting=meeting, by=world.manager, **{**defaults, **extra})


def test_attendance_cannot_be_recorded_before_the_meeting_starts(world):
    meeting = convene_strategy_discussion(world)
    with pytest.raises(ValidationError):
        _attend(meeting, world.manager, EVERYONE_DECIDES)


def test_only_the_chair_or_a_manager_of_the_team_records(world, started):
    with pytest.raises(PermissionDenied):
        _attend(started, world.officer, EVERYONE_DECIDES)


def test_every_invitee_needs_an_attendance_before_the_outcome(world, started):
    with pytest.raises(ValidationError) as error:
        _outcome(world, started)
    assert "Record attendance for everyone invited first" in str(error.value)


def test_a_deputy_needs_a_name_and_recording_again_replaces_the_entry(world, started):
    police = started.invitations.get(agency=Agency.POLICE)
    with pytest.raises(ValidationError):
        recording.record_attendance(
            meeting=started,
            entries=[AttendanceInput(invitation=police, status=AttendanceStatus.DEPUTY)],
            by=world.manager,
        )
    recording.record_attendance(
        meeting=started,
        entries=[
            AttendanceInput(invitation=police, status=AttendanceStatus.VIDEO, late_minutes=10, able_to_decide=True)
        ],
        by=world.manager,
    )
    recording.record_attendance(
        meeting=started,
        entries=[AttendanceInput(invitation=police, status=AttendanceStatus.DID_NOT_ATTEND, late_minutes=10)],
        by=world.manager,
    )
    police.attendance.refresh_from_db()
    assert police.attendance.status == AttendanceStatus.DID_NOT_ATTEND
    assert police.attendance.late_minutes == 0


def test_a_joint_section_47_is_recorded_when_all_three_agencies_can_decide(world, started):
    _attend(started, world.manager, EVERYONE_DECIDES)
    meeting = _outcome(
        world,
        started,
        information_shared="Police hold two previous call-outs to the address.",
        actions=[
            ActionInput(
                description="Joint visit with the social worker",
                owner_organisation=world.force,
                owner_name="DC Example",
                due_on=datetime.date(2026, 11, 27),
            )
        ],
    )
    assert meeting.state == MeetingState.HELD
    assert meeting.quorate is True
    assert meeting.section_47_started
    assert meeting.actions.count() == 1
    assert ChronologyEntry.objects.filter(person=world.child, category="strategy_discussion").exists()
    assert recording.initial_conference_due(meeting) is not None


def test_a_section_47_decision_without_the_police_is_refused_naming_them(world, started):
    _attend(started, world.manager, {**EVERYONE_DECIDES, Agency.POLICE: AttendanceStatus.DID_NOT_ATTEND})
    with pytest.raises(ValidationError) as error:
        _outcome(world, started)
    assert "Not represented: police" in str(error.value)
    started.refresh_from_db()
    assert started.state == MeetingState.SCHEDULED


def test_an_attendee_who_cannot_decide_does_not_make_quorum(world, started):
    _attend(started, world.manager, EVERYONE_DECIDES, deciders={Agency.SOCIAL_CARE, Agency.POLICE})
    assert recording.quorum_gaps(started) == [Agency.HEALTH]


def test_a_team_manager_may_override_quorum_with_a_reason_which_is_kept(world, started):
    _attend(started, world.manager, {**EVERYONE_DECIDES, Agency.POLICE: AttendanceStatus.APOLOGIES})
    meeting = _outcome(world, started, quorum_override_reason="Child at immediate risk; police briefed by phone after.")
    assert meeting.quorate is False
    assert meeting.quorum_overridden_by == world.manager
    assert meeting.quorum_override_reason.startswith("Child at immediate risk")


def test_a_social_worker_chair_cannot_override_quorum(world):
    meeting = convene_strategy_discussion(world, chair=world.social_worker)
    with time_machine.travel(meeting.starts_at + datetime.timedelta(minutes=1), tick=False):
        _attend(meeting, world.social_worker, {**EVERYONE_DECIDES, Agency.HEALTH: AttendanceStatus.DID_NOT_ATTEND})
        with pytest.raises(PermissionDenied):
            recording.record_strategy_outcome(
                meeting=meeting,
                by=world.social_worker,
                outcome=StrategyOutcome.NO_SECTION_47,
                minutes="No s47.",
                quorum_override_reason="Health did not come.",
            )


def test_further_information_needs_no_quorum(world, started):
    _attend(started, world.manager, {Agency.SOCIAL_CARE: AttendanceStatus.IN_PERSON})
    meeting = _outcome(world, started, outcome=StrategyOutcome.FURTHER_INFORMATION)
    assert meeting.quorate is False
    assert meeting.quorum_override_reason == ""


def test_minutes_are_shared_with_the_agencies_that_attended_only(world, started):
    police = started.invitations.get(agency=Agency.POLICE)
    _attend(started, world.manager, {**EVERYONE_DECIDES, Agency.EDUCATION: AttendanceStatus.APOLOGIES})
    convening_user = world.officer
    police.invitee = convening_user
    police.save()
    _outcome(world, started)
    assert policy.can(world.officer, "read_minutes", started)
    assert policy.can(world.practitioner, "read_minutes", started)
    assert policy.visible_meetings(world.dsl).filter(pk=started.pk).exists()
    assert not policy.can(world.dsl, "read_minutes", started)
    assert Notification.objects.filter(recipient=world.officer, kind="meetings.minutes").exists()
    assert not Notification.objects.filter(recipient=world.dsl, kind="meetings.minutes").exists()


def test_someone_who_came_without_an_invitation_can_be_added_and_counted(world, started):
    extra = recording.add_attendee(
        meeting=started, agency=Agency.POLICE, name="DS On Call", organisation=world.force, by=world.manager
    )
    _attend(
        started,
        world.manager,
        {**EVERYONE_DECIDES, Agency.POLICE: AttendanceStatus.VIDEO},
    )
    assert extra.attendance.status == AttendanceStatus.VIDEO
    assert recording.quorum_gaps(started) == []


def _held_discussion(world, starts_at):
    with time_machine.travel(starts_at - datetime.timedelta(hours=2), tick=False):
        world.contact.decided_at = timezone.now()
        world.contact.save()
        meeting = convene_strategy_discussion(world, starts_at=starts_at)
    with time_machine.travel(starts_at + datetime.timedelta(minutes=30), tick=False):
        _attend(meeting, world.manager, EVERYONE_DECIDES)
        return _outcome(world, meeting)


def _conference(world, previous, *, kind=MeetingKind.INITIAL_CONFERENCE, starts_at, **extra):
    with time_machine.travel(starts_at - datetime.timedelta(days=3), tick=False):
        return convening.convene(
            kind=kind,
            by=world.practitioner,
            chair=world.manager,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=2),
            format=MeetingFormat.HYBRID,
            venue="Civic Centre, conference room",
            previous=previous,
            **extra,
        )


def _decide(world, conference, **extra):
    with time_machine.travel(conference.starts_at + datetime.timedelta(hours=1), tick=False):
        _attend(conference, world.manager, {**EVERYONE_DECIDES, Agency.FAMILY: AttendanceStatus.IN_PERSON})
        return recording.record_conference_decision(
            meeting=conference, by=world.manager, minutes="Conference minutes.", **extra
        )


def test_an_initial_conference_starts_a_plan_reviewed_within_three_months(world):
    discussion = _held_discussion(world, london(2026, 12, 10, 11, 0))
    conference = _conference(world, discussion, starts_at=london(2027, 1, 4, 10, 0))
    _decide(world, conference, plan=True, category=PlanCategory.NEGLECT)
    plan = ChildProtectionPlan.objects.get(person=world.child)
    assert plan.category == PlanCategory.NEGLECT
    assert plan.started_on == datetime.date(2027, 1, 4)
    # Three months on is Sunday 4 April 2027: reviewed by Friday 2 April.
    assert plan.next_review_due == datetime.date(2027, 4, 2)
    assert plan.started_by == conference


def test_a_review_date_later_than_the_rule_allows_is_refused(world):
    discussion = _held_discussion(world, london(2026, 12, 10, 11, 0))
    conference = _conference(world, discussion, starts_at=london(2027, 1, 4, 10, 0))
    with pytest.raises(ValidationError) as error:
        _decide(world, conference, plan=True, category=PlanCategory.NEGLECT, review_on=datetime.date(2027, 4, 5))
    assert "2 April 2027" in str(error.value)
    assert not ChildProtectionPlan.objects.exists()


def test_a_review_date_on_a_weekend_or_bank_holiday_is_refused(world):
    discussion = _held_discussion(world, london(2026, 12, 10, 11, 0))
    conference = _conference(world, discussion, starts_at=london(2027, 1, 4, 10, 0))
    for day in (datetime.date(2027, 3, 6), datetime.date(2027, 3, 26)):  # a Saturday; Good Friday
        with pytest.raises(ValidationError) as error:
            _decide(world, conference, plan=True, category=PlanCategory.NEGLECT, review_on=day)
        assert "is not a working day" in str(error.value)
    assert not ChildProtectionPlan.objects.exists()


def test_a_plan_needs_a_category(world):
    discussion = _held_discussion(world, london(2026, 12, 10, 11, 0))
    conference = _conference(world, discussion, starts_at=london(2027, 1, 4, 10, 0))
    with pytest.raises(ValidationError):
        _decide(world, conference, plan=True)


def test_a_review_that_decides_no_plan_ends_it_and_one_that_continues_moves_the_review(world):
    discussion = _held_discussion(world, london(2026, 12, 10, 11, 0))
    initial = _decide(
        world, _conference(world, discussion, starts_at=london(2027, 1, 4, 10, 0)), plan=True, category="neglect"
    )
    first_review = _decide(
        world,
        _conference(world, initial, kind=MeetingKind.REVIEW_CONFERENCE, starts_at=london(2027, 3, 30, 10, 0)),
        plan=True,
        category=PlanCategory.MULTIPLE,
    )
    plan = ChildProtectionPlan.objects.get(person=world.child)
    assert plan.category == PlanCategory.MULTIPLE
    assert plan.next_review_due == datetime.date(2027, 9, 30)
    second = _conference(world, first_review, kind=MeetingKind.REVIEW_CONFERENCE, starts_at=london(2027, 9, 28, 10, 0))
    assert second.due_at.date() == datetime.date(2027, 9, 30)
    _decide(world, second, plan=False)
    plan.refresh_from_db()
    assert plan.ended_on == datetime.date(2027, 9, 28)
    assert plan.ended_by == second


def test_a_pre_birth_conference_is_due_by_week_34_and_the_plan_moves_to_the_child_at_birth(world):
    unborn = PersonFactory(
        kind=PersonKind.UNBORN, date_of_birth=None, expected_due_date=datetime.date(2027, 3, 1), mother=world.mother
    )
    world.contact.subjects.update(person=unborn)
    discussion = _held_discussion(world, london(2026, 12, 10, 11, 0))
    assert list(discussion.subjects.all()) == [unborn]
    conference = _conference(
        world, discussion, kind=MeetingKind.PRE_BIRTH_CONFERENCE, starts_at=london(2027, 1, 12, 10, 0)
    )
    assert conference.due_at.date() == datetime.date(2027, 1, 18)
    assert conference.invitations.filter(agency=Agency.FAMILY, external_name=world.mother.full_name).exists()
    _decide(world, conference, plan=True, category=PlanCategory.NEGLECT)
    baby = PersonFactory(date_of_birth=datetime.date(2027, 2, 20))
    with time_machine.travel(london(2027, 2, 22, 10, 0), tick=False):
        plan = recording.transfer_plan_at_birth(unborn=unborn, child=baby, by=world.manager)
    assert plan.person == baby
    assert plan.transferred_from == unborn
    assert not ChildProtectionPlan.objects.filter(person=unborn).exists()


def test_an_enquiry_that_ended_without_a_conference_is_no_longer_due_one(world):
    discussion = _held_discussion(world, london(2026, 12, 10, 11, 0))
    assert recording.initial_conference_due(discussion) is not None
    with time_machine.travel(london(2026, 12, 18, 10, 0), tick=False):
        with pytest.raises(ValidationError) as error:
            recording.record_enquiry_outcome(
                meeting=discussion, by=world.practitioner, outcome=EnquiryOutcome.NOT_SUBSTANTIATED, reason=" "
            )
        assert "enquiry_outcome_reason" in error.value.message_dict
        recording.record_enquiry_outcome(
            meeting=discussion,
            by=world.practitioner,
            outcome=EnquiryOutcome.CHILD_IN_NEED,
            reason="Injury explained; family accepts support under a child in need plan.",
        )
    discussion.refresh_from_db()
    assert recording.initial_conference_due(discussion) is None
    assert not [d for d in selectors.meetings_to_convene(user=world.practitioner) if d.previous == discussion]
    with pytest.raises(ValidationError):
        _conference(world, discussion, starts_at=london(2027, 1, 4, 10, 0))


def test_convening_the_conference_records_that_the_enquiry_led_to_one(world):
    discussion = _held_discussion(world, london(2026, 12, 10, 11, 0))
    _conference(world, discussion, starts_at=london(2027, 1, 4, 10, 0))
    discussion.refresh_from_db()
    assert discussion.enquiry_outcome == EnquiryOutcome.CONFERENCE
    with pytest.raises(ValidationError):
        recording.record_enquiry_outcome(
            meeting=discussion, by=world.practitioner, outcome=EnquiryOutcome.NOT_SUBSTANTIATED, reason="No."
        )


# Core groups ------------------------------------------------------------------------------------


def _core_group(world, previous, *, starts_at):
    return _conference(world, previous, kind=MeetingKind.CORE_GROUP, starts_at=starts_at)


def _hold_core_group(world, core_group):
    with time_machine.travel(core_group.starts_at + datetime.timedelta(hours=1), tick=False):
        _attend(core_group, world.manager, {**EVERYONE_DECIDES, Agency.FAMILY: AttendanceStatus.IN_PERSON})
        return recording.record_core_group(
            meeting=core_group,
            by=world.manager,
            minutes="The plan's actions were reviewed with the parents.",
            actions=[
                ActionInput(
                    description="Weekly home visits continue.",
                    owner_organisation=world.council,
                    owner_name="Social worker",
                    due_on=datetime.date(2027, 2, 1),
                )
            ],
        )


def _planned_conference(world):
    discussion = _held_discussion(world, london(2026, 12, 10, 11, 0))
    conference = _conference(world, discussion, starts_at=london(2027, 1, 4, 10, 0))
    return _decide(world, conference, plan=True, category=PlanCategory.NEGLECT)


def test_the_core_group_meets_again_within_the_interval_while_the_plan_lasts(world):
    initial = _planned_conference(world)
    first = _core_group(world, initial, starts_at=london(2027, 1, 14, 10, 0))
    # 10 working days after Monday 4 January.
    assert first.due_at == london(2027, 1, 18, 23, 59)
    held = _hold_core_group(world, first)
    assert held.state == MeetingState.HELD
    assert held.minutes
    assert held.actions.count() == 1
    assert ChronologyEntry.objects.filter(person=world.child, category="core_group").exists()

    with time_machine.travel(london(2027, 1, 15, 9, 0), tick=False):
        due = selectors.meetings_to_convene(user=world.practitioner)
    [next_one] = [d for d in due if d.kind == MeetingKind.CORE_GROUP]
    assert next_one.previous == held
    # 30 working days (about six weeks) after Thursday 14 January.
    assert next_one.due_at == london(2027, 2, 25, 23, 59)
    second = _core_group(world, held, starts_at=london(2027, 2, 18, 10, 0))
    assert second.due_at == next_one.due_at
    assert second.previous == held


def test_the_interval_between_core_groups_is_a_local_timescale(world):
    from safehub.timescales.models import TimescaleSetting

    TimescaleSetting.objects.create(partnership=world.partnership, key="core_group_interval", value=20)
    held = _hold_core_group(world, _core_group(world, _planned_conference(world), starts_at=london(2027, 1, 14, 10, 0)))
    second = _core_group(world, held, starts_at=london(2027, 2, 4, 10, 0))
    assert second.due_at == london(2027, 2, 11, 23, 59)


def test_no_core_group_is_due_or_can_be_convened_once_the_plan_has_ended(world):
    initial = _planned_conference(world)
    held = _hold_core_group(world, _core_group(world, initial, starts_at=london(2027, 1, 14, 10, 0)))
    review = _conference(world, initial, kind=MeetingKind.REVIEW_CONFERENCE, starts_at=london(2027, 2, 1, 10, 0))
    _decide(world, review, plan=False)
    with time_machine.travel(london(2027, 2, 2, 9, 0), tick=False):
        due = selectors.meetings_to_convene(user=world.practitioner)
    assert not [d for d in due if d.kind == MeetingKind.CORE_GROUP]
    with pytest.raises(ValidationError, match="plan has ended"):
        _core_group(world, held, starts_at=london(2027, 2, 18, 10, 0))


def test_only_a_core_group_is_recorded_as_one_and_it_needs_attendance_and_minutes(world):
    initial = _planned_conference(world)
    first = _core_group(world, initial, starts_at=london(2027, 1, 14, 10, 0))
    with time_machine.travel(first.starts_at + datetime.timedelta(minutes=30), tick=False):
        with pytest.raises(ValidationError, match="Record attendance for everyone"):
            recording.record_core_group(meeting=first, by=world.manager, minutes="Minutes.")
        _attend(first, world.manager, EVERYONE_DECIDES)
        with pytest.raises(ValidationError):
            recording.record_core_group(meeting=first, by=world.manager, minutes="  ")
    first.refresh_from_db()
    assert first.state == MeetingState.SCHEDULED
    review = _conference(world, initial, kind=MeetingKind.REVIEW_CONFERENCE, starts_at=london(2027, 3, 1, 10, 0))
    with (
        time_machine.travel(review.starts_at + datetime.timedelta(minutes=30), tick=False),
        pytest.raises(ValidationError, match="Only a core group"),
    ):
        recording.record_core_group(meeting=review, by=world.manager, minutes="Minutes.")


def test_the_chair_records_a_core_group_through_its_page(world, client):
    initial = _planned_conference(world)
    first = _core_group(world, initial, starts_at=london(2027, 1, 14, 10, 0))
    with time_machine.travel(first.starts_at + datetime.timedelta(minutes=30), tick=False):
        _attend(first, world.manager, EVERYONE_DECIDES | {Agency.FAMILY: AttendanceStatus.IN_PERSON})
        client.force_login(world.manager)
        url = f"/meetings/{first.pk}/record/outcome/"
        page = client.get(url)
        assert page.status_code == 200
        assert "Record the core group meeting" in page.content.decode()
        response = client.post(url, {"minutes": "The plan's actions were reviewed."})
        assert response.status_code == 302
    first.refresh_from_db()
    assert first.state == MeetingState.HELD
    assert first.minutes == "The plan's actions were reviewed."
