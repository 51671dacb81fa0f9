"""Strategy discussions and conferences through the API only: a discussion convened from the
hub's decision, invitations with valid calendar objects reaching a real SMTP server, the
police accepting by video and health declining with a deputy, the chair's attendance and a
joint section 47 decision, and the initial conference due 15 working days later across
Christmas; with 404 for what a caller may not see, 403 for what they may see but not do,
400 with the fields for bad input, quorum, and the minutes kept from agencies that did not come."""

import datetime

import icalendar
import pytest
from django.urls import Resolver404, resolve
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from safehub.audit.models import AuditEvent
from safehub.meetings.models import (
    Agency,
    AttendanceStatus,
    ChildProtectionPlan,
    Invitation,
    Meeting,
    MeetingFormat,
    MeetingKind,
    MeetingState,
    ResponseState,
)
from safehub.meetings.services import convening, recording
from safehub.notifications.services import dispatch_due
from safehub.partnership.roles import Role
from safehub.timescales.calendar import add_working_days
from tests.factories import UserFactory
from tests.mail_server import ReceivedMail
from tests.meetings.conftest import convene_strategy_discussion, decided_contact, london, time_machine

pytestmark = pytest.mark.django_db


def api_as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _event(text: str) -> icalendar.Event:
    [event] = icalendar.Calendar.from_ical(text).walk("VEVENT")
    return event


def _of(meeting: dict, agency: str) -> dict:
    [invitation] = [i for i in meeting["invitations"] if i["agency"] == agency and i["deputy_for"] is None]
    return invitation


def _present(status: str) -> bool:
    return status in {"in_person", "video", "phone", "deputy"}


def _record_everyone(w, meeting: Meeting, *, absent: set[str] = frozenset(), by=None) -> None:
    """The chair records every invitation: each agency present and able to decide, except `absent`."""
    entries = []
    for invitation in meeting.invitations.exclude(response=ResponseState.WITHDRAWN):
        status = AttendanceStatus.DID_NOT_ATTEND if invitation.agency in absent else AttendanceStatus.VIDEO
        entries.append(recording.AttendanceInput(invitation=invitation, status=status, able_to_decide=_present(status)))
    recording.record_attendance(meeting=meeting, entries=entries, by=by or w.manager)


def _started(meeting: Meeting):
    return time_machine.travel(meeting.starts_at + datetime.timedelta(minutes=5), tick=False)


def _convene_body(w, **extra) -> dict:
    starts = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(hours=4)
    return {
        "kind": "strategy_discussion",
        "contact": w.contact.pk,
        "chair": w.manager.pk,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + datetime.timedelta(hours=1)).isoformat(),
        "format": "video",
    } | extra


# The "done when", through the API -----------------------------------------------------


def test_a_strategy_discussion_leads_to_an_initial_conference_across_christmas_through_the_api(world, local_smtp):
    w = world
    hub, chair, officer, nurse = api_as(w.practitioner), api_as(w.manager), api_as(w.officer), api_as(w.nurse)

    # Thursday 10 December 2026: the hub decided at 09:00 and convenes the discussion for 14:00, by video.
    with time_machine.travel(london(2026, 12, 10, 9, 30), tick=False):
        w.contact.decided_at = london(2026, 12, 10, 9, 0)
        w.contact.save(update_fields=["decided_at"])
        convened = hub.post(
            "/api/v1/meetings/",
            {
                "kind": "strategy_discussion",
                "contact": w.contact.pk,
                "chair": w.manager.pk,
                "starts_at": "2026-12-10T14:00:00+00:00",
                "ends_at": "2026-12-10T15:00:00+00:00",
                "format": "video",
            },
            format="json",
        )
        assert convened.status_code == 201, convened.json()
        sd = convened.json()
        assert sd["reference"].startswith("SD-2026-")
        # Due 1 working day after the decision.
        assert datetime.datetime.fromisoformat(sd["due_at"]) == london(2026, 12, 11, 9, 0)
        assert sd["video_link"].startswith("https://meet.example.org/safehub-")
        assert {i["agency"] for i in sd["invitations"]} >= {"social_care", "police", "health", "education"}
        assert sd["children"] == [{"id": w.child.pk, "reference": w.child.reference}]
        assert w.child.family_name not in convened.content.decode()
        sent = dispatch_due()
    assert sent.failed == 0

    # Each invitee's email carries a calendar request Outlook accepts.
    for user in (w.officer, w.nurse, w.deputy_nurse, w.dsl):
        [message] = local_smtp.messages_to(user.email)
        text = ReceivedMail.calendar_of(message)
        assert str(icalendar.Calendar.from_ical(text)["METHOD"]) == "REQUEST"
        event = _event(text)
        assert str(event["UID"]) == f"meeting-{sd['id']}@safehub.invalid"
        assert int(event["SEQUENCE"]) == 0
        assert event["DTSTART"].params["TZID"] == "Europe/London"
        assert event.decoded("DTSTART") == london(2026, 12, 10, 14, 0)
        assert str(event["LOCATION"]) == sd["video_link"]

    police, health = _of(sd, "police"), _of(sd, "health")
    with time_machine.travel(london(2026, 12, 10, 10, 0), tick=False):
        [mine] = officer.get("/api/v1/invitations/").json()["results"]
        assert (mine["id"], mine["meeting_reference"], mine["response"]) == (police["id"], sd["reference"], "pending")
        accepted = officer.post(f"/api/v1/invitations/{police['id']}/respond/", {"accept": True, "mode": "video"})
        assert accepted.status_code == 200, accepted.json()
        assert (accepted.json()["response"], accepted.json()["response_mode"]) == ("accepted", "video")
        declined = nurse.post(
            f"/api/v1/invitations/{health['id']}/respond/",
            {"accept": False, "decline_reason": "Child protection medical all afternoon.", "deputy": w.deputy_nurse.pk},
            format="json",
        )
        assert declined.status_code == 200, declined.json()
        assert declined.json()["deputy_name"] == str(w.deputy_nurse)
        dispatch_due()
        meeting = hub.get(f"/api/v1/meetings/{sd['id']}/").json()
        [deputy] = [i for i in meeting["invitations"] if i["deputy_for"] == health["id"]]
        assert (deputy["invitee"], deputy["agency"], deputy["required"]) == (w.deputy_nurse.pk, "health", True)
        assert _of(meeting, "police")["invitee"] == w.officer.pk
        # Health is settled only once its deputy accepts.
        assert "police" not in meeting["unsettled_required_agencies"]
        assert "health" in meeting["unsettled_required_agencies"]
        deputy_api = api_as(w.deputy_nurse)
        answered = deputy_api.post(f"/api/v1/invitations/{deputy['id']}/respond/", {"accept": True, "mode": "video"})
        assert answered.status_code == 200, answered.json()
        meeting = hub.get(f"/api/v1/meetings/{sd['id']}/").json()
        assert not {"police", "health"} & set(meeting["unsettled_required_agencies"])
    # The deputy is sent an invitation of their own, with the same calendar entry.
    _team_invitation, own_invitation = local_smtp.messages_to(w.deputy_nurse.email)
    assert own_invitation["Subject"] == f"Invitation: {sd['reference']}"
    assert str(_event(ReceivedMail.calendar_of(own_invitation))["UID"]) == f"meeting-{sd['id']}@safehub.invalid"

    # 14:05: the chair records who came and the joint section 47 decision.
    with time_machine.travel(london(2026, 12, 10, 14, 5), tick=False):
        statuses = {
            police["id"]: {"status": "video", "able_to_decide": True},
            health["id"]: {"status": "deputy", "attendee_name": str(w.deputy_nurse), "able_to_decide": True},
            deputy["id"]: {"status": "video", "able_to_decide": True},
        }
        entries = [
            {"invitation": i["id"], **statuses.get(i["id"], {"status": "video", "able_to_decide": True})}
            for i in meeting["invitations"]
        ]
        recorded = chair.post(f"/api/v1/meetings/{sd['id']}/attendance/", {"entries": entries}, format="json")
        assert recorded.status_code == 200, recorded.json()
        assert recorded.json()["quorum_gaps"] == []
        assert recorded.json()["attendance_missing"] == []
        decided = chair.post(
            f"/api/v1/meetings/{sd['id']}/outcome/",
            {
                "outcome": "s47_joint",
                "minutes": "Joint section 47 enquiry agreed; police to interview the child.",
                "information_shared": "Police: two previous call-outs to the address.",
                "actions": [
                    {
                        "description": "Joint visit and interview",
                        "owner_organisation": w.force.pk,
                        "owner_name": "DC Example",
                        "due_on": "2026-12-11",
                    }
                ],
            },
            format="json",
        )
        assert decided.status_code == 200, decided.json()
        held = decided.json()
        assert (held["state"], held["outcome"], held["quorate"]) == ("held", "s47_joint", True)
        assert held["actions"][0]["owner_organisation"] == w.force.pk
        assert _of(held, "police")["attendance"]["status"] == "video"
        [due] = hub.get("/api/v1/meetings/due/").json()["results"]
        assert (due["kind"], due["follows"], due["previous"]) == ("initial_conference", sd["reference"], sd["id"])

    # The initial conference: 15 working days after the discussion, across Christmas and New Year.
    expected_day = add_working_days(datetime.date(2026, 12, 10), 15)
    assert expected_day == datetime.date(2027, 1, 5)
    with time_machine.travel(london(2026, 12, 11, 9, 0), tick=False):
        conference = hub.post(
            "/api/v1/meetings/",
            {
                "kind": "initial_conference",
                "previous": sd["id"],
                "chair": w.manager.pk,
                "starts_at": "2026-12-22T10:00:00+00:00",
                "ends_at": "2026-12-22T12:00:00+00:00",
                "format": "hybrid",
                "venue": "Riverside House, room 2",
            },
            format="json",
        )
    assert conference.status_code == 201, conference.json()
    icpc = conference.json()
    assert icpc["reference"].startswith("CP-2026-")
    assert datetime.datetime.fromisoformat(icpc["due_at"]) == london(2027, 1, 5, 23, 59)
    assert datetime.datetime.fromisoformat(icpc["due_at"]).date() == expected_day
    assert icpc["previous"] == {"id": sd["id"], "reference": sd["reference"]}
    assert "family" in {i["agency"] for i in icpc["invitations"]}

    # Final step, only once the partnership's attendance API exists (safehub/meetings/api_measures.py):
    # the police attended this month's discussion, by video, which counts as remote.
    try:
        resolve("/api/v1/meetings/attendance/")
    except Resolver404:  # pragma: no cover - before the measures API
        return
    with time_machine.travel(london(2026, 12, 11, 9, 0), tick=False):
        figures = api_as(w.analyst).get("/api/v1/meetings/attendance/", {"from": "2026-12", "to": "2026-12"})
    assert figures.status_code == 200, figures.json()
    [discussions] = [g for g in figures.json()["attendance"] if g["group"] == "strategy_discussion"]
    [police_figures] = [a for a in discussions["agencies"] if a["agency"] == "police"]
    assert discussions["held"] == 1
    assert police_figures["months"] == [{"month": "2026-12", "held": 1, "attended": 1, "remote": 1, "share": 100}]


# Finding and reading ---------------------------------------------------------------------------


def test_an_outsider_gets_404_for_the_meeting_and_everything_under_it(world):
    meeting = convene_strategy_discussion(world)
    outsider = api_as(world.outsider)

    assert outsider.get(f"/api/v1/meetings/{meeting.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/meetings/{meeting.pk}/calendar.ics").status_code == 404
    response = outsider.post(f"/api/v1/meetings/{meeting.pk}/cancel/", {"reason": "No."})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert outsider.get("/api/v1/meetings/").json()["count"] == 0
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.SCHEDULED
    assert AuditEvent.objects.filter(action="access.refused", actor=world.outsider, object_id=str(meeting.pk)).exists()


def test_a_role_without_the_api_capability_is_refused(world):
    convene_strategy_discussion(world)

    # A privacy officer reviews access but does not use the API.
    response = api_as(UserFactory(organisation=world.council, roles=[Role.PRIVACY_OFFICER])).get("/api/v1/meetings/")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_an_invitee_sees_the_meeting_but_may_not_change_it(world):
    meeting = convene_strategy_discussion(world)
    officer = api_as(world.officer)

    detail = officer.get(f"/api/v1/meetings/{meeting.pk}/")
    response = officer.post(f"/api/v1/meetings/{meeting.pk}/cancel/", {"reason": "Not needed."})

    assert detail.status_code == 200
    assert detail.json()["may"] == {"manage": False, "chair": False, "override_quorum": False, "read_minutes": False}
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.SCHEDULED


def test_meetings_are_listed_by_start_and_filtered_by_kind_and_state(world):
    later = convene_strategy_discussion(world, starts_at=timezone.now() + datetime.timedelta(hours=6))
    sooner = convene_strategy_discussion(
        world, starts_at=timezone.now() + datetime.timedelta(hours=2), contact=decided_contact(world)
    )
    convening.cancel(meeting=later, by=world.practitioner, reason="Convened twice by mistake.")
    hub = api_as(world.practitioner)

    everything = hub.get("/api/v1/meetings/").json()
    scheduled = hub.get("/api/v1/meetings/", {"state": "scheduled"}).json()
    conferences = hub.get("/api/v1/meetings/", {"kind": "initial_conference"}).json()

    assert [m["id"] for m in everything["results"]] == [sooner.pk, later.pk]
    assert [m["id"] for m in scheduled["results"]] == [sooner.pk]
    assert conferences["count"] == 0
    assert hub.get("/api/v1/meetings/", {"state": "soon"}).json()["error"]["fields"]["state"]


def test_a_parents_name_is_given_only_to_those_who_run_the_conference(world):
    sd = convene_strategy_discussion(world)
    with _started(sd):
        _record_everyone(world, sd)
        recording.record_strategy_outcome(meeting=sd, by=world.manager, outcome="s47_joint", minutes="Agreed.")
        conference = convening.convene(
            kind=MeetingKind.INITIAL_CONFERENCE,
            by=world.practitioner,
            chair=world.manager,
            starts_at=timezone.now() + datetime.timedelta(days=1),
            ends_at=timezone.now() + datetime.timedelta(days=1, hours=2),
            format=MeetingFormat.VIDEO,
            previous=sd,
        )
        runs_it = api_as(world.practitioner).get(f"/api/v1/meetings/{conference.pk}/").json()
        invited = api_as(world.officer).get(f"/api/v1/meetings/{conference.pk}/").json()

    assert _of(runs_it, "family")["external_name"] == world.mother.full_name
    assert _of(invited, "family")["external_name"] is None
    assert world.mother.family_name not in str(invited)


def test_the_callers_calendar_entry_is_an_icalendar_request_for_their_address(world):
    meeting = convene_strategy_discussion(world)

    response = api_as(world.officer).get(f"/api/v1/meetings/{meeting.pk}/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content.decode())
    assert str(calendar["METHOD"]) == "REQUEST"
    event = _event(response.content.decode())
    assert str(event["UID"]) == f"meeting-{meeting.pk}@safehub.invalid"
    assert str(event["ATTENDEE"]) == f"mailto:{world.officer.email}"
    assert str(event["LOCATION"]) == meeting.video_link


def test_a_cancelled_meetings_calendar_entry_is_a_cancel(world):
    meeting = convene_strategy_discussion(world)
    convening.cancel(meeting=meeting, by=world.practitioner, reason="The family moved away.")

    response = api_as(world.officer).get(f"/api/v1/meetings/{meeting.pk}/calendar.ics", HTTP_ACCEPT="text/calendar")

    assert response.status_code == 200
    assert str(icalendar.Calendar.from_ical(response.content.decode())["METHOD"]) == "CANCEL"
    assert int(_event(response.content.decode())["SEQUENCE"]) == 1


def test_meetings_to_convene_are_for_convenors_only(world):
    hub = api_as(world.practitioner).get("/api/v1/meetings/due/")

    assert hub.status_code == 200
    [due] = hub.json()["results"]
    assert (due["kind"], due["follows"], due["contact"]) == (
        "strategy_discussion",
        world.contact.reference,
        world.contact.pk,
    )
    assert due["overdue"] is False
    assert api_as(world.officer).get("/api/v1/meetings/due/").status_code == 403


# Convening and changing ----------------------------------------------------------------------


def test_a_time_without_its_offset_is_refused(world):
    body = _convene_body(world)
    body["starts_at"] = body["starts_at"][:19]

    response = api_as(world.practitioner).post("/api/v1/meetings/", body, format="json")

    assert response.status_code == 400
    assert "UTC offset" in response.json()["error"]["fields"]["starts_at"][0]
    assert not Meeting.objects.exists()


def test_invitations_given_by_the_convenor_must_include_the_quorum_agencies(world):
    body = _convene_body(world, invitations=[{"agency": "social_care", "team": world.duty.pk, "required": True}])

    response = api_as(world.practitioner).post("/api/v1/meetings/", body, format="json")

    assert response.status_code == 400
    assert "police, health" in response.json()["error"]["fields"]["invitations"][0]
    assert not Meeting.objects.exists()


def test_an_invitation_names_one_addressee_by_position(world):
    invitations = [
        {"agency": "social_care", "team": world.duty.pk, "required": True},
        {"agency": "police", "team": world.cait.pk, "invitee": world.officer.pk},
    ]

    response = api_as(world.practitioner).post(
        "/api/v1/meetings/", _convene_body(world, invitations=invitations), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["invitations.1"]


def test_an_unknown_invitee_is_named_by_position(world):
    invitations = [
        {"agency": "social_care", "team": world.duty.pk, "required": True},
        {"agency": "police", "invitee": 999_999},
    ]

    response = api_as(world.practitioner).post(
        "/api/v1/meetings/", _convene_body(world, invitations=invitations), format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "invitations.1.invitee": ["Choose someone with an active SafeHub account."]
    }


def test_the_convenors_own_invitations_are_sent(world):
    invitations = [
        {"agency": "social_care", "invitee": world.social_worker.pk, "required": True},
        {"agency": "police", "invitee": world.officer.pk, "required": True},
        {"agency": "health", "team": world.trust_team.pk, "required": True},
    ]

    response = api_as(world.practitioner).post(
        "/api/v1/meetings/", _convene_body(world, invitations=invitations), format="json"
    )

    assert response.status_code == 201, response.json()
    assert [(i["agency"], i["invitee"], i["team"]) for i in response.json()["invitations"]] == [
        ("social_care", world.social_worker.pk, None),
        ("police", world.officer.pk, None),
        ("health", None, world.trust_team.pk),
    ]


def test_an_invitee_may_not_convene(world):
    response = api_as(world.officer).post("/api/v1/meetings/", _convene_body(world), format="json")

    # The contact is the hub's: to the police it does not exist.
    assert response.status_code == 404
    assert not Meeting.objects.exists()


def test_rescheduling_raises_the_sequence_and_asks_for_acceptance_again(world):
    meeting = convene_strategy_discussion(world)
    police = meeting.invitations.get(agency=Agency.POLICE)
    convening.respond(invitation=police, by=world.officer, accept=True, mode="video")
    later = meeting.starts_at + datetime.timedelta(hours=1)

    response = api_as(world.practitioner).post(
        f"/api/v1/meetings/{meeting.pk}/reschedule/",
        {
            "starts_at": later.isoformat(),
            "ends_at": (later + datetime.timedelta(hours=1)).isoformat(),
            "format": "hybrid",
            "venue": "Riverside House, room 2",
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["sequence"] == 1
    assert datetime.datetime.fromisoformat(response.json()["starts_at"]) == later
    assert _of(response.json(), "police")["response"] == "pending"


def test_cancelling_needs_a_reason(world):
    meeting = convene_strategy_discussion(world)
    hub = api_as(world.practitioner)

    refused = hub.post(f"/api/v1/meetings/{meeting.pk}/cancel/", {"reason": " "}, format="json")
    cancelled = hub.post(f"/api/v1/meetings/{meeting.pk}/cancel/", {"reason": "The family moved away."}, format="json")

    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {"reason": ["Record why the meeting is cancelled."]}
    assert cancelled.json()["state"] == "cancelled"
    assert cancelled.json()["cancelled_reason"] == "The family moved away."


def test_one_more_invitation_and_its_withdrawal(world):
    meeting = convene_strategy_discussion(world)
    hub = api_as(world.practitioner)
    midwife = UserFactory(organisation=world.trust, roles=[Role.HEALTH_PRACTITIONER])

    invited = hub.post(
        f"/api/v1/meetings/{meeting.pk}/invitations/", {"agency": "health", "invitee": midwife.pk}, format="json"
    )
    assert invited.status_code == 201, invited.json()
    assert api_as(midwife).get(f"/api/v1/meetings/{meeting.pk}/").status_code == 200
    withdrawn = hub.post(f"/api/v1/meetings/{meeting.pk}/invitations/{invited.json()['id']}/withdraw/")

    assert withdrawn.status_code == 200
    assert withdrawn.json()["response"] == "withdrawn"
    assert api_as(midwife).get(f"/api/v1/meetings/{meeting.pk}/").status_code == 404


def test_an_invitation_of_another_meeting_cannot_be_withdrawn_through_this_one(world):
    meeting = convene_strategy_discussion(world)
    other = convene_strategy_discussion(
        world, starts_at=timezone.now() + datetime.timedelta(hours=8), contact=decided_contact(world)
    )
    invitation = other.invitations.get(agency=Agency.EDUCATION)

    response = api_as(world.practitioner).post(f"/api/v1/meetings/{meeting.pk}/invitations/{invitation.pk}/withdraw/")

    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.response == ResponseState.PENDING


# Answering -------------------------------------------------------------------------------------


def test_a_decline_without_a_reason_or_deputy_is_refused_and_changes_nothing(world):
    meeting = convene_strategy_discussion(world)
    health = meeting.invitations.get(agency=Agency.HEALTH)

    response = api_as(world.nurse).post(f"/api/v1/invitations/{health.pk}/respond/", {"accept": False}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "decline_reason": ["Give the reason you cannot attend."],
        "deputy_name": ["Say who will attend for your agency instead."],
    }
    health.refresh_from_db()
    assert (health.response, health.responded_at) == (ResponseState.PENDING, None)
    assert not AuditEvent.objects.filter(action="meeting.invitation_declined").exists()


def test_accepting_needs_the_mode_under_the_apis_name(world):
    meeting = convene_strategy_discussion(world)
    police = meeting.invitations.get(agency=Agency.POLICE)

    response = api_as(world.officer).post(f"/api/v1/invitations/{police.pk}/respond/", {"accept": True}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["mode"]


def test_a_hidden_invitation_cannot_be_answered(world):
    meeting = convene_strategy_discussion(world)
    police = meeting.invitations.get(agency=Agency.POLICE)

    response = api_as(world.outsider).post(
        f"/api/v1/invitations/{police.pk}/respond/", {"accept": True, "mode": "video"}, format="json"
    )

    assert response.status_code == 404
    police.refresh_from_db()
    assert police.response == ResponseState.PENDING
    assert AuditEvent.objects.filter(action="access.refused", actor=world.outsider, object_id=str(meeting.pk)).exists()


def test_another_agencys_invitation_cannot_be_answered(world):
    meeting = convene_strategy_discussion(world)
    police = meeting.invitations.get(agency=Agency.POLICE)

    # The nurse sees the meeting (health is invited) but the police invitation is not hers.
    response = api_as(world.nurse).post(
        f"/api/v1/invitations/{police.pk}/respond/", {"accept": True, "mode": "video"}, format="json"
    )

    assert response.status_code == 403
    police.refresh_from_db()
    assert police.response == ResponseState.PENDING


def test_the_callers_invitations_can_be_filtered_by_response(world):
    meeting = convene_strategy_discussion(world)
    police = meeting.invitations.get(agency=Agency.POLICE)
    convening.respond(invitation=police, by=world.officer, accept=True, mode="phone")
    officer = api_as(world.officer)

    accepted = officer.get("/api/v1/invitations/", {"response": "accepted"}).json()["results"]
    pending = officer.get("/api/v1/invitations/", {"response": "pending"}).json()["results"]

    assert [(i["id"], i["response_mode"], i["format"]) for i in accepted] == [(police.pk, "phone", "video")]
    assert pending == []


# Holding and recording -------------------------------------------------------------------------


def test_attendance_for_an_invitation_of_another_meeting_is_refused_by_position(world):
    meeting = convene_strategy_discussion(world)
    other = convene_strategy_discussion(
        world, starts_at=timezone.now() + datetime.timedelta(hours=8), contact=decided_contact(world)
    )
    mine = meeting.invitations.get(agency=Agency.POLICE)
    theirs = other.invitations.get(agency=Agency.POLICE)

    with _started(meeting):
        response = api_as(world.manager).post(
            f"/api/v1/meetings/{meeting.pk}/attendance/",
            {"entries": [{"invitation": mine.pk, "status": "video"}, {"invitation": theirs.pk, "status": "video"}]},
            format="json",
        )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["entries.1.invitation"]
    assert not meeting.invitations.filter(attendance__isnull=False).exists()


def test_a_deputy_without_a_name_is_refused_under_its_entry(world):
    meeting = convene_strategy_discussion(world)
    health = meeting.invitations.get(agency=Agency.HEALTH)

    with _started(meeting):
        response = api_as(world.manager).post(
            f"/api/v1/meetings/{meeting.pk}/attendance/",
            {"entries": [{"invitation": health.pk, "status": "deputy"}]},
            format="json",
        )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"entries.0.status": ["Enter the name of the deputy who attended."]}


def test_an_attendee_without_an_invitation_is_added(world):
    meeting = convene_strategy_discussion(world)

    with _started(meeting):
        response = api_as(world.manager).post(
            f"/api/v1/meetings/{meeting.pk}/attendees/",
            {"agency": "police", "name": "DS Late Arrival", "organisation": world.force.pk},
            format="json",
        )

    assert response.status_code == 201, response.json()
    added = Invitation.objects.get(pk=response.json()["id"])
    assert (added.meeting, added.external_name, added.organisation) == (meeting, "DS Late Arrival", world.force)


def test_a_section_47_decision_without_quorum_needs_a_team_managers_reason(world):
    meeting = convene_strategy_discussion(world)
    chair = api_as(world.manager)
    body = {"outcome": "s47_single", "minutes": "Section 47 enquiry by social care."}

    with _started(meeting):
        _record_everyone(world, meeting, absent={Agency.POLICE})
        refused = chair.post(f"/api/v1/meetings/{meeting.pk}/outcome/", body, format="json")
        meeting.refresh_from_db()
        assert meeting.state == MeetingState.SCHEDULED
        allowed = chair.post(
            f"/api/v1/meetings/{meeting.pk}/outcome/",
            body | {"quorum_override_reason": "The child is at immediate risk; police briefed by phone after."},
            format="json",
        )

    assert refused.status_code == 400
    assert "Not represented: police" in refused.json()["error"]["fields"]["quorum_override_reason"][0]
    assert allowed.status_code == 200, allowed.json()
    assert allowed.json()["quorate"] is False
    assert allowed.json()["quorum_overridden_by"] == world.manager.pk
    assert allowed.json()["quorum_gaps"] == ["police"]


def test_a_chair_who_is_not_a_team_manager_cannot_override_quorum(world):
    meeting = convene_strategy_discussion(world, chair=world.social_worker)

    with _started(meeting):
        _record_everyone(world, meeting, absent={Agency.HEALTH}, by=world.social_worker)
        response = api_as(world.social_worker).post(
            f"/api/v1/meetings/{meeting.pk}/outcome/",
            {"outcome": "no_s47", "minutes": "No enquiry.", "quorum_override_reason": "Health unavailable."},
            format="json",
        )

    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.outcome == ""


def test_the_minutes_are_withheld_from_an_agency_that_did_not_attend(world):
    meeting = convene_strategy_discussion(world)
    with _started(meeting):
        _record_everyone(world, meeting, absent={Agency.POLICE})
        recording.record_strategy_outcome(
            meeting=meeting,
            by=world.manager,
            outcome="s47_single",
            minutes="What was said at the meeting.",
            quorum_override_reason="The police could not join; the child is at risk tonight.",
        )

    police = api_as(world.officer).get(f"/api/v1/meetings/{meeting.pk}/").json()
    health = api_as(world.nurse).get(f"/api/v1/meetings/{meeting.pk}/").json()

    assert (police["outcome"], police["minutes"], police["actions"]) == ("s47_single", None, None)
    assert "What was said" not in str(police)
    assert health["minutes"] == "What was said at the meeting."
    assert health["actions"] == []


def test_a_conference_decides_a_plan_with_its_category(world):
    sd = convene_strategy_discussion(world)
    with _started(sd):
        _record_everyone(world, sd)
        recording.record_strategy_outcome(meeting=sd, by=world.manager, outcome="s47_joint", minutes="Agreed.")
        conference = convening.convene(
            kind=MeetingKind.INITIAL_CONFERENCE,
            by=world.practitioner,
            chair=world.manager,
            starts_at=timezone.now() + datetime.timedelta(minutes=10),
            ends_at=timezone.now() + datetime.timedelta(hours=2),
            format=MeetingFormat.VIDEO,
            previous=sd,
        )
    chair = api_as(world.manager)
    with _started(conference):
        _record_everyone(world, conference)
        no_category = chair.post(
            f"/api/v1/meetings/{conference.pk}/decision/", {"plan": True, "minutes": "A plan."}, format="json"
        )
        decided = chair.post(
            f"/api/v1/meetings/{conference.pk}/decision/",
            {"plan": True, "category": "physical", "minutes": "A plan for physical abuse."},
            format="json",
        )

    assert no_category.status_code == 400
    assert list(no_category.json()["error"]["fields"]) == ["category"]
    assert decided.status_code == 200, decided.json()
    assert (decided.json()["plan_decision"], decided.json()["plan_category"]) == (True, "physical")
    [plan] = decided.json()["plans"]
    assert plan["person"] == world.child.pk
    assert ChildProtectionPlan.objects.get(person=world.child).started_by == conference
    assert {d["kind"] for d in decided.json()["next_due"]} == {"review_conference", "core_group"}


# The schema ------------------------------------------------------------------------------------


def test_the_openapi_schema_builds_and_lists_the_meetings_endpoints(world):
    response = api_as(world.practitioner).get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/meetings/",
        "/api/v1/meetings/due/",
        "/api/v1/meetings/{id}/",
        "/api/v1/meetings/{id}/reschedule/",
        "/api/v1/meetings/{id}/cancel/",
        "/api/v1/meetings/{id}/invitations/",
        "/api/v1/meetings/{id}/invitations/{invitation_pk}/withdraw/",
        "/api/v1/meetings/{id}/attendance/",
        "/api/v1/meetings/{id}/attendees/",
        "/api/v1/meetings/{id}/outcome/",
        "/api/v1/meetings/{id}/decision/",
        "/api/v1/meetings/{id}/calendar.ics",
        "/api/v1/invitations/",
        "/api/v1/invitations/{id}/respond/",
    ):
        assert path in paths, path
    assert "text/calendar" in paths["/api/v1/meetings/{id}/calendar.ics"]["get"]["responses"]["200"]["content"]
    assert "404" in paths["/api/v1/invitations/{id}/respond/"]["post"]["responses"]


def test_an_enquiry_that_ended_without_a_conference_is_recorded_through_the_api(world):
    meeting = convene_strategy_discussion(world)
    with _started(meeting):
        _record_everyone(world, meeting)
        recording.record_strategy_outcome(
            meeting=meeting, by=world.manager, outcome="s47_joint", minutes="Joint enquiry agreed."
        )
    url = f"/api/v1/meetings/{meeting.pk}/enquiry-outcome/"
    refused = api_as(world.manager).post(url, {"outcome": "child_in_need"}, format="json")
    assert refused.status_code == 400
    assert "reason" in refused.json()["error"]["fields"]
    assert (
        api_as(world.officer).post(url, {"outcome": "child_in_need", "reason": "x"}, format="json").status_code == 403
    )
    response = api_as(world.manager).post(
        url, {"outcome": "child_in_need", "reason": "Support under a child in need plan."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["enquiry_outcome"] == "child_in_need"
    due = api_as(world.manager).get("/api/v1/meetings/due/").json()
    assert meeting.reference not in str(due)
