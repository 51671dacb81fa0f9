"""A partnership ready for Operation Encompass: a council with its terms (half-terms, Christmas,
Easter), its education safeguarding team and coordinator; a police force with an officer; a
school with two Key Adults; an early-years setting; children on their rolls and one with no
school."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from safehub.encompass.models import AdultRole, LocationKind
from safehub.encompass.services.incidents import AdultInput, ChildInput, IncidentInput, record_incident
from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from safehub.people.models import IdentifierScheme
from safehub.timescales.models import TermDate
from tests.factories import (
    EnrolmentFactory,
    IdentifierFactory,
    LocalAuthorityFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolFactory,
    TeamFactory,
    UserFactory,
    valid_nhs_number,
)
from tests.timescales.conftest import AUTHORITY_TERMS

LONDON = ZoneInfo("Europe/London")


def london(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def member(team, *roles, **extra):
    user = UserFactory(organisation=team.organisation, roles=list(roles), **extra)
    user.teams.add(team)
    return user


def build_encompass_world() -> SimpleNamespace:
    council = LocalAuthorityFactory(name="Millbrook Council", la_code="993")
    for name, start, end in AUTHORITY_TERMS:
        TermDate.objects.create(local_authority=council, name=name, start_date=start, end_date=end)
    partnership = council.partnership
    force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Millbrook Police", partnership=partnership)
    school = SchoolFactory(
        name="Millbrook Primary School", urn=993100, local_authority=council, partnership=partnership
    )
    nursery = OrganisationFactory(
        kind=OrganisationKind.EARLY_YEARS, name="Little Acorns Nursery", partnership=partnership
    )
    nursery.local_authority = council
    nursery.save()
    w = SimpleNamespace(partnership=partnership, council=council, force=force, school=school, nursery=nursery)
    w.education_team = TeamFactory(organisation=council, name="Education Safeguarding Team")
    w.school_team = TeamFactory(organisation=school, name="Safeguarding", is_duty_team=True)
    w.cait = TeamFactory(organisation=force, name="Domestic Abuse Unit")
    w.officer = member(w.cait, Role.POLICE_OFFICER)
    w.key_adult = member(w.school_team, Role.DESIGNATED_SAFEGUARDING_LEAD)
    w.deputy_key_adult = member(w.school_team, Role.DESIGNATED_SAFEGUARDING_LEAD)
    w.coordinator = member(w.education_team, Role.ENCOMPASS_COORDINATOR)
    w.other_school = SchoolFactory(name="Riverside Primary School", urn=993101, local_authority=council)
    w.other_key_adult = UserFactory(organisation=w.other_school, roles=[Role.DESIGNATED_SAFEGUARDING_LEAD])
    w.child = PersonFactory(given_names="Amelia", family_name="Hartley", date_of_birth=datetime.date(2017, 5, 14))
    w.nhs_number = valid_nhs_number(4242)
    IdentifierFactory(person=w.child, scheme=IdentifierScheme.NHS_NUMBER, value=w.nhs_number)
    EnrolmentFactory(person=w.child, organisation=school, start_date=datetime.date(2021, 9, 1))
    w.toddler = PersonFactory(given_names="Noah", family_name="Hartley", date_of_birth=datetime.date(2023, 2, 3))
    EnrolmentFactory(person=w.toddler, organisation=nursery, start_date=datetime.date(2025, 9, 1))
    w.home_educated = PersonFactory(given_names="Isla", family_name="Hartley", date_of_birth=datetime.date(2014, 8, 9))
    return w


@pytest.fixture
def world(db):
    return build_encompass_world()


_references = iter(range(1, 1_000_000))


def child_of(person, *, present: bool = True, **extra) -> ChildInput:
    return ChildInput(
        given_names=person.given_names,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        present=present,
        whereabouts=extra.pop("whereabouts", "In the bedroom upstairs" if present else "At a friend's house"),
        voice_of_child=extra.pop("voice_of_child", "Said she heard shouting and hid under the bed."),
        actions_taken=extra.pop("actions_taken", "Perpetrator arrested; victim given refuge details."),
        **extra,
    )


def incident_input(w, *, occurred_at, children, police_reference=None) -> IncidentInput:
    return IncidentInput(
        police_reference=police_reference or f"MP-{next(_references):07d}",
        occurred_at=occurred_at,
        local_authority=w.council,
        location="12 Orchard Way, Millbrook",
        location_kind=LocationKind.HOME,
        circumstances="Verbal argument escalated; neighbours called police.",
        adults=[
            AdultInput(role=AdultRole.VICTIM, given_names="Sarah", family_name="Hartley"),
            AdultInput(role=AdultRole.PERPETRATOR, given_names="Mark", family_name="Hartley"),
        ],
        children=children,
    )


def record(w, *, occurred_at, children=None, **extra):
    incident, _ = record_incident(
        incident=incident_input(w, occurred_at=occurred_at, children=children or [child_of(w.child)]),
        by=w.officer,
        **extra,
    )
    return incident
