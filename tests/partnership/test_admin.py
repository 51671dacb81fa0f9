"""The directory admin: pages load, search works, and a user's teams stay in their organisation."""

import pytest

from safehub.partnership.models import OrganisationKind, RoleAssignment, User
from safehub.partnership.roles import Role
from tests.factories import LocalAuthorityFactory, OrganisationFactory, SchoolFactory, TeamFactory, UserFactory


@pytest.fixture
def admin_client(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_organisation_list_searches_by_urn_and_filters_by_local_authority(admin_client):
    riverside = LocalAuthorityFactory(name="Riverside Council", la_code="990")
    millbrook = SchoolFactory(name="Millbrook Primary", urn=990001, local_authority=riverside)
    SchoolFactory(name="Hill Top Primary", urn=991001)

    by_urn = admin_client.get("/admin/partnership/organisation/", {"q": "990001"})
    by_la = admin_client.get("/admin/partnership/organisation/", {"local_authority": riverside.pk})
    by_text = admin_client.get("/admin/partnership/organisation/", {"q": "Hill"})

    assert list(by_urn.context["cl"].queryset) == [millbrook]
    assert list(by_la.context["cl"].queryset) == [millbrook]
    assert [org.name for org in by_text.context["cl"].queryset] == ["Hill Top Primary"]


def test_organisation_page_shows_its_teams_inline(admin_client):
    team = TeamFactory(name="Duty and assessment")

    response = admin_client.get(f"/admin/partnership/organisation/{team.organisation_id}/change/")

    assert response.status_code == 200
    assert "Duty and assessment" in response.content.decode()


def test_user_page_shows_role_assignments(admin_client):
    user = UserFactory(roles=[Role.POLICE_OFFICER])

    response = admin_client.get(f"/admin/partnership/user/{user.pk}/change/")

    assert response.status_code == 200
    assert 'value="police_officer" selected' in response.content.decode()


def test_admin_refuses_a_team_from_another_organisation(admin_client):
    force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE)
    user = UserFactory(organisation=force)
    other_team = TeamFactory(name="Somebody else's team")
    page = admin_client.get(f"/admin/partnership/user/{user.pk}/change/")
    form = page.context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if key not in {"password", "groups", "user_permissions", "teams", "last_login", "date_joined"}
    }
    data |= {
        "organisation": force.pk,
        "teams": [other_team.pk],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "role_assignments-TOTAL_FORMS": "0",
        "role_assignments-INITIAL_FORMS": "0",
    }
    data = {key: "" if value is None else value for key, value in data.items()}

    response = admin_client.post(f"/admin/partnership/user/{user.pk}/change/", data)

    assert response.status_code == 200
    assert "must belong to the user&#x27;s organisation" in response.content.decode()
    assert not User.objects.get(pk=user.pk).teams.exists()


def test_admin_adds_a_user_in_an_organisation(admin_client):
    force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE)

    response = admin_client.post(
        "/admin/partnership/user/add/",
        {
            "username": "new.officer",
            "first_name": "Sam",
            "last_name": "Reed",
            "email": "sam.reed@example.invalid",
            "organisation": force.pk,
            "job_title": "Detective constable",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
            "role_assignments-TOTAL_FORMS": "1",
            "role_assignments-INITIAL_FORMS": "0",
            "role_assignments-0-role": "police_officer",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(username="new.officer")
    assert user.organisation == force
    assert RoleAssignment.objects.filter(user=user, role="police_officer").exists()


def test_resetting_a_users_second_factor_removes_their_authenticator_and_is_audited(admin_client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safehub.audit.models import AuditEvent

    officer = UserFactory(username="lost.phone")
    TOTPDevice.objects.create(user=officer, name="Authenticator", confirmed=True)
    response = admin_client.post(
        "/admin/partnership/user/", {"action": "reset_second_factor", "_selected_action": [officer.pk]}, follow=True
    )
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert AuditEvent.objects.filter(action="mfa.reset", object_id=str(officer.pk)).exists()
