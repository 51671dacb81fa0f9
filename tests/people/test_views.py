"""The people pages: search by POST, a person's record, and the school roll."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from safehub.people.models import ChronologyEntry, ChronologyVisibility
from tests.access.factories import allocate
from tests.factories import (
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
    return UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Riverside Police"),
        roles=[Role.POLICE_OFFICER],
    )


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def school(db):
    return SchoolFactory(name="Millbrook Primary School")


@pytest.fixture
def dsl_client(client, school):
    client.force_login(UserFactory(organisation=school, roles=[Role.DESIGNATED_SAFEGUARDING_LEAD]))
    return client


def test_search_is_posted_and_redirects_to_an_opaque_key_without_personal_data(officer_client, officer):
    child = PersonFactory(given_names="Amelia", family_name="Hartley", date_of_birth=datetime.date(2015, 3, 27))
    allocate(officer, child)
    nhs = valid_nhs_number(9)
    IdentifierFactory(person=child, value=nhs)

    response = officer_client.post(
        "/people/", {"name": "Hartley", "date_of_birth": "27/03/2015", "identifier": nhs, "postcode": ""}
    )

    assert response.status_code == 302
    location = response["Location"]
    assert set(parse_qs(urlsplit(location).query)) == {"q"}
    for personal in ("Hartley", "2015", nhs):
        assert personal not in location
    results = officer_client.get(location)
    assert results.status_code == 200
    assert child in results.context["page"].object_list
    assert "Amelia Hartley" in results.content.decode()


def test_search_terms_in_the_url_are_ignored(officer_client, officer):
    allocate(officer, PersonFactory(family_name="Hartley"))

    response = officer_client.get("/people/", {"name": "Hartley"})

    assert response.context["page"] is None
    assert "Hartley" not in response.content.decode()


def test_search_key_from_another_session_finds_nothing(officer_client, officer):
    allocate(officer, PersonFactory(family_name="Hartley"))
    location = officer_client.post("/people/", {"name": "Hartley"})["Location"]
    officer_client.logout()
    officer_client.force_login(officer)  # a new session

    assert officer_client.get(location).context["page"] is None


def test_empty_search_is_refused_with_a_message_on_the_page(officer_client):
    response = officer_client.post("/people/", {"name": "", "date_of_birth": "", "identifier": "", "postcode": ""})

    assert response.status_code == 200
    assert "Enter a name, date of birth, identifier or postcode to search for." in response.content.decode()


def test_search_page_needs_the_search_capability(dsl_client):
    assert dsl_client.get("/people/").status_code == 403


def test_person_page_shows_identifiers_household_and_chronology_newest_first(officer_client, officer):
    child = PersonFactory(given_names="Amelia", family_name="Hartley")
    nhs = valid_nhs_number(21)
    IdentifierFactory(person=child, value=nhs)
    mother = RelationshipFactory(related_to=child, person__given_names="Joanne", person__family_name="Hartley").person
    allocate(officer, child, mother)
    council = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, la_code="990", name="Riverside Council")
    now = timezone.now()
    ChronologyEntry.objects.create(
        person=child, occurred_at=now - datetime.timedelta(days=3), category="enrolment", summary="Joined Millbrook"
    )
    ChronologyEntry.objects.create(
        person=child, occurred_at=now - datetime.timedelta(days=1), category="contact", summary="Referral received"
    )
    ChronologyEntry.objects.create(
        person=child,
        occurred_at=now,
        category="note",
        summary="Council internal case note",
        organisation=council,
        visibility=ChronologyVisibility.RECORDING_AGENCY,
    )

    response = officer_client.get(f"/people/{child.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}" in html
    assert mother.get_absolute_url() in html
    assert "Joanne Hartley" in html
    assert html.index("Referral received") < html.index("Joined Millbrook")
    assert "Council internal case note" not in html


def test_person_page_withholds_a_confidential_address(officer_client, officer):
    child = PersonFactory()
    allocate(officer, child)
    PersonAddressFactory(person=child, address__line_1="The Refuge", is_confidential=True)

    html = officer_client.get(f"/people/{child.pk}/").content.decode()

    assert "The Refuge" not in html
    assert "Address withheld" in html


def test_dsl_opens_a_child_on_roll(dsl_client, school):
    child = EnrolmentFactory(organisation=school).person

    assert dsl_client.get(f"/people/{child.pk}/").status_code == 200


def test_dsl_gets_404_for_a_child_not_on_roll(dsl_client, school):
    elsewhere = EnrolmentFactory().person
    left = EnrolmentFactory(organisation=school, end_date=datetime.date(2024, 7, 19)).person

    assert dsl_client.get(f"/people/{elsewhere.pk}/").status_code == 404
    assert dsl_client.get(f"/people/{left.pk}/").status_code == 404


def test_dsl_sees_the_roll_and_filters_it_by_post(dsl_client, school):
    EnrolmentFactory(organisation=school, person__given_names="Zara", person__family_name="Young")
    EnrolmentFactory(organisation=school, person__given_names="Adam", person__family_name="Abbott")

    full = dsl_client.get("/people/pupils/")
    filtered = dsl_client.post("/people/pupils/", {"name": "Young"})

    assert full.context["page"].paginator.count == 2
    assert filtered.status_code == 302
    assert "Young" not in filtered["Location"]
    assert [e.person.family_name for e in dsl_client.get(filtered["Location"]).context["page"]] == ["Young"]


def test_police_officer_without_the_roll_capability_gets_403_on_pupils(officer_client):
    assert officer_client.get("/people/pupils/").status_code == 403


def test_people_pages_need_sign_in(client, db):
    response = client.get("/people/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:sign-in"))
