"""The people API: search by POST, a person's record, their chronology, and who may see what."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from safehub.people.models import ChronologyEntry, ChronologyVisibility, PersonKind, PersonName
from tests.access.factories import allocate
from tests.conftest import verify_second_factor
from tests.factories import (
    AdultFactory,
    EnrolmentFactory,
    IdentifierFactory,
    OrganisationFactory,
    PersonAddressFactory,
    PersonFactory,
    RelationshipFactory,
    SchoolFactory,
    UserFactory,
    valid_nhs_number,
)


@pytest.fixture
def officer(db):
    force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Riverside Police")
    return UserFactory(organisation=force, roles=[Role.POLICE_OFFICER])


@pytest.fixture
def client(officer):
    client = APIClient()
    client.force_authenticate(officer)
    return client


@pytest.fixture
def school(db):
    return SchoolFactory(name="Millbrook Primary School")


@pytest.fixture
def dsl_client(school):
    # A school's lead with API access (here through a second role): scoped to the roll.
    dsl = UserFactory(organisation=school, roles=[Role.DESIGNATED_SAFEGUARDING_LEAD, Role.PARTNERSHIP_ANALYST])
    client = APIClient()
    client.force_authenticate(dsl)
    return client


def search(client, **terms):
    return client.post("/api/v1/people/search/", terms, format="json")


def test_search_by_name_returns_a_paginated_list_of_summaries(client, officer):
    amelia = PersonFactory(given_names="Amelia", family_name="Hartley")
    noah = PersonFactory(given_names="Noah", family_name="Brook")
    allocate(officer, amelia, noah)

    response = search(client, name="hart")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    result = body["results"][0]
    assert result["id"] == amelia.pk
    assert result["reference"] == amelia.reference
    assert result["full_name"] == "Amelia Hartley"


def test_search_pages_are_asked_for_by_query_with_the_same_body(client, officer):
    allocate(officer, *PersonFactory.create_batch(3, family_name="Hartley"))

    first = client.post("/api/v1/people/search/?page_size=2", {"name": "Hartley"}, format="json").json()
    second = client.post("/api/v1/people/search/?page_size=2&page=2", {"name": "Hartley"}, format="json").json()

    assert first["count"] == 3
    assert len(first["results"]) == 2
    assert "Hartley" not in first["next"]
    assert len(second["results"]) == 1
    assert {p["id"] for p in first["results"]}.isdisjoint({p["id"] for p in second["results"]})


def test_search_by_nhs_number_with_spaces(client, officer):
    nhs = valid_nhs_number(42)
    identifier = IdentifierFactory(value=nhs)
    allocate(officer, identifier.person)

    body = search(client, identifier=f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}").json()

    assert [p["id"] for p in body["results"]] == [identifier.person_id]
    assert body["results"][0]["identifiers"] == [
        {"scheme": "nhs", "withheld": False, "value": nhs, "display_value": f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"}
    ]


def test_search_by_date_of_birth_and_postcode(client, officer):
    child = PersonFactory(date_of_birth=datetime.date(2015, 3, 27))
    PersonAddressFactory(person=child, address__postcode="RV1 2AB")
    allocate(officer, child, PersonFactory(date_of_birth=datetime.date(2015, 3, 27)))

    body = search(client, date_of_birth="2015-03-27", postcode="rv12ab").json()

    assert [p["id"] for p in body["results"]] == [child.pk]
    assert body["results"][0]["current_addresses"] == [{"withheld": False, "postcode": "RV1 2AB"}]


def test_search_withholds_a_confidential_postcode(client, officer):
    child = PersonFactory(family_name="Refuge")
    allocate(officer, child)
    PersonAddressFactory(person=child, address__postcode="RV9 9ZZ", is_confidential=True)

    body = search(client, name="Refuge").json()

    assert body["results"][0]["current_addresses"] == [{"withheld": True, "postcode": None}]


def test_search_rejects_a_badly_formed_date_with_the_error_shape(client):
    response = search(client, date_of_birth="27/03/2015")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400
    assert error["code"] == "invalid"
    assert error["fields"]["date_of_birth"] == ["Enter the date of birth as year-month-day, like 2015-03-27."]


def test_search_rejects_a_date_of_birth_in_the_future(client):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = search(client, date_of_birth=tomorrow.isoformat())

    assert response.status_code == 400
    assert "today or in the past" in response.json()["error"]["fields"]["date_of_birth"][0]


def test_search_rejects_an_nhs_number_whose_check_digit_is_wrong(client):
    nhs = valid_nhs_number(7)
    wrong = nhs[:9] + str((int(nhs[9]) + 1) % 10)

    response = search(client, identifier=wrong)

    assert response.status_code == 400
    assert "check digit" in response.json()["error"]["fields"]["identifier"][0]


def test_search_rejects_an_identifier_of_no_known_scheme(client):
    response = search(client, identifier="??")

    assert response.status_code == 400
    assert "NHS number" in response.json()["error"]["fields"]["identifier"][0]


def test_search_without_any_terms_says_what_to_enter(client):
    response = search(client, name="   ")

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Enter a name, date of birth, identifier or postcode to search for."


def test_search_is_not_offered_by_get(client):
    assert client.get("/api/v1/people/search/", {"name": "Hartley"}).status_code == 405


def test_search_needs_the_search_capability(dsl_client):
    response = search(dsl_client, name="Hartley")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_person_detail_gives_the_record(client, officer):
    child = PersonFactory(given_names="Amelia", family_name="Hartley", date_of_birth=datetime.date(2015, 3, 27))
    IdentifierFactory(person=child, value=valid_nhs_number(3))
    PersonName.objects.create(person=child, kind="birth", given_names="Amelia", family_name="Stone")
    PersonAddressFactory(person=child, address__line_1="1 Willow Lane", address__postcode="RV1 2AB")
    enrolment = EnrolmentFactory(person=child)
    mother = RelationshipFactory(related_to=child, person__given_names="Jo").person
    allocate(officer, child, mother)

    body = client.get(f"/api/v1/people/{child.pk}/").json()

    assert body["full_name"] == "Amelia Hartley"
    assert body["date_of_birth"] == "2015-03-27"
    assert [i["scheme"] for i in body["identifiers"]] == ["nhs"]
    assert body["other_names"][0]["family_name"] == "Stone"
    assert body["current_address"]["withheld"] is False
    assert body["current_address"]["line_1"] == "1 Willow Lane"
    assert body["relationships"] == [
        {
            "relationship": "Parent",
            "current": True,
            "visible": True,
            "kind": "adult",
            "person": {
                "id": mother.pk,
                "reference": mother.reference,
                "full_name": mother.full_name,
                "kind": "adult",
                "date_of_birth_display": mother.date_of_birth_display,
            },
        }
    ]
    assert body["enrolments"][0]["organisation"]["id"] == enrolment.organisation_id
    assert body["enrolments"][0]["end_date"] is None


def test_person_detail_withholds_a_confidential_current_address(client, officer):
    child = PersonFactory()
    allocate(officer, child)
    PersonAddressFactory(person=child, address__line_1="The Refuge", is_confidential=True)

    body = client.get(f"/api/v1/people/{child.pk}/").json()

    assert body["current_address"]["withheld"] is True
    assert body["current_address"]["line_1"] is None
    assert body["current_address"]["postcode"] is None
    assert "The Refuge" not in str(body)


def test_person_detail_gives_the_latest_current_address_not_a_past_one(client, officer):
    child = PersonFactory()
    allocate(officer, child)
    PersonAddressFactory(
        person=child,
        address__line_1="Old House",
        start_date=datetime.date(2018, 1, 1),
        end_date=datetime.date(2020, 1, 1),
    )
    PersonAddressFactory(person=child, address__line_1="New House", start_date=datetime.date(2020, 1, 2))

    body = client.get(f"/api/v1/people/{child.pk}/").json()

    assert body["current_address"]["line_1"] == "New House"


def test_unborn_child_detail_links_the_mother(client, officer):
    mother = AdultFactory()
    unborn = PersonFactory(
        kind=PersonKind.UNBORN, date_of_birth=None, mother=mother, expected_due_date=datetime.date(2027, 2, 1)
    )
    allocate(officer, mother, unborn)

    body = client.get(f"/api/v1/people/{unborn.pk}/").json()

    assert body["mother"]["id"] == mother.pk
    assert body["expected_due_date"] == "2027-02-01"


def test_dsl_sees_a_child_on_roll(dsl_client, school):
    child = EnrolmentFactory(organisation=school).person

    assert dsl_client.get(f"/api/v1/people/{child.pk}/").status_code == 200


def test_person_outside_a_dsls_roll_is_404_with_the_error_shape(dsl_client, school):
    elsewhere = EnrolmentFactory().person
    left = EnrolmentFactory(organisation=school, end_date=datetime.date(2024, 7, 19)).person

    for person in (elsewhere, left):
        response = dsl_client.get(f"/api/v1/people/{person.pk}/")
        assert response.status_code == 404
        assert response.json() == {"error": {"status": 404, "code": "not_found", "message": "Not found.", "fields": {}}}
    # The same answer as for a record that does not exist: no hint that a hidden one does.
    assert dsl_client.get("/api/v1/people/99999999/").json() == response.json()
    assert dsl_client.get(f"/api/v1/people/{elsewhere.pk}/chronology/").status_code == 404


def test_dsl_sees_the_parent_as_a_relationship_without_their_details(dsl_client, school):
    child = EnrolmentFactory(organisation=school).person
    RelationshipFactory(related_to=child)

    body = dsl_client.get(f"/api/v1/people/{child.pk}/").json()

    assert body["relationships"] == [
        {"relationship": "Parent", "current": True, "visible": False, "kind": "adult", "person": None}
    ]


def test_chronology_is_newest_first_and_hides_another_agencys_own_entries(client, officer):
    child = PersonFactory()
    allocate(officer, child)
    council = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, la_code="990")
    now = timezone.now()
    older = ChronologyEntry.objects.create(
        person=child, occurred_at=now - datetime.timedelta(days=2), category="enrolment", summary="Joined school"
    )
    newer = ChronologyEntry.objects.create(
        person=child,
        occurred_at=now - datetime.timedelta(days=1),
        category="contact",
        summary="Police attended",
        organisation=officer.organisation,
        visibility=ChronologyVisibility.RECORDING_AGENCY,
    )
    ChronologyEntry.objects.create(
        person=child,
        occurred_at=now,
        category="note",
        summary="Council internal note",
        organisation=council,
        visibility=ChronologyVisibility.RECORDING_AGENCY,
    )

    body = client.get(f"/api/v1/people/{child.pk}/chronology/").json()

    assert body["count"] == 2
    assert [entry["id"] for entry in body["results"]] == [newer.pk, older.pk]
    assert body["results"][0]["organisation"] == {"id": officer.organisation_id, "name": "Riverside Police"}


def test_people_endpoints_need_authentication(db):
    client = APIClient()

    assert client.post("/api/v1/people/search/", {"name": "Hartley"}, format="json").status_code == 401
    assert client.get("/api/v1/people/1/").status_code == 401
    assert client.get("/api/v1/people/1/chronology/").status_code == 401


def test_people_endpoints_need_api_access(db, school):
    dsl = UserFactory(organisation=school, roles=[Role.ENCOMPASS_COORDINATOR])
    child = EnrolmentFactory(organisation=school).person
    client = APIClient()
    client.force_authenticate(dsl)

    assert client.get(f"/api/v1/people/{child.pk}/").status_code == 403


def test_token_authentication_reaches_the_people_api(officer):
    child = PersonFactory(family_name="Hartley")
    allocate(officer, child)
    token = Token.objects.create(user=officer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.post("/api/v1/people/search/", {"name": "Hartley"}, format="json")

    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == [child.pk]


def test_session_post_without_csrf_token_is_refused(officer, password):
    client = APIClient(enforce_csrf_checks=True)
    client.login(username=officer.username, password=password)
    verify_second_factor(client, officer)

    response = client.post("/api/v1/people/search/", {"name": "Hartley"}, format="json")

    assert response.status_code == 403


def test_schema_documents_the_people_endpoints(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()

    assert schema["openapi"].startswith("3.1")
    assert "post" in schema["paths"]["/api/v1/people/search/"]
    assert "get" not in schema["paths"]["/api/v1/people/search/"]
    assert "/api/v1/people/{id}/" in schema["paths"]
    assert "/api/v1/people/{id}/chronology/" in schema["paths"]
    detail = schema["components"]["schemas"]["PersonDetail"]["properties"]
    assert {"identifiers", "other_names", "current_address", "relationships", "enrolments"} <= set(detail)
    assert "404" in schema["paths"]["/api/v1/people/{id}/"]["get"]["responses"]
