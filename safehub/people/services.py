"""Writes to people's records. Each is atomic, checks the record with `full_clean` and
audits in the same transaction."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from safehub.audit.services import record
from safehub.partnership.models import User
from safehub.people.models import Identifier, IdentifierScheme, Person, PersonKind

IDENTIFIER_ALREADY_RECORDED = (
    "A person with this {scheme} is already recorded. Link to that record instead of creating a new one."
)


@transaction.atomic
def create_person(
    *,
    created_by: User | None,
    kind: str,
    given_names: str = "",
    family_name: str = "",
    date_of_birth: datetime.date | None = None,
    expected_due_date: datetime.date | None = None,
    mother: Person | None = None,
    nhs_number: str = "",
    upn: str = "",
    purpose: str = "",
) -> Person:
    """A new person's record, with their NHS number and UPN if known.

    `purpose` says why it was created (e.g. "contact CT-2025-00012"), for the audit log.
    """
    person = Person(
        kind=PersonKind(kind),
        given_names=given_names.strip(),
        family_name=family_name.strip(),
        date_of_birth=date_of_birth,
        expected_due_date=expected_due_date,
        mother=mother,
    )
    person.full_clean()
    person.save()
    for scheme, value in ((IdentifierScheme.NHS_NUMBER, nhs_number), (IdentifierScheme.UPN, upn)):
        if not value:
            continue
        identifier = Identifier(person=person, scheme=scheme, value=value)
        identifier.full_clean(validate_unique=False, validate_constraints=False)
        if Identifier.objects.filter(scheme=scheme, value=identifier.value).exists():
            raise ValidationError({scheme.value: IDENTIFIER_ALREADY_RECORDED.format(scheme=scheme.label)})
        identifier.save()
    record(
        action="person.created",
        actor=created_by,
        target=person,
        purpose=purpose,
        actor_username="" if created_by else "safehub",
        detail={"kind": person.kind, "identifiers": person.identifiers.count()},
    )
    return person
