"""The school's side of Operation Encompass through the browser's requests: the Key Adult's
notices, one notice as the school reads it, acknowledging it and the support the school will
give; the coordinator's chase list; and who is refused."""

import dataclasses
import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from safehub.audit.models import AuditEvent
from safehub.encompass.models import Notice, RecipientKind
from safehub.encompass.services import notices
from safehub.encompass.services.incidents import ChildCorrection, correct_incident
from safehub.notifications.models import Channel, Notification
from tests.encompass.conftest import child_of, london, record
from tests.factories import EnrolmentFactory, PersonFactory, SchoolFactory

pytestmark = pytest.mark.django_db

# Recorded on a Wednesday evening: due at 08:45 on Thursday, chased after 10:00.
OCCURRED = london(2026, 11, 25, 18, 0)
RECORDED = london(2026, 11, 25, 19, 0)
BEFORE_SCHOOL = london(2026, 11, 26, 8, 0)
MORNING = london(2026, 11, 26, 9, 30)
LATE_MORNING = london(2026, 11, 26, 10, 30)
SCHOOL_PHONE = "01632 960 123"


def travel(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def notice(world) -> Notice:
    world.school.phone = SCHOOL_PHONE
    world.school.email = "office@millbrook.example.invalid"
    world.school.save()
    world.key_adult.first_name, world.key_adult.last_name, world.key_adult.phone = "Grace", "Adeyemi", "07700 900456"
    world.key_adult.save()
    with travel(RECORDED):
        incident = record(world, occurred_at=OCCURRED)
    return Notice.objects.get(incident=incident)


def get(client, user, moment, url: str, **params):
    """A page as `user` sees it at `moment` (signed in then, so the session is fresh)."""
    with travel(moment):
        client.force_login(user)
        return client.get(url, params)


def post(client, user, moment, url: str, data: dict[str, str]):
    with travel(moment):
        client.force_login(user)
        return client.post(url, data)


def notice_url(notice: Notice) -> str:
    return reverse("encompass:notice", args=[notice.pk])


def acknowledge_url(notice: Notice) -> str:
    return reverse("encompass:notice-acknowledge", args=[notice.pk])


# The notices list -------------------------------------------------------------------------------


def test_the_key_adult_sees_their_schools_notice_to_acknowledge_with_the_child_and_due_time(world, notice, client):
    page = get(client, world.key_adult, MORNING, reverse("encompass:notices")).content.decode()
    to_acknowledge = page.split('<h2 class="govuk-heading-m">Acknowledged</h2>')[0]
    assert notice.reference in to_acknowledge
    assert "Amelia Hartley" in to_acknowledge
    assert "Thu 26 Nov 2026, 08:45" in to_acknowledge
    assert "Overdue" not in to_acknowledge
    assert "To chase" not in page


def test_a_notice_not_acknowledged_by_ten_is_tagged_overdue(world, notice, client):
    page = get(client, world.key_adult, LATE_MORNING, reverse("encompass:notices")).content.decode()
    assert "Overdue" in page


def test_the_oldest_due_notice_is_listed_first(world, notice, client):
    with travel(london(2026, 11, 26, 19, 0)):
        later = Notice.objects.get(incident=record(world, occurred_at=london(2026, 11, 26, 18, 0)))
    page = get(client, world.key_adult, london(2026, 11, 26, 20, 0), reverse("encompass:notices")).content.decode()
    assert page.index(notice.reference) < page.index(later.reference)


def test_an_acknowledged_notice_moves_to_the_acknowledged_list_with_who_acknowledged_it(world, notice, client):
    with travel(MORNING):
        notices.acknowledge(notice=notice, by=world.key_adult)
    page = get(client, world.deputy_key_adult, MORNING, reverse("encompass:notices")).content.decode()
    to_acknowledge, acknowledged = page.split('<h2 class="govuk-heading-m">Acknowledged</h2>')
    assert notice.reference not in to_acknowledge
    assert notice.reference in acknowledged
    assert "by Grace Adeyemi" in acknowledged


def test_another_schools_key_adult_does_not_see_the_notice_in_their_list(world, notice, client):
    page = get(client, world.other_key_adult, MORNING, reverse("encompass:notices")).content.decode()
    assert notice.reference not in page
    assert "Amelia" not in page


def test_a_police_officer_has_no_notices_page(world, client):
    assert get(client, world.officer, MORNING, reverse("encompass:notices")).status_code == 403


# One notice ---------------------------------------------------------------------------------------


def test_the_notice_page_shows_what_the_school_needs_to_know(world, notice, client):
    page = get(client, world.key_adult, MORNING, notice_url(notice)).content.decode()
    for shown in (
        "Amelia Hartley",
        "14 May 2017",
        notice.incident.police_reference,
        "18:00 on Wednesday 25 November 2026",
        "At the child&#x27;s home",
        "Yes: In the bedroom upstairs",
        "Said she heard shouting and hid under the bed.",
        "Verbal argument escalated; neighbours called police.",
        "Perpetrator arrested; victim given refuge details.",
        "08:45 on Thursday 26 November 2026",
    ):
        assert shown in page, shown


def test_the_notice_page_never_shows_the_address(world, notice, client):
    # The adults are named, so the school knows who may collect the child (see below); never
    # where it happened.
    page = get(client, world.key_adult, MORNING, notice_url(notice)).content.decode()
    for hidden in ("Orchard", "12 Orchard Way"):
        assert hidden not in page, hidden


def test_opening_the_notice_is_audited_and_does_not_acknowledge_it(world, notice, client):
    response = get(client, world.key_adult, MORNING, notice_url(notice))
    assert response.status_code == 200
    notice.refresh_from_db()
    assert notice.acknowledged_at is None
    assert AuditEvent.objects.filter(
        action="encompass.notice_viewed", actor=world.key_adult, object_id=str(notice.pk)
    ).exists()
    assert "Acknowledge this notice" in response.content.decode()


def test_the_inbox_notification_links_to_the_notice_page(world, notice, client):
    item = Notification.objects.get(kind="encompass.notice", recipient=world.key_adult, channel=Channel.INBOX)
    response = post(client, world.key_adult, MORNING, reverse("notifications:open", args=[item.pk]), {})
    assert response.status_code == 302
    assert response["Location"] == notice_url(notice)


def test_a_corrected_incident_shows_when_and_why_it_was_updated(world, notice, client):
    with travel(london(2026, 11, 25, 21, 5)):
        correct_incident(
            incident=notice.incident,
            by=world.officer,
            note="The child was downstairs, not upstairs.",
            children=[ChildCorrection(child_id=notice.child_id, present=True, whereabouts="In the kitchen")],
        )
    page = get(client, world.key_adult, MORNING, notice_url(notice)).content.decode()
    assert "Updated at 21:05 on Wednesday 25 November 2026: The child was downstairs, not upstairs." in page
    assert "Yes: In the kitchen" in page
    assert "bedroom upstairs" not in page


def test_another_schools_key_adult_gets_not_found_and_the_refusal_is_audited(world, notice, client):
    response = get(client, world.other_key_adult, MORNING, notice_url(notice))
    assert response.status_code == 404
    assert "Amelia" not in response.content.decode()
    assert AuditEvent.objects.filter(
        action="access.refused", actor=world.other_key_adult, object_type="encompass.notice", object_id=str(notice.pk)
    ).exists()


def test_another_schools_key_adult_cannot_acknowledge_it(world, notice, client):
    response = post(client, world.other_key_adult, MORNING, acknowledge_url(notice), {"support": ""})
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.acknowledged_at is None


# Acknowledging and support ------------------------------------------------------------------------


def test_the_key_adult_acknowledges_the_notice_with_the_support_the_school_will_give(world, notice, client):
    support = "Check-in with the class teacher at registration; time with the learning mentor."
    response = post(client, world.key_adult, MORNING, acknowledge_url(notice), {"support": support})
    assert response.status_code == 302
    assert response["Location"] == notice_url(notice)
    notice.refresh_from_db()
    assert notice.acknowledged_at == MORNING
    assert notice.acknowledged_by == world.key_adult
    assert notice.support == support
    with travel(MORNING):
        page = client.get(notice_url(notice)).content.decode()
    assert f"Notice {notice.reference} acknowledged." in page
    assert "09:30 on Thursday 26 November 2026</time> by Grace Adeyemi" in page
    assert support in page
    assert "Acknowledge this notice" not in page


def test_acknowledging_without_support_is_allowed_and_support_can_be_added_later(world, notice, client):
    post(client, world.key_adult, MORNING, acknowledge_url(notice), {"support": ""})
    notice.refresh_from_db()
    assert notice.acknowledged_at is not None
    assert notice.support == ""
    page = get(client, world.key_adult, MORNING, notice_url(notice)).content.decode()
    assert "Record the support" in page
    response = post(
        client,
        world.key_adult,
        MORNING,
        reverse("encompass:notice-support", args=[notice.pk]),
        {"support": "Nurture group."},
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.support == "Nurture group."


def test_saving_empty_support_shows_the_error_beside_the_field(world, notice, client):
    with travel(MORNING):
        notices.acknowledge(notice=notice, by=world.key_adult)
    response = post(
        client, world.key_adult, MORNING, reverse("encompass:notice-support", args=[notice.pk]), {"support": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'id="id_support-error"' in page
    assert "Describe the support the school will give." in page


def test_acknowledging_twice_shows_the_error(world, notice, client):
    with travel(MORNING):
        notices.acknowledge(notice=notice, by=world.deputy_key_adult)
    response = post(client, world.key_adult, LATE_MORNING, acknowledge_url(notice), {"support": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert notices.ALREADY_ACKNOWLEDGED in page
    notice.refresh_from_db()
    assert notice.acknowledged_by == world.deputy_key_adult


# The coordinator ----------------------------------------------------------------------------------


def test_the_coordinator_sees_the_school_to_chase_with_its_phone_after_ten(world, notice, client):
    page = get(client, world.coordinator, LATE_MORNING, reverse("encompass:notices")).content.decode()
    chase = page.split('<h2 class="govuk-heading-m">To acknowledge</h2>')[0]
    assert "To chase" in chase
    assert "Millbrook Primary School" in chase
    assert SCHOOL_PHONE in chase
    assert 'href="tel:01632960123"' in chase
    assert "office@millbrook.example.invalid" in chase
    assert 'Grace Adeyemi, <a class="govuk-link" href="tel:07700900456">07700 900456</a>' in chase
    assert notice.reference in chase


def test_the_coordinator_has_nothing_to_chase_before_ten(world, notice, client):
    page = get(client, world.coordinator, MORNING, reverse("encompass:notices")).content.decode()
    assert "Nothing to chase" in page
    assert SCHOOL_PHONE not in page


def test_the_coordinator_chases_notices_to_the_council_with_the_reason(world, client):
    with travel(RECORDED):
        incident = record(world, occurred_at=OCCURRED, children=[child_of(world.home_educated)])
    to_council = Notice.objects.get(incident=incident)
    assert to_council.recipient_kind == RecipientKind.LOCAL_AUTHORITY
    page = get(client, world.coordinator, LATE_MORNING, reverse("encompass:notices")).content.decode()
    chase = page.split('<h2 class="govuk-heading-m">To acknowledge</h2>')[0]
    assert "Notices to the council" in chase
    assert to_council.reference in chase
    assert to_council.get_no_school_reason_display() in chase


def test_the_coordinator_reads_the_notice_with_whom_to_phone_but_cannot_acknowledge_it(world, notice, client):
    page = get(client, world.coordinator, LATE_MORNING, notice_url(notice)).content.decode()
    assert "Who to phone" in page
    assert SCHOOL_PHONE in page
    assert "Acknowledge this notice" not in page
    response = post(client, world.coordinator, LATE_MORNING, acknowledge_url(notice), {"support": ""})
    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.acknowledged_at is None


# No personal data in URLs -------------------------------------------------------------------------


def test_no_page_puts_personal_data_in_a_url(world, notice, client):
    with travel(LATE_MORNING):
        client.force_login(world.key_adult)
        pages = [client.get(reverse("encompass:notices")), client.get(notice_url(notice))]
        redirect = client.post(acknowledge_url(notice), {"support": "Learning mentor."})
        pages.append(client.get(notice_url(notice)))
        client.force_login(world.coordinator)
        pages.append(client.get(reverse("encompass:notices")))
    urls = [redirect["Location"]]
    for response in pages:
        urls += re.findall(r'(?:href|action)="([^"]*)"', response.content.decode())
    assert any(notice_url(notice) in url for url in urls)
    for url in urls:
        for personal in ("Amelia", "Hartley", "Orchard", "2017-05-14", world.nhs_number, "shouting"):
            assert personal not in url, url


def test_a_notice_that_reached_no_one_is_to_chase_at_once(world, client):
    school = SchoolFactory(name="Brookside Infant School", local_authority=world.council, phone="01632 960 999")
    pupil = PersonFactory(given_names="Leo", family_name="Marsh", date_of_birth=datetime.date(2019, 1, 7))
    EnrolmentFactory(person=pupil, organisation=school, start_date=datetime.date(2023, 9, 1))
    with travel(RECORDED):
        incident = record(world, occurred_at=OCCURRED, children=[child_of(pupil)])
    undelivered = Notice.objects.get(incident=incident)
    assert undelivered.delivered_at is None
    page = get(client, world.coordinator, london(2026, 11, 25, 19, 5), reverse("encompass:notices")).content.decode()
    chase = page.split('<h2 class="govuk-heading-m">To acknowledge</h2>')[0]
    assert "Brookside Infant School" in chase
    assert "01632 960 999" in chase
    assert "Reached no one" in chase
    assert "No Key Adult in SafeHub" in chase


def test_the_notice_names_the_adults_with_their_relationship_to_the_child_and_their_part(world, client):
    from safehub.encompass.models import AdultRole
    from safehub.encompass.services.incidents import AdultInput, record_incident
    from safehub.people.models import Relationship, RelationshipKind
    from tests.encompass.conftest import incident_input
    from tests.factories import AdultFactory

    mother = AdultFactory(given_names="Sarah", family_name="Hartley", date_of_birth=datetime.date(1989, 3, 2))
    Relationship.objects.create(person=mother, related_to=world.child, kind=RelationshipKind.PARENT)
    given = incident_input(world, occurred_at=OCCURRED, children=[child_of(world.child)])
    given = dataclasses.replace(
        given,
        adults=[
            AdultInput(role=AdultRole.VICTIM, given_names="Sarah", family_name="Hartley", person=mother),
            AdultInput(role=AdultRole.PERPETRATOR, given_names="Mark", family_name="Hartley"),
        ],
    )
    with travel(RECORDED):
        incident, _ = record_incident(incident=given, by=world.officer)
    notice = Notice.objects.get(incident=incident)
    page = get(client, world.key_adult, MORNING, notice_url(notice)).content.decode()
    adults = page[page.index("The adults involved") :]
    rows = re.findall(r'<tr class="govuk-table__row"><td class="govuk-table__cell">(.*?)</tr>', adults)
    assert "Sarah Hartley" in rows[0]
    assert "Parent" in rows[0]
    assert "Victim" in rows[0]
    assert "Mark Hartley" in rows[1]
    assert "Not known from SafeHub&#x27;s records" in rows[1]
    assert "Alleged perpetrator" in rows[1]
    assert "govuk-tag--red" in rows[1]
    assert len(rows) == 2
    # Never the adults' dates of birth or the address.
    assert "1989" not in page
    assert "Orchard Way" not in page
