"""A force with its disclosure unit (two officers and a supervisor), another force's unit, an
officer of the force outside the unit, and an adult the force knows, for the DBS tests."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from safehub.dbs.models import Workforce
from safehub.dbs.services import CheckInput, receive_check
from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from safehub.people.models import IdentifierScheme, PersonKind
from tests.factories import IdentifierFactory, OrganisationFactory, PersonFactory, TeamFactory, UserFactory

LONDON = ZoneInfo("Europe/London")


def london(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def member(team, *roles, **extra):
    user = UserFactory(organisation=team.organisation, roles=list(roles), **extra)
    user.teams.add(team)
    return user


def build_world() -> SimpleNamespace:
    w = SimpleNamespace()
    w.force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Riverside Police")
    w.other_force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Wolds Police")
    w.unit = TeamFactory(organisation=w.force, name="Disclosure Unit")
    w.officer = member(w.unit, Role.DISCLOSURE_OFFICER, first_name="Asha", last_name="Bell")
    w.second_officer = member(w.unit, Role.DISCLOSURE_OFFICER, first_name="Ben", last_name="Cole")
    w.supervisor = member(w.unit, Role.DISCLOSURE_SUPERVISOR, first_name="Cara", last_name="Dunn")
    w.other_unit = TeamFactory(organisation=w.other_force, name="Disclosure Unit")
    w.other_officer = member(w.other_unit, Role.DISCLOSURE_OFFICER)
    w.detective = member(TeamFactory(organisation=w.force, name="CAIT"), Role.POLICE_SUPERVISOR)
    w.analyst = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, la_code="990"),
        roles=[Role.PARTNERSHIP_ANALYST],
    )
    w.known = PersonFactory(
        kind=PersonKind.ADULT, given_names="Gareth", family_name="Lowe", date_of_birth=datetime.date(1984, 6, 2)
    )
    # Known to the force itself: its person reference.
    IdentifierFactory(person=w.known, scheme=IdentifierScheme.POLICE_REFERENCE, value="RP/4411/19", issuer=w.force)
    # In the index only through the council: never linked to a check.
    w.council_only = PersonFactory(
        kind=PersonKind.ADULT, given_names="Maria", family_name="Quint", date_of_birth=datetime.date(1990, 1, 5)
    )
    return w


def check_input(*, reference: str = "E0012345678", received_on=datetime.date(2026, 11, 2), **extra) -> CheckInput:
    values = {
        "dbs_reference": reference,
        "given_names": "Gareth",
        "family_name": "Lowe",
        "date_of_birth": datetime.date(1984, 6, 2),
        "workforce": Workforce.CHILD,
        "role_applied_for": "Teaching assistant",
        "received_on": received_on,
        "postcode": "RV1 2AB",
    }
    values.update(extra)
    return CheckInput(**values)


def receive(w, *, by=None, **extra):
    check, _ = receive_check(given=check_input(**extra), by=by or w.officer)
    return check
