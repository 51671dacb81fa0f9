"""Meeting invitations as iCalendar (RFC 5545) objects that Outlook, Google Calendar and Apple
Calendar accept as an invitation, an update or a cancellation.

- One UID per meeting, stable for its life; SEQUENCE is the meeting's, raised on every change,
  so a client replaces its copy instead of adding a second.
- METHOD:REQUEST for an invitation or update; METHOD:CANCEL (with STATUS:CANCELLED) when the
  meeting is cancelled or one person's invitation is withdrawn.
- Times are Europe/London with a VTIMEZONE written as yearly rules (not a list of dates that
  runs out), which is the form Outlook itself sends.
- SUMMARY is the kind and reference ("Strategy discussion SD-2026-00123"); LOCATION is the
  venue and/or the join link; the description says where to respond. No child, family or
  address ever appears: invitations are forwarded, synced to phones and printed.
"""

import datetime
from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vText

from safehub.meetings.models import Meeting, MeetingFormat
from safehub.timescales.calendar import LONDON

PRODID = "-//SafeHub//Meetings//EN"
UID_DOMAIN = "safehub.invalid"


def uid_for(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{UID_DOMAIN}"


def organiser_address() -> str:
    """The bare address invitations come from (DEFAULT_FROM_EMAIL may carry a display name)."""
    configured = str(getattr(settings, "SAFEHUB_MEETINGS_ORGANISER", "") or settings.DEFAULT_FROM_EMAIL)
    return parseaddr(configured)[1] or configured


def respond_url(meeting: Meeting) -> str:
    base = str(settings.SAFEHUB_BASE_URL).rstrip("/")
    return f"{base}{reverse('meetings:meeting', args=[meeting.pk])}"


def location_for(meeting: Meeting) -> str:
    if meeting.format == MeetingFormat.VIDEO:
        return meeting.video_link
    if meeting.format == MeetingFormat.HYBRID:
        return f"{meeting.venue} and by video: {meeting.video_link}"
    return meeting.venue


def _london_timezone() -> Timezone:
    zone = Timezone()
    zone.add("tzid", "Europe/London")
    summer = TimezoneDaylight()
    summer.add("tzname", "BST")
    summer.add("dtstart", datetime.datetime(1970, 3, 29, 1, 0))
    summer.add("tzoffsetfrom", datetime.timedelta(hours=0))
    summer.add("tzoffsetto", datetime.timedelta(hours=1))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    winter = TimezoneStandard()
    winter.add("tzname", "GMT")
    winter.add("dtstart", datetime.datetime(1970, 10, 25, 2, 0))
    winter.add("tzoffsetfrom", datetime.timedelta(hours=1))
    winter.add("tzoffsetto", datetime.timedelta(hours=0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    zone.add_component(summer)
    zone.add_component(winter)
    return zone


def build_invitation(*, meeting: Meeting, attendee_email: str, cancel: bool = False, in_safehub: bool = True) -> str:
    """The iCalendar text for one recipient: an invitation or update, or a cancellation.
    `in_safehub` False: for a team's shared mailbox, whose team answers by replying."""
    method = "CANCEL" if cancel else "REQUEST"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(_london_timezone())

    event = Event()
    event.add("uid", uid_for(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(LONDON))
    event.add("dtend", meeting.ends_at.astimezone(LONDON))
    event.add("summary", meeting.title)
    event.add("location", location_for(meeting))
    if meeting.video_link and meeting.needs_video_link:
        event.add("url", meeting.video_link)
    event.add(
        "description",
        vText(
            f"{meeting.title}. Accept or decline in SafeHub, and read the papers there: "
            f"{respond_url(meeting)}\nThis invitation carries no personal details."
            if in_safehub
            else f"{meeting.title}. Reply to the email this came with to say who will attend for your "
            "agency, quoting the reference.\nThis invitation carries no personal details."
        ),
    )
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("class", "CONFIDENTIAL")
    organiser = vCalAddress(f"mailto:{organiser_address()}")
    organiser.params["cn"] = vText("SafeHub")
    event.add("organizer", organiser)
    attendee = vCalAddress(f"mailto:{attendee_email}")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    # Responses are made in SafeHub, where a decline needs a reason and a deputy.
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical().decode()
