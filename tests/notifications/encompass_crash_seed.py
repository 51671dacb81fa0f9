"""Prepare the Encompass crash test's database: migrate it, then record real domestic abuse
incidents through `record_incident` for children at schools whose Key Adults have email
addresses, so that the outbox holds the notices' emails. Prints, as JSON, each notice and the
Key Adults it must reach.

    python -m tests.notifications.encompass_crash_seed CHILDREN   # migrate and record
    python -m tests.notifications.encompass_crash_seed --again    # the first incident once more

Every name here is one the test looks for in the emails: none may appear in them.
"""

import datetime
import json
import sys
from typing import TYPE_CHECKING

import django

if TYPE_CHECKING:
    from safehub.encompass.services.incidents import IncidentInput
    from safehub.people.models import Person

SCHOOLS = 12
CHILDREN_PER_INCIDENT = 3
FIRST_KEY = "crash-incident-0"
CHILD_GIVEN, CHILD_FAMILY = "Peregrine", "Wetherington"
LOCATION = "7 Quillfeather Lane, Crashbrook"


def _nhs_number(serial: int) -> str:
    from safehub.people.identifiers import nhs_check_digit

    while True:
        first_nine = f"{999_100_000 + serial:09d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"
        serial += 100_000


def _incident(number: int, children: "list[Person]") -> "IncidentInput":
    from django.utils import timezone

    from safehub.encompass.models import AdultRole, LocationKind
    from safehub.encompass.services.incidents import AdultInput, ChildInput, IncidentInput
    from safehub.partnership.models import Organisation, OrganisationKind

    council = Organisation.objects.get(kind=OrganisationKind.LOCAL_AUTHORITY)
    # Two evenings ago, a minute apart: in the past whenever the test runs.
    evening = timezone.now().replace(hour=21, minute=0, second=0, microsecond=0) - datetime.timedelta(days=2)
    rows = []
    for person in children:
        rows.append(
            ChildInput(
                given_names=person.given_names,
                family_name=person.family_name,
                date_of_birth=person.date_of_birth,
                nhs_number=person.identifiers.get().value,
                present=True,
                whereabouts="Upstairs in the bedroom",
                voice_of_child="Said Quillfeather shouted at the victim.",
                actions_taken="Suspect arrested.",
            )
        )
    return IncidentInput(
        police_reference=f"CB-{number:06d}",
        occurred_at=evening + datetime.timedelta(minutes=number),
        local_authority=council,
        location=LOCATION,
        location_kind=LocationKind.HOME,
        circumstances="An argument at the home of Ottoline Quillfeather.",
        adults=[
            AdultInput(role=AdultRole.VICTIM, given_names="Ottoline", family_name="Quillfeather"),
            AdultInput(role=AdultRole.PERPETRATOR, given_names="Barnaby", family_name="Quillfeather"),
        ],
        children=rows,
    )


def _children() -> "list[Person]":
    from safehub.people.models import Person, PersonKind

    return list(Person.objects.filter(kind=PersonKind.CHILD).order_by("pk"))


def prepare(children: int) -> dict[str, object]:
    from django.core.management import call_command

    from safehub.encompass.services.incidents import record_incident
    from safehub.partnership.models import Organisation, OrganisationKind, RoleAssignment, Team, User
    from safehub.partnership.roles import Role
    from safehub.people.models import Enrolment, Identifier, IdentifierScheme, Person, PersonKind

    call_command("migrate", verbosity=0)
    council = Organisation.objects.create(kind=OrganisationKind.LOCAL_AUTHORITY, name="Crashbrook", la_code="998")
    Team.objects.create(organisation=council, name="Education Safeguarding Team")
    force = Organisation.objects.create(kind=OrganisationKind.POLICE_FORCE, name="Crashbrook Police")
    officer = User.objects.create_user(username="officer", organisation=force)
    RoleAssignment.objects.create(user=officer, role=Role.POLICE_OFFICER)
    key_adults: dict[int, list[int]] = {}
    schools = []
    for n in range(SCHOOLS):
        school = Organisation.objects.create(
            kind=OrganisationKind.SCHOOL, name=f"Crashbrook School {n}", urn=998_000 + n, local_authority=council
        )
        schools.append(school)
        # Every third school has two Key Adults.
        for k in range(2 if n % 3 == 0 else 1):
            user = User.objects.create_user(
                username=f"dsl{n}-{k}",
                email=f"dsl{n}-{k}@example.invalid",
                first_name="Rosalind",
                last_name="Featherstonehaugh",
                organisation=school,
            )
            RoleAssignment.objects.create(user=user, role=Role.DESIGNATED_SAFEGUARDING_LEAD)
            key_adults.setdefault(school.pk, []).append(user.pk)
    for n in range(children):
        child = Person.objects.create(
            kind=PersonKind.CHILD,
            given_names=f"{CHILD_GIVEN} {chr(ord('A') + n % 26)}",
            family_name=f"{CHILD_FAMILY}{n // 26}",
            date_of_birth=datetime.date(2012, 1, 1) + datetime.timedelta(days=37 * n),
        )
        Identifier.objects.create(person=child, scheme=IdentifierScheme.NHS_NUMBER, value=_nhs_number(n))
        Enrolment.objects.create(person=child, organisation=schools[n % SCHOOLS], start_date=datetime.date(2025, 9, 1))
    people = _children()
    expected = []
    for number, first in enumerate(range(0, children, CHILDREN_PER_INCIDENT)):
        incident, created = record_incident(
            incident=_incident(number, people[first : first + CHILDREN_PER_INCIDENT]),
            by=officer,
            idempotency_key=f"crash-incident-{number}",
            via="form",
        )
        assert created
        for notice in incident.notices.order_by("pk"):
            expected += [[notice.pk, user] for user in key_adults[notice.organisation_id]]
    return {"emails": expected}


def again() -> dict[str, object]:
    """The first incident sent once more with its key: the same incident, no one told again."""
    from safehub.encompass.services.incidents import record_incident
    from safehub.partnership.models import User

    incident, created = record_incident(
        incident=_incident(0, _children()[:CHILDREN_PER_INCIDENT]),
        by=User.objects.get(username="officer"),
        idempotency_key=FIRST_KEY,
        via="form",
    )
    return {"created": created, "reference": incident.reference}


if __name__ == "__main__":
    django.setup()
    result = again() if sys.argv[1] == "--again" else prepare(int(sys.argv[1]))
    print(json.dumps(result))
