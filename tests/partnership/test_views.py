"""The directory pages: organisations by kind and name, an organisation, and a team."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from tests.factories import LocalAuthorityFactory, OrganisationFactory, SchoolFactory, TeamFactory, UserFactory

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def signed_in(client, db):
    user = UserFactory(roles=[Role.SOCIAL_WORKER])
    client.force_login(user)
    return client


def test_directory_filters_by_kind(signed_in):
    school = SchoolFactory(name="Millbrook Primary School")
    OrganisationFactory(kind=OrganisationKind.GP_PRACTICE, name="Millbrook Surgery")

    response = signed_in.get("/partnership/", {"kind": "school"})

    assert list(response.context["page"].object_list) == [school]


def test_directory_filters_by_name_postcode_or_urn(signed_in):
    millbrook = SchoolFactory(name="Millbrook Primary School", urn=990123, postcode="RV1 2AB")
    SchoolFactory(name="Hill Top Primary School", postcode="RV9 9ZZ")

    for term in ("millbrook", "RV1", "990123"):
        response = signed_in.get("/partnership/", {"name": term})
        assert list(response.context["page"].object_list) == [millbrook], term


def test_directory_ignores_an_unknown_kind_and_says_so(signed_in):
    SchoolFactory()

    response = signed_in.get("/partnership/", {"kind": "castle"})

    assert response.status_code == 200
    assert response.context["form"].errors["kind"]


@time_machine.travel(datetime.datetime(2026, 11, 27, 10, 0, tzinfo=LONDON))  # a Friday, after the bell
def test_school_page_shows_the_next_school_day(client, db):
    # Signed in at the travelled-to time: a session from before the jump would have timed out.
    client.force_login(UserFactory(roles=[Role.SOCIAL_WORKER]))
    school = SchoolFactory(name="Millbrook Primary School", school_day_starts=datetime.time(8, 50))

    response = client.get(f"/partnership/organisations/{school.pk}/")

    assert response.status_code == 200
    assert response.context["next_school_day"] == datetime.datetime(2026, 11, 30, 8, 50, tzinfo=LONDON)
    assert "Monday 30 November 2026, 08:50" in response.content.decode()


def test_page_of_an_organisation_that_is_not_a_school_has_no_school_day(signed_in):
    council = LocalAuthorityFactory(name="Riverside Council")

    response = signed_in.get(f"/partnership/organisations/{council.pk}/")

    assert response.status_code == 200
    assert "next_school_day" not in response.context
    assert "Next school day" not in response.content.decode()


def test_organisation_page_lists_its_teams(signed_in):
    team = TeamFactory(name="Child abuse investigation team")

    response = signed_in.get(f"/partnership/organisations/{team.organisation_id}/")

    assert "Child abuse investigation team" in response.content.decode()


def test_unknown_organisation_is_404(signed_in):
    assert signed_in.get("/partnership/organisations/999999/").status_code == 404


def test_team_page_lists_active_members_with_their_roles(signed_in):
    team = TeamFactory(name="Duty and assessment")
    UserFactory(
        organisation=team.organisation, first_name="Priya", last_name="Shah", roles=[Role.TEAM_MANAGER]
    ).teams.add(team)
    UserFactory(organisation=team.organisation, first_name="Former", last_name="Member", is_active=False).teams.add(
        team
    )

    response = signed_in.get(f"/partnership/teams/{team.pk}/")

    html = response.content.decode()
    assert "Priya Shah" in html
    assert "Team manager" in html
    assert "Former Member" not in html


def test_directory_needs_the_directory_capability(client, db):
    client.force_login(UserFactory(roles=[]))

    assert client.get("/partnership/").status_code == 403
