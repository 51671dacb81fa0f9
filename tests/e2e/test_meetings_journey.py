"""A strategy discussion and the conference that follows it, in the browser (issue 5, "Done
when"): the hub practitioner convenes the discussion from a decided contact; the invitations
reach a real SMTP server with valid iCalendar requests; the police invitee accepts by video;
health declines, sending a colleague; the chair (a team manager) records attendance and a
joint section 47 enquiry; the initial conference is convened, due 15 working days after the
discussion across the Christmas bank holidays; and the partnership's attendance page counts
the police's remote attendance. Every meetings page visited is checked with axe.

Time is fixed with time_machine (the live server runs in this process, so it shares the
clock); each step signs in afresh, since sessions end after 15 idle minutes.
"""

import datetime

import icalendar
import pytest
from playwright.sync_api import Page, expect

from safehub.meetings.models import (
    Agency,
    AttendanceStatus,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingState,
    ResponseState,
    StrategyOutcome,
)
from safehub.notifications.services import dispatch_due
from safehub.timescales.calendar import add_working_days
from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, assert_no_axe_violations
from tests.mail_server import ReceivedMail
from tests.meetings.conftest import build_meetings_world, london, time_machine

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

DECIDED = london(2026, 12, 9, 14, 0)  # Wednesday: the discussion is due by 14:00 on Thursday
DISCUSSION = london(2026, 12, 10, 10, 0)  # Thursday 10 December 2026
DURING = london(2026, 12, 10, 10, 20)
MINUTES = "Bruising seen at school; the police will interview jointly with children's social care."


def _date_text(day: datetime.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _switch_to(page: Page, sign_in_as, user) -> None:
    page.context.clear_cookies()
    sign_in_as(user)


def _invitation(meeting: Meeting, agency: str) -> Invitation:
    return meeting.invitations.get(agency=agency, deputy_for__isnull=True)


def _event(message) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(ReceivedMail.calendar_of(message))
    assert str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    return event


def test_a_strategy_discussion_is_convened_attended_decided_and_counted(
    page: Page, sign_in_as, local_smtp, transactional_db
):
    # The hub decided on Wednesday afternoon that a strategy discussion is needed.
    with time_machine.travel(DECIDED, tick=False):
        w = build_meetings_world()

    # The hub practitioner convenes it from the contact, hybrid, for 10:00 on Thursday.
    with time_machine.travel(DECIDED + datetime.timedelta(minutes=20), tick=True):
        _switch_to(page, sign_in_as, w.practitioner)
        page.goto(f"/hub/contacts/{w.contact.pk}/")
        main = page.locator("main")
        expect(main).to_contain_text("Strategy discussion due by 14:00 on Thursday 10 December 2026")
        assert_no_axe_violations(page)
        page.get_by_role("button", name="Convene the strategy discussion").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Convene the strategy discussion")
        expect(main).to_contain_text("Due by 14:00 on Thursday 10 December 2026")
        assert_no_axe_violations(page)
        page.get_by_label("Date", exact=True).fill("10 12 2026")
        page.get_by_label("Start time").fill("10:00")
        page.get_by_label("End time").fill("11:00")
        page.get_by_label("Hybrid: in person and by video").check()
        page.get_by_label("Venue").fill("Riverside House, room 2")
        page.get_by_label("Chair").select_option(str(w.manager.pk))
        for agency in ("Children's social care", "Police", "Health", "School or setting"):
            expect(page.get_by_role("checkbox", name=agency, exact=True)).to_be_checked()
        page.get_by_role("button", name="Convene and send the invitations").click()
        page.wait_for_load_state()
        meeting = Meeting.objects.get(kind=MeetingKind.STRATEGY_DISCUSSION)
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Strategy discussion {meeting.reference}")
        expect(main).to_contain_text("14:00 on Thursday 10 December 2026")
        assert_no_axe_violations(page)
        assert meeting.due_at == london(2026, 12, 10, 14, 0)
        assert meeting.starts_at == DISCUSSION
        assert meeting.video_link.startswith("https://meet.example.org/")

        # The invitations reach the mail server with calendar requests that carry no names.
        assert dispatch_due().failed == 0
    [officer_mail] = local_smtp.messages_to(w.officer.email)
    assert officer_mail["Subject"] == f"Invitation: {meeting.reference}"
    event = _event(officer_mail)
    assert str(event["SUMMARY"]) == f"Strategy discussion {meeting.reference}"
    assert event.decoded("DTSTART") == DISCUSSION
    assert str(event["URL"]) == meeting.video_link
    for message in local_smtp.messages:
        assert w.child.family_name not in message.as_string()
    assert local_smtp.messages_to(w.nurse.email)

    with time_machine.travel(DECIDED + datetime.timedelta(hours=1), tick=True):
        # The police officer answers from the meetings list: by video.
        _switch_to(page, sign_in_as, w.officer)
        page.get_by_role("link", name="Meetings", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")
        assert_no_axe_violations(page)
        page.get_by_role("link", name=meeting.reference).first.click()
        expect(page.get_by_role("link", name="Join the video meeting")).to_have_attribute("href", meeting.video_link)
        assert_no_axe_violations(page)
        page.get_by_label("By video", exact=True).check()
        page.get_by_role("button", name="Accept").click()
        page.wait_for_load_state()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("You have accepted")
        assert_no_axe_violations(page)
        police = _invitation(meeting, Agency.POLICE)
        assert (police.response, police.response_mode, police.invitee) == (ResponseState.ACCEPTED, "video", w.officer)

        # Health cannot come and sends a colleague; without a reason nothing is recorded.
        _switch_to(page, sign_in_as, w.nurse)
        page.goto(f"/meetings/{meeting.pk}/")
        page.get_by_label("Who will attend for your agency instead").select_option(str(w.deputy_nurse.pk))
        page.get_by_role("button", name="Decline and name who will attend").click()
        page.wait_for_load_state()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason you cannot attend.")
        assert_no_axe_violations(page)
        assert _invitation(meeting, Agency.HEALTH).response == ResponseState.PENDING
        page.get_by_label("Why you cannot attend").fill("I am at a child protection medical all morning.")
        page.get_by_label("Who will attend for your agency instead").select_option(str(w.deputy_nurse.pk))
        page.get_by_role("button", name="Decline and name who will attend").click()
        page.wait_for_load_state()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("You have declined")
        assert_no_axe_violations(page)
        health = _invitation(meeting, Agency.HEALTH)
        assert health.response == ResponseState.DECLINED
        deputy = meeting.invitations.get(deputy_for=health)
        assert deputy.invitee == w.deputy_nurse
        dispatch_due()
    assert local_smtp.messages_to(w.deputy_nurse.email)

    # At the meeting the chair records attendance and a joint section 47 enquiry.
    with time_machine.travel(DURING, tick=True):
        _switch_to(page, sign_in_as, w.manager)
        page.goto(f"/meetings/{meeting.pk}/")
        main = page.locator("main")
        expect(main).to_contain_text("This meeting has started without acceptance from: Children's social care")
        assert_no_axe_violations(page)
        page.get_by_role("button", name="Record attendance").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Record attendance")
        assert_no_axe_violations(page)
        rows = {
            _invitation(meeting, Agency.SOCIAL_CARE).pk: ("Attended in person", "", True),
            police.pk: ("Attended by video", "", True),
            health.pk: ("Sent a deputy", str(w.deputy_nurse), True),
            _invitation(meeting, Agency.EDUCATION).pk: ("Gave apologies", "", False),
            deputy.pk: ("Attended in person", "", True),
        }
        for pk, (status, name, decides) in rows.items():
            card = page.locator(f"#attendance-{pk}")
            card.get_by_label(status, exact=True).check()
            if name:
                card.get_by_label("Who attended, if a deputy came").fill(name)
            if decides:
                card.get_by_label("Able to make decisions for their agency").check()
        page.get_by_role("button", name="Save attendance").click()
        page.wait_for_load_state()
        expect(page.get_by_role("heading", level=1)).to_have_text("Record the outcome")
        expect(main).not_to_contain_text("Not quorate")
        assert_no_axe_violations(page)
        assert Invitation.objects.get(pk=police.pk).attendance.status == AttendanceStatus.VIDEO

        page.get_by_label("Section 47 enquiry: joint with the police").check()
        page.get_by_label("Information shared at the meeting").fill("Police hold two earlier call-outs.")
        page.get_by_label("Minutes").fill(MINUTES)
        page.get_by_label("Action 1: what will be done").fill("Joint visit and interview at school.")
        page.get_by_label("Action 1: agency").select_option(label="Riverside Police")
        page.get_by_label("Action 1: who will do it").fill("DC Officer in the case")
        page.get_by_label("Action 1: due by").fill("11 12 2026")
        page.get_by_role("button", name="Record the outcome").click()
        page.wait_for_load_state()
        meeting.refresh_from_db()
        assert meeting.state == MeetingState.HELD
        assert meeting.outcome == StrategyOutcome.SECTION_47_JOINT
        assert meeting.quorate is True
        expect(main).to_contain_text(MINUTES)
        assert_no_axe_violations(page)

        # The initial conference is due 15 working days later, across the Christmas bank holidays.
        icpc_due = add_working_days(datetime.date(2026, 12, 10), 15)
        assert icpc_due == datetime.date(2027, 1, 5)  # 25 and 28 December and 1 January are bank holidays
        expect(main).to_contain_text(f"Initial child protection conference due by {_date_text(icpc_due)}")
        page.get_by_role("button", name="Convene the initial child protection conference").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Convene the initial child protection conference")
        expect(main).to_contain_text(f"Due by 23:59 on {_date_text(icpc_due)}")
        expect(page.get_by_role("checkbox", name=f"Parent or carer: {w.mother.full_name}")).to_be_checked()
        assert_no_axe_violations(page)
        page.get_by_label("Date", exact=True).fill("4 1 2027")
        page.get_by_label("Start time").fill("10:00")
        page.get_by_label("End time").fill("11:30")
        page.get_by_label("In person", exact=True).check()
        page.get_by_label("Venue").fill("Civic Centre, conference room 1")
        page.get_by_label("Chair").select_option(str(w.manager.pk))
        page.get_by_role("button", name="Convene and send the invitations").click()
        page.wait_for_load_state()
        conference = Meeting.objects.get(kind=MeetingKind.INITIAL_CONFERENCE)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Initial child protection conference {conference.reference}"
        )
        expect(main).to_contain_text(f"23:59 on {_date_text(icpc_due)}")
        assert_no_axe_violations(page)
        assert conference.previous == meeting
        assert conference.due_at.date() == icpc_due
        assert conference.invitations.filter(agency=Agency.FAMILY).exists()

        # The partnership's attendance page counts the police's remote attendance.
        page.get_by_role("link", name="Meeting attendance").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Meeting attendance")
        assert_no_axe_violations(page)
        police_row = page.locator("#summary").get_by_role("row", name="Police")
        expect(police_row).to_contain_text("1 of 1")
        police_row.get_by_role("link", name="1 remote").first.click()
        expect(page.get_by_role("link", name=meeting.reference)).to_be_visible()
        assert_no_axe_violations(page)
