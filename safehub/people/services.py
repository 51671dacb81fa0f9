"""Writes to people's records. Each is atomic, checks the record with `full_clean` and
audits in the same transaction."""

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from safehub.audit.services import record
from safehub.partnership.models import Organisation, OrganisationKind, User
from safehub.partnership.roles import Capability, has_capability
from safehub.people.models import (
    ChronologyEntry,
    ChronologySharingDecision,
    ChronologyVisibility,
    EntryCategory,
    Identifier,
    IdentifierScheme,
    Person,
    PersonKind,
    Reach,
    Sex,
)

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
    sex: str = Sex.UNKNOWN,
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
        sex=Sex(sex or Sex.UNKNOWN),
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


# The chronology: entries an agency adds, and who may read them --------------------------------

NO_AGENCY = "Only someone who works for an agency adds to a chronology."
NOT_YOUR_AGENCYS_ENTRY = "Only the agency that recorded an entry decides who may read it."
INTELLIGENCE_NEEDS_A_DECISION = (
    "Police intelligence is read by the police only until a sharing decision: give the reason it may be "
    "shared (what it is needed for and the lawful basis) to share it wider."
)
REASON_TOO_SHORT = "Give the reason in a sentence or more: who needs to know, and why."
NAME_AN_AGENCY = "Choose the agencies to share it with."
NOT_A_WORKING_AGENCY = "Share only with agencies working with the child."
IN_THE_FUTURE = "The date and time cannot be in the future."
ENTRY_IDEMPOTENCY_CONFLICT = (
    "This Idempotency-Key was used for a different chronology entry. Use a new key for a new entry."
)
# A reason "of at least a sentence".
MIN_REASON_LENGTH = 20
# Leeway for a clock a little ahead of ours.
FUTURE_LEEWAY = datetime.timedelta(minutes=5)


class EntryIdempotencyConflict(Exception):
    """The idempotency key was used before for an entry with different details."""

    def __init__(self, entry: ChronologyEntry) -> None:
        self.entry = entry
        super().__init__(ENTRY_IDEMPOTENCY_CONFLICT)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _reach_fields(
    *, reach: str, agencies: Sequence[Organisation], person: Person, recording: Organisation
) -> tuple[str, list[Organisation]]:
    """The visibility and the agencies shared with, for a reach; raises for a bad choice."""
    from safehub.people.selectors import agencies_working_with

    if reach not in Reach.values:
        raise ValidationError({"reach": "Choose who may read it."})
    if reach == Reach.PARTNERSHIP:
        return ChronologyVisibility.PARTNERSHIP, []
    if reach == Reach.OWN_AGENCY:
        return ChronologyVisibility.RECORDING_AGENCY, []
    named = list({a.pk: a for a in agencies if a.pk != recording.pk}.values())
    if not named:
        raise ValidationError({"agencies": NAME_AN_AGENCY})
    allowed = set(agencies_working_with(person).filter(pk__in=[a.pk for a in named]).values_list("pk", flat=True))
    if any(a.pk not in allowed for a in named):
        raise ValidationError({"agencies": NOT_A_WORKING_AGENCY})
    return ChronologyVisibility.RECORDING_AGENCY, named


def _is_police(user: User) -> bool:
    return user.organisation is not None and user.organisation.kind == OrganisationKind.POLICE_FORCE


@transaction.atomic
def add_chronology_entry(
    *,
    person: Person,
    by: User,
    occurred_at: datetime.datetime,
    category: str,
    summary: str,
    reach: str,
    agencies: Sequence[Organisation] = (),
    reason: str = "",
    idempotency_key: str = "",
) -> ChronologyEntry:
    """Add an event to the person's chronology for the user's agency, read by whom it chooses:
    the statutory partners, agencies it names, or its own agency only. Police intelligence
    starts police-only; sharing it wider at once needs the reason, recorded as a sharing
    decision. `idempotency_key` (the API's) makes a resent request add nothing."""
    from safehub.access import policy

    _require(has_capability(by, Capability.ADD_CHRONOLOGY) and by.organisation is not None, NO_AGENCY)
    _require(policy.visible_persons(by).filter(pk=person.pk).exists(), NO_AGENCY)
    assert by.organisation is not None
    if idempotency_key:
        earlier = ChronologyEntry.objects.filter(idempotency_key=idempotency_key).first()
        if earlier is not None:
            same = (
                earlier.person_id == person.pk
                and earlier.occurred_at == occurred_at
                and earlier.category == category
                and earlier.summary == summary.strip()
                and earlier.reach == reach
                and {a.pk for a in earlier.shared_with.all()} == {a.pk for a in agencies if a.pk != by.organisation_id}
            )
            if not same:
                raise EntryIdempotencyConflict(earlier)
            return earlier
    if category not in EntryCategory.values:
        raise ValidationError({"category": "Choose what kind of event this is."})
    if occurred_at > timezone.now() + FUTURE_LEEWAY:
        raise ValidationError({"occurred_at": IN_THE_FUTURE})
    intelligence = category == EntryCategory.POLICE_INTELLIGENCE
    if intelligence and not _is_police(by):
        raise ValidationError({"category": "Only the police record police intelligence."})
    visibility, named = _reach_fields(reach=reach, agencies=agencies, person=person, recording=by.organisation)
    widened = intelligence and reach != Reach.OWN_AGENCY
    if widened and len(reason.strip()) < MIN_REASON_LENGTH:
        raise ValidationError({"reason": INTELLIGENCE_NEEDS_A_DECISION})
    entry = ChronologyEntry(
        person=person,
        occurred_at=occurred_at,
        category=category,
        summary=summary.strip(),
        organisation=by.organisation,
        recorded_by=by,
        visibility=visibility,
        source_type="people.chronologyentry",
        intelligence=intelligence,
        idempotency_key=idempotency_key,
    )
    entry.full_clean()
    entry.save()
    entry.shared_with.set(named)
    if widened:
        _record_decision(entry, by=by, before=(Reach.OWN_AGENCY, []), reason=reason)
    record(
        action="chronology.added",
        actor=by,
        target=person,
        purpose="chronology entry",
        detail={
            "entry": entry.pk,
            "category": category,
            "reach": reach,
            "agencies": [a.pk for a in named],
            "intelligence": intelligence,
        },
    )
    return entry


def _record_decision(
    entry: ChronologyEntry, *, by: User, before: tuple[str, list[int]], reason: str
) -> ChronologySharingDecision:
    decision = ChronologySharingDecision(
        entry=entry,
        decided_by=by,
        reach_before=before[0],
        reach_after=entry.reach,
        agencies_before=sorted(before[1]),
        agencies_after=sorted(a.pk for a in entry.shared_with.all()),
        reason=reason.strip(),
    )
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def change_reach(
    *, entry: ChronologyEntry, by: User, reach: str, agencies: Sequence[Organisation] = (), reason: str
) -> ChronologySharingDecision:
    """The recording agency decides who may read one of its entries: wider (sharing police
    intelligence, say) or narrower. Every change is a recorded decision with its reason."""
    from safehub.access import policy

    _require(has_capability(by, Capability.ADD_CHRONOLOGY), NOT_YOUR_AGENCYS_ENTRY)
    entry = (
        ChronologyEntry.objects.select_for_update(of=("self",))
        .select_related("person", "organisation")
        .get(pk=entry.pk)
    )
    _require(entry.organisation_id is not None and entry.organisation_id == by.organisation_id, NOT_YOUR_AGENCYS_ENTRY)
    _require(policy.visible_persons(by).filter(pk=entry.person_id).exists(), NOT_YOUR_AGENCYS_ENTRY)
    assert entry.organisation is not None
    if len(reason.strip()) < MIN_REASON_LENGTH:
        raise ValidationError({"reason": INTELLIGENCE_NEEDS_A_DECISION if entry.intelligence else REASON_TOO_SHORT})
    before = (entry.reach, [a.pk for a in entry.shared_with.all()])
    visibility, named = _reach_fields(reach=reach, agencies=agencies, person=entry.person, recording=entry.organisation)
    if (reach, sorted(a.pk for a in named)) == (before[0], sorted(before[1])):
        raise ValidationError({"reach": "That is who may read it already."})
    entry.visibility = visibility
    entry.save(update_fields=["visibility"])
    entry.shared_with.set(named)
    decision = _record_decision(entry, by=by, before=before, reason=reason)
    record(
        action="chronology.reach_changed",
        actor=by,
        target=entry.person,
        purpose="chronology sharing decision",
        detail={
            "entry": entry.pk,
            "decision": decision.pk,
            "from": before[0],
            "to": reach,
            "agencies_before": sorted(before[1]),
            "agencies_after": sorted(a.pk for a in named),
            "intelligence": entry.intelligence,
        },
    )
    return decision
