"""The partnership directory API: organisations, teams, the caller, and what every endpoint shares."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from tests.conftest import verify_second_factor
from tests.factories import LocalAuthorityFactory, OrganisationFactory, SchoolFactory, TeamFactory, UserFactory


@pytest.fixture
def api_user(db):
    force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Riverside Police")
    return UserFactory(organisation=force, roles=[Role.POLICE_OFFICER])


@pytest.fixture
def client(api_user):
    client = APIClient()
    client.force_authenticate(api_user)
    return client


def test_organisation_list_filters_by_kind(client):
    school = SchoolFactory(name="Millbrook Primary School")

    response = client.get("/api/v1/organisations/", {"kind": "school"})

    assert response.status_code == 200
    assert [org["id"] for org in response.json()["results"]] == [school.pk]
    assert response.json()["results"][0]["local_authority"]["la_code"] == school.local_authority.la_code


def test_organisation_list_searches_by_name_and_urn(client):
    millbrook = SchoolFactory(name="Millbrook Primary School", urn=990123)
    SchoolFactory(name="Hill Top Primary School")

    by_name = client.get("/api/v1/organisations/", {"q": "millbrook"}).json()
    by_urn = client.get("/api/v1/organisations/", {"q": "990123"}).json()

    assert [org["id"] for org in by_name["results"]] == [millbrook.pk]
    assert [org["id"] for org in by_urn["results"]] == [millbrook.pk]


def test_urn_search_respects_the_kind_filter(client):
    SchoolFactory(urn=990123)

    response = client.get("/api/v1/organisations/", {"q": "990123", "kind": "police_force"})

    assert response.json()["count"] == 0


def test_organisation_list_rejects_an_unknown_kind_with_the_error_shape(client):
    response = client.get("/api/v1/organisations/", {"kind": "castle"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400
    assert "kind" in error["fields"]


def test_organisation_list_is_paginated(client):
    SchoolFactory.create_batch(3)

    body = client.get("/api/v1/organisations/", {"kind": "school", "page_size": 2}).json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert "page=2" in body["next"]


def test_organisation_detail_gives_school_fields(client):
    school = SchoolFactory(name="Millbrook Primary School", urn=990001, postcode="RV1 2AB")

    body = client.get(f"/api/v1/organisations/{school.pk}/").json()

    assert body["urn"] == 990001
    assert body["kind"] == "school"
    assert body["school_day_starts"] == "08:45:00"
    assert body["local_authority"]["id"] == school.local_authority_id


def test_organisation_detail_of_a_non_school_has_no_school_day(client, api_user):
    body = client.get(f"/api/v1/organisations/{api_user.organisation_id}/").json()

    assert body["school_day_starts"] is None


def test_unknown_organisation_is_404_with_the_error_shape(client):
    response = client.get("/api/v1/organisations/999999/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_organisation_teams_lists_teams_with_active_member_counts(client):
    council = LocalAuthorityFactory()
    duty = TeamFactory(organisation=council, name="Duty and assessment", is_duty_team=True)
    UserFactory(organisation=council).teams.add(duty)
    UserFactory(organisation=council, is_active=False).teams.add(duty)
    TeamFactory(organisation=council, name="Early help")

    body = client.get(f"/api/v1/organisations/{council.pk}/teams/").json()

    assert [(t["name"], t["member_count"], t["is_duty_team"]) for t in body["results"]] == [
        ("Duty and assessment", 1, True),
        ("Early help", 0, False),
    ]


def test_me_describes_the_caller(client, api_user):
    team = TeamFactory(organisation=api_user.organisation, name="Child abuse investigation")
    api_user.teams.add(team)

    body = client.get("/api/v1/me/").json()

    assert body["username"] == api_user.username
    assert body["organisation"] == {"id": api_user.organisation_id, "name": "Riverside Police", "kind": "police_force"}
    assert body["teams"] == [{"id": team.pk, "name": "Child abuse investigation"}]
    assert body["roles"] == [{"code": "police_officer", "label": "Police officer"}]
    assert "search_people" in body["capabilities"]
    assert "manage_settings" not in body["capabilities"]


def test_me_is_open_to_a_user_without_api_access(db):
    dsl = UserFactory(roles=[Role.PRIVACY_OFFICER])
    client = APIClient()
    client.force_authenticate(dsl)

    body = client.get("/api/v1/me/").json()

    assert "use_api" not in body["capabilities"]


def test_directory_needs_api_access(db):
    dsl = UserFactory(roles=[Role.PRIVACY_OFFICER])
    client = APIClient()
    client.force_authenticate(dsl)

    response = client.get("/api/v1/organisations/")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("url", ["/api/v1/organisations/", "/api/v1/me/"])
def test_unauthenticated_request_is_401_with_the_error_shape(db, url):
    response = APIClient().get(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["status"] == 401


def test_token_authentication_works(api_user):
    token = Token.objects.create(user=api_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json()["id"] == api_user.pk


def test_wrong_token_is_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")

    assert client.get("/api/v1/me/").status_code == 401


def test_token_of_a_deactivated_user_is_refused(api_user):
    token = Token.objects.create(user=api_user)
    api_user.is_active = False
    api_user.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert client.get("/api/v1/me/").status_code == 401


def test_session_authentication_works_once_the_second_factor_is_verified(api_user, password):
    client = APIClient()
    assert client.login(username=api_user.username, password=password)

    response = client.get("/api/v1/organisations/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "second_factor_required"
    assert set(response.json()["error"]) == {"status", "code", "message", "fields"}  # the one error shape

    verify_second_factor(client, api_user)
    assert client.get("/api/v1/organisations/").status_code == 200


def test_schema_is_openapi_3_1_and_documents_the_directory(client):
    response = client.get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    for path in (
        "/api/v1/organisations/",
        "/api/v1/organisations/{id}/",
        "/api/v1/organisations/{id}/teams/",
        "/api/v1/me/",
    ):
        assert path in schema["paths"]
    list_200 = schema["paths"]["/api/v1/organisations/"]["get"]["responses"]["200"]
    assert list_200["content"]["application/json"]["schema"]["$ref"].endswith("PaginatedOrganisationListItemList")
    assert "Error" in schema["components"]["schemas"]
