"""The access matrix: role x organisation x relationship x object, through the pages and the API.

Each case states what the user should be able to read and checks both ways in: nobody
reads what they should not (a hidden person is 404 on the page and in the API, exactly
like one that does not exist) and everybody reads what they need.
"""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from safehub.access import policy
from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from safehub.people.models import ChronologyEntry, ChronologyVisibility, IdentifierScheme
from tests.access.factories import BreakGlassGrantFactory, LegitimateRelationshipFactory
from tests.conftest import SignedInClient
from tests.factories import (
    EnrolmentFactory,
    IdentifierFactory,
    OrganisationFactory,
    PersonAddressFactory,
    PersonFactory,
    SchoolFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOME_KIND = {
    Role.HUB_PRACTITIONER: OrganisationKind.LOCAL_AUTHORITY,
    Role.SOCIAL_WORKER: OrganisationKind.LOCAL_AUTHORITY,
    Role.TEAM_MANAGER: OrganisationKind.LOCAL_AUTHORITY,
    Role.POLICE_OFFICER: OrganisationKind.POLICE_FORCE,
    Role.POLICE_SUPERVISOR: OrganisationKind.POLICE_FORCE,
    Role.HEALTH_PRACTITIONER: OrganisationKind.HEALTH_TRUST,
    Role.DESIGNATED_SAFEGUARDING_LEAD: OrganisationKind.SCHOOL,
    Role.PARTNERSHIP_ANALYST: OrganisationKind.LOCAL_AUTHORITY,
    Role.PARTNERSHIP_MANAGER: OrganisationKind.OTHER,
    Role.PRIVACY_OFFICER: OrganisationKind.LOCAL_AUTHORITY,
    Role.SYSTEM_ADMIN: OrganisationKind.LOCAL_AUTHORITY,
    Role.ENCOMPASS_COORDINATOR: OrganisationKind.LOCAL_AUTHORITY,
    Role.MISSING_COORDINATOR: OrganisationKind.LOCAL_AUTHORITY,
    Role.RHI_WORKER: OrganisationKind.OTHER,
    Role.DISCLOSURE_OFFICER: OrganisationKind.POLICE_FORCE,
    Role.DISCLOSURE_SUPERVISOR: OrganisationKind.POLICE_FORCE,
}
FRONT_DOOR = {Role.HUB_PRACTITIONER, Role.TEAM_MANAGER}
RELATED_ONLY = {Role.SOCIAL_WORKER, Role.POLICE_OFFICER, Role.POLICE_SUPERVISOR, Role.HEALTH_PRACTITIONER}
# A provider's interview worker reads the children referred to it on the interview only.
# A disclosure unit reads its DBS checks and no one's record in the index.
NO_RECORDS = {
    Role.PARTNERSHIP_ANALYST,
    Role.PARTNERSHIP_MANAGER,
    Role.PRIVACY_OFFICER,
    Role.SYSTEM_ADMIN,
    Role.RHI_WORKER,
    Role.DISCLOSURE_OFFICER,
    Role.DISCLOSURE_SUPERVISOR,
}

RELATIONSHIPS = [
    "none",
    "user_allocation",
    "team_allocation",
    "expired_allocation",
    "revoked_allocation",
    "break_glass_active",
    "break_glass_expired",
    "on_the_schools_roll",
]
GRANTING = {"user_allocation", "team_allocation", "break_glass_active"}


def organisation_of_kind(kind):
    if kind == OrganisationKind.SCHOOL:
        return SchoolFactory()
    extra = {"la_code": "977"} if kind == OrganisationKind.LOCAL_AUTHORITY else {}
    return OrganisationFactory(kind=kind, **extra)


def make_user(role, kind=None):
    organisation = organisation_of_kind(kind or HOME_KIND[role])
    # The API needs USE_API; a school's lead and the Encompass coordinator get it through a
    # second role, as in tests/people.
    without_api = {Role.DESIGNATED_SAFEGUARDING_LEAD, Role.ENCOMPASS_COORDINATOR, Role.RHI_WORKER}
    roles = [role, Role.PARTNERSHIP_ANALYST] if role in without_api else [role]
    user = UserFactory(organisation=organisation, roles=roles)
    user.teams.add(TeamFactory(organisation=organisation))
    return user


def relate(user, person, relationship):
    now = timezone.now()
    match relationship:
        case "user_allocation":
            LegitimateRelationshipFactory(user=user, person=person)
        case "team_allocation":
            LegitimateRelationshipFactory(user=None, team=user.teams.get(), person=person)
        case "expired_allocation":
            LegitimateRelationshipFactory(
                user=user, person=person, starts_at=now - datetime.timedelta(days=30), expires_at=now
            )
        case "revoked_allocation":
            LegitimateRelationshipFactory(user=user, person=person, revoked_at=now - datetime.timedelta(minutes=1))
        case "break_glass_active":
            BreakGlassGrantFactory(user=user, person=person)
        case "break_glass_expired":
            BreakGlassGrantFactory(
                user=user,
                person=person,
                starts_at=now - datetime.timedelta(hours=5),
                expires_at=now - datetime.timedelta(hours=1),
            )
        case "on_the_schools_roll":
            if user.organisation.is_education:
                EnrolmentFactory(person=person, organisation=user.organisation)
            else:
                EnrolmentFactory(person=person)


def should_see_person(role, relationship):
    if role in FRONT_DOOR:
        return True
    if role in RELATED_ONLY:
        return relationship in GRANTING
    if role == Role.DESIGNATED_SAFEGUARDING_LEAD:
        return relationship == "on_the_schools_roll"
    if role in {Role.ENCOMPASS_COORDINATOR, Role.MISSING_COORDINATOR}:
        # Children notified to the council come with a relationship; no emergency access.
        return relationship in {"user_allocation", "team_allocation"}
    return False


def web_client(user):
    client = SignedInClient()
    client.force_login(user)
    return client


def api_client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("relationship", RELATIONSHIPS)
@pytest.mark.parametrize("role", list(Role))
def test_asking_by_id_gives_the_same_answer_as_the_visible_list(role, relationship):
    """`may_open_person` is the fast path of `visible_persons`: never a different answer."""
    user = make_user(role)
    child, stranger = PersonFactory(), PersonFactory()
    relate(user, child, relationship)
    for person in (child, stranger):
        listed = policy.visible_persons(user).filter(pk=person.pk).exists()
        assert policy.may_open_person(user, person.pk) == listed
    assert not policy.may_open_person(user, stranger.pk + child.pk + 1000)


NOT_FOUND = {"error": {"status": 404, "code": "not_found", "message": "Not found.", "fields": {}}}


@pytest.mark.parametrize("relationship", RELATIONSHIPS)
@pytest.mark.parametrize("role", list(Role))
def test_person_record_through_the_page_and_the_api(role, relationship):
    user = make_user(role)
    child = PersonFactory(given_names="Matrix", family_name="Child")
    relate(user, child, relationship)
    expected = should_see_person(role, relationship)

    page = web_client(user).get(f"/people/{child.pk}/")
    api = api_client(user)
    detail = api.get(f"/api/v1/people/{child.pk}/")
    chronology = api.get(f"/api/v1/people/{child.pk}/chronology/")

    if role in NO_RECORDS:
        # No people pages at all for these roles: refused by capability before any record is looked up.
        assert page.status_code == 403
        assert "Matrix Child" not in page.content.decode()
        assert detail.status_code in (403, 404)
        assert "Matrix" not in detail.content.decode()
        return
    if expected:
        assert page.status_code == 200
        assert "Matrix Child" in page.content.decode()
        assert detail.status_code == 200
        assert detail.json()["full_name"] == "Matrix Child"
        assert chronology.status_code == 200
    else:
        assert page.status_code == 404
        assert "Matrix" not in page.content.decode()
        assert detail.status_code == 404
        assert detail.json() == NOT_FOUND
        assert chronology.status_code == 404
        assert chronology.json() == NOT_FOUND
        # The same answer as a record that does not exist: no hint that a hidden one does.
        assert api.get("/api/v1/people/99999999/").json() == detail.json()


@pytest.mark.parametrize("relationship", RELATIONSHIPS)
@pytest.mark.parametrize("role", sorted(RELATED_ONLY | FRONT_DOOR))
def test_search_finds_only_people_in_scope(role, relationship):
    user = make_user(role)
    child = PersonFactory(family_name="Searchable")
    relate(user, child, relationship)

    body = api_client(user).post("/api/v1/people/search/", {"name": "Searchable"}, format="json").json()

    assert [p["id"] for p in body["results"]] == ([child.pk] if should_see_person(role, relationship) else [])


# Chronology: what each kind of agency reads of a child they may open ---------------------------

ENTRY_KINDS = ["own_agency_only", "other_partnership", "other_agency_only", "shared_with_viewer", "no_agency"]


def should_see_entry(viewer_kind, entry_kind):
    if entry_kind in ("own_agency_only", "shared_with_viewer"):
        return True
    if entry_kind == "other_agency_only":
        return False
    statutory = viewer_kind in (
        OrganisationKind.LOCAL_AUTHORITY,
        OrganisationKind.POLICE_FORCE,
        OrganisationKind.HEALTH_TRUST,
        OrganisationKind.GP_PRACTICE,
    )
    return statutory  # partnership-wide entries (and ones no agency recorded) only for statutory partners


@pytest.mark.parametrize("entry_kind", ENTRY_KINDS)
@pytest.mark.parametrize(
    ("role", "kind"),
    [
        (Role.SOCIAL_WORKER, OrganisationKind.LOCAL_AUTHORITY),
        (Role.POLICE_OFFICER, OrganisationKind.POLICE_FORCE),
        (Role.HEALTH_PRACTITIONER, OrganisationKind.HEALTH_TRUST),
        (Role.HEALTH_PRACTITIONER, OrganisationKind.GP_PRACTICE),
        (Role.HEALTH_PRACTITIONER, OrganisationKind.OTHER),
        (Role.DESIGNATED_SAFEGUARDING_LEAD, OrganisationKind.SCHOOL),
    ],
)
def test_chronology_entry_through_the_page_and_the_api(role, kind, entry_kind):
    user = make_user(role, kind)
    child = PersonFactory()
    relate(user, child, "on_the_schools_roll" if role == Role.DESIGNATED_SAFEGUARDING_LEAD else "user_allocation")
    other = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE if kind != OrganisationKind.POLICE_FORCE else "icb")
    organisation, visibility = {
        "own_agency_only": (user.organisation, ChronologyVisibility.RECORDING_AGENCY),
        "other_partnership": (other, ChronologyVisibility.PARTNERSHIP),
        "other_agency_only": (other, ChronologyVisibility.RECORDING_AGENCY),
        "shared_with_viewer": (other, ChronologyVisibility.RECORDING_AGENCY),
        "no_agency": (None, ChronologyVisibility.PARTNERSHIP),
    }[entry_kind]
    entry = ChronologyEntry.objects.create(
        person=child,
        occurred_at=timezone.now(),
        category="note",
        summary="Matrix chronology entry",
        organisation=organisation,
        visibility=visibility,
    )
    if entry_kind == "shared_with_viewer":
        entry.shared_with.add(user.organisation)
    expected = should_see_entry(kind, entry_kind)

    page = web_client(user).get(f"/people/{child.pk}/")
    body = api_client(user).get(f"/api/v1/people/{child.pk}/chronology/").json()

    assert page.status_code == 200
    assert ("Matrix chronology entry" in page.content.decode()) is expected
    assert ([e["id"] for e in body["results"]] == [entry.pk]) is expected
    assert body["count"] == (1 if expected else 0)


# Sensitive fields: shown to those who may see them, "Withheld" to everyone else ----------------

FIELD_READERS = {
    "confidential_address": {Role.HUB_PRACTITIONER, Role.SOCIAL_WORKER, Role.TEAM_MANAGER},
    "police_reference": {Role.HUB_PRACTITIONER, Role.POLICE_OFFICER, Role.POLICE_SUPERVISOR},
}
RECORD_READERS = sorted(FRONT_DOOR | RELATED_ONLY | {Role.DESIGNATED_SAFEGUARDING_LEAD})


def person_with_sensitive_fields():
    child = PersonFactory(family_name="Sensitive")
    PersonAddressFactory(
        person=child, address__line_1="Safe House Refuge", address__postcode="RV8 8ZZ", is_confidential=True
    )
    IdentifierFactory(person=child, scheme=IdentifierScheme.POLICE_REFERENCE, value="PR/24/007734")
    return child


@pytest.mark.parametrize("role", RECORD_READERS)
def test_confidential_address_through_the_page_search_and_the_api(role):
    user = make_user(role)
    child = person_with_sensitive_fields()
    relate(user, child, "on_the_schools_roll" if role == Role.DESIGNATED_SAFEGUARDING_LEAD else "user_allocation")
    may_see = role in FIELD_READERS["confidential_address"]

    html = web_client(user).get(f"/people/{child.pk}/").content.decode()
    body = api_client(user).get(f"/api/v1/people/{child.pk}/").json()

    assert ("Safe House Refuge" in html) is may_see
    assert ("Address withheld" in html) is not may_see
    assert body["current_address"]["withheld"] is not may_see
    assert (body["current_address"]["line_1"] == "Safe House Refuge") is may_see
    if not may_see:
        assert body["current_address"]["postcode"] is None
        assert "RV8 8ZZ" not in str(body)
    if role != Role.DESIGNATED_SAFEGUARDING_LEAD:
        found = api_client(user).post("/api/v1/people/search/", {"name": "Sensitive"}, format="json").json()
        assert found["results"][0]["current_addresses"] == [
            {"withheld": not may_see, "postcode": "RV8 8ZZ" if may_see else None}
        ]
        # Nobody finds a child by the postcode of a refuge they may not see.
        by_postcode = api_client(user).post("/api/v1/people/search/", {"postcode": "RV8 8ZZ"}, format="json").json()
        assert by_postcode["count"] == (1 if may_see else 0)


@pytest.mark.parametrize("role", RECORD_READERS)
def test_police_reference_through_the_page_search_and_the_api(role):
    user = make_user(role)
    child = person_with_sensitive_fields()
    relate(user, child, "on_the_schools_roll" if role == Role.DESIGNATED_SAFEGUARDING_LEAD else "user_allocation")
    may_see = role in FIELD_READERS["police_reference"]

    html = web_client(user).get(f"/people/{child.pk}/").content.decode()
    body = api_client(user).get(f"/api/v1/people/{child.pk}/").json()

    assert ("PR/24/007734" in html) is may_see
    police = [i for i in body["identifiers"] if i["scheme"] == "police"]
    assert police == [
        {
            "scheme": "police",
            "withheld": not may_see,
            "value": "PR/24/007734" if may_see else None,
            "display_value": "PR/24/007734" if may_see else None,
        }
    ]
    if not may_see:
        assert "Withheld" in html
        assert "PR/24/007734" not in str(body)
    if role != Role.DESIGNATED_SAFEGUARDING_LEAD:
        by_reference = (
            api_client(user).post("/api/v1/people/search/", {"identifier": "PR/24/007734"}, format="json").json()
        )
        assert by_reference["count"] == (1 if may_see else 0)
