"""Convening strategy discussions and conferences: due times, who is invited, responses,
deputies, changes, video rooms and escalation of required agencies that have not accepted."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safehub.access import policy
from safehub.audit.models import AuditEvent
from safehub.hub.models import Decision
from safehub.meetings.models import (
    Agency,
    AttendanceMode,
    Invitation,
    Meeting,
    MeetingFormat,
    MeetingKind,
    ResponseState,
    VideoRoom,
)
from safehub.meetings.services import convening
from safehub.notifications.models import Channel, Notification
from safehub.partnership.roles import Role
from tests.factories import AddressFactory, PersonAddressFactory, UserFactory
from tests.meetings.conftest import (
    build_meetings_world,
    convene_strategy_discussion,
    decided_contact,
    london,
    member,
    time_machine,
)

pytestmark = pytest.mark.django_db


def _invitation(meeting: Meeting, agency: str) -> Invitation:
    return meeting.invitations.exclude(response=ResponseState.WITHDRAWN).get(agency=agency, deputy_for__isnull=True)


def test_a_strategy_discussion_is_due_one_working_day_after_the_hub_decided_to_hold_one(world):
    world.contact.decided_at = london(2026, 11, 27, 16, 0)  # a Friday
    world.contact.save()
    with time_machine.travel(london(2026, 11, 27, 16, 30), tick=False):
        meeting = convene_strategy_discussion(world, starts_at=london(2026, 11, 30, 10, 0))
    assert meeting.due_at == london(2026, 11, 30, 16, 0)
    assert meeting.reference == "SD-2026-00001"
    assert meeting.late_reason == ""
    assert list(meeting.subjects.all()) == [world.child]


def test_the_rule_invites_social_care_police_health_and_the_school_with_the_referrer_by_name(world):
    meeting = convene_strategy_discussion(world)
    invited = {(i.agency, i.team_id, i.invitee_id, i.required) for i in meeting.invitations.all()}
    assert invited == {
        (Agency.SOCIAL_CARE, world.duty.pk, None, True),
        (Agency.POLICE, world.cait.pk, None, True),
        (Agency.HEALTH, world.trust_team.pk, None, True),
        # The referrer is the school's lead: the school's invitation names her.
        (Agency.EDUCATION, None, world.dsl.pk, True),
    }


def test_references_count_up_within_the_year_for_each_kind(world):
    first = convene_strategy_discussion(world)
    second = convene_strategy_discussion(world, contact=decided_contact(world))
    assert (first.reference, second.reference) == ("SD-2026-00001", "SD-2026-00002")


def test_a_start_after_the_due_time_needs_a_reason(world):
    late = world.contact.decided_at + datetime.timedelta(days=5)
    with pytest.raises(ValidationError) as error:
        convene_strategy_discussion(world, starts_at=late)
    assert "late_reason" in error.value.message_dict
    assert not Meeting.objects.exists()
    meeting = convene_strategy_discussion(world, starts_at=late, late_reason="The police lead is in court all week.")
    assert meeting.late_reason == "The police lead is in court all week."


def test_only_social_care_and_the_hub_can_convene(world):
    with pytest.raises(PermissionDenied):
        convening.convene(
            kind=MeetingKind.STRATEGY_DISCUSSION,
            by=world.officer,
            chair=world.manager,
            starts_at=timezone.now() + datetime.timedelta(hours=2),
            ends_at=timezone.now() + datetime.timedelta(hours=3),
            format=MeetingFormat.VIDEO,
            contact=world.contact,
        )


def test_the_chair_must_be_able_to_chair(world):
    with pytest.raises(ValidationError) as error:
        convene_strategy_discussion(world, chair=world.practitioner)
    assert "chair" in error.value.message_dict


def test_a_contact_not_decided_for_a_strategy_discussion_cannot_have_one(world):
    world.contact.decision = Decision.ASSESSMENT
    world.contact.save()
    with pytest.raises(ValidationError):
        convene_strategy_discussion(world)


def test_police_health_and_social_care_must_be_invited(world):
    with pytest.raises(ValidationError) as error:
        convene_strategy_discussion(
            world, invitations=[convening.InvitationInput(agency=Agency.SOCIAL_CARE, team=world.duty, required=True)]
        )
    assert "police" in str(error.value)
    assert not Meeting.objects.exists()


def test_invitees_may_open_the_childs_record_and_an_outsider_sees_nothing(world):
    assert not policy.can(world.officer, "view", world.child)
    meeting = convene_strategy_discussion(world)
    assert policy.can(world.officer, "view", world.child)
    assert policy.visible_meetings(world.officer).filter(pk=meeting.pk).exists()
    assert not policy.visible_meetings(world.outsider).filter(pk=meeting.pk).exists()
    assert not policy.can(world.outsider, "view", world.child)


def test_a_team_invitation_reaches_every_member_and_accepting_takes_it_and_stands_the_others_down(world):
    meeting = convene_strategy_discussion(world)
    police = _invitation(meeting, Agency.POLICE)
    assert set(
        Notification.objects.filter(kind="meetings.invitation", channel=Channel.INBOX)
        .filter(recipient__in=[world.officer, world.supervisor])
        .values_list("recipient", flat=True)
    ) == {world.officer.pk, world.supervisor.pk}
    convening.respond(invitation=police, by=world.officer, accept=True, mode=AttendanceMode.VIDEO)
    police.refresh_from_db()
    assert police.invitee == world.officer
    assert police.response == ResponseState.ACCEPTED
    assert police.response_mode == AttendanceMode.VIDEO
    stood_down = Notification.objects.get(recipient=world.supervisor, kind="meetings.withdrawn", channel=Channel.EMAIL)
    assert "METHOD:CANCEL" in stood_down.calendar
    assert not Notification.objects.filter(recipient=world.officer, kind="meetings.withdrawn").exists()


def test_video_attendance_needs_a_video_meeting(world):
    meeting = convene_strategy_discussion(world, format=MeetingFormat.IN_PERSON)
    with pytest.raises(ValidationError):
        convening.respond(
            invitation=_invitation(meeting, Agency.POLICE), by=world.officer, accept=True, mode=AttendanceMode.VIDEO
        )


def test_a_decline_needs_a_reason_and_who_will_attend_instead(world):
    meeting = convene_strategy_discussion(world)
    health = _invitation(meeting, Agency.HEALTH)
    with pytest.raises(ValidationError) as error:
        convening.respond(invitation=health, by=world.nurse, accept=False)
    assert set(error.value.message_dict) == {"decline_reason", "deputy_name"}
    health.refresh_from_db()
    assert health.response == ResponseState.PENDING


def test_a_deputy_with_an_account_gets_an_invitation_and_the_organisers_are_told(world):
    meeting = convene_strategy_discussion(world)
    health = _invitation(meeting, Agency.HEALTH)
    convening.respond(
        invitation=health, by=world.nurse, accept=False, decline_reason="On leave that day.", deputy=world.deputy_nurse
    )
    health.refresh_from_db()
    assert health.response == ResponseState.DECLINED
    assert health.deputy_name == str(world.deputy_nurse)
    [deputy] = health.deputies.all()
    assert deputy.invitee == world.deputy_nurse
    assert deputy.required
    assert Notification.objects.filter(recipient=world.deputy_nurse, kind="meetings.invitation").exists()
    assert Notification.objects.filter(recipient=world.manager, kind="meetings.declined").exists()
    # Health is not settled until the deputy accepts.
    assert not health.is_settled
    assert Agency.HEALTH in convening.unsettled_required_agencies(meeting)
    convening.respond(invitation=deputy, by=world.deputy_nurse, accept=True, mode="video")
    health.refresh_from_db()
    assert health.is_settled
    assert Agency.HEALTH not in convening.unsettled_required_agencies(meeting)


def test_a_deputy_must_come_from_the_same_agency(world):
    meeting = convene_strategy_discussion(world)
    with pytest.raises(ValidationError):
        convening.respond(
            invitation=_invitation(meeting, Agency.HEALTH),
            by=world.nurse,
            accept=False,
            decline_reason="On leave.",
            deputy=world.officer,
        )


def test_someone_not_invited_cannot_answer(world):
    meeting = convene_strategy_discussion(world)
    with pytest.raises(PermissionDenied):
        convening.respond(
            invitation=_invitation(meeting, Agency.POLICE), by=world.outsider, accept=True, mode=AttendanceMode.PHONE
        )


def test_a_new_time_asks_everyone_to_accept_again_and_updates_their_calendars(world):
    meeting = convene_strategy_discussion(world)
    police = _invitation(meeting, Agency.POLICE)
    convening.respond(invitation=police, by=world.officer, accept=True, mode=AttendanceMode.VIDEO)
    later = meeting.starts_at + datetime.timedelta(hours=1)
    convening.reschedule(
        meeting=meeting,
        by=world.practitioner,
        starts_at=later,
        ends_at=later + datetime.timedelta(hours=1),
        format=MeetingFormat.VIDEO,
    )
    police.refresh_from_db()
    assert police.response == ResponseState.PENDING
    update = Notification.objects.get(recipient=world.officer, kind="meetings.updated", channel=Channel.EMAIL)
    assert "SEQUENCE:1" in update.calendar
    assert police.sequence_sent == 1


def test_a_change_of_room_only_keeps_the_acceptances(world):
    meeting = convene_strategy_discussion(world, format=MeetingFormat.IN_PERSON, venue="Civic Centre, room 4")
    police = _invitation(meeting, Agency.POLICE)
    convening.respond(invitation=police, by=world.officer, accept=True, mode=AttendanceMode.IN_PERSON)
    convening.reschedule(
        meeting=meeting,
        by=world.practitioner,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        format=MeetingFormat.IN_PERSON,
        venue="Civic Centre, room 7",
    )
    police.refresh_from_db()
    assert police.response == ResponseState.ACCEPTED


def test_the_last_invitation_of_a_quorum_agency_cannot_be_withdrawn(world):
    meeting = convene_strategy_discussion(world)
    with pytest.raises(ValidationError):
        convening.withdraw_invitation(invitation=_invitation(meeting, Agency.POLICE), by=world.practitioner)
    school = _invitation(meeting, Agency.EDUCATION)
    convening.withdraw_invitation(invitation=school, by=world.practitioner)
    school.refresh_from_db()
    assert school.response == ResponseState.WITHDRAWN
    assert not policy.visible_meetings(world.dsl).filter(pk=meeting.pk).exists()


def test_cancelling_needs_a_reason_and_stops_changes(world):
    meeting = convene_strategy_discussion(world)
    with pytest.raises(ValidationError):
        convening.cancel(meeting=meeting, by=world.practitioner, reason=" ")
    convening.cancel(meeting=meeting, by=world.practitioner, reason="Merged with the sibling's discussion.")
    with pytest.raises(ValidationError):
        convening.invite(
            meeting=meeting,
            invitation=convening.InvitationInput(agency=Agency.OTHER, external_name="Youth worker"),
            by=world.practitioner,
        )


def test_video_meetings_borrow_a_free_room_from_the_pool_when_there_is_no_link_template(db):
    w = build_meetings_world(video_template="")
    VideoRoom.objects.create(partnership=w.partnership, name="Room A", join_url="https://rooms.example.org/a")
    start = timezone.now() + datetime.timedelta(hours=3)
    first = convene_strategy_discussion(w, starts_at=start)
    assert first.video_link == "https://rooms.example.org/a"
    with pytest.raises(ValidationError) as error:
        convene_strategy_discussion(w, starts_at=start + datetime.timedelta(minutes=30), contact=decided_contact(w))
    assert "No video room is free" in str(error.value)
    after = convene_strategy_discussion(w, starts_at=start + datetime.timedelta(hours=1), contact=decided_contact(w))
    assert after.video_link == "https://rooms.example.org/a"


def test_a_required_agency_not_accepted_two_hours_before_is_escalated_once(world):
    start = london(2026, 11, 26, 14, 0)
    with time_machine.travel(london(2026, 11, 26, 9, 0), tick=False):
        world.contact.decided_at = timezone.now()
        world.contact.save()
        meeting = convene_strategy_discussion(world, starts_at=start)
        for agency, user in ((Agency.SOCIAL_CARE, world.social_worker), (Agency.EDUCATION, world.dsl)):
            convening.respond(invitation=_invitation(meeting, agency), by=user, accept=True, mode="video")
        convening.respond(
            invitation=_invitation(meeting, Agency.HEALTH),
            by=world.nurse,
            accept=False,
            decline_reason="Clinic.",
            deputy_name="Named nurse on call",
        )
        assert convening.escalate_unanswered() == 0
    with time_machine.travel(london(2026, 11, 26, 12, 1), tick=False):
        # The police, who have not answered; and health, whose deputy has no SafeHub account
        # and so cannot accept: a manager confirms they will come.
        assert convening.escalate_unanswered() == 2
        assert convening.escalate_unanswered() == 0
    police = _invitation(meeting, Agency.POLICE)
    assert police.escalated_at is not None
    assert _invitation(meeting, Agency.HEALTH).escalated_at is not None
    alerted = set(
        Notification.objects.filter(
            kind="meetings.unanswered",
            channel=Channel.INBOX,
            key__startswith=f"meetings.unanswered:invitation-{police.pk}:",
        ).values_list("recipient", flat=True)
    )
    # The CAIT's own supervisor and the hub's team manager; not the officer who has not answered.
    assert alerted == {world.supervisor.pk, world.manager.pk}
    assert AuditEvent.objects.filter(action="meeting.invitation_escalated").count() == 2
    assert set(convening.unsettled_required_agencies(meeting)) == {Agency.POLICE, Agency.HEALTH}


def test_an_agency_covered_by_a_deputy_who_accepted_is_not_escalated(world):
    meeting = convene_strategy_discussion(world, starts_at=timezone.now() + datetime.timedelta(minutes=90))
    health = _invitation(meeting, Agency.HEALTH)
    convening.respond(
        invitation=health, by=world.nurse, accept=False, decline_reason="Clinic.", deputy=world.deputy_nurse
    )
    convening.respond(invitation=health.deputies.get(), by=world.deputy_nurse, accept=True, mode="in_person")
    convening.escalate_unanswered()
    assert not meeting.invitations.filter(agency=Agency.HEALTH, escalated_at__isnull=False).exists()
    assert meeting.invitations.filter(agency=Agency.POLICE, escalated_at__isnull=False).exists()


def test_a_deputy_who_never_answers_is_escalated_like_an_unanswered_invitation(world):
    meeting = convene_strategy_discussion(world, starts_at=timezone.now() + datetime.timedelta(minutes=90))
    health = _invitation(meeting, Agency.HEALTH)
    convening.respond(
        invitation=health, by=world.nurse, accept=False, decline_reason="Clinic.", deputy=world.deputy_nurse
    )
    convening.escalate_unanswered()
    deputy = health.deputies.get()
    deputy.refresh_from_db()
    assert deputy.escalated_at is not None
    assert Agency.HEALTH in convening.unsettled_required_agencies(meeting)


def test_a_conference_follows_the_strategy_discussion_and_invites_the_parents_by_name(world):
    with time_machine.travel(london(2026, 12, 10, 9, 0), tick=False):
        world.contact.decided_at = timezone.now()
        world.contact.save()
        discussion = convene_strategy_discussion(world, starts_at=london(2026, 12, 10, 11, 0))
        conference = convening.convene(
            kind=MeetingKind.INITIAL_CONFERENCE,
            by=world.practitioner,
            chair=world.manager,
            starts_at=london(2027, 1, 4, 10, 0),
            ends_at=london(2027, 1, 4, 12, 0),
            format=MeetingFormat.HYBRID,
            venue="Civic Centre, conference room",
            previous=discussion,
        )
    assert conference.reference == "CP-2026-00001"
    assert conference.due_at.date() == datetime.date(2027, 1, 5)
    assert list(conference.subjects.all()) == [world.child]
    parent = conference.invitations.get(agency=Agency.FAMILY)
    assert parent.external_name == world.mother.full_name
    assert not Notification.objects.filter(key__contains=f"invitation-{parent.pk}:").exists()


def test_a_conference_cannot_follow_a_meeting_of_the_wrong_kind(world):
    meeting = convene_strategy_discussion(world)
    with pytest.raises(ValidationError):
        convening.convene(
            kind=MeetingKind.REVIEW_CONFERENCE,
            by=world.practitioner,
            chair=world.manager,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            format=MeetingFormat.VIDEO,
            previous=meeting,
        )


def test_a_council_manager_elsewhere_does_not_run_another_councils_meeting(world):
    meeting = convene_strategy_discussion(world)
    other = UserFactory(roles=[Role.TEAM_MANAGER])
    assert not policy.can(other, "manage", meeting)
    assert not policy.visible_meetings(other).filter(pk=meeting.pk).exists()
    colleague = member(world.hub, Role.HUB_PRACTITIONER)
    assert policy.can(colleague, "manage", meeting)


def test_convening_is_audited_without_personal_data(world):
    meeting = convene_strategy_discussion(world)
    event = AuditEvent.objects.get(action="meeting.convened")
    assert event.object_id == str(meeting.pk)
    assert world.child.family_name not in str(event.detail)


def test_a_second_strategy_discussion_for_the_same_contact_is_refused(world):
    first = convene_strategy_discussion(world)
    with pytest.raises(ValidationError) as error:
        convene_strategy_discussion(world)
    assert first.reference in str(error.value)
    convening.cancel(meeting=first, by=world.practitioner, reason="Wrong time; arranging again.")
    assert convene_strategy_discussion(world).reference == "SD-2026-00002"


def test_a_colleague_cannot_take_over_an_accepted_team_invitation(world):
    meeting = convene_strategy_discussion(world)
    police = _invitation(meeting, Agency.POLICE)
    convening.respond(invitation=police, by=world.officer, accept=True, mode=AttendanceMode.VIDEO)
    with pytest.raises(PermissionDenied):
        convening.respond(invitation=police, by=world.supervisor, accept=True, mode=AttendanceMode.PHONE)
    police.refresh_from_db()
    assert police.invitee == world.officer


def test_the_venue_cannot_be_the_familys_address_because_it_travels_in_calendar_invitations(world):
    home = AddressFactory(line_1="14 Mill Lane", postcode="RV1 2AB")
    PersonAddressFactory(person=world.child, address=home, start_date=datetime.date(2020, 1, 1))
    for venue in ("14 Mill Lane, Riverside", "Home visit, RV12AB"):
        with pytest.raises(ValidationError) as error:
            convene_strategy_discussion(world, format=MeetingFormat.IN_PERSON, venue=venue)
        assert "venue" in error.value.message_dict
    meeting = convene_strategy_discussion(world, format=MeetingFormat.IN_PERSON, venue="Family home")
    assert meeting.venue == "Family home"
