"""The Operation Encompass API: a force's system posts incidents with an Idempotency-Key and reads
where each child's notice stands; notices are read (never with the address) and acknowledged
by their own recipients; the performance figures; and the issue's "done when" end to end."""

import copy
import datetime

import pytest
import time_machine
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from safehub.audit.models import AuditEvent
from safehub.encompass.models import Incident, NoSchoolReason, Notice, RecipientKind
from safehub.encompass.services import notices
from safehub.encompass.services.incidents import correct_incident
from safehub.notifications.models import Notification
from safehub.notifications.services import dispatch_due
from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from tests.encompass.conftest import london, member
from tests.factories import LocalAuthorityFactory, OrganisationFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

INCIDENTS = "/api/v1/encompass/incidents/"
NOTICES = "/api/v1/encompass/notices/"
PERFORMANCE = "/api/v1/encompass/performance/"
# Friday 23 October 2026, the last day of Autumn 1; half-term follows, the clocks go back on
# Sunday 25 October, and Autumn 2 starts on Monday 2 November 2026.
FRIDAY_EVENING = london(2026, 10, 23, 19, 0)
FIRST_DAY_BACK = london(2026, 11, 2, 8, 45)
ADDRESS = "12 Orchard Way"


def travel(moment):
    return time_machine.travel(moment, tick=False)


def body(world, **changes):
    """An incident as a force's system sends it: Amelia (by her NHS number) and Isla, who has no school."""
    data = {
        "police_reference": "MP-2026-0042",
        "occurred_at": "2026-10-23T18:30:00+01:00",
        "local_authority": world.council.la_code,
        "location": f"{ADDRESS}, Millbrook",
        "location_kind": "home",
        "circumstances": "Verbal argument escalated; neighbours called police.",
        "adults": [
            {"role": "victim", "given_names": "Sarah", "family_name": "Hartley"},
            {"role": "perpetrator", "given_names": "Mark", "family_name": "Hartley", "date_of_birth": "1988-02-01"},
        ],
        "children": [
            {
                "given_names": "Amelia",
                "family_name": "Hartley",
                "date_of_birth": "2017-05-14",
                "nhs_number": world.nhs_number,
                "present": True,
                "whereabouts": "In the bedroom upstairs",
                "voice_of_child": "Said she heard shouting and hid under the bed.",
                "actions_taken": "Perpetrator arrested.",
            },
            {"given_names": "Isla", "family_name": "Hartley", "date_of_birth": "2014-08-09", "present": False},
        ],
    }
    data.update(changes)
    return data


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(client, data, *, key="force-system-0042", at=FRIDAY_EVENING):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    with travel(at):
        return client.post(INCIDENTS, data, format="json", **headers)


def when(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def officer_api(world):
    return api_as(world.officer)


@pytest.fixture
def analyst(db):
    return UserFactory(organisation=OrganisationFactory(name="Business Unit"), roles=[Role.PARTNERSHIP_ANALYST])


@pytest.fixture
def hub_coordinator(world):
    """The council's Encompass coordinator who also works in the hub, as many do: the hub role
    brings the API; the coordinator role alone does not (see the report)."""
    return member(world.education_team, Role.ENCOMPASS_COORDINATOR, Role.HUB_PRACTITIONER)


@pytest.fixture
def recorded(world, officer_api):
    response = post(officer_api, body(world))
    assert response.status_code == 201, response.json()
    return Incident.objects.get(pk=response.json()["id"])


# Done when ------------------------------------------------------------------------------------


def test_a_friday_evening_incident_before_half_term_is_notified_before_the_first_school_day_acknowledged_and_counted(
    world, officer_api, analyst, local_smtp
):
    # The force's system posts the incident on the Friday evening before half-term.
    first = post(officer_api, body(world))
    assert first.status_code == 201
    notice_json = first.json()["children"][0]["notice"]
    assert notice_json["recipient"] == "Millbrook Primary School"
    assert when(notice_json["due_at"]) == FIRST_DAY_BACK
    assert notice_json["due_at"] == "2026-11-02T08:45:00Z"  # GMT by then: the clocks went back
    sent = Notification.objects.count()

    # Its retry after a timeout records nothing new and tells no one again.
    again = post(officer_api, body(world), at=FRIDAY_EVENING + datetime.timedelta(minutes=2))
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Incident.objects.count() == 1
    assert Notification.objects.count() == sent

    # The dispatcher's next run emails the Key Adult, long before the school day starts.
    with travel(FRIDAY_EVENING + datetime.timedelta(minutes=3)):
        dispatch_due()
    [email] = local_smtp.messages_to(world.key_adult.email)
    assert notice_json["reference"] in email["Subject"]
    assert "Amelia" not in email.as_string()
    notice = Notice.objects.get(reference=notice_json["reference"])
    assert notice.delivered_at is not None
    assert notice.delivered_at < FIRST_DAY_BACK

    # The Key Adult acknowledges it on the first morning back, from the school's system.
    with travel(london(2026, 11, 2, 8, 50)):
        acknowledged = api_as(world.key_adult).post(
            f"{NOTICES}{notice.pk}/acknowledge/", {"support": "Check-in with the learning mentor."}, format="json"
        )
    assert acknowledged.status_code == 200
    notice.refresh_from_db()
    assert notice.acknowledged_by == world.key_adult

    # The partnership's figures count it delivered on time and acknowledged, in November.
    with travel(london(2026, 11, 2, 12, 0)):
        figures = api_as(analyst).get(PERFORMANCE, {"from": "2026-10", "to": "2026-11"})
    assert figures.status_code == 200
    october, november = figures.json()["months"]
    # Isla, with no school, went to the council: due on its next working day, Monday 26 October.
    assert (october["month"], october["sent"], october["no_school"]) == ("2026-10", 1, 1)
    assert november["month"] == "2026-11"
    counted = {key: november[key] for key in ("sent", "delivered_before_school_day", "acknowledged")}
    assert counted == {"sent": 1, "delivered_before_school_day": 1, "acknowledged": 1}
    [school] = figures.json()["schools"]
    assert school["name"] == "Millbrook Primary School"
    assert school["figures"]["delivered_before_school_day_percent"] == 100
    assert school["figures"]["acknowledged_percent"] == 100
    assert school["figures"]["acknowledged_in_time"] == 1


# Recording an incident -------------------------------------------------------------------------


def test_the_response_gives_each_childs_notice_reference_recipient_and_due_time(world, officer_api):
    response = post(officer_api, body(world))
    data = response.json()
    assert data["reference"].startswith("DA-2026-")
    assert data["recorded_via"] == "api"
    amelia, isla = (child["notice"] for child in data["children"])
    assert (amelia["reference"], amelia["recipient_kind"]) == (f"{data['reference']}-1", RecipientKind.SCHOOL)
    assert (isla["recipient"], isla["recipient_team"]) == ("Millbrook Council", "Education Safeguarding Team")
    assert isla["no_school_reason"] == NoSchoolReason.NO_ENROLMENT
    assert amelia["status"] == isla["status"] == "delivered"


def test_the_force_is_the_callers_organisation(world, officer_api, recorded):
    assert recorded.force == world.force
    assert recorded.recorded_by == world.officer


def test_the_same_key_for_a_different_incident_is_a_conflict_with_the_reason(world, officer_api, recorded):
    response = post(officer_api, body(world, police_reference="MP-2026-0099"))
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "idempotency_conflict"
    assert f"already used for a different incident ({recorded.reference})" in error["message"]
    assert Incident.objects.count() == 1


def test_the_same_key_with_a_changed_body_is_a_conflict_and_changes_nothing(world, officer_api, recorded):
    changed = body(world, circumstances="Corrected: the perpetrator also threatened the children.")
    response = post(officer_api, changed)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "idempotency_conflict"
    assert f"already used for incident {recorded.reference} with different details" in error["message"]
    recorded.refresh_from_db()
    assert recorded.circumstances == "Verbal argument escalated; neighbours called police."
    assert Incident.objects.count() == 1


def test_the_same_request_sent_again_answers_with_the_incident_even_after_a_correction(world, officer_api, recorded):
    again = post(officer_api, body(world))
    assert again.status_code == 200
    assert again.json()["reference"] == recorded.reference
    correct_incident(incident=recorded, by=world.officer, note="Location kind", location_kind="other_home")
    retried = post(officer_api, body(world))
    assert retried.status_code == 200
    assert retried.json()["reference"] == recorded.reference


def test_the_same_police_reference_under_a_new_key_is_a_conflict(world, officer_api, recorded):
    response = post(officer_api, body(world), key="another-key")
    assert response.status_code == 409
    assert "correct that incident instead" in response.json()["error"]["message"]


def test_two_forces_may_use_the_same_key(world, officer_api, recorded):
    other_force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Wolds Police")
    other_officer = UserFactory(organisation=other_force, roles=[Role.POLICE_OFFICER])
    response = post(api_as(other_officer), body(world))
    assert response.status_code == 201
    assert Incident.objects.count() == 2


def test_the_idempotency_key_is_required(world, officer_api):
    response = post(officer_api, body(world), key="")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert not Incident.objects.exists()


def test_the_services_problems_come_back_under_the_fields_paths(world, officer_api):
    data = body(world)
    data["children"][1]["family_name"] = ""
    data["adults"][0]["given_names"] = " "
    response = post(officer_api, data | {"occurred_at": "2026-10-24T09:00:00+01:00"})
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["children[1].family_name"] == ["Enter child 2's given and family names."]
    assert fields["adults[0].given_names"] == ["Enter adult 1's given and family names."]
    assert fields["occurred_at"] == ["The incident cannot be in the future."]
    assert not Incident.objects.exists()


def test_a_problem_in_one_child_is_reported_under_that_childs_path(world, officer_api):
    data = copy.deepcopy(body(world))
    del data["children"][1]["present"]
    data["children"][0]["nhs_number"] = "999 000 0001"
    response = post(officer_api, data)
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["children[1].present"] == ["This field is required."]
    assert list(fields) == ["children[1].present"]


def test_an_nhs_number_that_fails_its_check_is_reported_under_the_childs_path(world, officer_api):
    data = body(world)
    data["children"][0]["nhs_number"] = "999 000 0001"
    response = post(officer_api, data)
    assert response.status_code == 400
    assert "children[0].nhs_number" in response.json()["error"]["fields"]


def test_an_incident_with_no_children_is_refused(world, officer_api):
    response = post(officer_api, body(world, children=[]))
    assert response.status_code == 400
    assert "whether or not they were present" in response.json()["error"]["fields"]["children"][0]


def test_an_unknown_council_is_refused_with_what_to_send(world, officer_api):
    response = post(officer_api, body(world, local_authority="000"))
    assert response.status_code == 400
    assert "LA code" in response.json()["error"]["fields"]["local_authority"][0]


def test_someone_who_may_not_record_incidents_is_refused_403(world, analyst):
    response = post(api_as(analyst), body(world))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Incident.objects.exists()


def test_no_personal_data_travels_in_the_url(world, officer_api):
    response = post(officer_api, body(world))
    assert "Amelia" not in response.wsgi_request.get_full_path()


# Reading an incident ---------------------------------------------------------------------------


def test_the_force_reads_its_incident_with_each_notices_status(world, officer_api, recorded):
    amelia = recorded.notices.get(recipient_kind=RecipientKind.SCHOOL)
    with travel(london(2026, 11, 2, 9, 0)):
        notices.acknowledge(notice=amelia, by=world.key_adult)
    with travel(london(2026, 11, 2, 10, 5)):
        notices.escalate_unacknowledged()  # Isla's, to the council, was due on 26 October
    response = officer_api.get(f"{INCIDENTS}{recorded.pk}/")
    assert response.status_code == 200
    statuses = [child["notice"]["status"] for child in response.json()["children"]]
    assert statuses == ["acknowledged", "escalated"]
    assert response.json()["location"] == f"{ADDRESS}, Millbrook"


def test_another_forces_incident_is_not_found(world, recorded):
    other_force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Wolds Police")
    other_officer = UserFactory(organisation=other_force, roles=[Role.POLICE_OFFICER])
    response = api_as(other_officer).get(f"{INCIDENTS}{recorded.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert api_as(other_officer).get(f"{INCIDENTS}999999/").json() == response.json()


def test_a_school_cannot_read_the_incident(world, recorded, hub_coordinator):
    assert api_as(world.key_adult).get(f"{INCIDENTS}{recorded.pk}/").status_code == 403
    # The coordinator reads notices, never the incident with its adults and address.
    coordinator = member(world.education_team, Role.ENCOMPASS_COORDINATOR, Role.PARTNERSHIP_ANALYST)
    assert api_as(coordinator).get(f"{INCIDENTS}{recorded.pk}/").status_code == 403


# Notices ----------------------------------------------------------------------------------------


def test_the_coordinator_lists_the_councils_notices_by_reference_without_names(world, recorded, hub_coordinator):
    response = api_as(hub_coordinator).get(NOTICES)
    assert response.status_code == 200
    # Soonest due first: Isla's to the council on Monday 26 October, Amelia's after half-term.
    assert [row["reference"] for row in response.json()["results"]] == [
        f"{recorded.reference}-2",
        f"{recorded.reference}-1",
    ]
    assert "Amelia" not in response.content.decode()


def test_the_list_of_notices_can_be_narrowed_to_acknowledged_or_not(world, recorded, hub_coordinator):
    amelia = recorded.notices.get(recipient_kind=RecipientKind.SCHOOL)
    with travel(london(2026, 11, 2, 9, 0)):
        notices.acknowledge(notice=amelia, by=world.key_adult)
    client = api_as(hub_coordinator)
    acknowledged = client.get(NOTICES, {"acknowledged": "yes"}).json()["results"]
    waiting = client.get(NOTICES, {"acknowledged": "no"}).json()["results"]
    assert [row["reference"] for row in acknowledged] == [amelia.reference]
    assert [row["reference"] for row in waiting] == [f"{recorded.reference}-2"]
    assert client.get(NOTICES, {"acknowledged": "maybe"}).status_code == 400


def test_a_notice_reads_as_the_school_sees_it_with_the_adults_but_never_the_address(world, recorded, hub_coordinator):
    notice = recorded.notices.get(recipient_kind=RecipientKind.SCHOOL)
    response = api_as(hub_coordinator).get(f"{NOTICES}{notice.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert (data["child_name"], data["location_kind"]) == ("Amelia Hartley", "At the child's home")
    assert data["voice_of_child"] == "Said she heard shouting and hid under the bed."
    # Who may come to collect the child: named, with their part (the records hold no relationship here).
    assert [(a["name"], a["role"]) for a in data["adults"]] == [
        ("Sarah Hartley", "victim"),
        ("Mark Hartley", "perpetrator"),
    ]
    assert {a["relationship"] for a in data["adults"]} == {"Not known from SafeHub's records"}
    text = response.content.decode()
    for withheld in (ADDRESS, "Orchard", "1988-02-01", "Isla"):
        assert withheld not in text


def test_a_notice_outside_the_callers_area_is_not_found(world, recorded):
    elsewhere = LocalAuthorityFactory(name="Wolds Council")
    stranger = member(TeamFactory(organisation=elsewhere), Role.ENCOMPASS_COORDINATOR, Role.HUB_PRACTITIONER)
    notice = recorded.notices.first()
    assert api_as(stranger).get(f"{NOTICES}{notice.pk}/").status_code == 404
    assert api_as(stranger).get(NOTICES).json()["count"] == 0


def test_the_coordinator_may_read_a_schools_notice_but_not_acknowledge_it(world, recorded, hub_coordinator):
    notice = recorded.notices.get(recipient_kind=RecipientKind.SCHOOL)
    response = api_as(hub_coordinator).post(f"{NOTICES}{notice.pk}/acknowledge/", {}, format="json")
    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.acknowledged_at is None


def test_the_councils_team_acknowledges_a_notice_for_a_child_with_no_school(world, recorded, hub_coordinator):
    notice = recorded.notices.get(recipient_kind=RecipientKind.LOCAL_AUTHORITY)
    with travel(london(2026, 11, 2, 9, 15)):
        response = api_as(hub_coordinator).post(
            f"{NOTICES}{notice.pk}/acknowledge/", {"support": "Elective home education officer to visit."}
        )
    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged"
    assert response.json()["support"] == "Elective home education officer to visit."
    notice.refresh_from_db()
    assert notice.acknowledged_by == hub_coordinator


def test_acknowledging_twice_is_refused_with_the_reason(world, recorded, hub_coordinator):
    notice = recorded.notices.get(recipient_kind=RecipientKind.LOCAL_AUTHORITY)
    client = api_as(hub_coordinator)
    client.post(f"{NOTICES}{notice.pk}/acknowledge/", {}, format="json")
    response = client.post(f"{NOTICES}{notice.pk}/acknowledge/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == notices.ALREADY_ACKNOWLEDGED


def test_support_can_be_recorded_after_acknowledging(world, recorded, hub_coordinator):
    notice = recorded.notices.get(recipient_kind=RecipientKind.LOCAL_AUTHORITY)
    client = api_as(hub_coordinator)
    client.post(f"{NOTICES}{notice.pk}/acknowledge/", {}, format="json")
    response = client.post(f"{NOTICES}{notice.pk}/support/", {"support": "Referral to Early Help."}, format="json")
    assert response.status_code == 200
    assert response.json()["support"] == "Referral to Early Help."
    blank = client.post(f"{NOTICES}{notice.pk}/support/", {"support": ""}, format="json")
    assert blank.json()["error"]["fields"]["support"] == ["Describe the support the school will give."]


def test_a_key_adult_reads_their_schools_notice_and_another_school_gets_404(world, recorded):
    notice = recorded.notices.get(recipient_kind=RecipientKind.SCHOOL)
    client = api_as(world.key_adult)
    assert [n["reference"] for n in client.get(NOTICES).json()["results"]] == [notice.reference]
    assert client.get(f"{NOTICES}{notice.pk}/").status_code == 200
    other = api_as(world.other_key_adult)
    assert other.get(f"{NOTICES}{notice.pk}/").status_code == 404
    assert other.post(f"{NOTICES}{notice.pk}/acknowledge/", {}, format="json").status_code == 404


def test_the_coordinator_role_alone_has_no_api_access(world):
    assert api_as(world.coordinator).get(NOTICES).status_code == 403


def test_reading_a_notice_through_the_api_is_audited(world, recorded, hub_coordinator):
    notice = recorded.notices.first()
    api_as(hub_coordinator).get(f"{NOTICES}{notice.pk}/")
    assert AuditEvent.objects.filter(action="encompass.notice_viewed", actor=hub_coordinator).count() == 1


# Performance -----------------------------------------------------------------------------------


def test_the_figures_can_be_narrowed_to_one_school(world, recorded, analyst):
    with travel(london(2026, 11, 20, 12, 0)):
        response = api_as(analyst).get(PERFORMANCE, {"from": "2026-11", "to": "2026-11", "school": world.school.pk})
    data = response.json()
    assert data["school"] == {"id": world.school.pk, "name": "Millbrook Primary School"}
    assert (data["total"]["sent"], data["total"]["no_school"]) == (1, 0)


def test_children_with_no_school_are_counted_by_reason(world, recorded, analyst):
    with travel(london(2026, 11, 20, 12, 0)):
        data = api_as(analyst).get(PERFORMANCE, {"from": "2026-10", "to": "2026-11"}).json()
    by_reason = {row["no_school_reason"]: row["count"] for row in data["no_school"]}
    assert by_reason[NoSchoolReason.NO_ENROLMENT] == 1
    assert data["total"]["no_school"] == 1
    assert data["total"]["median_minutes_incident_to_delivery"] == 30


def test_a_period_that_cannot_be_shown_is_400_with_what_to_enter(world, analyst):
    with travel(london(2026, 11, 20, 12, 0)):
        response = api_as(analyst).get(PERFORMANCE, {"from": "2026-11", "to": "2026-09"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "The last month must be the same as or after the first month."


def test_an_unknown_school_is_400(world, analyst):
    response = api_as(analyst).get(PERFORMANCE, {"school": world.force.pk})
    assert response.status_code == 400
    assert "school" in response.json()["error"]["fields"]


def test_the_figures_need_performance_access(world, officer_api):
    assert officer_api.get(PERFORMANCE).status_code == 403


def test_reading_the_figures_is_audited(world, analyst):
    api_as(analyst).get(PERFORMANCE)
    event = AuditEvent.objects.get(action="encompass.measures_viewed")
    assert (event.actor, event.detail["via"]) == (analyst, "api")


def test_the_openapi_schema_describes_the_encompass_endpoints():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path in (
        "/api/v1/encompass/incidents/",
        "/api/v1/encompass/incidents/{id}/",
        "/api/v1/encompass/notices/",
        "/api/v1/encompass/notices/{id}/",
        "/api/v1/encompass/notices/{id}/acknowledge/",
        "/api/v1/encompass/notices/{id}/support/",
        "/api/v1/encompass/performance/",
    ):
        assert path in paths, path
    assert "409" in paths["/api/v1/encompass/incidents/"]["post"]["responses"]
    assert "404" in paths["/api/v1/encompass/incidents/{id}/"]["get"]["responses"]
