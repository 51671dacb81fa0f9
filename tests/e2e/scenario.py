"""The fictional partnership the browser tests work in, built with the shared factories.

A council, a police force, a health trust and two schools; one user for every role;
a family (a mother and two children, one home, identifiers, a school, a chronology) that
the social worker is allocated and the police officer's team has on referral;
and a child on another school's roll, whom Millbrook's lead must not be able to open.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from safehub.access.models import LegitimateRelationship, RelationshipSource
from safehub.partnership.models import Organisation, OrganisationKind, Team, User
from safehub.partnership.roles import Role
from safehub.people.models import ChronologyEntry, Identifier, IdentifierScheme, Person, RelationshipKind
from tests.factories import (
    AddressFactory,
    AdultFactory,
    EnrolmentFactory,
    IdentifierFactory,
    LocalAuthorityFactory,
    OrganisationFactory,
    PartnershipFactory,
    PersonAddressFactory,
    PersonFactory,
    RelationshipFactory,
    SchoolFactory,
    TeamFactory,
    UserFactory,
    valid_upn,
)

ROLE_ORGANISATION_KIND = {
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
    Role.ENCOMPASS_COORDINATOR: OrganisationKind.LOCAL_AUTHORITY,
    Role.MISSING_COORDINATOR: OrganisationKind.LOCAL_AUTHORITY,
    Role.RHI_WORKER: OrganisationKind.OTHER,
    Role.DISCLOSURE_OFFICER: OrganisationKind.POLICE_FORCE,
    Role.DISCLOSURE_SUPERVISOR: OrganisationKind.POLICE_FORCE,
    Role.SYSTEM_ADMIN: OrganisationKind.LOCAL_AUTHORITY,
}


@dataclass
class Family:
    mother: Person
    child: Person
    sibling: Person
    nhs_number: Identifier
    upn: Identifier
    address: str
    chronology_summary: str


@dataclass
class Riverside:
    council: Organisation
    police: Organisation
    health_trust: Organisation
    school: Organisation
    other_school: Organisation
    safeguarding_team: Team
    users: dict[Role, User]
    family: Family
    child_elsewhere: Person


def build_partnership() -> Riverside:
    partnership = PartnershipFactory()
    council = LocalAuthorityFactory(partnership=partnership, name="Riverside Council", la_code="990")
    police = OrganisationFactory(partnership=partnership, kind=OrganisationKind.POLICE_FORCE, name="Riverside Police")
    health_trust = OrganisationFactory(
        partnership=partnership, kind=OrganisationKind.HEALTH_TRUST, name="Riverside Hospitals NHS Trust"
    )
    school = SchoolFactory(partnership=partnership, name="Millbrook Primary School", local_authority=council)
    other_school = SchoolFactory(partnership=partnership, name="Hillside Academy", local_authority=council)
    team = TeamFactory(organisation=police, name="Public Protection Unit", is_duty_team=True)
    organisation_of = {
        OrganisationKind.LOCAL_AUTHORITY: council,
        OrganisationKind.POLICE_FORCE: police,
        OrganisationKind.HEALTH_TRUST: health_trust,
        OrganisationKind.SCHOOL: school,
        OrganisationKind.OTHER: OrganisationFactory(kind=OrganisationKind.OTHER, name="Safe Return Partnership"),
    }
    users = {
        role: UserFactory(
            username=role.value,
            first_name=role.label.split()[0],
            organisation=organisation_of[ROLE_ORGANISATION_KIND[role]],
            roles=[role],
        )
        for role in Role
    }
    users[Role.POLICE_OFFICER].teams.add(team)
    family = _build_family(school=school, council=council)
    # The social worker is allocated the family; the police officer's team has it on referral.
    for person in (family.mother, family.child, family.sibling):
        LegitimateRelationship.objects.create(
            person=person, user=users[Role.SOCIAL_WORKER], source=RelationshipSource.ALLOCATION
        )
        LegitimateRelationship.objects.create(person=person, team=team, source=RelationshipSource.REFERRAL)
    child_elsewhere = PersonFactory(
        given_names="Zara", family_name="Pemberton", date_of_birth=datetime.date(2014, 6, 2)
    )
    EnrolmentFactory(person=child_elsewhere, organisation=other_school)
    return Riverside(
        council=council,
        police=police,
        health_trust=health_trust,
        school=school,
        other_school=other_school,
        safeguarding_team=team,
        users=users,
        family=family,
        child_elsewhere=child_elsewhere,
    )


def _build_family(*, school: Organisation, council: Organisation) -> Family:
    mother = AdultFactory(given_names="Hannah", family_name="Okafor", date_of_birth=datetime.date(1988, 11, 4))
    child = PersonFactory(given_names="Amelia", family_name="Okafor", date_of_birth=datetime.date(2015, 3, 27))
    sibling = PersonFactory(given_names="Noah", family_name="Okafor", date_of_birth=datetime.date(2017, 9, 12))
    RelationshipFactory(person=mother, related_to=child, kind=RelationshipKind.PARENT)
    RelationshipFactory(person=mother, related_to=sibling, kind=RelationshipKind.PARENT)
    RelationshipFactory(person=sibling, related_to=child, kind=RelationshipKind.SIBLING)
    home = AddressFactory(line_1="14 Willow Lane", town="Riverside", postcode="RV1 4AB")
    for person in (mother, child, sibling):
        PersonAddressFactory(person=person, address=home, start_date=datetime.date(2019, 5, 1))
    nhs_number = IdentifierFactory(person=child, scheme=IdentifierScheme.NHS_NUMBER)
    upn = IdentifierFactory(person=child, scheme=IdentifierScheme.UPN, value=valid_upn(council.la_code, 7))
    EnrolmentFactory(person=child, organisation=school, start_date=datetime.date(2019, 9, 4))
    EnrolmentFactory(person=sibling, organisation=school, start_date=datetime.date(2021, 9, 6))
    summary = "Joined Millbrook Primary School in reception"
    ChronologyEntry.objects.create(
        person=child,
        occurred_at=timezone.make_aware(datetime.datetime(2019, 9, 4, 9, 0)),
        category="enrolment",
        summary=summary,
        organisation=school,
    )
    return Family(
        mother=mother,
        child=child,
        sibling=sibling,
        nhs_number=nhs_number,
        upn=upn,
        address=str(home),
        chronology_summary=summary,
    )
