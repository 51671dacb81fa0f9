"""The meetings pages: the list, convening from a contact, the meeting page with answering an
invitation, the organiser's changes, and the chair's record of attendance and the outcome.
Each page is for the right people only (404 for a meeting the user may not see), every
write is a POST through the services, and no personal data goes into a URL."""

import datetime
import html
import re

import pytest
from django.urls import reverse

from safehub.meetings.models import (
    Agency,
    AttendanceStatus,
    Invitation,
    Meeting,
    MeetingFormat,
    MeetingKind,
    MeetingState,
    ResponseState,
    StrategyOutcome,
)
from safehub.meetings.services import convening, recording
from safehub.meetings.services.recording import AttendanceInput
from safehub.partnership.roles import Role
from tests.factories import TeamFactory
from tests.meetings.conftest import (
    convene_strategy_discussion,
    decided_contact,
    london,
    member,
    time_machine,
)

pytestmark = pytest.mark.django_db

DECIDED = london(2026, 11, 26, 16, 30)  # a Thursday: the discussion is due by 16:30 on Friday
BEFORE_START = london(2026, 11, 27, 9, 0)
START = london(2026, 11, 27, 11, 0)
AFTER_START = london(2026, 11, 27, 11, 5)


@pytest.fixture
def decided(world):
    """The world's contact, decided for a strategy discussion at a known time."""
    world.contact.decided_at = DECIDED
    world.contact.save()
    return world


def _page(client, user, url, **kwargs):
    client.force_login(user)
    return client.get(url, **kwargs)


def _text(response) -> str:
    page = response.content.decode()
    main = page[page.find("<main") :]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def _meeting(world, **extra) -> Meeting:
    with time_machine.travel(BEFORE_START, tick=False):
        return convene_strategy_discussion(world, starts_at=START, **extra)


def _invitation(meeting: Meeting, agency: str) -> Invitation:
    return meeting.invitations.exclude(response=ResponseState.WITHDRAWN).get(agency=agency, deputy_for__isnull=True)


def _convene_data(**overrides) -> dict[str, str]:
    data = {
        "kind": MeetingKind.STRATEGY_DISCUSSION,
        "date": "27 11 2026",
        "starts": "11:00",
        "ends": "12:00",
        "format": MeetingFormat.HYBRID,
        "venue": "Riverside House, room 2",
        "invite_0": "on",
        "invite_1": "on",
        "invite_2": "on",
        "invite_3": "on",
    }
    data.update(overrides)
    return data


def _attend_everyone(meeting: Meeting, chair) -> None:
    entries = [
        AttendanceInput(invitation=i, status=AttendanceStatus.VIDEO, able_to_decide=True)
        for i in meeting.invitations.exclude(response=ResponseState.WITHDRAWN)
    ]
    recording.record_attendance(meeting=meeting, entries=entries, by=chair)


# The list --------------------------------------------------------------------------------------


def test_the_list_offers_the_hub_the_decided_contact_to_convene_with_its_due_time(decided, client):
    with time_machine.travel(BEFORE_START, tick=False):
        response = _page(client, decided.practitioner, reverse("meetings:list"))
    assert response.status_code == 200
    text = _text(response)
    assert "To convene" in text
    assert decided.contact.reference in text
    assert "Fri 27 Nov 2026, 16:30" in text
    assert reverse("meetings:convene-contact", args=[decided.contact.pk]) in response.content.decode()


def test_an_overdue_meeting_to_convene_is_tagged_overdue(decided, client):
    with time_machine.travel(london(2026, 11, 30, 9, 0), tick=False):
        response = _page(client, decided.practitioner, reverse("meetings:list"))
    assert "Overdue" in _text(response)


def test_the_list_shows_an_invited_officer_the_invitation_to_answer(decided, client):
    meeting = _meeting(decided)
    with time_machine.travel(BEFORE_START, tick=False):
        response = _page(client, decided.officer, reverse("meetings:list"))
    text = _text(response)
    assert "Invitations to answer" in text
    assert meeting.reference in text
    assert "Fri 27 Nov 2026, 11:00" in text


def test_the_list_does_not_name_a_child_to_a_chair_who_cannot_open_the_record(decided, client):
    chair = member(TeamFactory(organisation=decided.council, name="Assessment Team"), Role.SOCIAL_WORKER)
    _meeting(decided, chair=chair)
    with time_machine.travel(BEFORE_START, tick=False):
        response = _page(client, chair, reverse("meetings:list"))
    text = _text(response)
    assert "A child (record not shared with you)" in text
    assert decided.child.family_name not in text


def test_the_list_names_the_child_to_the_hub(decided, client):
    _meeting(decided)
    with time_machine.travel(BEFORE_START, tick=False):
        response = _page(client, decided.practitioner, reverse("meetings:list"))
    assert decided.child.full_name in _text(response)


def test_past_meetings_are_listed_on_their_own_page(decided, client):
    meeting = _meeting(decided)
    convening.cancel(meeting=meeting, by=decided.practitioner, reason="The family moved away.")
    response = _page(client, decided.practitioner, reverse("meetings:past"))
    assert response.status_code == 200
    assert meeting.reference in _text(response)
    assert "Cancelled" in _text(response)


def test_the_list_is_not_for_a_user_who_does_not_attend_meetings(world, client):
    response = _page(client, world.analyst, reverse("meetings:list"))
    assert response.status_code == 403


# Who may open the meeting -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["practitioner", "manager", "officer", "nurse", "dsl"])
def test_the_meeting_page_opens_for_those_who_run_it_and_those_invited(decided, client, who):
    meeting = _meeting(decided)
    with time_machine.travel(BEFORE_START, tick=False):
        response = _page(client, getattr(decided, who), reverse("meetings:meeting", args=[meeting.pk]))
    assert response.status_code == 200
    assert meeting.reference in _text(response)


@pytest.mark.parametrize("who", ["outsider", "analyst"])
def test_the_meeting_page_is_not_found_for_anyone_else(decided, client, who):
    meeting = _meeting(decided)
    with time_machine.travel(BEFORE_START, tick=False):
        response = _page(client, getattr(decided, who), reverse("meetings:meeting", args=[meeting.pk]))
    assert response.status_code == 404


def test_an_outsider_cannot_open_the_organisers_pages_either(decided, client):
    meeting = _meeting(decided)
    client.force_login(decided.outsider)
    for name in ("meetings:reschedule", "meetings:invite", "meetings:cancel", "meetings:record-attendance"):
        assert client.get(reverse(name, args=[meeting.pk])).status_code == 404, name


def test_an_invitee_cannot_change_or_cancel_the_meeting(decided, client):
    meeting = _meeting(decided)
    client.force_login(decided.officer)
    assert client.get(reverse("meetings:reschedule", args=[meeting.pk])).status_code == 403
    response = client.post(reverse("meetings:cancel", args=[meeting.pk]), {"reason": "No."})
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.SCHEDULED


def test_the_join_link_is_shown_to_an_invitee(decided, client):
    meeting = _meeting(decided)
    with time_machine.travel(BEFORE_START, tick=False):
        response = _page(client, decided.officer, reverse("meetings:meeting", args=[meeting.pk]))
    assert meeting.video_link
    assert meeting.video_link in response.content.decode()


def test_the_meeting_page_shows_the_due_time_and_the_invitations(decided, client):
    meeting = _meeting(decided)
    with time_machine.travel(BEFORE_START, tick=False):
        response = _page(client, decided.practitioner, reverse("meetings:meeting", args=[meeting.pk]))
    text = _text(response)
    assert "16:30 on Friday 27 November 2026" in text
    for label in ("Children's social care", "Police", "Health", "School or setting"):
        assert label in text
    assert "Not yet answered" in text


def test_the_meeting_page_says_which_required_agency_has_not_accepted(decided, client):
    meeting = _meeting(decided)
    with time_machine.travel(BEFORE_START, tick=False):
        response = _page(client, decided.practitioner, reverse("meetings:meeting", args=[meeting.pk]))
    text = _text(response)
    assert "Police have not accepted." in text
    assert "09:00 on Friday 27 November" in text  # 2 hours before the start


def test_an_escalated_agency_shows_when_it_was_escalated(decided, client):
    meeting = _meeting(decided)
    with time_machine.travel(london(2026, 11, 27, 9, 30), tick=False):
        convening.escalate_unanswered()
        response = _page(client, decided.practitioner, reverse("meetings:meeting", args=[meeting.pk]))
    text = _text(response)
    assert "Police have not accepted. Escalated to their managers at 09:30." in text
    assert "Escalated" in text


def test_the_chair_is_warned_when_the_meeting_starts_without_acceptance(decided, client):
    meeting = _meeting(decided)
    with time_machine.travel(AFTER_START, tick=False):
        response = _page(client, decided.manager, reverse("meetings:meeting", args=[meeting.pk]))
    text = _text(response)
    assert "This meeting has started without acceptance from: Children's social care, Police, Health" in text


# Convening ------------------------------------------------------------------------------------


def test_the_convene_page_shows_the_due_time_prominently(decided, client):
    with time_machine.travel(BEFORE_START, tick=False):
        response = _page(client, decided.practitioner, reverse("meetings:convene-contact", args=[decided.contact.pk]))
    assert response.status_code == 200
    assert "Due by 16:30 on Friday 27 November 2026" in _text(response)


def test_convening_through_the_form_creates_the_meeting_with_its_due_time_and_invitations(decided, client):
    url = reverse("meetings:convene-contact", args=[decided.contact.pk])
    data = _convene_data(chair=str(decided.manager.pk), who_1=f"user:{decided.officer.pk}")
    with time_machine.travel(BEFORE_START, tick=False):
        client.force_login(decided.practitioner)
        response = client.post(url, data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:meeting", args=[meeting.pk])
    assert meeting.kind == MeetingKind.STRATEGY_DISCUSSION
    assert meeting.due_at == london(2026, 11, 27, 16, 30)
    assert meeting.starts_at == START
    assert meeting.chair == decided.manager
    assert meeting.video_link.startswith("https://meet.example.org/")
    invited = {i.agency: (i.invitee, i.team) for i in meeting.invitations.all()}
    assert invited[Agency.POLICE] == (decided.officer, None)
    assert invited[Agency.HEALTH] == (None, decided.trust_team)
    assert invited[Agency.EDUCATION] == (decided.dsl, None)
    assert set(invited) == {Agency.SOCIAL_CARE, Agency.POLICE, Agency.HEALTH, Agency.EDUCATION}


def test_convening_can_add_another_agency(decided, client):
    data = _convene_data(
        chair=str(decided.manager.pk), extra_agency_0=Agency.DOMESTIC_ABUSE, extra_name_0="Riverside Women's Aid"
    )
    with time_machine.travel(BEFORE_START, tick=False):
        client.force_login(decided.practitioner)
        client.post(reverse("meetings:convene-contact", args=[decided.contact.pk]), data)
    extra = Meeting.objects.get().invitations.get(agency=Agency.DOMESTIC_ABUSE)
    assert extra.external_name == "Riverside Women's Aid"


def test_unticking_the_school_does_not_invite_it(decided, client):
    data = _convene_data(chair=str(decided.manager.pk))
    del data["invite_3"]
    with time_machine.travel(BEFORE_START, tick=False):
        client.force_login(decided.practitioner)
        client.post(reverse("meetings:convene-contact", args=[decided.contact.pk]), data)
    assert not Meeting.objects.get().invitations.filter(agency=Agency.EDUCATION).exists()


def test_bad_input_shows_the_error_summary_and_saves_nothing(decided, client):
    data = _convene_data(date="31 2 2026", chair="")
    with time_machine.travel(BEFORE_START, tick=False):
        client.force_login(decided.practitioner)
        response = client.post(reverse("meetings:convene-contact", args=[decided.contact.pk]), data)
    assert response.status_code == 200
    markup = response.content.decode()
    assert "There is a problem" in markup
    assert "Enter a real date for the date of the meeting" in markup
    assert "Choose who will chair the meeting." in markup
    assert not Meeting.objects.exists()


def test_leaving_out_the_police_is_refused_and_saves_nothing(decided, client):
    data = _convene_data(chair=str(decided.manager.pk))
    del data["invite_1"]
    with time_machine.travel(BEFORE_START, tick=False):
        client.force_login(decided.practitioner)
        response = client.post(reverse("meetings:convene-contact", args=[decided.contact.pk]), data)
    assert "Invite police: the meeting cannot decide without them." in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_start_after_the_due_time_asks_why_and_saves_nothing_until_given(decided, client):
    url = reverse("meetings:convene-contact", args=[decided.contact.pk])
    late = _convene_data(chair=str(decided.manager.pk), date="30 11 2026")
    with time_machine.travel(BEFORE_START, tick=False):
        client.force_login(decided.practitioner)
        response = client.post(url, late)
        assert "record why it cannot be held by then" in response.content.decode()
        assert 'name="late_reason"' in response.content.decode()
        assert not Meeting.objects.exists()
        client.post(url, {**late, "late_reason": "The police officer in the case is in court on Friday."})
    meeting = Meeting.objects.get()
    assert meeting.late_reason == "The police officer in the case is in court on Friday."


def test_a_contact_already_convened_goes_to_its_meeting(decided, client):
    meeting = _meeting(decided)
    response = _page(client, decided.practitioner, reverse("meetings:convene-contact", args=[decided.contact.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:meeting", args=[meeting.pk])


def test_only_the_hub_convenes_from_a_contact(decided, client):
    response = _page(client, decided.officer, reverse("meetings:convene-contact", args=[decided.contact.pk]))
    assert response.status_code == 403
    other = decided_contact(decided)
    response = _page(client, decided.social_worker, reverse("meetings:convene-contact", args=[other.pk]))
    assert response.status_code == 404


def test_a_social_worker_convenes_a_strategy_discussion_for_a_child_they_work_with(decided, client):
    from safehub.access.models import LegitimateRelationship, RelationshipSource

    LegitimateRelationship.objects.create(
        person=decided.child,
        user=decided.social_worker,
        source=RelationshipSource.ALLOCATION,
        reason="Allocated worker",
        starts_at=london(2026, 11, 1, 9, 0),
        created_by=decided.manager,
    )
    url = reverse("meetings:convene-person", args=[decided.child.pk])
    with time_machine.travel(BEFORE_START, tick=False):
        client.force_login(decided.social_worker)
        assert client.get(url).status_code == 200
        response = client.post(url, _convene_data(chair=str(decided.social_worker.pk)))
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert list(meeting.subjects.all()) == [decided.child]
    assert meeting.team == decided.duty


def test_convening_for_a_person_outside_ones_scope_is_not_found(decided, client):
    response = _page(client, decided.social_worker, reverse("meetings:convene-person", args=[decided.child.pk]))
    assert response.status_code == 404


# Answering an invitation ----------------------------------------------------------------------


def test_the_police_invitee_accepts_by_video(decided, client):
    meeting = _meeting(decided)
    invitation = _invitation(meeting, Agency.POLICE)
    with time_machine.travel(BEFORE_START, tick=False):
        client.force_login(decided.officer)
        response = client.post(
            reverse("meetings:respond", args=[invitation.pk]),
            {"answer": "accept", f"accept-{invitation.pk}-mode": "video"},
        )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert (invitation.response, invitation.response_mode, invitation.invitee) == (
        ResponseState.ACCEPTED,
        "video",
        decided.officer,
    )


def test_declining_without_a_reason_or_deputy_shows_the_errors_and_changes_nothing(decided, client):
    meeting = _meeting(decided)
    invitation = _invitation(meeting, Agency.HEALTH)
    with time_machine.travel(BEFORE_START, tick=False):
        client.force_login(decided.nurse)
        response = client.post(reverse("meetings:respond", args=[invitation.pk]), {"answer": "decline"})
    assert response.status_code == 200
    markup = response.content.decode()
    assert "There is a problem" in markup
    assert "Give the reason you cannot attend." in markup
    assert "Say who will attend for your agency instead" in markup
    invitation.refresh_from_db()
    assert invitation.response == ResponseState.PENDING
    assert meeting.invitations.count() == 4


def test_declining_with_a_colleague_as_deputy_invites_the_colleague(decided, client):
    meeting = _meeting(decided)
    invitation = _invitation(meeting, Agency.HEALTH)
    prefix = f"decline-{invitation.pk}"
    with time_machine.travel(BEFORE_START, tick=False):
        client.force_login(decided.nurse)
        response = client.post(
            reverse("meetings:respond", args=[invitation.pk]),
            {
                "answer": "decline",
                f"{prefix}-decline_reason": "I am at a child protection medical all morning.",
                f"{prefix}-deputy": str(decided.deputy_nurse.pk),
            },
        )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.response == ResponseState.DECLINED
    assert invitation.deputy_name == str(decided.deputy_nurse)
    assert meeting.invitations.filter(invitee=decided.deputy_nurse, deputy_for=invitation).exists()


def test_the_decline_form_offers_only_colleagues_from_ones_own_agency(decided, client):
    meeting = _meeting(decided)
    with time_machine.travel(BEFORE_START, tick=False):
        response = _page(client, decided.nurse, reverse("meetings:meeting", args=[meeting.pk]))
    markup = response.content.decode()
    assert f'value="{decided.deputy_nurse.pk}"' in markup
    assert str(decided.officer) not in markup.split("Or decline", 1)[1].split("</form>", 1)[0]


def test_an_outsider_cannot_answer_an_invitation(decided, client):
    meeting = _meeting(decided)
    invitation = _invitation(meeting, Agency.POLICE)
    client.force_login(decided.outsider)
    response = client.post(
        reverse("meetings:respond", args=[invitation.pk]), {"answer": "accept", f"accept-{invitation.pk}-mode": "video"}
    )
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.response == ResponseState.PENDING


# The organiser's changes ----------------------------------------------------------------------


def test_the_organiser_moves_the_meeting_and_everyone_is_sent_the_change(decided, client):
    meeting = _meeting(decided)
    data = {"date": "27 11 2026", "starts": "14:00", "ends": "15:00", "format": MeetingFormat.VIDEO}
    with time_machine.travel(BEFORE_START, tick=False):
        client.force_login(decided.practitioner)
        response = client.post(reverse("meetings:reschedule", args=[meeting.pk]), data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.starts_at == london(2026, 11, 27, 14, 0)
    assert meeting.sequence == 1


def test_the_organiser_invites_another_agency(decided, client):
    meeting = _meeting(decided)
    data = {"agency": Agency.POLICE, "who": f"team:{decided.force_duty.pk}", "required": "on"}
    with time_machine.travel(BEFORE_START, tick=False):
        client.force_login(decided.practitioner)
        response = client.post(reverse("meetings:invite", args=[meeting.pk]), data)
    assert response.status_code == 302
    assert meeting.invitations.filter(team=decided.force_duty, required=True).exists()


def test_the_organiser_withdraws_an_invitation(decided, client):
    meeting = _meeting(decided)
    school = _invitation(meeting, Agency.EDUCATION)
    with time_machine.travel(BEFORE_START, tick=False):
        client.force_login(decided.practitioner)
        client.post(reverse("meetings:withdraw", args=[school.pk]))
    school.refresh_from_db()
    assert school.response == ResponseState.WITHDRAWN


def test_withdrawing_the_only_police_invitation_is_refused_with_the_reason(decided, client):
    meeting = _meeting(decided)
    police = _invitation(meeting, Agency.POLICE)
    with time_machine.travel(BEFORE_START, tick=False):
        client.force_login(decided.practitioner)
        response = client.post(reverse("meetings:withdraw", args=[police.pk]), follow=True)
    assert "Police must be invited" in _text(response)
    police.refresh_from_db()
    assert police.response == ResponseState.PENDING


def test_cancelling_needs_a_reason(decided, client):
    meeting = _meeting(decided)
    url = reverse("meetings:cancel", args=[meeting.pk])
    with time_machine.travel(BEFORE_START, tick=False):
        client.force_login(decided.practitioner)
        response = client.post(url, {"reason": ""})
        assert "Record why the meeting is cancelled." in response.content.decode()
        client.post(url, {"reason": "The child has moved to another area."})
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CANCELLED


# Recording --------------------------------------------------------------------------------------


def test_attendance_cannot_be_recorded_before_the_start(decided, client):
    meeting = _meeting(decided)
    with time_machine.travel(BEFORE_START, tick=False):
        response = _page(client, decided.manager, reverse("meetings:record-attendance", args=[meeting.pk]))
    assert response.status_code == 302


def test_only_the_chair_records_attendance(decided, client):
    meeting = _meeting(decided)
    with time_machine.travel(AFTER_START, tick=False):
        assert (
            _page(client, decided.officer, reverse("meetings:record-attendance", args=[meeting.pk])).status_code == 403
        )
        assert (
            _page(client, decided.manager, reverse("meetings:record-attendance", args=[meeting.pk])).status_code == 200
        )


def test_the_chair_records_attendance_through_the_form(decided, client):
    meeting = _meeting(decided)
    police, health = _invitation(meeting, Agency.POLICE), _invitation(meeting, Agency.HEALTH)
    social_care, school = _invitation(meeting, Agency.SOCIAL_CARE), _invitation(meeting, Agency.EDUCATION)
    data = {
        f"status-{social_care.pk}": "in_person",
        f"decide-{social_care.pk}": "on",
        f"status-{police.pk}": "video",
        f"decide-{police.pk}": "on",
        f"late-{police.pk}": "10",
        f"status-{health.pk}": "deputy",
        f"name-{health.pk}": "Sam Deputy, named nurse",
        f"decide-{health.pk}": "on",
        f"status-{school.pk}": "apologies",
    }
    with time_machine.travel(AFTER_START, tick=False):
        client.force_login(decided.manager)
        response = client.post(reverse("meetings:record-attendance", args=[meeting.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:record-outcome", args=[meeting.pk])
    police.refresh_from_db()
    assert (police.attendance.status, police.attendance.late_minutes, police.attendance.able_to_decide) == (
        AttendanceStatus.VIDEO,
        10,
        True,
    )
    health.refresh_from_db()
    assert health.attendance.attendee_name == "Sam Deputy, named nurse"
    assert recording.quorum_gaps(meeting) == []


def test_a_deputy_without_a_name_is_an_error_beside_the_row(decided, client):
    meeting = _meeting(decided)
    data = {f"status-{i.pk}": "apologies" for i in meeting.invitations.all()}
    health = _invitation(meeting, Agency.HEALTH)
    data[f"status-{health.pk}"] = "deputy"
    with time_machine.travel(AFTER_START, tick=False):
        client.force_login(decided.manager)
        response = client.post(reverse("meetings:record-attendance", args=[meeting.pk]), data)
    assert response.status_code == 200
    assert "Enter the name of the deputy who attended." in response.content.decode()
    assert not meeting.invitations.filter(attendance__isnull=False).exists()


def test_the_chair_adds_someone_who_came_without_an_invitation(decided, client):
    meeting = _meeting(decided)
    with time_machine.travel(AFTER_START, tick=False):
        client.force_login(decided.manager)
        client.post(
            reverse("meetings:add-attendee", args=[meeting.pk]),
            {"agency": Agency.YOUTH_JUSTICE, "name": "Jo Bloggs, youth justice worker"},
        )
    assert meeting.invitations.filter(agency=Agency.YOUTH_JUSTICE, external_name="Jo Bloggs, youth justice worker")


def test_a_joint_section_47_outcome_is_recorded_and_the_conference_due_date_shown(decided, client):
    meeting = _meeting(decided)
    data = {
        "outcome": StrategyOutcome.SECTION_47_JOINT,
        "minutes": "Agreed a joint section 47 enquiry with the police.",
        "information_shared": "Police shared two previous call-outs.",
        "action_0_description": "Visit the child at school with the police.",
        "action_0_owner": str(decided.council.pk),
        "action_0_name": "Duty social worker",
        "action_0_due": "30 11 2026",
    }
    with time_machine.travel(AFTER_START, tick=False):
        client.force_login(decided.manager)
        _attend_everyone(meeting, decided.manager)
        response = client.post(reverse("meetings:record-outcome", args=[meeting.pk]), data)
        assert response.status_code == 302
        page = client.get(reverse("meetings:meeting", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.HELD
    assert meeting.outcome == StrategyOutcome.SECTION_47_JOINT
    assert meeting.actions.get().owner_name == "Duty social worker"
    text = _text(page)
    assert "Initial child protection conference due by Friday 18 December 2026" in text
    assert "Convene the initial child protection conference" in text
    assert "Agreed a joint section 47 enquiry with the police." in text


def test_an_action_row_half_filled_in_is_an_error_and_nothing_is_recorded(decided, client):
    meeting = _meeting(decided)
    data = {"outcome": StrategyOutcome.NO_SECTION_47, "minutes": "No s47.", "action_0_description": "Visit."}
    with time_machine.travel(AFTER_START, tick=False):
        client.force_login(decided.manager)
        _attend_everyone(meeting, decided.manager)
        response = client.post(reverse("meetings:record-outcome", args=[meeting.pk]), data)
    assert "Choose the agency that owns action 1." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.SCHEDULED


def _without_police(meeting: Meeting, chair) -> None:
    entries = [
        AttendanceInput(
            invitation=i,
            status=AttendanceStatus.DID_NOT_ATTEND if i.agency == Agency.POLICE else AttendanceStatus.VIDEO,
            able_to_decide=i.agency != Agency.POLICE,
        )
        for i in meeting.invitations.all()
    ]
    recording.record_attendance(meeting=meeting, entries=entries, by=chair)


def test_the_quorum_panel_names_the_missing_agency_and_a_team_manager_may_override(decided, client):
    meeting = _meeting(decided)
    with time_machine.travel(AFTER_START, tick=False):
        _without_police(meeting, decided.manager)
        response = _page(client, decided.manager, reverse("meetings:record-outcome", args=[meeting.pk]))
    markup = response.content.decode()
    assert "Not represented by someone able to make decisions: Police." in _text(response)
    assert 'name="quorum_override_reason"' in markup


def test_the_quorum_override_field_is_not_offered_to_a_social_worker_chair(decided, client):
    meeting = _meeting(decided, chair=decided.social_worker)
    with time_machine.travel(AFTER_START, tick=False):
        _without_police(meeting, decided.social_worker)
        response = _page(client, decided.social_worker, reverse("meetings:record-outcome", args=[meeting.pk]))
    assert response.status_code == 200
    assert "Only a team manager can record it without them." in _text(response)
    assert 'name="quorum_override_reason"' not in response.content.decode()


def test_a_team_manager_records_a_decision_without_quorum_with_the_reason(decided, client):
    meeting = _meeting(decided)
    data = {
        "outcome": StrategyOutcome.SECTION_47_SINGLE,
        "minutes": "The police could not attend; the child cannot wait.",
        "quorum_override_reason": "The child is at immediate risk; police told by phone and agree.",
    }
    with time_machine.travel(AFTER_START, tick=False):
        client.force_login(decided.manager)
        _without_police(meeting, decided.manager)
        client.post(reverse("meetings:record-outcome", args=[meeting.pk]), data)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.HELD
    assert meeting.quorate is False
    assert meeting.quorum_overridden_by == decided.manager


def test_minutes_are_not_shown_to_an_invitee_whose_agency_did_not_attend(decided, client):
    meeting = _meeting(decided)
    with time_machine.travel(AFTER_START, tick=False):
        _without_police(meeting, decided.manager)
        recording.record_strategy_outcome(
            meeting=meeting,
            by=decided.manager,
            outcome=StrategyOutcome.FURTHER_INFORMATION,
            minutes="Health to share the GP's notes.",
        )
        response = _page(client, decided.officer, reverse("meetings:meeting", args=[meeting.pk]))
    text = _text(response)
    assert "The minutes are shared with the agencies that attended." in text
    assert "Health to share the GP's notes." not in text


def test_a_conference_decision_is_recorded_through_the_form(decided, client):
    sd = _meeting(decided)
    with time_machine.travel(AFTER_START, tick=False):
        _attend_everyone(sd, decided.manager)
        recording.record_strategy_outcome(
            meeting=sd, by=decided.manager, outcome=StrategyOutcome.SECTION_47_JOINT, minutes="Joint s47."
        )
    conference_start = london(2026, 12, 14, 10, 0)
    with time_machine.travel(london(2026, 12, 1, 9, 0), tick=False):
        client.force_login(decided.practitioner)
        url = reverse("meetings:convene-after", args=[sd.pk, MeetingKind.INITIAL_CONFERENCE])
        form = client.get(url)
        assert "Due by 23:59 on Friday 18 December 2026" in _text(form)
        assert "Parent or carer" in _text(form)
        data = _convene_data(
            kind=MeetingKind.INITIAL_CONFERENCE, date="14 12 2026", starts="10:00", chair=str(decided.manager.pk)
        )
        data["invite_4"] = "on"  # the mother
        response = client.post(url, data)
        assert response.status_code == 302
    conference = Meeting.objects.get(kind=MeetingKind.INITIAL_CONFERENCE)
    assert conference.previous == sd
    assert conference.invitations.filter(agency=Agency.FAMILY).exists()
    assert conference.starts_at == conference_start
    with time_machine.travel(london(2026, 12, 14, 10, 5), tick=False):
        _attend_everyone(conference, decided.manager)
        client.force_login(decided.manager)
        response = client.post(
            reverse("meetings:record-outcome", args=[conference.pk]),
            {"plan": "yes", "plan_category": "physical", "plan_review_due": "", "minutes": "A plan is needed."},
        )
    assert response.status_code == 302
    conference.refresh_from_db()
    assert conference.plan_decision is True
    # Three months on is Sunday 14 March 2027: the review is due the Friday before.
    assert conference.plan_review_due == datetime.date(2027, 3, 12)


# No personal data in URLs ---------------------------------------------------------------------


def test_no_personal_data_in_any_link_or_form_address_on_the_meetings_pages(decided, client):
    meeting = _meeting(decided)
    child = decided.child
    personal = [child.given_names, child.family_name, decided.mother.given_names]
    if child.date_of_birth:
        personal.append(child.date_of_birth.isoformat())
    with time_machine.travel(BEFORE_START, tick=False):
        client.force_login(decided.practitioner)
        pages = [
            client.get(reverse("meetings:list")),
            client.get(reverse("meetings:meeting", args=[meeting.pk])),
            client.get(reverse("meetings:reschedule", args=[meeting.pk])),
            client.get(reverse("meetings:invite", args=[meeting.pk])),
        ]
    for response in pages:
        markup = response.content.decode()
        for address in re.findall(r'(?:href|action)="([^"]*)"', markup):
            for value in personal:
                assert value not in address, address


def test_the_hub_contact_page_offers_to_convene_the_decided_strategy_discussion(decided, client):
    with time_machine.travel(BEFORE_START, tick=False):
        response = _page(client, decided.practitioner, reverse("hub:contact", args=[decided.contact.pk]))
    text = _text(response)
    assert "Strategy discussion due by 16:30 on Friday 27 November 2026" in text
    assert "Convene the strategy discussion" in text


def test_the_hub_contact_page_links_to_the_convened_meeting(decided, client):
    meeting = _meeting(decided)
    with time_machine.travel(BEFORE_START, tick=False):
        response = _page(client, decided.practitioner, reverse("hub:contact", args=[decided.contact.pk]))
    assert reverse("meetings:meeting", args=[meeting.pk]) in response.content.decode()
    assert "Convene the strategy discussion" not in _text(response)


def test_a_meeting_for_a_user_in_another_team_needs_no_team_membership(decided, client):
    # A second hub practitioner in the same hub team also runs the meeting.
    colleague = member(decided.hub, Role.HUB_PRACTITIONER)
    meeting = _meeting(decided)
    with time_machine.travel(BEFORE_START, tick=False):
        response = _page(client, colleague, reverse("meetings:meeting", args=[meeting.pk]))
    assert response.status_code == 200
    assert "Change time or format" in _text(response)


# The person's record ----------------------------------------------------------------------------


def _plan(meeting: Meeting, person, **extra):
    from safehub.meetings.models import ChildProtectionPlan

    values = {
        "category": "neglect",
        "started_on": datetime.date(2026, 6, 1),
        "next_review_due": datetime.date(2026, 9, 1),
    }
    return ChildProtectionPlan.objects.create(person=person, started_by=meeting, **(values | extra))


def test_the_person_page_shows_an_open_plan_with_its_review_and_overdue_flag(decided, client):
    _plan(_meeting(decided), decided.child)
    with time_machine.travel(BEFORE_START, tick=False):
        response = _page(client, decided.practitioner, decided.child.get_absolute_url())
    text = _text(response)
    assert "Child protection plan" in text
    assert "Neglect" in text
    assert "Started 1 June 2026" in text
    assert "Next review due Tuesday 1 September 2026" in text
    assert "Review overdue" in text


def test_the_person_page_says_an_unborn_childs_plan_moved_at_birth(decided, client):
    from safehub.people.models import PersonKind
    from tests.factories import PersonFactory

    unborn = PersonFactory(
        kind=PersonKind.UNBORN, date_of_birth=None, expected_due_date=datetime.date(2026, 11, 1), mother=decided.mother
    )
    _plan(_meeting(decided), unborn, next_review_due=datetime.date(2027, 1, 20))
    with time_machine.travel(BEFORE_START, tick=False):
        recording.transfer_plan_at_birth(unborn=unborn, child=decided.child, by=decided.manager)
        on_unborn = _text(_page(client, decided.practitioner, unborn.get_absolute_url()))
        on_child = _text(_page(client, decided.practitioner, decided.child.get_absolute_url()))
    assert "Moved at birth" in on_unborn
    assert "The plan moved to the child's record on 27 November 2026." in on_unborn
    assert "Started before birth, on the unborn child's record" in on_child
    assert "Next review due Wednesday 20 January 2027" in on_child


def test_the_person_page_lists_only_the_meetings_the_viewer_may_open(decided, client):
    seen = _meeting(decided)
    other_contact = decided_contact(decided, decided_at=DECIDED)
    with time_machine.travel(BEFORE_START, tick=False):
        hidden = convening.convene(
            kind=MeetingKind.STRATEGY_DISCUSSION,
            by=decided.practitioner,
            chair=decided.manager,
            starts_at=START + datetime.timedelta(hours=2),
            ends_at=START + datetime.timedelta(hours=3),
            format=MeetingFormat.VIDEO,
            contact=other_contact,
            invitations=[
                convening.InvitationInput(agency=Agency.SOCIAL_CARE, team=decided.duty, required=True),
                convening.InvitationInput(agency=Agency.POLICE, team=decided.force_duty, required=True),
                convening.InvitationInput(agency=Agency.HEALTH, team=decided.trust_team, required=True),
            ],
        )
        response = _page(client, decided.officer, decided.child.get_absolute_url())
    assert response.status_code == 200
    markup = response.content.decode()
    assert reverse("meetings:meeting", args=[seen.pk]) in markup
    assert reverse("meetings:meeting", args=[hidden.pk]) not in markup
    assert "Convene a strategy discussion" not in markup


def test_a_convenor_is_offered_to_convene_from_the_childs_record(decided, client):
    with time_machine.travel(BEFORE_START, tick=False):
        response = _page(client, decided.practitioner, decided.child.get_absolute_url())
    assert reverse("meetings:convene-person", args=[decided.child.pk]) in response.content.decode()


def _held_section_47(world) -> Meeting:
    meeting = _meeting(world)
    with time_machine.travel(AFTER_START, tick=False):
        _attend_everyone(meeting, world.manager)
        recording.record_strategy_outcome(
            meeting=meeting, by=world.manager, outcome=StrategyOutcome.SECTION_47_JOINT, minutes="Joint s47."
        )
    return meeting


def test_an_enquiry_that_ended_without_a_conference_is_recorded_and_no_longer_to_convene(decided, client):
    meeting = _held_section_47(decided)
    with time_machine.travel(london(2026, 12, 4, 10, 0), tick=False):
        page = _text(_page(client, decided.practitioner, reverse("meetings:meeting", args=[meeting.pk])))
        assert "The enquiry ended without a conference" in page
        url = reverse("meetings:enquiry-outcome", args=[meeting.pk])
        refused = client.post(url, {"enquiry_outcome": "not_substantiated"})
        assert "Record why no conference is needed." in _text(refused)
        response = client.post(
            url, {"enquiry_outcome": "not_substantiated", "enquiry_outcome_reason": "Bruise explained by a fall."}
        )
        assert response.status_code == 302
        page = _text(client.get(reverse("meetings:meeting", args=[meeting.pk])))
        listing = _text(client.get(reverse("meetings:list")))
    meeting.refresh_from_db()
    assert meeting.enquiry_outcome == "not_substantiated"
    assert "Concerns not substantiated" in page
    assert "Initial child protection conference due by" not in page
    assert meeting.reference not in listing.split("To convene")[-1].split("Waiting")[0]


def test_an_invitee_cannot_record_the_enquiry_outcome(decided, client):
    meeting = _held_section_47(decided)
    client.force_login(decided.officer)
    response = client.post(
        reverse("meetings:enquiry-outcome", args=[meeting.pk]),
        {"enquiry_outcome": "not_substantiated", "enquiry_outcome_reason": "No."},
    )
    assert response.status_code == 403


def test_the_actions_are_not_shown_to_an_invitee_whose_agency_did_not_attend(decided, client):
    meeting = _meeting(decided)
    with time_machine.travel(AFTER_START, tick=False):
        _without_police(meeting, decided.manager)
        recording.record_strategy_outcome(
            meeting=meeting,
            by=decided.manager,
            outcome=StrategyOutcome.FURTHER_INFORMATION,
            minutes="Health to share the GP's notes.",
            actions=[
                recording.ActionInput(
                    description="Ask the GP about the child's bruising history",
                    owner_organisation=decided.trust,
                    owner_name="Named nurse",
                    due_on=datetime.date(2026, 11, 30),
                )
            ],
        )
        officer = _text(_page(client, decided.officer, reverse("meetings:meeting", args=[meeting.pk])))
        nurse = _text(_page(client, decided.nurse, reverse("meetings:meeting", args=[meeting.pk])))
    assert "bruising history" not in officer
    assert "The actions agreed are shared with the agencies that attended." in officer
    assert "bruising history" in nurse


def test_a_parents_name_is_shown_only_to_those_who_run_the_conference(decided, client):
    sd = _meeting(decided)
    with time_machine.travel(AFTER_START, tick=False):
        _attend_everyone(sd, decided.manager)
        recording.record_strategy_outcome(
            meeting=sd, by=decided.manager, outcome=StrategyOutcome.SECTION_47_JOINT, minutes="Joint s47."
        )
    with time_machine.travel(london(2026, 12, 1, 9, 0), tick=False):
        conference = convening.convene(
            kind=MeetingKind.INITIAL_CONFERENCE,
            by=decided.practitioner,
            chair=decided.manager,
            starts_at=london(2026, 12, 14, 10, 0),
            ends_at=london(2026, 12, 14, 12, 0),
            format=MeetingFormat.IN_PERSON,
            venue="Civic Centre, conference room",
            previous=sd,
        )
        url = reverse("meetings:meeting", args=[conference.pk])
        officer = _text(_page(client, decided.officer, url))
        manager = _text(_page(client, decided.manager, url))
    name = decided.mother.full_name
    assert name in manager
    assert name not in officer
    assert "Parent or carer" in officer


def test_a_start_in_the_hour_the_clocks_go_forward_is_refused_beside_the_field(decided, client):
    data = _convene_data(date="28 3 2027", starts="01:30", ends="02:30", late_reason="Out of hours.")
    with time_machine.travel(BEFORE_START, tick=False):
        client.force_login(decided.practitioner)
        response = client.post(reverse("meetings:convene-contact", args=[decided.contact.pk]), data)
    assert response.status_code == 200
    assert "There was no 01:30 on 28 March 2027" in html.unescape(response.content.decode())
    assert not Meeting.objects.exists()


def test_a_joint_enquiry_opens_the_police_investigation_linked_both_ways(decided, client):
    """From the discussion that agreed a joint section 47 enquiry, the officer opens the
    investigation with the children filled in; each page then links to the other."""
    from safehub.investigations.models import Investigation, OffenceCategory

    meeting = _held_section_47(decided)
    meeting_url = reverse("meetings:meeting", args=[meeting.pk])
    open_url = reverse("investigations:open-from-meeting", args=[meeting.pk])
    with time_machine.travel(london(2026, 12, 4, 10, 0), tick=False):
        assert open_url in _page(client, decided.officer, meeting_url).content.decode()
        form = client.get(open_url).content.decode()
        for child in meeting.subjects.all():
            assert child.reference in form
        response = client.post(
            open_url,
            {
                "crime_reference": "RP/20001/26",
                "offence_category": OffenceCategory.PHYSICAL_ABUSE,
                "victims": "\n".join(p.reference for p in meeting.subjects.all()),
                "allocated_officer": decided.officer.pk,
                "supervising_officer": decided.supervisor.pk,
            },
        )
        assert response.status_code == 302
        investigation = Investigation.objects.get(strategy_discussion=meeting)
        assert response["Location"] == investigation.get_absolute_url()
        investigation_page = client.get(investigation.get_absolute_url()).content.decode()
        assert meeting_url in investigation_page
        meeting_page = client.get(meeting_url).content.decode()
    assert investigation.get_absolute_url() in meeting_page
    assert open_url not in meeting_page  # one investigation per discussion
