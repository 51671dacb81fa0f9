"""A force with investigating officers and two supervisors, a council whose social worker is
allocated to a child and whose team manager manages her team, a trust's nurse and a school's
lead; the child (six) as the victim and an adult as the suspect."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from safehub.investigations.models import OffenceCategory, SubjectRole
from safehub.investigations.services import SubjectInput, open_investigation
from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from safehub.people.models import PersonKind
from tests.access.factories import allocate
from tests.factories import (
    EnrolmentFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolFactory,
    TeamFactory,
    UserFactory,
)

LONDON = ZoneInfo("Europe/London")


def london(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def member(team, *roles):
    user = UserFactory(organisation=team.organisation, roles=list(roles))
    user.teams.add(team)
    return user


def build_world() -> SimpleNamespace:
    council = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, name="Riverside Council")
    force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Riverside Police")
    trust = OrganisationFactory(kind=OrganisationKind.HEALTH_TRUST, name="Riverside NHS Trust")
    school = SchoolFactory(name="Millbrook Primary School")
    w = SimpleNamespace(council=council, force=force, trust=trust, school=school)
    w.cp_team = TeamFactory(organisation=council, name="Child Protection Team")
    w.cait = TeamFactory(organisation=force, name="Child Abuse Investigation Team")
    w.social_worker = member(w.cp_team, Role.SOCIAL_WORKER)
    w.manager = member(w.cp_team, Role.TEAM_MANAGER)
    w.officer = member(w.cait, Role.POLICE_OFFICER)
    w.colleague = member(w.cait, Role.POLICE_OFFICER)
    w.supervisor = member(w.cait, Role.POLICE_SUPERVISOR)
    w.second_supervisor = member(w.cait, Role.POLICE_SUPERVISOR)
    w.nurse = UserFactory(organisation=trust, roles=[Role.HEALTH_PRACTITIONER])
    w.dsl = UserFactory(organisation=school, roles=[Role.DESIGNATED_SAFEGUARDING_LEAD])
    w.other_force_officer = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Elsewhere Police"),
        roles=[Role.POLICE_OFFICER],
    )
    w.child = PersonFactory(given_names="Ada", date_of_birth=datetime.date(2020, 5, 1))
    w.suspect = PersonFactory(kind=PersonKind.ADULT, given_names="Rob", date_of_birth=datetime.date(1990, 1, 1))
    EnrolmentFactory(person=w.child, organisation=school, start_date=datetime.date(2024, 9, 1))
    # Allocated long ago, so that tests may travel back to any day of 2026.
    since = {"starts_at": london(2025, 1, 6, 9, 0)}
    allocate(w.social_worker, w.child, **since)
    allocate(w.nurse, w.child, **since)
    allocate(w.officer, w.child, w.suspect, **since)
    return w


@pytest.fixture
def w(db):
    return build_world()


def open_case(w, *, category=OffenceCategory.PHYSICAL_ABUSE, **extra):
    defaults = {
        "by": w.officer,
        "crime_reference": "RP/12345/26",
        "offence_category": category,
        "subjects": [SubjectInput(w.child, SubjectRole.VICTIM), SubjectInput(w.suspect, SubjectRole.SUSPECT)],
        "allocated_officer": w.officer,
        "supervising_officer": w.supervisor,
    }
    return open_investigation(**{**defaults, **extra})
