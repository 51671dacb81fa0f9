"""Operation Encompass in the browser: a police officer records a domestic abuse incident on
the police form on the Friday evening before half-term; the school's Key Adult is emailed (no
personal data) and finds the notice in SafeHub, due at the start of the first school day after
half-term, the Monday (after the clocks went back); they open it, acknowledge it with the support the school
will give, and the partnership analyst sees it counted as delivered on time. When a school has
not acknowledged by 10:00, the council's coordinator sees it to chase, with the school's phone.
Every page is checked with axe.

Time: the live server runs in this process, so `time_machine` moves its clock too (with
`tick=True`, so the browser's requests see time pass). Chromium keeps its own clock; the
session cookie's Max-Age, not its Expires date, decides how long it lasts, so the session
works in the past."""

import re
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import time_machine
from django.db import transaction
from playwright.sync_api import Page, expect

from safehub.encompass.models import AdultRole, LocationKind, Notice
from safehub.encompass.services.incidents import AdultInput, ChildInput, IncidentInput, record_incident
from safehub.encompass.services.notices import escalate_unacknowledged
from safehub.notifications.services import dispatch_due
from safehub.partnership.roles import Role
from tests.conftest import authenticator_code, enrolled_authenticator
from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, assert_no_axe_violations
from tests.encompass.conftest import build_encompass_world, london
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

# Autumn 1 2026 ends on Friday 23 October; half-term (and the clocks going back on Sunday 25th)
# follows; Autumn 2 starts on Monday 2 November.
FRIDAY_EVENING = london(2026, 10, 23, 18, 55)
RECORDED = london(2026, 10, 23, 19, 40)
MONDAY_BEFORE_SCHOOL = london(2026, 11, 2, 8, 30)
MONDAY_AFTER_TEN = london(2026, 11, 2, 10, 15)
DUE = "08:45 on Monday 2 November 2026"
ADDRESS = "7 Linden Close, Millbrook"
POLICE_REFERENCE = "MP/23102026/0457"
CIRCUMSTANCES = "An argument between the adults became physical; a neighbour called the police."
ACTIONS = "Perpetrator arrested; victim given refuge details."
VOICE = "Told the officer she heard shouting and went to her room."
SUPPORT = "Check-in with the class teacher at registration; time with the learning mentor this week."
SCHOOL_PHONE = "01632 960 123"
PERSONAL = ("Amelia", "Hartley", "Linden", "Sarah", "Mark", "shouting", "14 May 2017", "2017-05-14")


@pytest.fixture
def world(transactional_db):
    w = build_encompass_world()
    w.school.phone, w.school.email = SCHOOL_PHONE, "office@millbrook.example.invalid"
    w.school.save()
    w.key_adult.first_name, w.key_adult.last_name = "Grace", "Adeyemi"
    w.key_adult.save()
    w.analyst = UserFactory(organisation=w.council, roles=[Role.PARTNERSHIP_ANALYST], first_name="Priya")
    return w


def _record_friday_incident(w: SimpleNamespace) -> Notice:
    """The same incident recorded through the service (as the form and the API do)."""
    with time_machine.travel(RECORDED, tick=False), transaction.atomic():
        incident, created = record_incident(
            incident=IncidentInput(
                police_reference=POLICE_REFERENCE,
                occurred_at=FRIDAY_EVENING,
                local_authority=w.council,
                location=ADDRESS,
                location_kind=LocationKind.HOME,
                circumstances=CIRCUMSTANCES,
                adults=[
                    AdultInput(role=AdultRole.VICTIM, given_names="Sarah", family_name="Hartley"),
                    AdultInput(role=AdultRole.PERPETRATOR, given_names="Mark", family_name="Hartley"),
                ],
                children=[
                    ChildInput(
                        given_names="Amelia",
                        family_name="Hartley",
                        date_of_birth=w.child.date_of_birth,
                        nhs_number=w.nhs_number,
                        present=True,
                        whereabouts="In her bedroom",
                        voice_of_child=VOICE,
                        actions_taken=ACTIONS,
                    )
                ],
            ),
            by=w.officer,
        )
    assert created
    return Notice.objects.get(incident=incident)


def _record_through_the_police_form(page: Page, w: SimpleNamespace) -> Notice:
    """The officer records the incident on the police form that Friday evening."""
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Domestic abuse incidents").click()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Record an incident").click()
    page.get_by_label("Police reference").fill(POLICE_REFERENCE)
    occurred = page.get_by_role("group", name="Date of the incident")
    occurred.get_by_label("Day").fill("23")
    occurred.get_by_label("Month").fill("10")
    occurred.get_by_label("Year").fill("2026")
    page.get_by_label("Time of the incident").fill("18:55")
    page.get_by_label("Council area").select_option(label=w.council.name)
    page.get_by_label("Where it happened").fill(ADDRESS)
    page.get_by_label("At the child's home").check()
    page.get_by_label("Circumstances").fill(CIRCUMSTANCES)
    for number, (role, given_names) in enumerate((("Victim", "Sarah"), ("Alleged perpetrator", "Mark")), start=1):
        adult = page.locator(f"#adult-{number}")
        adult.get_by_label("Their part in the incident").select_option(label=role)
        adult.get_by_label("Given names").fill(given_names)
        adult.get_by_label("Family name").fill("Hartley")
    child = page.locator("#child-1")
    child.get_by_label("Given names").fill("Amelia")
    child.get_by_label("Family name").fill("Hartley")
    born = child.get_by_role("group", name="Date of birth")
    born.get_by_label("Day").fill(str(w.child.date_of_birth.day))
    born.get_by_label("Month").fill(str(w.child.date_of_birth.month))
    born.get_by_label("Year").fill(str(w.child.date_of_birth.year))
    child.get_by_label("NHS number (optional)").fill(w.nhs_number)
    child.get_by_role("group", name="Was the child present?").get_by_label("Yes").check()
    child.get_by_label("Where was the child?").fill("In her bedroom")
    child.get_by_label("Voice of the child").fill(VOICE)
    child.get_by_label("Actions taken").fill(ACTIONS)
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Record the incident and notify the schools").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Incident recorded")
    expect(page.locator("main")).to_contain_text(DUE.replace("08:45", "before 08:45"))
    assert_no_axe_violations(page)
    return Notice.objects.get(incident__police_reference=POLICE_REFERENCE)


def _sign_in_from_the_email(page: Page, link: str, user) -> None:
    """Follow the email's sign-in link and sign in with the password and authenticator code."""
    device = enrolled_authenticator(user)
    parts = urlsplit(link)
    page.goto(f"{parts.path}?{parts.query}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Enter the code from your authenticator app").fill(authenticator_code(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def test_a_friday_evening_incident_before_half_term_reaches_the_school_on_time_and_is_acknowledged_and_counted(
    page: Page, world, sign_in_as, local_smtp
):
    with time_machine.travel(RECORDED, tick=True):
        sign_in_as(world.officer)
        notice = _record_through_the_police_form(page, world)
    assert notice.organisation == world.school
    assert notice.due_at == london(2026, 11, 2, 8, 45)
    assert notice.child.person == world.child
    page.context.clear_cookies()

    # The email leaves with the dispatcher's next run that evening, holding only the reference.
    with time_machine.travel(london(2026, 10, 23, 19, 41), tick=False):
        dispatch_due()
    [email] = local_smtp.messages_to(world.key_adult.email)
    raw = email.as_string()
    assert notice.reference in email["Subject"]
    for personal in (*PERSONAL, "Orchard", world.nhs_number):
        assert personal not in raw, personal
    [link] = re.findall(r"Sign in: (\S+)", email.get_content())

    with time_machine.travel(MONDAY_BEFORE_SCHOOL, tick=True):
        # The Key Adult follows the email's link before school on Monday, signs in and lands in the inbox.
        _sign_in_from_the_email(page, link, world.key_adult)
        expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
        row = page.get_by_role("row").filter(has_text=notice.reference)
        expect(row).to_contain_text("Operation Encompass notice")
        expect(row).to_contain_text("23 October 2026")
        assert_no_axe_violations(page)

        # The Encompass notices page has it to acknowledge, due at the start of the school day.
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Encompass notices").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Operation Encompass notices")
        waiting = page.get_by_role("table", name=re.compile("to acknowledge"))
        waiting_row = waiting.get_by_role("row").filter(has_text=notice.reference)
        expect(waiting_row).to_contain_text("Amelia Hartley")
        expect(waiting_row).to_contain_text("Mon 2 Nov 2026, 08:45")
        expect(waiting_row).not_to_contain_text("Overdue")
        assert_no_axe_violations(page)

        # The notice says what the school needs, due at 08:45 on Monday, delivered the Friday before.
        waiting.get_by_role("link", name=notice.reference).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Notice {notice.reference}")
        main = page.locator("main")
        expect(main).to_contain_text(DUE)
        expect(main).to_contain_text("on Friday 23 October 2026")  # received (the inbox row, at once)
        expect(main).to_contain_text("18:55 on Friday 23 October 2026")
        expect(main).to_contain_text(POLICE_REFERENCE)
        expect(main).to_contain_text(VOICE)
        expect(main).to_contain_text("Yes: In her bedroom")
        # Who was involved (who may come to collect her), never where it happened.
        adults = page.get_by_role("table", name="The adults involved in the incident")
        expect(adults).to_contain_text("Sarah Hartley")
        expect(adults).to_contain_text("Alleged perpetrator")
        expect(main).not_to_contain_text("Linden")
        assert_no_axe_violations(page)
        notice.refresh_from_db()
        assert notice.acknowledged_at is None  # reading it is not acknowledging it

        # They acknowledge it, with the support the school will give.
        page.get_by_label("Support the school will give (optional)").fill(SUPPORT)
        page.get_by_role("button", name="Acknowledge").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            f"Notice {notice.reference} acknowledged."
        )
        expect(main.locator(".govuk-tag").first).to_have_text("Acknowledged")
        expect(main).to_contain_text("by Grace Adeyemi")
        expect(main).to_contain_text(SUPPORT)
        assert_no_axe_violations(page)
        assert urlsplit(page.url).path == notice.get_absolute_url()

        page.get_by_role("link", name="Back to Operation Encompass notices").click()
        acknowledged = page.get_by_role("table", name=re.compile("acknowledged notice"))
        expect(acknowledged.get_by_role("row").filter(has_text=notice.reference)).to_contain_text("by Grace Adeyemi")
        assert_no_axe_violations(page)

    notice.refresh_from_db()
    assert notice.delivered_at is not None
    assert notice.delivered_at <= notice.due_at
    assert notice.acknowledged_by == world.key_adult
    assert notice.acknowledged_at is not None
    assert notice.acknowledged_at <= notice.acknowledge_by

    # The partnership analyst sees it counted as delivered before the school day started.
    page.context.clear_cookies()
    with time_machine.travel(london(2026, 11, 2, 11, 0), tick=True):
        sign_in_as(world.analyst)
        page.get_by_role("link", name="Encompass performance").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Operation Encompass performance")
        summary = page.locator("#summary")
        expect(summary).to_contain_text("delivered before the school day started (1 of 1)")
        expect(summary).to_contain_text("acknowledged by the Key Adult (1 of 1)")
        november = page.get_by_role("table", name="Notices by the month they were due").get_by_role(
            "row", name=re.compile("November 2026")
        )
        expect(november).to_contain_text("(100%)")
        assert_no_axe_violations(page)
        summary.get_by_role("link").nth(1).click()
        expect(page.get_by_role("link", name=notice.reference)).to_have_count(0)  # the analyst cannot open it
        expect(page.locator("main")).to_contain_text(notice.reference)
        for personal in ("Amelia", "Hartley", "Linden"):
            expect(page.locator("main")).not_to_contain_text(personal)
        assert_no_axe_violations(page)


def test_a_notice_not_acknowledged_by_ten_is_on_the_coordinators_chase_list_with_the_schools_phone(
    page: Page, world, sign_in_as
):
    notice = _record_friday_incident(world)
    with time_machine.travel(MONDAY_AFTER_TEN, tick=False), transaction.atomic():
        assert escalate_unacknowledged() == 1

    with time_machine.travel(MONDAY_AFTER_TEN, tick=True):
        sign_in_as(world.coordinator)
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Inbox (1 unread)").click()
        row = page.get_by_role("row").filter(has_text=notice.reference)
        expect(row).to_contain_text("Operation Encompass notice not acknowledged: phone the school")
        assert_no_axe_violations(page)

        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Encompass notices").click()
        chase = page.locator(".safehub-card").filter(has_text="Millbrook Primary School")
        expect(chase.get_by_role("link", name=SCHOOL_PHONE)).to_have_attribute("href", "tel:01632960123")
        expect(chase).to_contain_text("Grace Adeyemi")
        expect(chase.get_by_role("row").filter(has_text=notice.reference)).to_contain_text("Overdue")
        assert_no_axe_violations(page)

        chase.get_by_role("link", name=notice.reference).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Notice {notice.reference}")
        expect(page.locator("main")).to_contain_text("Who to phone")
        expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)
        assert_no_axe_violations(page)
