"""Every read of a person's record. Each function starts from `persons_visible_to(user)`.

Who may see whom, and which fields, is decided in one place: `safehub.access.policy`.
`persons_visible_to` is its `visible_persons`, under the name the callers know.
"""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from safehub.access import policy
from safehub.access import services as access_services
from safehub.partnership.models import Organisation, User
from safehub.partnership.roles import Capability, has_capability
from safehub.people.identifiers import normalise_nhs_number
from safehub.people.models import (
    ChronologyEntry,
    Enrolment,
    Identifier,
    IdentifierScheme,
    Person,
    PersonAddress,
    PersonKind,
    Relationship,
    normalise_postcode,
)


def persons_visible_to(user: User) -> QuerySet[Person]:
    return policy.visible_persons(user)


@dataclass(frozen=True)
class PersonSearch:
    name: str = ""
    date_of_birth: datetime.date | None = None
    identifier: str = ""
    postcode: str = ""
    kind: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.name or self.date_of_birth or self.identifier or self.postcode)

    def criteria(self) -> dict[str, str]:
        """The terms as typed, for the audit log."""
        return {
            "name": self.name,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else "",
            "identifier": self.identifier,
            "postcode": self.postcode,
        }


def search_people(*, user: User, search: PersonSearch) -> QuerySet[Person]:
    """People matching every criterion given: each word of the name against current and
    other names (start of a name), date of birth (a partial one matches its year or
    month), an NHS number, UPN or police reference, and a current or past postcode.

    Nobody finds a person by a field they may not see: a police reference only matches for
    those who may see police references, a confidential address's postcode only for those
    who may see confidential addresses."""
    return _matching(persons_visible_to(user), user=user, search=search).prefetch_related(
        Prefetch("addresses", queryset=PersonAddress.objects.current_on().select_related("address")),
        "identifiers",
    )


BREAK_GLASS_RESULT_LIMIT = 10


def search_outside_scope(*, user: User, search: PersonSearch) -> QuerySet[Person]:
    """For emergency access: people matching the search whom the user may not open yet.

    Only for users allowed to break glass; the caller shows minimal identity only."""
    if not has_capability(user, Capability.BREAK_GLASS):
        return Person.objects.none()
    outside = Person.objects.exclude(pk__in=persons_visible_to(user).values("pk"))
    return _matching(outside, user=user, search=search)


def _matching(people: QuerySet[Person], *, user: User, search: PersonSearch) -> QuerySet[Person]:
    if search.is_empty:
        return people.none()
    # A record merged into another is found through the one it was merged into.
    people = people.filter(merged_into__isnull=True)
    for word in re.findall(r"[\w'-]+", search.name):
        people = people.filter(
            Q(given_names__istartswith=word)
            | Q(family_name__istartswith=word)
            | Q(given_names__icontains=f" {word}")
            | Q(family_name__icontains=f"-{word}")
            | Q(other_names__given_names__istartswith=word)
            | Q(other_names__family_name__istartswith=word)
        )
    if search.date_of_birth:
        dob = search.date_of_birth
        people = people.filter(
            Q(date_of_birth=dob)
            | Q(date_of_birth_precision="month", date_of_birth=dob.replace(day=1))
            | Q(date_of_birth_precision="year", date_of_birth=dob.replace(day=1, month=1))
        )
    if search.identifier:
        raw = search.identifier.strip().upper()
        candidates = {raw.replace(" ", ""), normalise_nhs_number(raw)}
        identifiers = Identifier.objects.filter(value__in=candidates)
        if not policy.may_see_field(user, "police_reference"):
            identifiers = identifiers.exclude(scheme=IdentifierScheme.POLICE_REFERENCE)
        people = people.filter(pk__in=identifiers.values("person_id"))
    if search.postcode:
        addresses = PersonAddress.objects.filter(address__postcode=normalise_postcode(search.postcode))
        if not policy.may_see_field(user, "confidential_address"):
            addresses = addresses.exclude(is_confidential=True)
        people = people.filter(pk__in=addresses.values("person_id"))
    return people.distinct()


def visible_mother(*, user: User, person: Person) -> Person | None:
    """The unborn child's mother, if the viewer may open her record."""
    if person.mother_id is None:
        return None
    return persons_visible_to(user).filter(pk=person.mother_id).first()


def get_person(*, user: User, pk: int, part: str = "record") -> Person:
    """One person the user may see, or 404 (never a hint that a hidden record exists).

    Asking for an existing record outside one's scope is recorded in the audit log here,
    so that every page and API call that opens a person records it the same way."""
    # Asked by id first (the same scope as persons_visible_to): fast on a county's index.
    if not policy.may_open_person(user, pk):
        if Person.objects.filter(pk=pk).exists():
            access_services.record_access_refused(user=user, person_pk=pk, part=part)
        raise Http404("No such person")
    person = (
        Person.objects.select_related("mother")
        .prefetch_related("identifiers", "other_names")
        .prefetch_related(Prefetch("addresses", queryset=PersonAddress.objects.select_related("address")))
        .prefetch_related(Prefetch("enrolments", queryset=Enrolment.objects.select_related("organisation")))
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise Http404("No such person")
    return person


@dataclass(frozen=True)
class HouseholdMember:
    person: Person
    relationship: str
    current: bool
    visible: bool


def household_of(*, user: User, person: Person) -> list[HouseholdMember]:
    """The person's relationships, both directions, and others at the current address.

    People the viewer may not open are listed without their names.
    """
    today = timezone.localdate()
    members: dict[int, HouseholdMember] = {}
    relationships = Relationship.objects.filter(Q(person=person) | Q(related_to=person)).select_related(
        "person", "related_to"
    )
    for rel in relationships:
        current = rel.end_date is None or rel.end_date >= today
        if rel.person_id == person.pk:
            other, label = rel.related_to, _inverse_label(rel)
        else:
            other, label = rel.person, rel.get_kind_display()
        members.setdefault(other.pk, HouseholdMember(other, label, current, visible=False))
    current_addresses = PersonAddress.objects.current_on(today).filter(person=person).values("address_id")
    co_residents = (
        PersonAddress.objects.current_on(today)
        .filter(address_id__in=current_addresses)
        .exclude(person=person)
        .select_related("person")
    )
    for residence in co_residents:
        members.setdefault(
            residence.person_id,
            HouseholdMember(residence.person, "Lives at the same address", current=True, visible=False),
        )
    visible = set(persons_visible_to(user).filter(pk__in=list(members)).values_list("pk", flat=True))
    ordered = sorted(
        members.values(),
        key=lambda m: (not m.current, m.person.kind != PersonKind.ADULT, m.person.date_of_birth or today),
    )
    return [HouseholdMember(m.person, m.relationship, m.current, m.person.pk in visible) for m in ordered]


def _inverse_label(rel: Relationship) -> str:
    """How `rel.related_to` stands to `rel.person`: if Jo is Sam's parent, Sam is Jo's child."""
    from safehub.people.models import INVERSE_LABELS

    return INVERSE_LABELS.get(rel.kind, rel.get_kind_display())  # type: ignore[call-overload]


def chronology_for(*, user: User, person: Person) -> QuerySet[ChronologyEntry]:
    """The person's timeline, newest first, only the entries the user's agency may read
    (see `safehub.access.policy.visible_chronology`)."""
    return (
        policy.visible_chronology(user, person)
        .select_related("organisation")
        .prefetch_related("shared_with")
        .order_by("-occurred_at", "-pk")
    )


def agencies_working_with(person: Person, *, besides: Organisation | None = None) -> QuerySet[Organisation]:
    """The agencies an entry about the person may be shared with by name: the statutory
    partners (councils, police forces, health organisations) of the partnership, the person's
    current schools and settings, and the agencies whose teams or staff have a current
    legitimate relationship with the person. `besides` (the recording agency) is left out."""
    from safehub.access.models import LegitimateRelationship
    from safehub.access.policy import STATUTORY_PARTNER_KINDS

    schools = Enrolment.objects.current_on().filter(person=person).values("organisation_id")
    related = LegitimateRelationship.objects.active().filter(person=person)
    agencies = Organisation.objects.filter(
        Q(kind__in=STATUTORY_PARTNER_KINDS, is_open=True)
        | Q(pk__in=schools)
        | Q(pk__in=related.filter(team__isnull=False).values("team__organisation_id"))
        | Q(pk__in=related.filter(user__isnull=False).values("user__organisation_id"))
    )
    if besides is not None:
        agencies = agencies.exclude(pk=besides.pk)
    return agencies.order_by("kind", "name", "pk")


def chronology_entry_of_own_agency(*, user: User, pk: int) -> ChronologyEntry:
    """An entry the user's agency recorded about someone the user may see, or 404."""
    if user.organisation_id is None:
        raise Http404("No such entry")
    entry = (
        ChronologyEntry.objects.select_related("person", "organisation")
        .filter(pk=pk, organisation_id=user.organisation_id)
        .prefetch_related("shared_with", "sharing_decisions__decided_by")
        .first()
    )
    if entry is None or not policy.visible_chronology(user, entry.person).filter(pk=entry.pk).exists():
        raise Http404("No such entry")
    return entry


def school_roll(*, user: User, name: str = "") -> QuerySet[Enrolment]:
    """The children on the roll of the user's own school or setting today."""
    if not has_capability(user, Capability.VIEW_SCHOOL_ROLL) or not user.organisation_id:
        return Enrolment.objects.none()
    roll = (
        Enrolment.objects.current_on()
        .filter(organisation_id=user.organisation_id, person__in=persons_visible_to(user))
        .select_related("person")
        .order_by("person__family_name", "person__given_names")
    )
    for word in re.findall(r"[\w'-]+", name):
        roll = roll.filter(Q(person__given_names__istartswith=word) | Q(person__family_name__istartswith=word))
    return roll
