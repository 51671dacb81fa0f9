"""Recording incidents and notifying schools: matching and routing each child, one notice per
child, idempotent imports and API calls, corrections as updates, what the email carries, and
who may see and acknowledge a notice."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from safehub.access import policy
from safehub.audit.models import AuditEvent
from safehub.encompass.models import Incident, NoSchoolReason, Notice, RecipientKind
from safehub.encompass.services import notices
from safehub.encompass.services.incidents import (
    ChildCorrection,
    ChildInput,
    DuplicateIncident,
    correct_incident,
    record_incident,
)
from safehub.notifications.models import Channel, Notification
from safehub.notifications.services import dispatch_due
from safehub.people.models import ChronologyEntry
from tests.encompass.conftest import child_of, incident_input, london, record

pytestmark = pytest.mark.django_db


def travel(moment):
    return time_machine.travel(moment, tick=False)


def test_a_child_on_roll_is_notified_to_the_schools_key_adults_in_the_inbox_and_by_email(world):
    with travel(london(2026, 11, 25, 7, 59)):
        incident = record(world, occurred_at=london(2026, 11, 25, 1, 10))
    notice = Notice.objects.get(incident=incident)
    assert notice.recipient_kind == RecipientKind.SCHOOL
    assert notice.organisation == world.school
    assert notice.child.person == world.child
    assert notice.reference == f"{incident.reference}-1"
    rows = Notification.objects.filter(kind="encompass.notice")
    assert {(r.recipient_id, r.channel) for r in rows} == {
        (user.pk, channel)
        for user in (world.key_adult, world.deputy_key_adult)
        for channel in (Channel.INBOX, Channel.EMAIL)
    }


def test_the_email_reaches_the_mail_server_before_the_school_day_and_carries_no_personal_data(world, local_smtp):
    with travel(london(2026, 11, 25, 7, 59)):
        record(world, occurred_at=london(2026, 11, 25, 1, 10))
    with travel(london(2026, 11, 25, 8, 0)):
        dispatch_due()
    [message] = local_smtp.messages_to(world.key_adult.email)
    raw = message.as_string()
    for personal in ("Amelia", "Hartley", "Orchard", "Sarah", "shouting"):
        assert personal not in raw
    assert message["Subject"].startswith("Operation Encompass notice DA-2026-")


def test_a_child_is_matched_by_nhs_number_even_with_a_misspelt_name(world):
    child = ChildInput(given_names="Amellia", family_name="Hartly", present=True, nhs_number=world.nhs_number)
    with travel(london(2026, 11, 25, 19, 0)):
        incident = record(world, occurred_at=london(2026, 11, 25, 18, 0), children=[child])
    assert Notice.objects.get(incident=incident).organisation == world.school


def test_every_child_gets_one_notice_present_or_not(world):
    with travel(london(2026, 11, 25, 19, 0)):
        incident = record(
            world,
            occurred_at=london(2026, 11, 25, 18, 0),
            children=[child_of(world.child), child_of(world.home_educated, present=False)],
        )
    assert incident.notices.count() == 2
    assert incident.children.filter(present=False).count() == 1


def test_a_child_with_no_school_goes_to_the_councils_education_team(world):
    with travel(london(2026, 11, 25, 19, 0)):
        incident = record(world, occurred_at=london(2026, 11, 25, 18, 0), children=[child_of(world.home_educated)])
    notice = Notice.objects.get(incident=incident)
    assert notice.recipient_kind == RecipientKind.LOCAL_AUTHORITY
    assert notice.organisation == world.council
    assert notice.team == world.education_team
    assert notice.no_school_reason == NoSchoolReason.NO_ENROLMENT
    assert notice.due_at == london(2026, 11, 26, 8, 45)
    assert Notification.objects.filter(recipient=world.coordinator, kind="encompass.notice").exists()
    assert policy.can(world.coordinator, "view", world.home_educated)


def test_a_child_not_found_goes_to_the_council_with_that_reason(world):
    stranger = ChildInput(
        given_names="Zebedee", family_name="Quill", date_of_birth=datetime.date(2015, 1, 1), present=True
    )
    with travel(london(2026, 11, 25, 19, 0)):
        incident = record(world, occurred_at=london(2026, 11, 25, 18, 0), children=[stranger])
    notice = Notice.objects.get(incident=incident)
    assert notice.no_school_reason == NoSchoolReason.NOT_FOUND
    assert notice.child.person is None


def test_early_years_settings_are_outside_the_scheme_unless_the_partnership_includes_them(world):
    with travel(london(2026, 11, 25, 19, 0)):
        incident = record(world, occurred_at=london(2026, 11, 25, 18, 0), children=[child_of(world.toddler)])
    assert Notice.objects.get(incident=incident).no_school_reason == NoSchoolReason.OUTSIDE_SCHEME
    world.partnership.encompass_includes_early_years = True
    world.partnership.save()
    with travel(london(2026, 11, 25, 19, 5)):
        included = record(world, occurred_at=london(2026, 11, 25, 18, 0), children=[child_of(world.toddler)])
    assert Notice.objects.get(incident=included).organisation == world.nursery


def test_an_incident_imported_twice_notifies_once(world):
    given = incident_input(world, occurred_at=london(2026, 11, 25, 18, 0), children=[child_of(world.child)])
    with travel(london(2026, 11, 25, 19, 0)):
        first, created = record_incident(
            incident=given, by=None, force=world.force, via="import", retry_by_reference=True
        )
        again, created_again = record_incident(
            incident=given, by=None, force=world.force, via="import", retry_by_reference=True
        )
    assert (created, created_again) == (True, False)
    assert first == again
    assert Notice.objects.count() == 1
    assert Notification.objects.filter(kind="encompass.notice", channel=Channel.INBOX).count() == 2


def test_the_same_idempotency_key_for_a_different_incident_is_refused(world):
    with travel(london(2026, 11, 25, 19, 0)):
        record(world, occurred_at=london(2026, 11, 25, 18, 0), idempotency_key="force-key-1")
        with pytest.raises(DuplicateIncident):
            record(world, occurred_at=london(2026, 11, 25, 18, 0), idempotency_key="force-key-1")
    assert Incident.objects.count() == 1


def test_the_form_refuses_a_police_reference_already_recorded(world):
    given = incident_input(world, occurred_at=london(2026, 11, 25, 18, 0), children=[child_of(world.child)])
    with travel(london(2026, 11, 25, 19, 0)):
        record_incident(incident=given, by=world.officer)
        with pytest.raises(DuplicateIncident) as error:
            record_incident(incident=given, by=world.officer)
    assert "correct that incident" in str(error.value)


def test_bad_input_names_each_problem_and_changes_nothing(world):
    bad = incident_input(
        world,
        occurred_at=london(2026, 11, 25, 18, 0),
        children=[ChildInput(given_names="", family_name="Hartley", present=True, nhs_number="9990000001")],
    )
    with travel(london(2026, 11, 25, 19, 0)), pytest.raises(ValidationError) as error:
        record_incident(incident=bad, by=world.officer)
    assert {"children-1-name", "children-1-nhs_number"} <= set(error.value.message_dict)
    assert not Incident.objects.exists()
    assert not Notification.objects.exists()


def test_only_the_police_record_incidents(world):
    given = incident_input(world, occurred_at=london(2026, 11, 25, 18, 0), children=[child_of(world.child)])
    with pytest.raises(PermissionDenied):
        record_incident(incident=given, by=world.key_adult)


def test_a_correction_sends_an_update_not_a_second_first_notice(world):
    with travel(london(2026, 11, 25, 19, 0)):
        incident = record(world, occurred_at=london(2026, 11, 25, 18, 0))
    child = incident.children.get()
    with travel(london(2026, 11, 25, 21, 0)):
        correct_incident(
            incident=incident,
            by=world.officer,
            note="The child was downstairs, not upstairs.",
            children=[ChildCorrection(child_id=child.pk, present=True, whereabouts="In the kitchen")],
        )
    incident.refresh_from_db()
    assert incident.version == 2
    assert Notification.objects.filter(kind="encompass.notice", recipient=world.key_adult).count() == 2  # inbox+email
    assert Notification.objects.filter(kind="encompass.updated", recipient=world.key_adult).count() == 2
    notice = Notice.objects.get(incident=incident)
    assert notice.version_notified == 2
    assert Notice.objects.count() == 1


def test_a_child_added_in_a_correction_gets_a_first_notice(world):
    with travel(london(2026, 11, 25, 19, 0)):
        incident = record(world, occurred_at=london(2026, 11, 25, 18, 0))
        correct_incident(
            incident=incident,
            by=world.officer,
            note="A sibling was also in the house.",
            add_children=[child_of(world.home_educated)],
        )
    assert sorted(incident.notices.values_list("reference", flat=True)) == [
        f"{incident.reference}-1",
        f"{incident.reference}-2",
    ]


def test_the_key_adult_acknowledges_and_records_support_and_another_school_cannot(world):
    with travel(london(2026, 11, 25, 19, 0)):
        incident = record(world, occurred_at=london(2026, 11, 25, 18, 0))
    notice = Notice.objects.get(incident=incident)
    assert not policy.visible_notices(world.other_key_adult).filter(pk=notice.pk).exists()
    with pytest.raises(PermissionDenied):
        notices.acknowledge(notice=notice, by=world.other_key_adult)
    with pytest.raises(PermissionDenied):
        notices.acknowledge(notice=notice, by=world.coordinator)
    with travel(london(2026, 11, 26, 8, 50)):
        notices.acknowledge(notice=notice, by=world.key_adult, support="Class teacher told; check-in at break.")
    notice.refresh_from_db()
    assert notice.acknowledged_by == world.key_adult
    assert notice.support.startswith("Class teacher")
    with pytest.raises(ValidationError):
        notices.acknowledge(notice=notice, by=world.deputy_key_adult)


def test_an_unacknowledged_notice_alerts_the_coordinator_at_ten_once(world):
    with travel(london(2026, 11, 25, 19, 0)):
        incident = record(world, occurred_at=london(2026, 11, 25, 18, 0))
    with travel(london(2026, 11, 26, 9, 59)):
        assert notices.escalate_unacknowledged() == 0
    with travel(london(2026, 11, 26, 10, 0)):
        assert notices.escalate_unacknowledged() == 1
        assert notices.escalate_unacknowledged() == 0
    notice = Notice.objects.get(incident=incident)
    assert notice.escalated_at == london(2026, 11, 26, 10, 0)
    assert Notification.objects.filter(recipient=world.coordinator, kind="encompass.unacknowledged").exists()
    assert policy.visible_notices(world.coordinator).filter(pk=notice.pk).exists()


def test_a_notice_that_reached_no_one_alerts_the_coordinator_at_once(world):
    world.key_adult.is_active = False
    world.key_adult.save()
    world.deputy_key_adult.is_active = False
    world.deputy_key_adult.save()
    with travel(london(2026, 11, 25, 19, 0)):
        incident = record(world, occurred_at=london(2026, 11, 25, 18, 0))
        assert notices.escalate_unacknowledged() == 1
    assert Notice.objects.get(incident=incident).delivered_at is None


def test_the_childs_chronology_records_the_incident_for_the_partnership_and_the_school(world):
    with travel(london(2026, 11, 25, 19, 0)):
        record(world, occurred_at=london(2026, 11, 25, 18, 0))
    entry = ChronologyEntry.objects.get(person=world.child, category="domestic_abuse")
    assert world.school in entry.shared_with.all()
    assert "Orchard" not in entry.summary


def test_recording_is_audited_without_personal_data(world):
    with travel(london(2026, 11, 25, 19, 0)):
        record(world, occurred_at=london(2026, 11, 25, 18, 0))
    event = AuditEvent.objects.get(action="encompass.incident_recorded")
    assert event.detail["children"] == 1
    assert "Hartley" not in str(event.detail)
