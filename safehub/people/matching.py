"""Finding the child: the existing records that may be the person a practitioner describes.

A practitioner recording a concern types what they know (names, date of birth, NHS number,
UPN, postcode), often from memory or a phone call, so matching forgives: misspellings
(Damerau-Levenshtein and Jaro-Winkler), names that sound alike (Metaphone), known variants
of given names (Jon ~ John), a date of birth with the day and month swapped or one digit
wrong, previous names and past addresses. Each candidate carries the reasons it matched.

Two steps, so that it stays fast on hundreds of thousands of people:
1. Blocking, in the database: people sharing a strong key with the query (an identifier,
   the date of birth or its likely mistypings, the phonetic key of the family name with
   the birth year, the postcode). Each block is indexed and capped.
2. Scoring, in Python, of that small block only.

Matching searches every person in the partnership, not only those the user may open: the
front door must find any child, or a duplicate record is made. It is offered only to users
who may record a concern (RECORD_CONTACT), shows minimal identity (name, date of birth,
postcode district, the last four characters of identifiers) and is audited as
`person.matched` with the criteria and the candidates' references. Merged records are
never candidates.
"""

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import jellyfish
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from safehub.access import policy
from safehub.audit.services import record
from safehub.partnership.models import User
from safehub.partnership.roles import Capability, has_capability
from safehub.people.identifiers import normalise_nhs_number, validate_nhs_number
from safehub.people.models import (
    DatePrecision,
    Identifier,
    IdentifierScheme,
    NameKind,
    Person,
    PersonAddress,
    PersonName,
    Sex,
    name_key,
    normalise_postcode,
)

NOT_ALLOWED = "Your roles do not allow you to record a concern, so you cannot look for matching records."

# How many people each block may bring to scoring: enough for the commonest names in a
# large partnership, few enough that scoring stays in milliseconds.
BLOCK_LIMIT = 400
# How many of the people blocked on their own row are loaded whole and scored (see _shortlist).
SHORTLIST = 60
# A candidate needs this much evidence: for example a matching date of birth and family
# name, or a full name, or an identifier. One weak agreement (a postcode, a birth year, a
# family name alone) is not enough.
MINIMUM_SCORE = 40

# Weights: an identifier outweighs everything else together, then date of birth, names, address.
NHS_MATCH = 200
NHS_CONFLICT = -60
UPN_MATCH = 80
UPN_CONFLICT = -15
DOB_EXACT = 30
DOB_SWAPPED = 22
DOB_PARTIAL_MONTH = 18
DOB_PARTIAL_YEAR = 10
DOB_ONE_DIGIT = 14
DOB_TRANSPOSED = 14
DOB_SAME_YEAR = 4
DOB_FAR_APART = -15
FAMILY_EXACT = 25
FAMILY_OTHER_NAME = 22
FAMILY_PART = 18
FAMILY_SOUNDS_ALIKE = 18
FAMILY_SIMILAR = 15
GIVEN_EXACT = 20
GIVEN_VARIANT = 16
GIVEN_SOUNDS_ALIKE = 14
GIVEN_SIMILAR = 12
GIVEN_MIDDLE = 10
GIVEN_DIFFERENT = -10
NAMES_SWAPPED = 38
POSTCODE_CURRENT = 15
POSTCODE_PAST = 8
# Differences that say "a different person": a different sex (both recorded), and a
# different given name for someone with the same family name and date of birth at the same
# address (a twin or sibling, not a misspelling).
SEX_CONFLICT = -60
HOUSEHOLD_SIBLING = -45

# Common English given names and their short forms and variants. Each group is one name.
NAME_VARIANT_GROUPS: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "john jon jonathan jonny johnny jack",
        "william will bill billy liam willie",
        "robert rob bob bobby robbie bert",
        "elizabeth liz lizzie lizzy beth betty eliza libby elsie",
        "katherine catherine kathryn katharine kate katie cathy kath kat kitty",
        "margaret maggie meg peggy megan",
        "james jim jimmy jamie",
        "thomas tom tommy",
        "alexander alex alec sandy xander",
        "alexandra alex lexi sandra alexa",
        "charles charlie chas chuck",
        "charlotte charlie lottie lotte",
        "daniel dan danny",
        "danielle dani",
        "edward ed eddie ted teddy ned",
        "henry harry hal hank",
        "joseph joe joey",
        "matthew matt matty",
        "michael mike mikey mick mickey",
        "nicholas nick nicky nico",
        "natalie nat natasha tasha",
        "oliver ollie olly",
        "olivia liv livvy",
        "richard rich rick ricky dick",
        "samuel sam sammy",
        "samantha sam sammy",
        "benjamin ben benny",
        "christopher chris kit",
        "christine chris chrissie christina tina",
        "anthony tony",
        "andrew andy drew",
        "david dave davey",
        "stephen steven steve stevie",
        "rebecca becky becca",
        "jessica jess jessie",
        "victoria vicky vickie tori",
        "abigail abi abby abbie gail",
        "amelia millie amy",
        "isabella isabelle isabel isobel bella izzy issy",
        "sophie sophia",
        "hannah hanna",
        "eleanor ellie elle nell nellie",
        "frederick fred freddie freddy",
        "theodore theo ted",
        "zachary zach zack zak",
        "mohammed muhammad mohammad mohamed muhammed",
        "leonard leo leon len lenny",
        "susan sue susie suzanne",
        "patricia pat patsy trish tricia",
        "jennifer jen jenny",
        "deborah debbie debra deb",
        "joshua josh",
        "nathan nathaniel nate",
        "archibald archie",
        "florence flo florrie",
        "evelyn evie eve",
        "jacob jake",
        "gabriel gabe",
        "lucy lucia lucie",
        "grace gracie",
        "ava eva",
        "louis lewis lou",
        "francesca fran frankie",
        "francis frank frankie",
        "gregory greg",
        "timothy tim timmy",
        "philip phillip phil pip",
        "kimberley kimberly kim",
        "jacqueline jackie jacqui",
        "zoe zoey",
        "kayleigh kayley kaylee kailey",
        "aiden aidan aden",
        "connor conor",
        "callum calum",
        "riley rylee",
        "freya freyja",
        # Names of many origins, with their nicknames and the transliterations agencies write.
        "emily em emmy emilie",
        "emma em emmie",
        "isabella isabel isobel isabelle izzy bella izzie",
        "nathan nat nate",
        "nathaniel nat nate nathan",
        "hannah hanna hana han",
        "amelia amelie amalia",
        "millicent millie milly",
        "muhammad mohammed mohammad mohamed muhammed mohamad mehmet mo",
        "ahmed ahmad ahmet",
        "mahmoud mahmood mahmud",
        "hussain hussein husain hossein",
        "hassan hasan",
        "omar umar omer",
        "yusuf yousef youssef yusef yosef",
        "ibrahim ebrahim ibby",
        "ismail ismael esmail",
        "abdullah abdulla abdallah",
        "aisha ayesha aysha aishah ayisha",
        "fatima fatimah fatma fatemeh",
        "zainab zaynab zeinab zaineb",
        "maryam mariam maryum",
        "khadija khadijah kadija",
        "amira ameera amirah",
        "noor nour nur",
        "layla leila laila lejla leyla",
        "yasmin yasmine yasmeen jasmine jasmin",
        "sara sarah",
        "aleksander aleksandr oleksandr olek alek sasha",
        "aleksandra oleksandra ola sasha",
        "dmitri dmitry dmytro dima",
        "ivan vanya",
        "mikhail misha",
        "yevgeny evgeny yevgeniy zhenya",
        "ekaterina yekaterina katya katia",
        "anastasia nastya nastia",
        "natalia natalya natasha",
        "olga olya",
        "tatiana tatyana tanya",
        "svetlana sveta",
        "katarzyna kasia",
        "agnieszka aga",
        "malgorzata gosia",
        "krzysztof krzys",
        "wojciech wojtek",
        "grzegorz grzesiek",
        "tomasz tomek",
        "piotr piotrek",
        "jakub kuba",
        "magdalena magda",
        "oluwaseun seun",
        "olumide mide",
        "oluwatobi tobi",
        "oluwafemi femi",
        "oluwakemi kemi",
        "babatunde tunde",
        "adebayo bayo",
        "chukwuemeka emeka",
        "chinonso nonso",
        "ifeoluwa ife",
        "jose pepe",
        "francisco paco",
        "giuseppe beppe peppe",
        "giovanni gianni",
        "ion ioan ionut",
        "abdirahman abdi",
        "sean shaun shawn",
        "kacper casper",
        "roisin rosheen",
        "siobhan shevaun chevonne",
        "niamh neve",
        "matthew mateusz",
        "jacob jakub",
        "peter piotr",
        "paul pawel",
        "thomas tomasz",
        "michael michal mikhail",
        "stephen stefan",
        "elena yelena helena",
        "maria mariya mariia",
        "nadia nadiya nadja",
    )
)
_VARIANTS: dict[str, frozenset[str]] = {}
for _group in NAME_VARIANT_GROUPS:
    for _name in _group:
        _VARIANTS[_name] = _VARIANTS.get(_name, frozenset()) | _group


# How names are spelt differently when written down from speech or from another alphabet:
# Aleksander and Alexander, Stefan and Stephan, Yelena and Elena, Lily and Lilly, Hannah and
# Hanna, Nadiya and Nadia. Two names with the same spelling are forms of one name.
_SPELLINGS = (
    (re.compile(r"ks"), "x"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"^ye"), "e"),
    (re.compile(r"y"), "i"),
    (re.compile(r"(?<=[aeiou])h$"), ""),
    (re.compile(r"(.)\1+"), r"\1"),
)


def _spelling(name: str) -> str:
    for pattern, replacement in _SPELLINGS:
        name = pattern.sub(replacement, name)
    return name


def are_name_variants(a: str, b: str) -> bool:
    """Whether two given names are forms of one name (Jon ~ John, Bill ~ William, Aleksander ~
    Alexander)."""
    if a == b:
        return False
    return b in _VARIANTS.get(a, frozenset()) or (min(len(a), len(b)) >= 3 and _spelling(a) == _spelling(b))


def _names_of_one_sex(name: str) -> bool:
    """Whether a short form points to one name only: Alex may be Alexander or Alexandra (twins)."""
    return sum(1 for group in NAME_VARIANT_GROUPS if name in group) <= 1


@dataclass(frozen=True)
class MatchQuery:
    given_names: str = ""
    family_name: str = ""
    date_of_birth: datetime.date | None = None
    nhs_number: str = ""
    upn: str = ""
    postcode: str = ""
    # "female" or "male" when the referrer says; anything else is not known.
    sex: str = ""

    @property
    def is_empty(self) -> bool:
        typed = (self.given_names, self.family_name, self.nhs_number, self.upn, self.postcode)
        return self.date_of_birth is None and not any(value.strip() for value in typed)

    def criteria(self) -> dict[str, str]:
        """The terms as typed, for the audit log (the privacy officer sees what was sought)."""
        terms = {
            "given_names": self.given_names,
            "family_name": self.family_name,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else "",
            "nhs_number": self.nhs_number,
            "upn": self.upn,
            "postcode": self.postcode,
            "sex": self.sex,
        }
        return {name: value.strip() for name, value in terms.items() if value.strip()}


@dataclass
class Candidate:
    """One existing record that may be the person described, with why it matched.

    `postcode_district` and `identifiers` are already reduced to minimal identity for the
    user (the outward code; identifiers as their last four characters)."""

    person: Person
    score: int
    reasons: list[str]
    nhs_number_matches: bool = False
    postcode_district: str = ""
    identifiers: list[str] = field(default_factory=list)

    @property
    def reference(self) -> str:
        return self.person.reference

    @property
    def name(self) -> str:
        return self.person.full_name

    @property
    def date_of_birth(self) -> str:
        return self.person.date_of_birth_display

    @property
    def reason_tags(self) -> list[tuple[str, str]]:
        """Each reason with a GOV.UK tag colour: green for exact agreement, blue for a likely
        slip or variant, red for a difference the practitioner must weigh."""
        return [(reason, _tag_colour(reason)) for reason in self.reasons]


def _tag_colour(reason: str) -> str:
    if reason.endswith("is different"):
        return "red"
    if reason.endswith("matches") or reason.startswith("Postcode matches a current"):
        return "green"
    return "blue"


def find_candidates(
    *,
    user: User,
    given_names: str = "",
    family_name: str = "",
    date_of_birth: datetime.date | None = None,
    nhs_number: str = "",
    upn: str = "",
    postcode: str = "",
    sex: str = "",
    limit: int = 10,
) -> list[Candidate]:
    """The existing people who may be the person described, best first (an NHS number match
    always first), at most `limit`. Audited as `person.matched`."""
    if not has_capability(user, Capability.RECORD_CONTACT):
        raise PermissionDenied(NOT_ALLOWED)
    query = MatchQuery(
        given_names=given_names or "",
        family_name=family_name or "",
        date_of_birth=date_of_birth,
        nhs_number=nhs_number or "",
        upn=upn or "",
        postcode=postcode or "",
        sex=sex or "",
    )
    may_see_confidential = policy.may_see_field(user, "confidential_address")
    candidates = _match(query, may_see_confidential=may_see_confidential, limit=limit)
    # Recorded before the candidates are shown: if the event cannot be written, nothing is.
    record(
        action="person.matched",
        actor=user,
        purpose="finding the person a concern is about",
        detail={"criteria": query.criteria(), "candidates": [c.person.pk for c in candidates]},
    )
    return candidates


class Details(Protocol):
    """What a form, a file row or an API body says about a person (every intake's input has it)."""

    @property
    def given_names(self) -> str: ...
    @property
    def family_name(self) -> str: ...
    @property
    def date_of_birth(self) -> datetime.date | None: ...
    @property
    def nhs_number(self) -> str: ...
    @property
    def upn(self) -> str: ...
    @property
    def postcode(self) -> str: ...
    @property
    def sex(self) -> str: ...


def query_of(details: Details) -> MatchQuery:
    """The match query for what was given; a wrong NHS number raises ValidationError."""
    nhs_number = validate_nhs_number(details.nhs_number) if details.nhs_number.strip() else ""
    return MatchQuery(
        given_names=details.given_names,
        family_name=details.family_name,
        date_of_birth=details.date_of_birth,
        nhs_number=nhs_number,
        upn=details.upn,
        postcode=details.postcode,
        sex=details.sex,
    )


def sure_match_for_system(details: Details, *, kind: str, on_behalf_of: str) -> Person | None:
    """The record something that arrived with no person choosing is linked to (`sure_match`),
    or None; the search is audited for the system `on_behalf_of`."""
    query = query_of(details)
    return sure_match(query, find_candidates_for_system(on_behalf_of=on_behalf_of, query=query), kind=kind)


def find_candidates_for_system(*, on_behalf_of: str, query: MatchQuery, limit: int = 10) -> list[Candidate]:
    """Matching for concerns that arrive with no person choosing (a bulk import): nothing is
    shown to anyone, the caller only decides whether one candidate is sure enough to link.
    Confidential addresses are not matched on. Audited as `person.matched` by `on_behalf_of`."""
    candidates = _match(query, may_see_confidential=False, limit=limit)
    record(
        action="person.matched",
        actor_username=on_behalf_of,
        purpose="linking a concern that arrived in bulk to the person it is about",
        detail={"criteria": query.criteria(), "candidates": [c.person.pk for c in candidates]},
    )
    return candidates


def _match(query: MatchQuery, *, may_see_confidential: bool, limit: int) -> list[Candidate]:
    if query.is_empty:
        return []
    scorer = _Scorer(query, may_see_confidential=may_see_confidential)
    people = _people(_shortlist(query, scorer, may_see_confidential=may_see_confidential))
    candidates = [candidate for person in people if (candidate := scorer.candidate(person)) is not None]
    candidates.sort(key=lambda c: (not c.nhs_number_matches, -c.score, c.person.family_name, c.person.pk))
    candidates = candidates[:limit]
    for candidate in candidates:
        _reduce_identity(candidate, may_see_confidential=may_see_confidential)
    return candidates


# Blocking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """What a block reads of a person to rank them before their whole record is loaded."""

    pk: int
    given_names: str
    family_name: str
    date_of_birth: datetime.date | None
    date_of_birth_precision: str
    sex: str


ROW_FIELDS = ("pk", "given_names", "family_name", "date_of_birth", "date_of_birth_precision", "sex")


def _shortlist(query: MatchQuery, scorer: "_Scorer", *, may_see_confidential: bool) -> set[int]:
    """The blocked people worth loading whole: everyone found through an identifier, another
    name or an address, and the SHORTLIST best of the rest by their names, date of birth and
    sex. A common name in a county fills a block with hundreds; loading each with its names,
    identifiers and addresses would cost more than the rest of the match."""
    rows, kept = _blocks(query, may_see_confidential=may_see_confidential)
    if len(rows) > SHORTLIST:
        best = sorted(rows.values(), key=lambda row: (-scorer.rough(row), row.pk))[:SHORTLIST]
        return kept | {row.pk for row in best}
    return kept | set(rows)


def _blocks(query: MatchQuery, *, may_see_confidential: bool) -> tuple[dict[int, _Row], set[int]]:
    """The people sharing a strong key with the query, each block from an index, capped: those
    found on the person's own row (with what ranks them), and the ids found through an
    identifier, another name or an address."""
    live = Person.objects.unmerged()
    rows: dict[int, _Row] = {}
    ids: set[int] = set()

    def add(people: QuerySet[Person]) -> None:
        for values in people.order_by().values_list(*ROW_FIELDS)[:BLOCK_LIMIT]:
            rows[values[0]] = _Row(*values)

    def add_via(rows: QuerySet[PersonName] | QuerySet[Identifier] | QuerySet[PersonAddress]) -> None:
        person_ids = rows.filter(person__merged_into__isnull=True).order_by().values_list("person_id", flat=True)
        ids.update(person_ids[:BLOCK_LIMIT])

    identifiers = _identifier_terms(query)
    if identifiers:
        wanted = Q(pk__in=[])
        for scheme, value in identifiers:
            wanted |= Q(scheme=scheme, value=value)
        add_via(Identifier.objects.filter(wanted))

    dob = query.date_of_birth
    keys = _family_keys(query.family_name)
    if dob is not None:
        add(live.filter(_same_or_partial_dob(dob)))
        near = _one_digit_dates(dob) | _transposed_dates(dob)
        if near and (keys or query.family_name.strip()):
            same_name = Q(family_name_key__in=keys) | Q(family_name__istartswith=_letters(query.family_name)[:1])
            add(live.filter(same_name, date_of_birth__in=sorted(near)))

    if keys:
        names = live.filter(family_name_key__in=keys)
        other_names = PersonName.objects.filter(family_name_key__in=keys)
        if dob is not None:
            born = _year_range(dob.year)
            add(names.filter(date_of_birth__range=born))
            add_via(other_names.filter(person__date_of_birth__range=born))
        else:
            initials = _given_initials(query.given_names)
            if initials:
                starts = Q()
                for initial in initials:
                    starts |= Q(given_names__istartswith=initial)
                add(names.filter(starts))
                add_via(other_names.filter(starts))
            else:
                add(names)
                add_via(other_names)

    if query.postcode.strip():
        residents = PersonAddress.objects.filter(address__postcode=normalise_postcode(query.postcode))
        if not may_see_confidential:
            residents = residents.exclude(is_confidential=True)
        add_via(residents)
    return rows, ids


def _people(ids: set[int]) -> QuerySet[Person]:
    return (
        Person.objects.unmerged()
        .filter(pk__in=ids)
        .prefetch_related(
            "other_names",
            "identifiers",
            Prefetch("addresses", queryset=PersonAddress.objects.select_related("address")),
        )
    )


def _identifier_terms(query: MatchQuery) -> list[tuple[str, str]]:
    terms = []
    if nhs := normalise_nhs_number(query.nhs_number):
        terms.append((IdentifierScheme.NHS_NUMBER.value, nhs))
    if upn := _normalise_upn(query.upn):
        terms.append((IdentifierScheme.UPN.value, upn))
    return terms


def _normalise_upn(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def _same_or_partial_dob(dob: datetime.date) -> Q:
    exact = {dob}
    if swapped := _swapped(dob):
        exact.add(swapped)
    return (
        Q(date_of_birth__in=sorted(exact))
        | Q(date_of_birth_precision=DatePrecision.MONTH, date_of_birth=dob.replace(day=1))
        | Q(date_of_birth_precision=DatePrecision.YEAR, date_of_birth=dob.replace(month=1, day=1))
    )


def _year_range(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(max(year - 1, 1), 1, 1), datetime.date(min(year + 1, 9999), 12, 31)


def _swapped(dob: datetime.date) -> datetime.date | None:
    """The date with day and month exchanged (3 April for 4 March), if that is a date."""
    if dob.day == dob.month or dob.day > 12:
        return None
    return dob.replace(day=dob.month, month=dob.day)


def _digits(dob: datetime.date) -> str:
    return f"{dob:%Y%m%d}"


def _parse_digits(digits: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(digits, "%Y%m%d").date()
    except ValueError:
        return None


def _one_digit_dates(dob: datetime.date) -> set[datetime.date]:
    """Every real date one mistyped digit away from `dob` (in YYYYMMDD)."""
    digits = _digits(dob)
    dates = set()
    for position, current in enumerate(digits):
        for replacement in "0123456789":
            if replacement != current:
                variant = _parse_digits(digits[:position] + replacement + digits[position + 1 :])
                if variant is not None and variant.year > 1900:
                    dates.add(variant)
    return dates - {dob}


def _transposed_dates(dob: datetime.date) -> set[datetime.date]:
    """Real dates with two neighbouring digits of the day, month or year exchanged (21 for 12)."""
    digits = _digits(dob)
    dates = set()
    for start, end in ((0, 4), (4, 6), (6, 8)):
        for position in range(start, end - 1):
            swapped = digits[:position] + digits[position + 1] + digits[position] + digits[position + 2 :]
            variant = _parse_digits(swapped)
            if variant is not None and variant.year > 1900:
                dates.add(variant)
    return dates - {dob}


def _letters(name: str) -> str:
    return re.sub(r"[^a-z]", "", (name or "").lower())


def _name_parts(name: str) -> list[str]:
    """The words of a name, lower case, letters only: "Smith-Jones" is ["smith", "jones"]."""
    return [part for part in (_letters(word) for word in re.split(r"[\s-]+", name or "")) if part]


def _family_keys(family_name: str) -> set[str]:
    keys = {name_key(family_name)} | {name_key(part) for part in _name_parts(family_name)}
    return {key for key in keys if key}


def _given_initials(given_names: str) -> set[str]:
    parts = _name_parts(given_names)
    if not parts:
        return set()
    first = parts[0]
    return {first[0]} | {variant[0] for variant in _VARIANTS.get(first, frozenset())}


# Scoring --------------------------------------------------------------------------------


def _similar(a: str, b: str) -> bool:
    """A likely misspelling: one edit apart (two for long names), or very close by Jaro-Winkler."""
    if min(len(a), len(b)) < 3:
        return False
    distance = jellyfish.damerau_levenshtein_distance(a, b)
    return (
        distance <= 1 or (distance <= 2 and min(len(a), len(b)) >= 7) or jellyfish.jaro_winkler_similarity(a, b) >= 0.93
    )


def _sounds_alike(a: str, b: str) -> bool:
    return bool(a and b) and jellyfish.metaphone(a) == jellyfish.metaphone(b)


OTHER_NAME_REASONS = {
    NameKind.PREVIOUS: "Previous name matches",
    NameKind.ALIAS: "A name they are also known by matches",
    NameKind.BIRTH: "Name at birth matches",
}


class _Scorer:
    def __init__(self, query: MatchQuery, *, may_see_confidential: bool) -> None:
        self.query = query
        self.may_see_confidential = may_see_confidential
        self.family = _letters(query.family_name)
        self.family_parts = _name_parts(query.family_name)
        self.given_parts = _name_parts(query.given_names)
        self.family_shown = query.family_name.strip()
        # The names as they would be the other way round: the query's family name as given name.
        self.swapped_names = (self.family, _letters(query.given_names)) if self.family and query.given_names else None
        self.nhs = normalise_nhs_number(query.nhs_number)
        self.upn = _normalise_upn(query.upn)
        self.postcode = normalise_postcode(query.postcode) if query.postcode.strip() else ""
        dob = query.date_of_birth
        # Computed once per query, not once per person scored.
        self.swapped = _swapped(dob) if dob else None
        self.transposed = _transposed_dates(dob) if dob else set()
        self.one_digit = _one_digit_dates(dob) if dob else set()

    def candidate(self, person: Person) -> Candidate | None:
        reasons: list[str] = []
        score = 0
        nhs_matches = False
        for scheme, wanted, match, conflict, label in (
            (IdentifierScheme.NHS_NUMBER, self.nhs, NHS_MATCH, NHS_CONFLICT, "NHS number"),
            (IdentifierScheme.UPN, self.upn, UPN_MATCH, UPN_CONFLICT, "UPN"),
        ):
            if not wanted:
                continue
            held = {i.value for i in person.identifiers.all() if i.scheme == scheme}
            if wanted in held:
                score += match
                reasons.append(f"{label} matches")
                nhs_matches = nhs_matches or scheme == IdentifierScheme.NHS_NUMBER
            elif held:
                score += conflict
                reasons.append(f"{label} is different")
        points, reason = self._date_of_birth(person)
        score += points
        if reason:
            reasons.append(reason)
        points, name_reasons = self._names(person)
        score += points
        reasons.extend(name_reasons)
        points, reason = self._postcode(person)
        score += points
        if reason:
            reasons.append(reason)
        if _known_sex(self.query.sex) and _known_sex(person.sex) and self.query.sex != person.sex:
            score += SEX_CONFLICT
            reasons.append("Sex is different")
        if self._sibling(person, points):
            score += HOUSEHOLD_SIBLING
            reasons.append("Given name is different at the same address and date of birth (a twin or sibling?)")
        if score < MINIMUM_SCORE and not nhs_matches:
            return None
        # Only evidence for the match is shown as a reason; differences lower the score silently
        # unless they are about an identifier, which the practitioner must notice.
        return Candidate(person=person, score=score, reasons=reasons, nhs_number_matches=nhs_matches)

    def rough(self, row: "_Row") -> int:
        """The score from the person's own row alone: names, date of birth and sex."""
        points, _ = self._date_of_birth(row)  # type: ignore[arg-type]
        family, _ = self._family(row.family_name)
        given, _ = self._given(row.given_names)
        names = family + given
        if family <= 0 and given <= 0 and self.swapped_names == (_letters(row.given_names), _letters(row.family_name)):
            names = NAMES_SWAPPED
        if _known_sex(self.query.sex) and _known_sex(row.sex) and self.query.sex != row.sex:
            points += SEX_CONFLICT
        return points + names

    def _sibling(self, person: Person, postcode_points: int) -> bool:
        """Same family name, date of birth and current address, but another given name."""
        if postcode_points != POSTCODE_CURRENT or self.query.date_of_birth != person.date_of_birth:
            return False
        if _letters(person.family_name) != self.family or not self.given_parts:
            return False
        return not _same_or_misspelt_given_name(self.given_parts[0], person)

    def _date_of_birth(self, person: Person) -> tuple[int, str]:
        wanted, held = self.query.date_of_birth, person.date_of_birth
        if wanted is None or held is None:
            return 0, ""
        match person.date_of_birth_precision:
            case DatePrecision.MONTH:
                if (held.year, held.month) == (wanted.year, wanted.month):
                    return DOB_PARTIAL_MONTH, "Month and year of birth match (the day is not recorded)"
            case DatePrecision.YEAR:
                if held.year == wanted.year:
                    return DOB_PARTIAL_YEAR, "Year of birth matches (only the year is recorded)"
            case _:
                if held == wanted:
                    return DOB_EXACT, "Date of birth matches"
                if held == self.swapped:
                    return DOB_SWAPPED, "Date of birth matches with day and month swapped"
                if held in self.transposed:
                    return DOB_TRANSPOSED, "Date of birth matches with two digits the wrong way round"
                if held in self.one_digit:
                    return DOB_ONE_DIGIT, "Date of birth differs by one digit"
        if held.year == wanted.year:
            return DOB_SAME_YEAR, "Born in the same year"
        if abs(held.year - wanted.year) > 2:
            return DOB_FAR_APART, ""
        return 0, ""

    def _names(self, person: Person) -> tuple[int, list[str]]:
        family_points, family_reason = self._family(person.family_name)
        for other in person.other_names.all():
            if self.family and _letters(other.family_name) == self.family and family_points < FAMILY_OTHER_NAME:
                family_points, family_reason = FAMILY_OTHER_NAME, OTHER_NAME_REASONS[NameKind(other.kind)]
        given_points, given_reason = self._given(person.given_names)
        if family_points <= 0 and given_points <= 0 and self.swapped_names is not None:
            # Given and family names the other way round (a form filled in surname first).
            swapped_given, swapped_family = self.swapped_names
            if _letters(person.given_names) == swapped_given and _letters(person.family_name) == swapped_family:
                return NAMES_SWAPPED, ["Given and family names match the other way round"]
        if given_points < GIVEN_EXACT:
            for other in person.other_names.all():
                points, reason = self._given(other.given_names)
                if points > given_points and points > 0:
                    kind = NameKind(other.kind).label.lower()
                    given_points, given_reason = points, f"{reason} ({kind})"
        reasons = [reason for reason in (given_reason, family_reason) if reason]
        return family_points + given_points, reasons

    def _family(self, held_name: str) -> tuple[int, str]:
        held = _letters(held_name)
        if not self.family or not held:
            return 0, ""
        if held == self.family:
            return FAMILY_EXACT, "Family name matches"
        if _sounds_alike(held, self.family):
            return FAMILY_SOUNDS_ALIKE, f"Family name sounds alike ({self.family_shown} ~ {held_name})"
        if _similar(held, self.family):
            return FAMILY_SIMILAR, f"Family name is spelt similarly ({self.family_shown} ~ {held_name})"
        held_parts = set(_name_parts(held_name))
        if len(held_parts | set(self.family_parts)) > 1 and held_parts & set(self.family_parts):
            return FAMILY_PART, "Part of a double-barrelled family name matches"
        return 0, ""

    def _given(self, held_names: str) -> tuple[int, str]:
        held = _name_parts(held_names)
        if not self.given_parts or not held:
            return 0, ""
        wanted, first = self.given_parts[0], held[0]
        shown_wanted = self.query.given_names.split()[0]
        shown_held = held_names.split()[0]
        if first == wanted:
            return GIVEN_EXACT, "Given name matches"
        if are_name_variants(wanted, first):
            return GIVEN_VARIANT, f"Given name is a known variant ({shown_wanted} ~ {shown_held})"
        if _sounds_alike(wanted, first):
            return GIVEN_SOUNDS_ALIKE, f"Given name sounds alike ({shown_wanted} ~ {shown_held})"
        if _similar(wanted, first):
            return GIVEN_SIMILAR, f"Given name is spelt similarly ({shown_wanted} ~ {shown_held})"
        if wanted in held[1:] or first in self.given_parts[1:]:
            return GIVEN_MIDDLE, "Matches a middle name"
        return GIVEN_DIFFERENT, ""

    def _postcode(self, person: Person) -> tuple[int, str]:
        if not self.postcode:
            return 0, ""
        today = timezone.localdate()
        best = (0, "")
        for residence in _addresses(person, self.may_see_confidential):
            if residence.address.postcode != self.postcode:
                continue
            if _is_current(residence, today):
                return POSTCODE_CURRENT, "Postcode matches a current address"
            best = (POSTCODE_PAST, "Postcode matches a past address")
        return best


def _known_sex(sex: str) -> bool:
    return sex in (Sex.FEMALE, Sex.MALE)


def _same_given_name(wanted: str, person: Person) -> bool:
    """Whether `wanted` (a first given name, as _name_parts gives it) is the person's first
    given name, a known variant of it, or a given name the person is also known by."""
    for names in (person.given_names, *(other.given_names for other in person.other_names.all())):
        parts = _name_parts(names)
        if parts and (parts[0] == wanted or are_name_variants(wanted, parts[0])):
            return True
    return False


def _same_or_misspelt_given_name(wanted: str, person: Person) -> bool:
    """`_same_given_name`, or a likely misspelling of the first given name (Adaezze for Adaeze)."""
    return _same_given_name(wanted, person) or _same_or_misspelt_given_name_text(wanted, person.given_names)


def _same_or_misspelt_given_name_text(wanted: str, given_names: str) -> bool:
    """Whether `wanted` is the first of `given_names`, a known variant of it, or a likely misspelling."""
    names = _name_parts(given_names)
    if not names:
        return False
    held = names[0]
    return held == wanted or are_name_variants(wanted, held) or _similar(wanted, held) or _sounds_alike(wanted, held)


def _exact(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def conflicts(query: MatchQuery, person: Person) -> list[str]:
    """What the concern says that this record contradicts: a different sex, date of birth, NHS
    number or UPN, or another given name (not a misspelling of it, nor the names the other way
    round). Any one means the record may be someone else, or that its details need a person to
    put right, so nothing links by itself."""
    found = []
    if _known_sex(query.sex) and _known_sex(person.sex) and query.sex != person.sex:
        found.append("sex")
    wanted, held = query.date_of_birth, person.date_of_birth
    if wanted is not None and held is not None:
        match person.date_of_birth_precision:
            case DatePrecision.YEAR:
                differs = held.year != wanted.year
            case DatePrecision.MONTH:
                differs = (held.year, held.month) != (wanted.year, wanted.month)
            case _:
                differs = held != wanted
        if differs:
            found.append("date of birth")
    for scheme, value, label in (
        (IdentifierScheme.NHS_NUMBER, normalise_nhs_number(query.nhs_number), "NHS number"),
        (IdentifierScheme.UPN, _normalise_upn(query.upn), "UPN"),
    ):
        held_values = {i.value for i in person.identifiers.all() if i.scheme == scheme}
        if value and held_values and value not in held_values:
            found.append(label)
    given = _name_parts(query.given_names)
    swapped = _letters(query.given_names) == _letters(person.family_name) and _letters(query.family_name) == _letters(
        person.given_names
    )
    if given and not swapped and not _same_given_name(given[0], person):
        names = _name_parts(person.given_names)
        # A misspelling (Amellia for Amelia) is not a contradiction; another name is.
        if not names or not (_similar(given[0], names[0]) or _sounds_alike(given[0], names[0])):
            found.append("given name")
    return found


def sure_match(query: MatchQuery, candidates: Sequence[Candidate], *, kind: str) -> Person | None:
    """The record a concern that arrived with no person choosing (an import, the API, a police
    incident) is linked to, or None for a person to choose. Sure means one of:

    - exactly one record holds the NHS number or UPN given, and contradicts nothing else given;
    - else exactly one record has the exact full name and date of birth given, and contradicts
      nothing else given (a different NHS number or UPN, or sex);
    - else exactly one record differs by one slip, as `_confirmed_by_address` forgives them.

    A high score never links on its own: twins share a date of birth and an address, and a
    parent and child can share a name. What is forgiven is named, one at a time, and refused
    whenever a twin, a sibling or a namesake could be the one meant. benchmarks/
    matching_quality.py measures what this links, and what it must not."""
    people = {c.person.pk: c.person for c in candidates if c.person.kind == kind}
    nhs, upn = normalise_nhs_number(query.nhs_number), _normalise_upn(query.upn)
    by_identifier = [
        person
        for person in people.values()
        if any(
            (i.scheme == IdentifierScheme.NHS_NUMBER and nhs and i.value == nhs)
            or (i.scheme == IdentifierScheme.UPN and upn and i.value == upn)
            for i in person.identifiers.all()
        )
    ]
    if by_identifier:
        if len(by_identifier) == 1 and not conflicts(query, by_identifier[0]):
            return by_identifier[0]
        return None
    if not query.given_names.strip() or not query.family_name.strip():
        return None
    if query.date_of_birth is None:
        return _confirmed_by_address(query, list(people.values()))
    exact = [
        person
        for person in people.values()
        if _exact(person.given_names, query.given_names)
        and _exact(person.family_name, query.family_name)
        and person.date_of_birth == query.date_of_birth
        and person.date_of_birth_precision == DatePrecision.DAY
    ]
    if exact:
        if len(exact) != 1 or conflicts(query, exact[0]):
            return None
        # Exactly one such record in all SafeHub, not only among the best candidates: a namesake
        # whose other details lowered their score still makes the name ambiguous.
        namesakes = Person.objects.unmerged().filter(
            kind=kind,
            given_names__iexact=exact[0].given_names,
            family_name__iexact=exact[0].family_name,
            date_of_birth=query.date_of_birth,
        )
        return exact[0] if namesakes.count() == 1 else None
    return _confirmed_by_address(query, list(people.values()))


def _confirmed_by_address(query: MatchQuery, people: Sequence[Person]) -> Person | None:
    """At most one slip in otherwise agreeing details: the record is linked only if it is the
    one record that fits and no twin or sibling could be meant.

    The slips forgiven, each alone, when the record's current address has the postcode given:
    the family name misspelt, punctuated differently, one half of a double-barrelled name, a
    previous name, or another family name altogether (a name changed on marriage: the given
    name and date of birth exact); the day and month of birth swapped, two digits the wrong way
    round or one digit wrong; no date of birth on the concern or the record (both names exact);
    a known variant of the given name (Jon for John), when the sex given agrees; a misspelt
    given name; the given and family names the other way round.

    Without that postcode (none given, or one of the record's past addresses) the date of
    birth must be given, and only a misspelt name, the names the other way round, or the day
    and month swapped are forgiven: a date one digit out, with a name alone, fits a stranger
    too often. A postcode the record never had is itself the one slip: nothing else is forgiven.

    A misspelt given name is forgiven only when what was typed is no one's given name in the
    index (`known_given_names`): Amelai is a slip for Amelia, but Sophia is not a slip for
    Sophie, it is what an absent twin with a name like her sibling's looks like."""
    postcode = normalise_postcode(query.postcode) if query.postcode.strip() else ""
    dob = query.date_of_birth
    given, family = _name_parts(query.given_names), _letters(query.family_name)
    if not given or not family:
        return None
    today = timezone.localdate()
    slips = _dob_slips(dob) if dob else set()
    typed_given = _letters(query.given_names)

    def lives_there(person: Person) -> bool:
        return any(
            residence.address.postcode == postcode and _is_current(residence, today)
            for residence in _addresses(person, may_see_confidential=False)
        )

    def slip(person: Person) -> str | None:
        """How the record differs from the concern: "" for not at all, a slip's name, or None
        when it contradicts it (or differs in more than one way)."""
        held_given, held_family = _name_parts(person.given_names), _letters(person.family_name)
        if not held_given or not held_family:
            return None
        found: list[str] = []
        if held_family == typed_given and _letters(person.given_names) == family and held_family != family:
            found.append("names swapped")
        else:
            if held_given[0] == given[0]:
                # Middle names the record lacks are no slip; other middle names are someone else.
                if any(a != b for a, b in zip(given[1:], held_given[1:], strict=False)):
                    return None
            elif are_name_variants(given[0], held_given[0]):
                found.append("given name variant")
            elif _misspelt_given(given[0], held_given[0]):
                found.append("given name misspelt")
            else:
                return None
            if held_family != family:
                found.append("family name slip" if _family_slip(family, person) else "another family name")
        held_dob = person.date_of_birth if person.date_of_birth_precision == DatePrecision.DAY else None
        if dob is None or held_dob is None:
            found.append("no date of birth")
        elif held_dob != dob:
            if held_dob not in slips:
                return None
            found.append("date of birth swapped" if held_dob == _swapped(dob) else "date of birth slip")
        return ", ".join(found) if len(found) <= 1 else None

    def lived_there(person: Person) -> bool:
        return any(residence.address.postcode == postcode for residence in _addresses(person, False))

    def fits(person: Person) -> bool:
        found = slip(person)
        if found is None:
            return False
        if postcode and not lived_there(person):
            # Another address is itself the one slip (a move, or someone else): nothing more.
            return found == "" and dob is not None
        if postcode and lives_there(person):
            if found == "given name variant":
                agrees = _known_sex(query.sex) and query.sex == person.sex
                return agrees or (not _known_sex(query.sex) and _names_of_one_sex(given[0]))
            if found == "no date of birth":
                return True
            if found == "another family name":
                return person.date_of_birth == dob
            return True
        if found == "given name variant":
            return person.date_of_birth == dob and _known_sex(query.sex) and query.sex == person.sex
        return dob is not None and found in _UNCONFIRMED_SLIPS

    fitting = [person for person in people if fits(person)]
    if len(fitting) != 1:
        return None
    found = fitting[0]
    if _known_sex(query.sex) and _known_sex(found.sex) and query.sex != found.sex:
        return None
    if any(
        i.scheme == IdentifierScheme.NHS_NUMBER and normalise_nhs_number(query.nhs_number) not in ("", i.value)
        for i in found.identifiers.all()
    ) or any(
        i.scheme == IdentifierScheme.UPN and _normalise_upn(query.upn) not in ("", i.value)
        for i in found.identifiers.all()
    ):
        return None
    if slip(found) in _NAME_IN_DOUBT and _namesake_nearby(found, given[0]):
        return None
    # Someone else of that family, or at that address, born on the record's birthday with a name
    # like the one given (a twin), or born on the day given (the concern may mix up two
    # siblings), makes it a person's choice. Asked of every record, not only the candidates: a
    # twin whose details scored low still counts.
    born_then = (
        Person.objects.unmerged()
        .filter(date_of_birth__in={d for d in (found.date_of_birth, dob) if d})
        .exclude(pk=found.pk)
        .prefetch_related(Prefetch("addresses", queryset=PersonAddress.objects.select_related("address")))
    )
    for person in born_then:
        if _letters(person.family_name) != _letters(found.family_name) and not (postcode and lives_there(person)):
            continue
        if person.date_of_birth != found.date_of_birth:
            return None
        if _same_or_misspelt_given_name_text(given[0], person.given_names) or _same_or_misspelt_given_name_text(
            (_name_parts(found.given_names) or [""])[0], person.given_names
        ):
            return None
    return found


# A slip that leaves the given name in doubt: a sibling with a name like it may be the one meant.
_NAME_IN_DOUBT = frozenset({"given name misspelt", "given name variant", "no date of birth"})


def _namesake_nearby(found: Person, typed: str) -> bool:
    """Whether someone else of the record's family living where the record lives now has a
    given name like the one typed: Jaydon may be Jaden or his brother Jayden."""
    today = timezone.localdate()
    homes = [a.address_id for a in _addresses(found, may_see_confidential=True) if _is_current(a, today)]
    if not homes:
        return False
    family = _letters(found.family_name)
    household = (
        PersonAddress.objects.filter(address_id__in=homes, end_date__isnull=True, person__merged_into__isnull=True)
        .exclude(person=found)
        .values_list("person__given_names", "person__family_name")
    )
    return any(
        _letters(family_name) == family and _same_or_misspelt_given_name_text(typed, given_names)
        for given_names, family_name in household[:BLOCK_LIMIT]
    )


# Slips forgiven when no current address confirms the record (see _confirmed_by_address).
_UNCONFIRMED_SLIPS = frozenset(
    {"", "given name misspelt", "family name slip", "names swapped", "date of birth swapped"}
)


def _misspelt_given(typed: str, held: str) -> bool:
    """A given name typed with a slip (one edit, or sounding the same), and no one's given name."""
    if len(typed) < 4 or len(held) < 4:
        return False
    close = jellyfish.damerau_levenshtein_distance(typed, held) <= 1 or _sounds_alike(typed, held)
    return close and typed not in _VARIANTS and typed not in known_given_names()


# The given names the index holds --------------------------------------------------------

# How long the names are kept in memory before they are read again, in seconds; a smaller
# index (below VOCABULARY_SMALL records) is read again whenever a record has been added.
VOCABULARY_SECONDS = 600
VOCABULARY_SMALL = 5_000
_vocabulary: dict[str, tuple[float, int, frozenset[str]]] = {}


def known_given_names() -> frozenset[str]:
    """Every first given name a record in the index holds (lower case, letters only), read once
    and kept warm in the process: one grouped query, a few thousand names for a county."""
    import time

    from django.db import connection

    newest = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    now = time.monotonic()
    cached = _vocabulary.get(connection.alias)
    if cached is not None:
        read_at, read_newest, names = cached
        unchanged = newest == read_newest or (newest > VOCABULARY_SMALL and now - read_at < VOCABULARY_SECONDS)
        if unchanged:
            return names
    held = Person.objects.unmerged().order_by().values_list("given_names", flat=True).distinct()
    names = frozenset(parts[0] for value in held.iterator(chunk_size=5_000) if (parts := _name_parts(value)))
    _vocabulary[connection.alias] = (now, newest, names)
    return names


def forget_given_names() -> None:
    """Drop the names kept in memory (tests, and after a bulk import of people)."""
    _vocabulary.clear()


def _dob_slips(dob: datetime.date) -> set[datetime.date]:
    slips = _one_digit_dates(dob) | _transposed_dates(dob)
    if swapped := _swapped(dob):
        slips.add(swapped)
    return slips


def _family_slip(family: str, person: Person) -> bool:
    """The family name given is the record's misspelt, punctuated differently (O'Neill and
    ONeill), one half of its double-barrelled name, or a name the record was known by before."""
    held = _letters(person.family_name)
    if len(family) >= 4 and len(held) >= 4 and (_similar(family, held) or _sounds_alike(family, held)):
        return True
    parts = _name_parts(person.family_name)
    if len(parts) > 1 and family in parts:
        return True
    return any(_letters(other.family_name) == family for other in person.other_names.all())


def _addresses(person: Person, may_see_confidential: bool) -> Iterable[PersonAddress]:
    return [a for a in person.addresses.all() if may_see_confidential or not a.is_confidential]


def _is_current(residence: PersonAddress, today: datetime.date) -> bool:
    started = residence.start_date is None or residence.start_date <= today
    return started and (residence.end_date is None or residence.end_date >= today)


# Minimal identity -----------------------------------------------------------------------


def postcode_district(postcode: str) -> str:
    """The outward code ("RV3" of "RV3 4AB"): where, without which street."""
    return normalise_postcode(postcode).split(" ")[0]


def masked(value: str) -> str:
    """An identifier shown only by its last four characters."""
    return f"ending {value[-4:]}"


def _reduce_identity(candidate: Candidate, *, may_see_confidential: bool) -> None:
    today = timezone.localdate()
    person = candidate.person
    current = [a for a in person.addresses.all() if _is_current(a, today)]
    shown = [a for a in current if may_see_confidential or not a.is_confidential]
    if shown:
        candidate.postcode_district = postcode_district(shown[0].address.postcode)
    elif current:
        candidate.postcode_district = "Withheld"
    else:
        candidate.postcode_district = "Not known"
    candidate.identifiers = [
        f"{identifier.get_scheme_display()} {masked(identifier.value)}"
        for identifier in person.identifiers.all()
        if identifier.scheme in (IdentifierScheme.NHS_NUMBER, IdentifierScheme.UPN)
    ]
