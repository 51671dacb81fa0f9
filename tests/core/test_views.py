"""Sign-in, sign-out, home pages and the HTTP protections every page gets."""

import pytest
from django.urls import reverse

from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from tests.conftest import authenticator_code, enrolled_authenticator
from tests.factories import EnrolmentFactory, OrganisationFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_home_redirects_anonymous_users_to_sign_in(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:sign-in"))


def test_signing_in_with_the_right_password_and_code_lands_on_home(client, social_worker, password):
    device = enrolled_authenticator(social_worker)
    response = client.post(
        reverse("core:sign-in"), {"username": social_worker.username, "password": password}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("core:mfa-verify")

    response = client.post(reverse("core:mfa-verify"), {"code": authenticator_code(device)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("core:home")
    assert b"Find a person" in response.content


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, social_worker):
    response = client.post(reverse("core:sign-in"), {"username": social_worker.username, "password": "nope"})
    assert response.status_code == 200
    assert b"Enter a correct username and password" in response.content
    assert b"There is a problem" in response.content
    assert "_auth_user_id" not in client.session


def test_sign_out_needs_a_post_and_ends_the_session(client, social_worker):
    client.force_login(social_worker)
    assert client.get(reverse("core:sign-out")).status_code == 405
    client.post(reverse("core:sign-out"))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("core:home")).status_code == 302


def test_signing_in_gives_a_new_session_id(client, social_worker, password):
    client.get(reverse("core:sign-in"))
    client.cookies["sessionid"] = "attacker-chosen-session-id"
    client.post(reverse("core:sign-in"), {"username": social_worker.username, "password": password})
    assert client.cookies["sessionid"].value != "attacker-chosen-session-id"


def test_designated_safeguarding_lead_home_shows_their_roll_not_a_search(client):
    school = SchoolFactory()
    EnrolmentFactory.create_batch(3, organisation=school)
    EnrolmentFactory(organisation=SchoolFactory())  # another school's pupil
    dsl = UserFactory(organisation=school, roles=[Role.DESIGNATED_SAFEGUARDING_LEAD])
    client.force_login(dsl)
    response = client.get(reverse("core:home"))
    assert response.context["roll_count"] == 3
    assert response.context["can_search"] is False
    assert b"Your pupils" in response.content
    assert b"The next school day starts" in response.content
    assert f'href="{reverse("people:search")}"'.encode() not in response.content


def test_privacy_officer_home_lists_roles_without_personal_records(client):
    officer = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, la_code="991"),
        roles=[Role.PRIVACY_OFFICER],
    )
    client.force_login(officer)
    response = client.get(reverse("core:home"))
    rows = {row["role"]: row["count"] for row in response.context["users_by_role"]}
    assert rows["Privacy officer"] == 1
    assert b"Find a person" not in response.content


def test_pages_for_signed_in_users_are_never_cached(client, social_worker):
    client.force_login(social_worker)
    response = client.get(reverse("core:home"))
    assert "no-store" in response["Cache-Control"]


def test_pages_carry_a_content_security_policy_without_inline_script(client):
    response = client.get(reverse("core:sign-in"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert b"<script>" not in response.content


def test_status_page_says_the_worker_is_not_running_until_it_beats(client, social_worker):
    from safehub.core.services import record_worker_heartbeat

    client.force_login(social_worker)
    assert client.get(reverse("core:status")).context["worker_running"] is False
    record_worker_heartbeat()
    assert client.get(reverse("core:status")).context["worker_running"] is True
