"""Inviting a team that has no one in SafeHub: the invitation goes to the team's shared
mailbox; the meeting page says who each invitation reached; an invitation that reached
nobody is escalated at once; and the organisers record the reply such a team gives."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from safehub.audit.models import AuditEvent
from safehub.meetings.models import Agency, AttendanceMode, Invitation, ResponseState
from safehub.meetings.services import convening
from safehub.notifications.models import Channel, Notification
from safehub.notifications.services import dispatch_due, notify
from safehub.partnership.roles import Role
from tests.factories import SchoolFactory, TeamFactory
from tests.meetings.conftest import convene_strategy_discussion, member

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    page = response.content.decode()
    main = page[page.find("<main") :]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def _school_without_accounts(world, *, email: str):
    school = SchoolFactory(local_authority=world.council, partnership=world.partnership, name="Hillside Nursery")
    return TeamFactory(organisation=school, name="Safeguarding", is_duty_team=True, email=email)


def _invite(world, meeting, team, *, required: bool = True) -> Invitation:
    given = convening.InvitationInput(agency=Agency.EDUCATION, team=team, required=required)
    return convening.invite(meeting=meeting, invitation=given, by=world.practitioner)


@pytest.fixture
def meeting(world):
    world.hub.email = "childrens.hub@riverside.example"
    world.hub.save()
    return convene_strategy_discussion(world)


def test_a_team_with_no_one_in_safehub_is_sent_the_invitation_at_its_shared_mailbox(world, meeting, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    team = _school_without_accounts(world, email="safeguarding@hillside.example")
    invitation = _invite(world, meeting, team)

    assert (invitation.reached_people, invitation.reached_mailbox) == (0, "safeguarding@hillside.example")
    row = Notification.objects.get(mailbox=team)
    assert row.recipient is None
    assert row.channel == Channel.EMAIL
    assert row.kind == "meetings.invitation"
    assert row.reply_to == "childrens.hub@riverside.example"
    assert "Reply to the email" in row.calendar
    assert "Accept or decline in SafeHub" not in row.calendar
    assert not Notification.objects.filter(kind="meetings.unreached").exists()

    mail.outbox.clear()
    dispatch_due()
    [message] = [m for m in mail.outbox if m.to == ["safeguarding@hillside.example"]]
    assert message.reply_to == ["childrens.hub@riverside.example"]
    assert meeting.reference in message.subject
    assert meeting.reference in message.body
    assert "Sign in" not in message.body
    assert "reply to this email" in message.body
    assert world.child.family_name not in message.body + message.subject


def test_a_team_with_people_in_safehub_reaches_them_and_not_its_mailbox(world, meeting):
    world.cait.email = "cait@riverside-police.example"
    world.cait.save()
    police = meeting.invitations.get(agency=Agency.POLICE)
    assert police.reached_people == 2
    assert police.reached_mailbox == ""
    convening.reschedule(
        meeting=meeting,
        by=world.practitioner,
        starts_at=meeting.starts_at + datetime.timedelta(hours=1),
        ends_at=meeting.ends_at + datetime.timedelta(hours=1),
        format=meeting.format,
        venue=meeting.venue,
    )
    assert not Notification.objects.filter(mailbox=world.cait).exists()


def test_an_invitation_that_reached_nobody_is_escalated_at_once_and_the_page_says_so(world, meeting, client):
    team = _school_without_accounts(world, email="")
    invitation = _invite(world, meeting, team)

    assert invitation.reached_nobody
    told = set(
        Notification.objects.filter(kind="meetings.unreached", channel=Channel.INBOX).values_list(
            "recipient", flat=True
        )
    )
    # The organisers (convenor and chair) and the convening council's team manager.
    assert told == {world.practitioner.pk, world.manager.pk}
    event = AuditEvent.objects.get(action="meeting.invitation_unreached")
    assert event.detail["invitation"] == invitation.pk

    # Sending it again (a reschedule) does not tell them twice.
    convening.reschedule(
        meeting=meeting,
        by=world.practitioner,
        starts_at=meeting.starts_at + datetime.timedelta(hours=1),
        ends_at=meeting.ends_at + datetime.timedelta(hours=1),
        format=meeting.format,
        venue=meeting.venue,
    )
    assert Notification.objects.filter(kind="meetings.unreached", channel=Channel.INBOX).count() == 2

    client.force_login(world.practitioner)
    text = _text(client.get(reverse("meetings:meeting", args=[meeting.pk])))
    assert "The invitation reached nobody at: School or setting" in text
    assert "Reached nobody" in text
    assert "Sent to 2 people in SafeHub" in text


def test_an_optional_agency_that_reached_nobody_tells_only_the_organisers(world, meeting):
    team = _school_without_accounts(world, email="")
    member(world.hub, Role.TEAM_MANAGER)  # a second hub manager: told only for a required agency
    _invite(world, meeting, team, required=False)
    told = set(
        Notification.objects.filter(kind="meetings.unreached", channel=Channel.INBOX).values_list(
            "recipient", flat=True
        )
    )
    assert told == {world.practitioner.pk, world.manager.pk}


def test_the_organisers_record_the_reply_of_a_team_without_safehub_and_it_settles_the_agency(world, meeting, client):
    team = _school_without_accounts(world, email="safeguarding@hillside.example")
    meeting.invitations.filter(agency=Agency.EDUCATION).exclude(team=team).update(required=False)
    invitation = _invite(world, meeting, team)
    assert Agency.EDUCATION in convening.unsettled_required_agencies(meeting)

    client.force_login(world.practitioner)
    url = reverse("meetings:record-reply", args=[invitation.pk])
    page = client.get(reverse("meetings:meeting", args=[meeting.pk])).content.decode()
    assert url in page
    assert "safeguarding@hillside.example" in _text(client.get(url))

    refused = client.post(url, {"answer": "accept"})
    assert refused.status_code == 200
    assert "Say how they will attend" in _text(refused)
    invitation.refresh_from_db()
    assert invitation.response == ResponseState.PENDING

    response = client.post(url, {"answer": "accept", "mode": AttendanceMode.VIDEO})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.response == ResponseState.ACCEPTED
    assert invitation.reply_recorded
    assert invitation.responded_by == world.practitioner
    assert invitation.invitee is None
    assert Agency.EDUCATION not in convening.unsettled_required_agencies(meeting)
    assert AuditEvent.objects.filter(action="meeting.invitation_reply_recorded", actor=world.practitioner).exists()
    text = _text(client.get(reverse("meetings:meeting", args=[meeting.pk])))
    assert "Reply recorded by" in text


def test_a_reply_is_recorded_only_by_an_organiser_and_only_where_no_one_in_safehub_can_answer(world, meeting):
    police = meeting.invitations.get(agency=Agency.POLICE)
    with pytest.raises(ValidationError, match="answer it themselves"):
        convening.record_reply(invitation=police, by=world.practitioner, accept=True, mode=AttendanceMode.VIDEO)
    team = _school_without_accounts(world, email="")
    invitation = _invite(world, meeting, team)
    with pytest.raises(PermissionDenied):
        convening.record_reply(invitation=invitation, by=world.officer, accept=True, mode=AttendanceMode.VIDEO)
    with pytest.raises(ValidationError):
        convening.record_reply(invitation=invitation, by=world.practitioner, accept=False, decline_reason="")
    invitation.refresh_from_db()
    assert invitation.response == ResponseState.PENDING


def test_withdrawing_a_mailbox_invitation_sends_the_mailbox_a_cancellation(world, meeting):
    team = _school_without_accounts(world, email="safeguarding@hillside.example")
    invitation = _invite(world, meeting, team, required=False)
    convening.withdraw_invitation(invitation=invitation, by=world.practitioner)
    cancel = Notification.objects.get(mailbox=team, kind="meetings.withdrawn")
    assert "METHOD:CANCEL" in cancel.calendar


def test_a_notification_has_exactly_one_addressee_and_a_mailbox_only_by_email(world):
    from django.db import transaction

    team = _school_without_accounts(world, email="safeguarding@hillside.example")
    common = {"kind": "meetings.invitation", "reference": "SD-2026-00001", "link": "/meetings/1/"}
    with transaction.atomic():
        with pytest.raises(ValueError, match="one addressee"):
            notify(key="t:1", **common)
        with pytest.raises(ValueError, match="one addressee"):
            notify(key="t:2", recipient=world.practitioner, mailbox=team, **common)
        with pytest.raises(ValueError, match="one addressee"):
            notify(key="t:3", mailbox=team, channels=(Channel.INBOX, Channel.EMAIL), **common)
    assert not Notification.objects.filter(key__startswith="t:").exists()
