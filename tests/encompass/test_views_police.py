"""The police pages of Operation Encompass through the browser's requests: recording an
incident (rows added without JavaScript, errors beside the right child), the confirmation,
the force's list, the incident page and corrections."""

from dataclasses import replace

import pytest
import time_machine
from django.urls import reverse

from safehub.audit.models import AuditEvent
from safehub.encompass.models import Incident, Notice, RecipientKind
from safehub.encompass.services import notices
from safehub.encompass.services.incidents import record_incident
from safehub.notifications.models import Notification
from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from tests.encompass.conftest import child_of, incident_input, london, record
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

# Sunday night before the autumn half-term ends: the school's next day is Monday 2 November.
SUNDAY_NIGHT = london(2026, 11, 1, 22, 50)


def travel(moment):
    return time_machine.travel(moment, tick=False)


def management(prefix: str, total: int) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }


def date_parts(name: str, day: str, month: str, year: str) -> dict[str, str]:
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


def child_row(index: int, given="Amelia", family="Hartley", dob=("14", "5", "2017"), **extra) -> dict[str, str]:
    row = {
        f"children-{index}-given_names": given,
        f"children-{index}-family_name": family,
        **date_parts(f"children-{index}-date_of_birth", *dob),
        f"children-{index}-present": "yes",
        f"children-{index}-whereabouts": "In the bedroom upstairs",
        f"children-{index}-voice_of_child": "Said she heard shouting and hid under the bed.",
        f"children-{index}-actions_taken": "Perpetrator arrested.",
    }
    row.update({f"children-{index}-{key}": value for key, value in extra.items()})
    return row


def blank_child(index: int) -> dict[str, str]:
    return {**date_parts(f"children-{index}-date_of_birth", "", "", ""), f"children-{index}-given_names": ""}


def incident_post(w, *, children=None, reference="MP-0001234", form_key="form-key-1", **extra) -> dict[str, str]:
    children = children if children is not None else [child_row(0)]
    data = {
        "token": form_key,
        "police_reference": reference,
        **date_parts("occurred_on", "1", "11", "2026"),
        "occurred_time": "22:40",
        "local_authority": str(w.council.pk),
        "location": "12 Orchard Way, Millbrook",
        "location_kind": "home",
        "circumstances": "Verbal argument escalated; neighbours called police.",
        **management("adults", 2),
        "adults-0-role": "victim",
        "adults-0-given_names": "Sarah",
        "adults-0-family_name": "Hartley",
        "adults-1-role": "perpetrator",
        "adults-1-given_names": "Mark",
        "adults-1-family_name": "Hartley",
        **management("children", len(children)),
    }
    for row in children:
        data.update(row)
    data.update(extra)
    return data


@pytest.fixture
def officer_client(world, client):
    client.force_login(world.officer)
    return client


def post_new(client, data):
    with travel(SUNDAY_NIGHT):
        return client.post(reverse("encompass:incident-new"), data)


# Recording ------------------------------------------------------------------------------------


def test_the_form_starts_with_two_adult_rows_and_one_child_row(world, officer_client):
    page = officer_client.get(reverse("encompass:incident-new")).content.decode()
    assert 'name="adults-TOTAL_FORMS" value="2"' in page
    assert 'name="children-TOTAL_FORMS" value="1"' in page
    assert "Voice of the child" in page
    assert 'name="occurred_on_day"' in page
    assert world.council.name in page


def test_recording_an_incident_notifies_the_school_and_confirms_where_and_when(world, officer_client):
    response = post_new(officer_client, incident_post(world))
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("encompass:incident-recorded", args=[incident.pk])
    assert incident.occurred_at == london(2026, 11, 1, 22, 40)
    assert (incident.recorded_by, incident.recorded_via) == (world.officer, "form")
    notice = Notice.objects.get(incident=incident)
    assert (notice.recipient_kind, notice.organisation) == (RecipientKind.SCHOOL, world.school)
    assert Notification.objects.filter(kind="encompass.notice", recipient=world.key_adult).exists()
    with travel(SUNDAY_NIGHT):
        page = officer_client.get(response["Location"]).content.decode()
    assert incident.reference in page
    assert "Millbrook Primary School" in page
    assert "before 08:45 on Monday 2 November 2026" in page


def test_a_child_with_no_school_is_confirmed_as_sent_to_the_councils_education_team_with_the_reason(
    world, officer_client
):
    post_new(officer_client, incident_post(world, children=[child_row(0, given="Isla", dob=("9", "8", "2014"))]))
    incident = Incident.objects.get()
    with travel(SUNDAY_NIGHT):
        page = officer_client.get(reverse("encompass:incident-recorded", args=[incident.pk])).content.decode()
    assert "the council's education team" in page
    assert "No school on roll" in page


def test_add_another_child_shows_one_more_blank_row_keeping_what_was_typed_and_no_errors(world, officer_client):
    data = incident_post(world, police_reference="")
    data["add"] = "children"
    response = post_new(officer_client, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="children-TOTAL_FORMS" value="2"' in page
    assert 'name="children-1-given_names"' in page
    assert 'value="Amelia"' in page
    assert "There is a problem" not in page
    assert not Incident.objects.exists()


def test_add_another_adult_adds_an_adult_row(world, officer_client):
    data = incident_post(world)
    data["add"] = "adults"
    page = post_new(officer_client, data).content.decode()
    assert 'name="adults-TOTAL_FORMS" value="3"' in page
    assert "Adult 3" in page
    assert not Incident.objects.exists()


def test_several_children_each_get_a_notice_and_blank_rows_are_left_out(world, officer_client):
    children = [child_row(0), blank_child(1), child_row(2, given="Isla", dob=("9", "8", "2014"), present="no")]
    post_new(officer_client, incident_post(world, children=children))
    incident = Incident.objects.get()
    assert incident.children.count() == 2
    assert incident.notices.count() == 2
    assert incident.children.get(given_names="Isla").present is False


def test_an_invalid_form_keeps_what_was_typed_shows_the_errors_and_records_nothing(world, officer_client):
    children = [child_row(0, nhs_number="999 000 0001"), child_row(1, given="")]
    response = post_new(officer_client, incident_post(world, children=children, occurred_time="25:99"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_children-0-nhs_number"' in page
    assert "Enter child 2&#x27;s given names." in page
    assert 'href="#id_children-1-given_names"' in page
    assert "24-hour clock" in page
    assert 'value="Verbal argument escalated; neighbours called police."' not in page  # a textarea, not an input
    assert "Verbal argument escalated; neighbours called police." in page
    assert not Incident.objects.exists()
    assert not Notification.objects.exists()


def test_the_services_error_about_a_child_appears_beside_that_child_when_a_blank_row_came_first(world, officer_client):
    # Born the day after the incident: only the service knows when the incident was.
    children = [blank_child(0), child_row(1, dob=("2", "11", "2026"))]
    data = incident_post(world, children=children, **date_parts("occurred_on", "1", "11", "2026"))
    with travel(london(2026, 11, 3, 9, 0)):
        page = officer_client.post(reverse("encompass:incident-new"), data).content.decode()
    assert "Child 1&#x27;s date of birth is after the incident." in page
    assert 'href="#id_children-1-date_of_birth_day"' in page
    assert 'id="id_children-1-date_of_birth-error"' in page
    assert not Incident.objects.exists()


def test_an_incident_in_the_future_is_refused_beside_its_date(world, officer_client):
    data = incident_post(world, **date_parts("occurred_on", "1", "11", "2026"), occurred_time="23:30")
    page = post_new(officer_client, data).content.decode()
    assert "The incident cannot be in the future." in page
    assert 'href="#id_occurred_on_day"' in page
    assert not Incident.objects.exists()


def test_a_time_the_clocks_skipped_is_refused(world, officer_client):
    data = incident_post(world, **date_parts("occurred_on", "29", "3", "2026"), occurred_time="01:30")
    page = post_new(officer_client, data).content.decode()
    assert "There was no 01:30 on 29 March 2026" in page
    assert not Incident.objects.exists()


def test_no_children_at_all_is_refused(world, officer_client):
    page = post_new(officer_client, incident_post(world, children=[blank_child(0)])).content.decode()
    assert "Add every child related to either adult" in page
    assert not Incident.objects.exists()


def test_a_police_reference_already_recorded_says_so_and_links_to_that_incident(world, officer_client):
    with travel(SUNDAY_NIGHT):
        given = incident_input(world, occurred_at=london(2026, 11, 1, 20, 0), children=[child_of(world.child)])
        earlier, _ = record_incident(incident=replace(given, police_reference="MP-0001234"), by=world.officer)
    page = post_new(officer_client, incident_post(world, reference="MP-0001234")).content.decode()
    assert f"Your force has already recorded incident MP-0001234 ({earlier.reference})" in page
    assert reverse("encompass:incident", args=[earlier.pk]) in page
    assert Incident.objects.count() == 1


def test_sending_the_same_form_twice_records_one_incident_and_notifies_once(world, officer_client):
    first = post_new(officer_client, incident_post(world))
    second = post_new(officer_client, incident_post(world))
    assert second["Location"] == first["Location"]
    assert Incident.objects.count() == 1
    assert Notification.objects.filter(kind="encompass.notice", recipient=world.key_adult, channel="inbox").count() == 1


def test_someone_who_is_not_police_may_not_open_the_police_pages(world, client):
    client.force_login(world.key_adult)
    assert client.get(reverse("encompass:incidents")).status_code == 403
    assert client.get(reverse("encompass:incident-new")).status_code == 403
    assert client.post(reverse("encompass:incident-new"), incident_post(world)).status_code == 403
    assert not Incident.objects.exists()


# The list and the incident page ---------------------------------------------------------------


def other_force_officer(world):
    force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Elsewhere Police")
    return UserFactory(organisation=force, roles=[Role.POLICE_OFFICER])


def test_another_forces_officer_finds_no_such_incident(world, client):
    with travel(SUNDAY_NIGHT):
        incident = record(world, occurred_at=london(2026, 11, 1, 20, 0))
    client.force_login(other_force_officer(world))
    assert client.get(reverse("encompass:incident", args=[incident.pk])).status_code == 404
    assert client.get(reverse("encompass:incident-correct", args=[incident.pk])).status_code == 404
    assert incident.reference not in client.get(reverse("encompass:incidents")).content.decode()
    assert AuditEvent.objects.filter(action="access.refused", object_id=str(incident.pk)).exists()


def test_the_list_shows_the_forces_incidents_newest_first_with_acknowledgements_and_overdue_notices(
    world, officer_client
):
    with travel(SUNDAY_NIGHT):
        older = record(
            world,
            occurred_at=london(2026, 11, 1, 18, 0),
            children=[child_of(world.child), child_of(world.home_educated, present=False)],
        )
        newer = record(world, occurred_at=london(2026, 11, 1, 21, 0))
    with travel(london(2026, 11, 2, 9, 0)):
        notices.acknowledge(notice=Notice.objects.get(incident=older, organisation=world.school), by=world.key_adult)
    with travel(london(2026, 11, 2, 11, 0)):
        page = officer_client.get(reverse("encompass:incidents")).content.decode()
    assert page.index(newer.reference) < page.index(older.reference)
    assert "1 of 2 acknowledged" in page
    assert "0 of 1 acknowledged" in page
    assert page.count("overdue") == 2  # one unacknowledged notice in each, past 10:00


def test_the_incident_page_shows_each_childs_notice_delivery_and_acknowledgement(world, officer_client):
    with travel(SUNDAY_NIGHT):
        incident = record(world, occurred_at=london(2026, 11, 1, 20, 0))
    with travel(london(2026, 11, 2, 8, 30)):
        notices.acknowledge(notice=incident.notices.get(), by=world.key_adult, support="Check-in with her teacher.")
    with travel(london(2026, 11, 2, 11, 0)):
        page = officer_client.get(reverse("encompass:incident", args=[incident.pk])).content.decode()
    assert "12 Orchard Way" in page  # police see the address
    assert "Before 08:45 on Monday 2 November 2026" in page
    assert "On time" in page
    assert world.key_adult.get_full_name() in page
    assert "Check-in with her teacher." in page
    assert AuditEvent.objects.filter(action="encompass.incident_viewed", object_id=str(incident.pk)).exists()


# Corrections ----------------------------------------------------------------------------------


def correction_post(incident, *, note="The child was downstairs, not upstairs.", added=()) -> dict[str, str]:
    data = {
        "circumstances": "Argument escalated to a push; neighbours called police.",
        "location_kind": "home",
        "correction_note": note,
        **management("children", incident.children.count()),
        **management("new", len(added)),
    }
    for index, _child in enumerate(incident.children.order_by("pk")):
        data.update(
            {
                f"children-{index}-present": "yes",
                f"children-{index}-whereabouts": "Downstairs in the kitchen",
                f"children-{index}-voice_of_child": "Said she saw the push.",
            }
        )
    for index, row in enumerate(added):
        data.update({key.replace("children-0-", f"new-{index}-"): value for key, value in row.items()})
    return data


def test_a_correction_sends_the_school_an_update_and_no_second_first_notice(world, officer_client):
    with travel(SUNDAY_NIGHT):
        incident = record(world, occurred_at=london(2026, 11, 1, 20, 0))
        response = officer_client.post(
            reverse("encompass:incident-correct", args=[incident.pk]), correction_post(incident), follow=True
        )
    page = response.content.decode()
    incident.refresh_from_db()
    assert incident.version == 2
    assert incident.children.get().whereabouts == "Downstairs in the kitchen"
    assert "Version 2" in page
    assert "Update sent to the schools" in page
    assert Notification.objects.filter(kind="encompass.updated", recipient=world.key_adult).exists()
    assert Notification.objects.filter(kind="encompass.notice", recipient=world.key_adult, channel="inbox").count() == 1


def test_a_correction_without_a_note_changes_nothing(world, officer_client):
    with travel(SUNDAY_NIGHT):
        incident = record(world, occurred_at=london(2026, 11, 1, 20, 0))
        page = officer_client.post(
            reverse("encompass:incident-correct", args=[incident.pk]), correction_post(incident, note="")
        ).content.decode()
    incident.refresh_from_db()
    assert "Say what was corrected and why." in page
    assert 'href="#id_correction_note"' in page
    assert "Downstairs in the kitchen" in page  # what was typed is kept
    assert incident.version == 1
    assert not Notification.objects.filter(kind="encompass.updated").exists()


def test_a_correction_can_add_a_child_who_gets_a_first_notice(world, officer_client):
    with travel(SUNDAY_NIGHT):
        incident = record(world, occurred_at=london(2026, 11, 1, 20, 0))
        url = reverse("encompass:incident-correct", args=[incident.pk])
        adding = correction_post(incident)
        adding["add"] = "new"
        page = officer_client.post(url, adding).content.decode()
        assert 'name="new-0-given_names"' in page
        assert "Child 2 (new)" in page
        added = child_row(0, given="Isla", dob=("9", "8", "2014"), present="no")
        officer_client.post(url, correction_post(incident, added=[added]))
    assert incident.children.count() == 2
    assert Notice.objects.filter(incident=incident, recipient_kind=RecipientKind.LOCAL_AUTHORITY).count() == 1
    assert Notification.objects.filter(kind="encompass.updated", recipient=world.key_adult).exists()
