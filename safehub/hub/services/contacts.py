"""Recording a contact: a concern about one or more children arriving at the Children's Hub.

Every way in (the form journey, the police bulk import, the API) ends in `record_contact`,
so the rules are the same whichever door a concern comes through:

- at least one child or unborn child;
- the lawful basis for sharing is always recorded. Consent is the basis only when it was
  given; where a child is or may be at risk of significant harm consent is not needed,
  and the basis says so (`LawfulBasis.SIGNIFICANT_HARM`);
- the same idempotency key twice returns the first contact and writes nothing; the same
  key with different details is refused (`IdempotencyConflict`), never silently merged;
- references are `CT-<year>-<5 digits>`, allocated under the unique constraint on
  `Contact.reference`: two contacts saved at once cannot get the same number (the loser
  of a race retries with the next one).

Which hub team receives a contact (`hub_team_for`): the team named after the partnership's
hub (`Partnership.hub_name`, "Children's Hub" by default) in the local authority of the
source organisation: the authority itself, or the authority a school or setting belongs
to. Otherwise (police, health, an unknown source) the first such team in the partnership.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone

from safehub.access.models import LegitimateRelationship, RelationshipSource
from safehub.audit.services import record
from safehub.hub.models import (
    Consent,
    Contact,
    ContactSource,
    ContactSubject,
    FamilyAwareness,
    LawfulBasis,
    SubjectRole,
)
from safehub.notifications.models import Channel
from safehub.notifications.services import notify
from safehub.partnership.models import (
    EDUCATION_KINDS,
    HEALTH_KINDS,
    Organisation,
    OrganisationKind,
    Partnership,
    Team,
    User,
)
from safehub.people import identifiers, matching
from safehub.people.models import ChronologyEntry, Person, PersonKind, normalise_postcode
from safehub.people.services import create_person
from safehub.timescales.rules import due_after

DEFAULT_HUB_NAME = "Children's Hub"
REFERENCE_ATTEMPTS = 10
# A candidate this strong is sure enough to link without a person choosing: at least the
# same full name and date of birth (see the weights in safehub.people.matching).

NO_CHILD = "Add at least one child or unborn child: a contact is a concern about a child."
NO_HUB_TEAM = "There is no Children's Hub team to send this to. Ask your SafeHub administrator to set one up."
CONSENT_NOT_GIVEN = (
    "Consent is the lawful basis only when consent was given. If a child is or may be at risk of "
    "significant harm, you do not need consent: choose that basis instead."
)
IDEMPOTENCY_CONFLICT = (
    "This idempotency key was already used for a different contact ({reference}). "
    "Use a new key for a new contact; resend the same details to retry the same one."
)

# What a source organisation's kind says about where the concern came from.
SOURCE_OF_KIND = {
    OrganisationKind.POLICE_FORCE: ContactSource.POLICE,
    OrganisationKind.SCHOOL: ContactSource.SCHOOL,
    OrganisationKind.EARLY_YEARS: ContactSource.EARLY_YEARS,
    OrganisationKind.LOCAL_AUTHORITY: ContactSource.SOCIAL_CARE,
    **dict.fromkeys(HEALTH_KINDS, ContactSource.HEALTH),
}

# A subject's role and the kind of person record it may link to.
PERSON_KIND_OF_ROLE = {
    SubjectRole.CHILD: PersonKind.CHILD,
    SubjectRole.UNBORN: PersonKind.UNBORN,
    SubjectRole.ADULT: PersonKind.ADULT,
}


class IdempotencyConflict(Exception):
    """The idempotency key was used before for a contact with different details."""

    def __init__(self, contact: Contact) -> None:
        self.contact = contact
        super().__init__(IDEMPOTENCY_CONFLICT.format(reference=contact.reference))


@dataclass(frozen=True)
class SubjectInput:
    """Someone a contact is about, as the referrer describes them.

    `person` links an existing record; `create_person` asks for a new record to be made
    with these details (in the contact's transaction); neither leaves the subject for
    the hub to match.
    """

    role: str
    given_names: str = ""
    family_name: str = ""
    date_of_birth: datetime.date | None = None
    expected_due_date: datetime.date | None = None
    nhs_number: str = ""
    upn: str = ""
    postcode: str = ""
    # "female" or "male" when the referrer says: used for matching only.
    sex: str = ""
    person: Person | None = None
    create_person: bool = False

    def normalised(self) -> "SubjectInput":
        """The same subject with identifiers and postcode in their stored form; raises
        ValidationError saying what is wrong with an identifier."""
        errors: dict[str, list[str]] = {}
        nhs_number, upn = "", ""
        if self.nhs_number.strip():
            try:
                nhs_number = identifiers.validate_nhs_number(self.nhs_number)
            except ValidationError as error:
                errors["nhs_number"] = error.messages
        if self.upn.strip():
            try:
                upn = identifiers.validate_upn(self.upn)
            except ValidationError as error:
                errors["upn"] = error.messages
        if errors:
            raise ValidationError(errors)
        return SubjectInput(
            role=self.role,
            given_names=self.given_names.strip(),
            family_name=self.family_name.strip(),
            date_of_birth=self.date_of_birth,
            expected_due_date=self.expected_due_date,
            nhs_number=nhs_number,
            upn=upn,
            postcode=normalise_postcode(self.postcode.strip()) if self.postcode.strip() else "",
            person=self.person,
            create_person=self.create_person,
        )

    def fingerprint(self) -> tuple[str, ...]:
        return (
            self.role,
            self.given_names,
            self.family_name,
            self.date_of_birth.isoformat() if self.date_of_birth else "",
            self.expected_due_date.isoformat() if self.expected_due_date else "",
            self.nhs_number,
            self.upn,
            self.postcode,
        )


def source_for(organisation: Organisation | None) -> str:
    """The contact source an organisation's kind implies ("other" when it implies none)."""
    if organisation is None:
        return ContactSource.OTHER
    return SOURCE_OF_KIND.get(OrganisationKind(organisation.kind), ContactSource.OTHER)


def hub_team_for(source_organisation: Organisation | None) -> Team:
    """The hub team that receives a contact from this organisation (see the module's docstring)."""
    partnership = Partnership.current()
    hub_name = partnership.hub_name if partnership and partnership.hub_name else DEFAULT_HUB_NAME
    hub_teams = Team.objects.filter(name=hub_name, organisation__kind=OrganisationKind.LOCAL_AUTHORITY).select_related(
        "organisation"
    )
    local_authority = None
    if source_organisation is not None:
        if source_organisation.kind == OrganisationKind.LOCAL_AUTHORITY:
            local_authority = source_organisation
        elif source_organisation.kind in EDUCATION_KINDS:
            local_authority = source_organisation.local_authority
    team = None
    if local_authority is not None:
        team = hub_teams.filter(organisation=local_authority).order_by("pk").first()
    team = team or hub_teams.order_by("pk").first()
    if team is None:
        raise ValidationError({"hub_team": NO_HUB_TEAM})
    return team


def _fingerprint(
    *,
    source: str,
    source_organisation_id: int | None,
    what_happened: str,
    family_awareness: str,
    consent: str,
    lawful_basis: str,
    external_reference: str,
    subjects: Sequence[tuple[str, ...]],
) -> tuple[object, ...]:
    return (
        source,
        source_organisation_id,
        what_happened.strip(),
        family_awareness,
        consent,
        lawful_basis,
        external_reference.strip(),
        tuple(sorted(subjects)),
    )


def _stored_fingerprint(contact: Contact) -> tuple[object, ...]:
    subjects = [
        SubjectInput(
            role=s.role,
            given_names=s.given_names,
            family_name=s.family_name,
            date_of_birth=s.date_of_birth,
            expected_due_date=s.expected_due_date,
            nhs_number=s.nhs_number,
            upn=s.upn,
            postcode=s.postcode,
        ).fingerprint()
        for s in contact.subjects.all()
    ]
    return _fingerprint(
        source=contact.source,
        source_organisation_id=contact.source_organisation_id,
        what_happened=contact.what_happened,
        family_awareness=contact.family_awareness,
        consent=contact.consent,
        lawful_basis=contact.lawful_basis,
        external_reference=contact.external_reference,
        subjects=subjects,
    )


def _replay(key: str, fingerprint: tuple[object, ...]) -> Contact | None:
    """The contact first recorded with this key, if any; IdempotencyConflict if its details differ."""
    existing = Contact.objects.filter(idempotency_key=key).prefetch_related("subjects").first()
    if existing is None:
        return None
    if _stored_fingerprint(existing) != fingerprint:
        raise IdempotencyConflict(existing)
    return existing


def _check_subjects(subjects: Sequence[SubjectInput]) -> list[SubjectInput]:
    if not any(s.role in (SubjectRole.CHILD, SubjectRole.UNBORN) for s in subjects):
        raise ValidationError({"subjects": NO_CHILD})
    checked = []
    today = timezone.localdate()
    for number, subject in enumerate(subjects, start=1):
        if subject.role not in SubjectRole.values:
            raise ValidationError({"subjects": f"Person {number}: say whether they are a child, unborn or an adult."})
        try:
            subject = subject.normalised()
        except ValidationError as error:
            messages = [f"Person {number}: {m}" for m in error.messages]
            raise ValidationError({"subjects": messages}) from error
        if subject.role == SubjectRole.UNBORN:
            if subject.date_of_birth:
                raise ValidationError(
                    {"subjects": f"Person {number}: an unborn child has an expected due date, not a date of birth."}
                )
        elif subject.expected_due_date:
            raise ValidationError({"subjects": f"Person {number}: only an unborn child has an expected due date."})
        elif not (subject.given_names or subject.family_name):
            raise ValidationError({"subjects": f"Person {number}: enter their name, or the part of it you know."})
        if subject.date_of_birth and subject.date_of_birth > today:
            raise ValidationError({"subjects": f"Person {number}: the date of birth must be today or in the past."})
        if subject.person is not None and subject.person.kind != PERSON_KIND_OF_ROLE[SubjectRole(subject.role)]:
            raise ValidationError(
                {"subjects": f"Person {number}: the record linked is not a {SubjectRole(subject.role).label.lower()}."}
            )
        checked.append(subject)
    return checked


def _check_basis(*, consent: str, lawful_basis: str) -> None:
    if consent not in Consent.values:
        raise ValidationError({"consent": "Say whether consent to share was given, refused or not sought."})
    if lawful_basis not in LawfulBasis.values:
        raise ValidationError({"lawful_basis": "Choose the lawful basis for sharing this information."})
    if lawful_basis == LawfulBasis.CONSENT and consent != Consent.GIVEN:
        raise ValidationError({"lawful_basis": CONSENT_NOT_GIVEN})


def _allocate_reference_and_save(contact: Contact) -> None:
    """Give the contact the next free reference of its year and save it.

    Computed from the highest reference so far; if another transaction took that number
    first, the unique constraint refuses ours and we try the next (the savepoint keeps the
    caller's transaction usable)."""
    year = timezone.localtime(contact.received_at).year
    prefix = f"CT-{year}-"
    for _ in range(REFERENCE_ATTEMPTS):
        last = (
            Contact.objects.filter(reference__startswith=prefix)
            .order_by(Length("reference").desc(), "-reference")
            .values_list("reference", flat=True)
            .first()
        )
        number = int(last.removeprefix(prefix)) + 1 if last else 1
        contact.reference = f"{prefix}{number:05d}"
        try:
            with transaction.atomic():
                contact.save()
            return
        except IntegrityError:
            if contact.idempotency_key and Contact.objects.filter(idempotency_key=contact.idempotency_key).exists():
                raise
            contact.pk = None
    raise RuntimeError("Could not allocate a contact reference: too many contacts saved at once. Try again.")


def _link_subject(*, contact: Contact, subject: SubjectInput, recorded_by: User | None) -> Person | None:
    if subject.person is not None:
        return subject.person
    if not subject.create_person:
        return None
    if subject.role == SubjectRole.UNBORN:
        # An unborn child's record needs the mother's: the hub links it when screening.
        return None
    return create_person(
        created_by=recorded_by,
        kind=PERSON_KIND_OF_ROLE[SubjectRole(subject.role)],
        given_names=subject.given_names,
        family_name=subject.family_name,
        date_of_birth=subject.date_of_birth,
        nhs_number=subject.nhs_number,
        upn=subject.upn,
        purpose=f"contact {contact.reference}",
    )


def match_automatically(
    subject: SubjectInput, *, user: User | None = None, on_behalf_of: str = "safehub import"
) -> SubjectInput:
    """For contacts that arrive without a person choosing (the import, the API): link the
    subject when the match is sure (`safehub.people.matching.sure_match`: an identifier, or the
    exact full name and date of birth, contradicted by nothing), else leave them for the hub
    to match. The search is audited for the calling user, or for the system `on_behalf_of`."""
    if subject.person is not None or subject.role == SubjectRole.UNBORN:
        return subject
    try:
        query = matching.query_of(subject)
    except ValidationError:
        return subject  # record_contact reports the bad number
    kind = PERSON_KIND_OF_ROLE[SubjectRole(subject.role)]
    if user is None:
        candidates = matching.find_candidates_for_system(on_behalf_of=on_behalf_of, query=query)
    else:
        candidates = matching.find_candidates(
            user=user,
            given_names=query.given_names,
            family_name=query.family_name,
            date_of_birth=query.date_of_birth,
            nhs_number=query.nhs_number,
            upn=query.upn,
            postcode=query.postcode,
            sex=query.sex,
        )
    person = matching.sure_match(query, candidates, kind=kind)
    return subject if person is None else replace(subject, person=person)


def give_hub_team_access(*, contact: Contact, person: Person, granted_by: User | None) -> None:
    """The hub team may open the record of a person a contact is about (source "referral")."""
    exists = (
        LegitimateRelationship.objects.active()
        .filter(team=contact.hub_team, person=person, source=RelationshipSource.REFERRAL)
        .exists()
    )
    if exists:
        return
    relationship = LegitimateRelationship(
        team=contact.hub_team,
        person=person,
        source=RelationshipSource.REFERRAL,
        reason=f"Contact {contact.reference}",
        created_by=granted_by,
    )
    relationship.full_clean()
    relationship.save()


@transaction.atomic
def record_contact(
    *,
    recorded_by: User | None,
    source: str,
    source_organisation: Organisation | None = None,
    referrer_name: str = "",
    referrer_role: str = "",
    referrer_contact: str = "",
    referrer_user: User | None = None,
    what_happened: str,
    family_awareness: str,
    consent: str,
    lawful_basis: str,
    subjects: Sequence[SubjectInput],
    hub_team: Team | None = None,
    external_reference: str = "",
    idempotency_key: str | None = None,
    received_at: datetime.datetime | None = None,
    channel: str = "form",
) -> Contact:
    """Record a contact, link or create the people it is about, tell the hub team.

    `hub_team` defaults to `hub_team_for(source_organisation)`. `channel` ("form", "api",
    "import") is kept in the audit event. Raises ValidationError (nothing written) or
    IdempotencyConflict."""
    checked = _check_subjects(subjects)
    _check_basis(consent=consent, lawful_basis=lawful_basis)
    if family_awareness not in FamilyAwareness.values:
        raise ValidationError({"family_awareness": "Say whether the family knows about this contact."})
    fingerprint = _fingerprint(
        source=source,
        source_organisation_id=source_organisation.pk if source_organisation else None,
        what_happened=what_happened,
        family_awareness=family_awareness,
        consent=consent,
        lawful_basis=lawful_basis,
        external_reference=external_reference,
        subjects=[s.fingerprint() for s in checked],
    )
    if idempotency_key:
        replayed = _replay(idempotency_key, fingerprint)
        if replayed is not None:
            return replayed
    contact = Contact(
        reference="CT-pending",
        received_at=received_at or timezone.now(),
        source=source,
        source_organisation=source_organisation,
        recorded_by=recorded_by,
        referrer_name=referrer_name.strip(),
        referrer_role=referrer_role.strip(),
        referrer_contact=referrer_contact.strip(),
        referrer_user=referrer_user,
        external_reference=external_reference.strip(),
        idempotency_key=idempotency_key or None,
        what_happened=what_happened.strip(),
        family_awareness=family_awareness,
        consent=consent,
        lawful_basis=lawful_basis,
        hub_team=hub_team or hub_team_for(source_organisation),
    )
    # The decision is due a working day after the concern arrived, screened or not.
    contact.decision_due_at = due_after(contact.received_at, "referral_decision")
    contact.full_clean(exclude=["reference"], validate_unique=False)
    try:
        _allocate_reference_and_save(contact)
    except IntegrityError:
        # Another request with the same key committed first: answer as it was answered.
        assert idempotency_key
        replayed = _replay(idempotency_key, fingerprint)
        assert replayed is not None
        return replayed

    linked = 0
    for subject in checked:
        person = _link_subject(contact=contact, subject=subject, recorded_by=recorded_by)
        row = ContactSubject(
            contact=contact,
            role=subject.role,
            person=person,
            given_names=subject.given_names,
            family_name=subject.family_name,
            date_of_birth=subject.date_of_birth,
            expected_due_date=subject.expected_due_date,
            nhs_number=subject.nhs_number,
            upn=subject.upn,
            postcode=subject.postcode,
        )
        row.full_clean()
        row.save()
        if person is not None:
            linked += 1
            give_hub_team_access(contact=contact, person=person, granted_by=recorded_by)
            _add_to_chronology(contact=contact, person=person, recorded_by=recorded_by)

    record(
        action="contact.recorded",
        actor=recorded_by,
        actor_username="" if recorded_by else f"safehub {channel}",
        target=contact,
        purpose=f"Contact {contact.reference} to {contact.hub_team.name}",
        detail={
            "reference": contact.reference,
            "channel": channel,
            "source": contact.source,
            "subjects": len(checked),
            "linked": linked,
            "lawful_basis": contact.lawful_basis,
        },
    )
    _tell_hub_team(contact)
    return contact


def _add_to_chronology(*, contact: Contact, person: Person, recorded_by: User | None) -> None:
    # The summary says where the concern came from, never what it says: the narrative
    # stays on the contact, where access to it is decided.
    entry = ChronologyEntry(
        person=person,
        occurred_at=contact.received_at,
        category="contact",
        summary=f"Contact received from {ContactSource(contact.source).label}",
        organisation=contact.source_organisation,
        recorded_by=recorded_by,
        source_type="hub.contact",
        source_id=str(contact.pk),
    )
    entry.full_clean()
    entry.save()


def _tell_hub_team(contact: Contact) -> None:
    members = contact.hub_team.members.filter(is_active=True).order_by("pk")
    for member in members:
        notify(
            key=f"contact.received:contact-{contact.pk}:user-{member.pk}",
            recipient=member,
            kind="contact.received",
            reference=contact.reference,
            link=contact.get_absolute_url(),
            channels=(Channel.INBOX,),
        )
