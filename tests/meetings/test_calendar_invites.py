"""Invitations leave SafeHub as email with an RFC 5545 calendar object that Outlook and other
clients accept: REQUEST with a stable UID, SEQUENCE raised on each change, CANCEL on
cancellation, Europe/London times, the join link as LOCATION and URL, and a summary that is a
reference, never a name."""

import datetime

import icalendar
import pytest
from django.utils import timezone

from safehub.meetings.models import MeetingFormat
from safehub.meetings.services import convening
from safehub.notifications.models import Channel, Notification
from safehub.notifications.services import dispatch_due
from tests.mail_server import ReceivedMail
from tests.meetings.conftest import convene_strategy_discussion, london, time_machine

pytestmark = pytest.mark.django_db


def _event(text: str) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(text)
    [event] = calendar.walk("VEVENT")
    return event


def test_invitations_reach_the_mail_server_with_a_valid_calendar_request(world, local_smtp):
    with time_machine.travel(london(2026, 11, 26, 9, 0), tick=False):
        meeting = convene_strategy_discussion(world, starts_at=london(2026, 11, 26, 14, 0))
        result = dispatch_due()
    assert result.failed == 0
    assert result.sent > 0
    [message] = local_smtp.messages_to(world.officer.email)
    assert message["Subject"] == f"Invitation: {meeting.reference}"
    text = ReceivedMail.calendar_of(message)
    calendar = icalendar.Calendar.from_ical(text)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = _event(text)
    assert str(event["UID"]) == f"meeting-{meeting.pk}@safehub.invalid"
    assert int(event["SEQUENCE"]) == 0
    assert str(event["SUMMARY"]) == f"Strategy discussion {meeting.reference}"
    assert event.decoded("DTSTART") == london(2026, 11, 26, 14, 0)
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert str(event["LOCATION"]) == meeting.video_link == str(event["URL"])
    assert meeting.video_link.startswith("https://meet.example.org/safehub-")
    [calendar_part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert calendar_part.get_param("method") == "REQUEST"


def test_nothing_personal_travels_in_the_email_or_the_calendar(world, local_smtp):
    meeting = convene_strategy_discussion(world)
    dispatch_due()
    assert local_smtp.messages
    for message in local_smtp.messages:
        raw = message.as_string()
        for personal in (world.child.given_names, world.child.family_name, world.mother.given_names, "bruise"):
            assert personal not in raw
        assert meeting.reference in raw


def test_a_change_raises_the_sequence_and_keeps_the_uid(world, local_smtp):
    meeting = convene_strategy_discussion(world)
    later = (meeting.starts_at + datetime.timedelta(hours=1)).astimezone(datetime.UTC)
    convening.reschedule(
        meeting=meeting,
        by=world.practitioner,
        starts_at=later,
        ends_at=later + datetime.timedelta(hours=1),
        format=MeetingFormat.HYBRID,
        venue="Riverside House, room 2",
    )
    dispatch_due()
    first, update = local_smtp.messages_to(world.officer.email)
    assert update["Subject"] == f"Updated invitation: {meeting.reference}"
    before, after = _event(ReceivedMail.calendar_of(first)), _event(ReceivedMail.calendar_of(update))
    assert str(before["UID"]) == str(after["UID"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.decoded("DTSTART") == later
    assert "Riverside House, room 2" in str(after["LOCATION"])
    assert first["Message-ID"] != update["Message-ID"]


def test_cancelling_sends_a_calendar_cancel_to_everyone_invited(world, local_smtp):
    meeting = convene_strategy_discussion(world)
    convening.cancel(meeting=meeting, by=world.practitioner, reason="The family moved out of the area.")
    dispatch_due()
    cancels = [m for m in local_smtp.messages if m["Subject"].startswith("Cancelled:")]
    assert {m["To"] for m in cancels} == {
        m["To"] for m in local_smtp.messages if m["Subject"].startswith("Invitation:")
    }
    text = ReceivedMail.calendar_of(cancels[0])
    assert str(icalendar.Calendar.from_ical(text)["METHOD"]) == "CANCEL"
    event = _event(text)
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1


def test_the_inbox_row_carries_no_calendar_and_the_email_row_does(world):
    convene_strategy_discussion(world)
    rows = Notification.objects.filter(recipient=world.officer, kind="meetings.invitation")
    assert {r.channel: bool(r.calendar) for r in rows} == {Channel.INBOX: False, Channel.EMAIL: True}


def test_a_meeting_in_person_has_its_venue_as_location_and_no_link(world):
    meeting = convene_strategy_discussion(world, format=MeetingFormat.IN_PERSON, venue="Civic Centre, room 4")
    assert meeting.video_link == ""
    row = Notification.objects.get(recipient=world.officer, kind="meetings.invitation", channel=Channel.EMAIL)
    event = _event(row.calendar)
    assert str(event["LOCATION"]) == "Civic Centre, room 4"
    assert "URL" not in event


def test_times_are_london_times_across_the_clocks_change(world):
    start = london(2027, 3, 29, 10, 0)  # the day after the clocks go forward
    with time_machine.travel(london(2027, 3, 26, 9, 0), tick=False):
        world.contact.decided_at = timezone.now()
        world.contact.save()
        meeting = convene_strategy_discussion(world, starts_at=start, late_reason="The family is away until Monday.")
    row = Notification.objects.get(recipient=world.officer, kind="meetings.invitation", channel=Channel.EMAIL)
    event = _event(row.calendar)
    assert event.decoded("DTSTART").utcoffset() == datetime.timedelta(hours=1)
    assert event.decoded("DTSTART") == meeting.starts_at
