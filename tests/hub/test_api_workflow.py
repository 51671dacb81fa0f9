"""The hub's workflow through the API only: a police referral imported in bulk is screened,
three agencies answer their checks (health decides not to share), a team manager decides and
the referrer is told; with the due times across a bank-holiday weekend, the audit trail, and
404 for what a caller may not see, 403 for what they may see but not do."""

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from safehub.audit.models import AuditEvent
from safehub.hub.imports import COLUMNS
from safehub.hub.models import Contact, ContactState, ResearchAnswer, ResearchRequest
from safehub.partnership.roles import Role
from tests.factories import IdentifierFactory, SchoolFactory, TeamFactory
from tests.hub.test_workflow import hub_world, member

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
# Friday 2 May 2025; Monday 5 May 2025 is the early May bank holiday.
FRIDAY = datetime.date(2025, 5, 2)


def london(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def api_as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def dsl_of(team):
    # The API needs USE_API; a school's lead gets it through a second role (as in tests/access).
    return member(team, Role.DESIGNATED_SAFEGUARDING_LEAD, Role.PARTNERSHIP_ANALYST)


@pytest.fixture
def world(tmp_path):
    w = hub_world()
    w.nhs = IdentifierFactory(person=w.child).value
    w.school_dsl = dsl_of(w.school_team)
    w.other_dsl = dsl_of(TeamFactory(organisation=SchoolFactory(local_authority=w.council), name="Safeguarding"))
    w.csv = tmp_path / "referrals.csv"
    row = {
        "Occurrence reference": "RV-2025-005001",
        "Received at": "2025-05-02 10:00",
        "Officer": "PC 4471 Dale",
        "Officer contact": "dale.4471@police.example",
        "Child given names": w.child.given_names,
        "Child family name": w.child.family_name,
        "Child date of birth": w.child.date_of_birth.isoformat(),
        "Child NHS number": w.nhs,
        "Postcode": "RV1 2AB",
        "Adults": "Kelly Ashworth (1990-02-11)",
        "What happened": "Officers attended a domestic incident. The child was present and upset.",
        "Family aware": "no",
        "Consent": "not sought",
    }
    w.csv.write_text(",".join(COLUMNS) + "\n" + ",".join(row[c] for c in COLUMNS) + "\n", encoding="utf-8")
    return w


def imported(w) -> Contact:
    with time_machine.travel(london(2025, 5, 2, 10, 30), tick=False):
        call_command("import", "police-referrals", str(Path(w.csv)))
    return Contact.objects.get(external_reference="RV-2025-005001")


def screened(w, contact) -> dict:
    with time_machine.travel(london(2025, 5, 2, 11, 0), tick=False):
        response = api_as(w.practitioner).post(
            f"/api/v1/contacts/{contact.pk}/screen/",
            {"rag": "amber", "notes": "Domestic abuse, child present.", "agencies": ["police", "health", "education"]},
            format="json",
        )
    assert response.status_code == 200, response.json()
    return response.json()


def check_of(contact, agency) -> ResearchRequest:
    return contact.research_requests.get(agency=agency)


def test_a_police_referral_goes_from_import_to_decision_and_feedback_through_the_api(world):
    w = world
    contact = imported(w)
    assert contact.received_at == london(2025, 5, 2, 10, 0)
    assert contact.subjects.get(role="child").person == w.child

    with time_machine.travel(london(2025, 5, 2, 10, 45), tick=False):
        hub = api_as(w.practitioner)
        queue = hub.get("/api/v1/hub/queue/", {"rag": "none"}).json()
        assert [item["reference"] for item in queue["results"]] == [contact.reference]
        # The child is linked by NHS number; the adult in the household is left for the hub to match.
        assert queue["results"][0]["unlinked"] is True
        assert hub.get("/api/v1/hub/queue/", {"rag": "red"}).json()["count"] == 0
        allocated = hub.post(f"/api/v1/contacts/{contact.pk}/allocate/", {"allocated_to": w.practitioner.pk})
        assert allocated.json()["allocated_to"] == w.practitioner.pk
        assert hub.get("/api/v1/hub/queue/", {"mine": "true"}).json()["count"] == 1

    work = screened(w, contact)
    assert work["state"] == ContactState.RESEARCH
    # Amber: a day of each agency's working time. Health and the school: 1 working day, over the
    # weekend and the bank holiday to Tuesday (the checks are all due then); the police work
    # round the clock: 24 hours.
    assert datetime.datetime.fromisoformat(work["research_due_at"]) == london(2025, 5, 6, 11, 0)
    assert {r["agency"]: datetime.datetime.fromisoformat(r["due_at"]) for r in work["research"]} == {
        "police": london(2025, 5, 3, 11, 0),
        "health": london(2025, 5, 6, 11, 0),
        "education": london(2025, 5, 6, 11, 0),
    }
    # The decision: 1 working day from when the police made the referral.
    assert datetime.datetime.fromisoformat(work["decision_due_at"]) == london(2025, 5, 6, 10, 0)
    assert {(r["agency"], r["team"]) for r in work["research"]} == {
        ("police", w.cait.name),
        ("health", w.trust_team.name),
        ("education", w.school_team.name),
    }

    answers = {
        w.officer: {"answer": "shared", "information": "Two previous domestic incidents at the address."},
        w.nurse: {"answer": "not_shared", "reason_not_shared": "Mother's mental-health care; not relevant here."},
        w.school_dsl: {"answer": "nothing_known"},
    }
    # The police answer on the Saturday morning; health and the school on Tuesday.
    answered_at = {w.officer: london(2025, 5, 3, 9, 0), w.nurse: london(2025, 5, 6, 9, 0)}
    for user, answer in answers.items():
        with time_machine.travel(answered_at.get(user, london(2025, 5, 6, 9, 0)), tick=False):
            client = api_as(user)
            checks = client.get("/api/v1/research-requests/").json()["results"]
            assert [c["contact_reference"] for c in checks] == [contact.reference]
            # What answering needs: who it is about and what happened.
            asked = client.get(f"/api/v1/contacts/{contact.pk}/").json()
            assert asked["what_happened"] == contact.what_happened
            assert asked["subjects"]
            response = client.post(
                f"/api/v1/research-requests/{checks[0]['id']}/answer/",
                answer | {"lawful_basis": "significant_harm"},
                format="json",
            )
            assert response.status_code == 200, response.json()
            assert response.json()["answered_in_time"] is True

    health = check_of(contact, "health")
    assert (health.answer, health.lawful_basis) == (ResearchAnswer.NOT_SHARED, "significant_harm")
    assert health.reason_not_shared == "Mother's mental-health care; not relevant here."
    assert check_of(contact, "police").information == "Two previous domestic incidents at the address."
    assert check_of(contact, "education").answer == ResearchAnswer.NOTHING_KNOWN

    with time_machine.travel(london(2025, 5, 6, 9, 30), tick=False):
        decided = api_as(w.manager).post(
            f"/api/v1/contacts/{contact.pk}/decision/",
            {"decision": "assessment", "rationale": "Repeat domestic abuse with the child present."},
            format="json",
        )
        assert decided.status_code == 200, decided.json()
        assert decided.json()["state"] == ContactState.DECIDED
        assert decided.json()["late_reason"] == ""
        told = api_as(w.practitioner).post(f"/api/v1/contacts/{contact.pk}/referrer-told/")
    assert told.status_code == 200
    assert datetime.datetime.fromisoformat(told.json()["referrer_told_at"]) == london(2025, 5, 6, 9, 30)
    assert api_as(w.practitioner).get("/api/v1/hub/queue/").json()["count"] == 0

    actions = list(AuditEvent.objects.filter(object_id__in=[str(contact.pk)]).values_list("action", flat=True))
    for action in ("contact.allocated", "contact.screened", "contact.decided", "contact.referrer_told"):
        assert action in actions
    answered = AuditEvent.objects.filter(action="research.answered").values_list("actor", "detail")
    assert {(actor, detail["agency"], detail["answer"]) for actor, detail in answered} == {
        (w.officer.pk, "police", "shared"),
        (w.nurse.pk, "health", "not_shared"),
        (w.school_dsl.pk, "education", "nothing_known"),
    }


def test_an_agency_cannot_answer_another_agencys_check(world):
    contact = imported(world)
    screened(world, contact)
    health = check_of(contact, "health")

    response = api_as(world.officer).post(
        f"/api/v1/research-requests/{health.pk}/answer/",
        {"answer": "nothing_known", "lawful_basis": "significant_harm"},
        format="json",
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    health.refresh_from_db()
    assert health.answered_at is None
    assert AuditEvent.objects.filter(action="access.refused", actor=world.officer, object_id=str(health.pk)).exists()


def test_the_hub_sees_a_check_but_may_not_answer_it(world):
    contact = imported(world)
    screened(world, contact)

    response = api_as(world.practitioner).post(
        f"/api/v1/research-requests/{check_of(contact, 'police').pk}/answer/",
        {"answer": "nothing_known", "lawful_basis": "significant_harm"},
        format="json",
    )

    assert response.status_code == 403


def test_a_dsl_of_another_school_cannot_see_the_contact(world):
    contact = imported(world)
    screened(world, contact)
    other = api_as(world.other_dsl)

    assert other.get(f"/api/v1/contacts/{contact.pk}/").status_code == 404
    assert other.post(f"/api/v1/contacts/{contact.pk}/screen/", {"rag": "red"}, format="json").status_code == 404
    assert other.get("/api/v1/research-requests/").json()["count"] == 0
    # The DSL of the child's own school sees who it is about while its check is open.
    own = api_as(world.school_dsl).get(f"/api/v1/contacts/{contact.pk}/")
    assert own.status_code == 200
    child = [subject for subject in own.json()["subjects"] if subject["role"] == "child"]
    assert child[0]["family_name"] == world.child.family_name


def test_a_practitioner_who_sees_the_contact_may_not_decide_it(world):
    contact = imported(world)
    screened(world, contact)

    response = api_as(world.practitioner).post(
        f"/api/v1/contacts/{contact.pk}/decision/",
        {"decision": "nfa", "rationale": "Nothing further."},
        format="json",
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    contact.refresh_from_db()
    assert contact.decision == ""


def test_the_queue_is_only_for_the_hub(world):
    imported(world)
    assert api_as(world.officer).get("/api/v1/hub/queue/").status_code == 403


def test_a_decision_not_to_share_without_a_reason_is_refused_with_the_field(world):
    contact = imported(world)
    screened(world, contact)

    response = api_as(world.nurse).post(
        f"/api/v1/research-requests/{check_of(contact, 'health').pk}/answer/",
        {"answer": "not_shared", "lawful_basis": "significant_harm"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"reason_not_shared": ["Record why your agency decided not to share."]}


def test_a_late_decision_must_say_why(world):
    contact = imported(world)
    screened(world, contact)
    manager = api_as(world.manager)
    body = {"decision": "early_help", "rationale": "Support for the family."}

    with time_machine.travel(london(2025, 5, 6, 14, 0), tick=False):
        late = manager.post(f"/api/v1/contacts/{contact.pk}/decision/", body, format="json")
        assert late.status_code == 400
        assert "due by 10:00 on Tuesday 6 May 2025" in late.json()["error"]["fields"]["late_reason"][0]
        blank = manager.post(f"/api/v1/contacts/{contact.pk}/decision/", body | {"rationale": ""}, format="json")
        assert blank.json()["error"]["fields"] == {"rationale": ["Record why you made this decision."]}
        decided = manager.post(
            f"/api/v1/contacts/{contact.pk}/decision/",
            body | {"late_reason": "Awaiting police.", "close_open_checks": True},
            format="json",
        )
    assert decided.json()["late_reason"] == "Awaiting police."


def test_the_openapi_schema_describes_the_workflow_endpoints():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path in (
        "/api/v1/hub/queue/",
        "/api/v1/contacts/{id}/allocate/",
        "/api/v1/contacts/{id}/screen/",
        "/api/v1/contacts/{id}/decision/",
        "/api/v1/contacts/{id}/referrer-told/",
        "/api/v1/research-requests/",
        "/api/v1/research-requests/{id}/answer/",
    ):
        assert path in paths, path
    assert "404" in paths["/api/v1/research-requests/{id}/answer/"]["post"]["responses"]
