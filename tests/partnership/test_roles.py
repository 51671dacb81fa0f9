"""Roles and capabilities: the one table of who may do what."""

import pytest

from safehub.partnership.roles import CAPABILITIES, Capability, Role, capabilities_of, has_capability
from tests.factories import UserFactory

PEOPLE_CAPABILITIES = {Capability.SEARCH_PEOPLE, Capability.VIEW_PERSON, Capability.VIEW_SCHOOL_ROLL}


def test_every_role_has_an_entry_in_the_capability_table():
    assert set(CAPABILITIES) == set(Role)


def test_every_capability_is_granted_to_some_role():
    granted = set().union(*CAPABILITIES.values())

    assert granted == set(Capability)


def test_designated_safeguarding_lead_sees_the_roll_but_cannot_search_people():
    dsl = CAPABILITIES[Role.DESIGNATED_SAFEGUARDING_LEAD]

    assert Capability.VIEW_SCHOOL_ROLL in dsl
    assert Capability.SEARCH_PEOPLE not in dsl


@pytest.mark.parametrize(
    "role",
    [Role.HUB_PRACTITIONER, Role.SOCIAL_WORKER, Role.POLICE_OFFICER, Role.HEALTH_PRACTITIONER],
)
def test_practitioners_search_and_view_people(role):
    assert {Capability.SEARCH_PEOPLE, Capability.VIEW_PERSON} <= CAPABILITIES[role]


@pytest.mark.parametrize("role", [Role.PARTNERSHIP_ANALYST, Role.PRIVACY_OFFICER, Role.SYSTEM_ADMIN])
def test_analysts_privacy_officers_and_administrators_read_no_person(role):
    assert CAPABILITIES[role].isdisjoint(PEOPLE_CAPABILITIES)


def test_only_system_administrators_manage_settings_and_calendars():
    for role, capabilities in CAPABILITIES.items():
        manages = {Capability.MANAGE_SETTINGS, Capability.MANAGE_CALENDARS, Capability.MANAGE_DIRECTORY} & capabilities
        assert bool(manages) == (role == Role.SYSTEM_ADMIN), role


def test_only_the_privacy_officer_reviews_access():
    assert [role for role, caps in CAPABILITIES.items() if Capability.REVIEW_ACCESS in caps] == [Role.PRIVACY_OFFICER]


def test_capabilities_of_several_roles_are_their_union():
    combined = capabilities_of([Role.DESIGNATED_SAFEGUARDING_LEAD, Role.PARTNERSHIP_ANALYST])

    assert Capability.VIEW_SCHOOL_ROLL in combined
    assert Capability.VIEW_PERFORMANCE in combined
    assert Capability.SEARCH_PEOPLE not in combined


def test_has_capability_follows_the_users_roles(db):
    officer = UserFactory(roles=[Role.POLICE_OFFICER])
    nobody = UserFactory(roles=[])

    assert has_capability(officer, Capability.SEARCH_PEOPLE)
    assert not has_capability(officer, Capability.VIEW_SCHOOL_ROLL)
    assert not has_capability(nobody, Capability.VIEW_DIRECTORY)


def test_a_deactivated_user_has_no_capabilities(db):
    officer = UserFactory(roles=[Role.POLICE_OFFICER], is_active=False)

    assert not has_capability(officer, Capability.SEARCH_PEOPLE)


def test_an_anonymous_user_has_no_capabilities():
    from django.contrib.auth.models import AnonymousUser

    assert not has_capability(AnonymousUser(), Capability.VIEW_DIRECTORY)  # type: ignore[arg-type]
