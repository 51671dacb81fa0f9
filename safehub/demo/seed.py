"""The demo partnership generator behind `safehub demo`.

One `random.Random(seed)` drives every choice, and dates count back from today, so the same
seed on the same day gives the same data while the data stays current. Everything is
written in one transaction (a failed run leaves nothing behind): organisations, people and
addresses with `bulk_create`, which returns their keys; the rows that point at them with a
batched INSERT of plain tuples, which is several times faster for the medium size. Rows are
valid by construction rather than `full_clean()`ed one by one; tests/demo checks the
invariants. Every person, place, school and organisation is invented.
"""

import datetime
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, combinations
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Field, Model
from django.utils import timezone

from safehub.demo import names
from safehub.demo.terms import Term, academic_year_terms, autumn_term_start, school_days, shifted_terms, summer_term_end
from safehub.partnership.models import Organisation, OrganisationKind, Partnership, RoleAssignment, Team, User
from safehub.partnership.roles import Role
from safehub.people.identifiers import nhs_check_digit, upn_check_letter
from safehub.people.models import (
    Address,
    ChronologyEntry,
    ChronologyVisibility,
    DatePrecision,
    Enrolment,
    Identifier,
    IdentifierScheme,
    NameKind,
    Person,
    PersonAddress,
    PersonKind,
    PersonName,
    Relationship,
    RelationshipKind,
    Sex,
    name_key,
)
from safehub.timescales.calendar import LONDON
from safehub.timescales.models import ClosureKind, SchoolClosure, TermDate

DEMO_PASSWORD = "riverside-wolds-demo"  # noqa: S105 (the published password of the fictional demo users)
SIZES = {"small": 2_000, "medium": 20_000, "large": 200_000}
BATCH_SIZE = 2_000
HOUSEHOLDS_PER_CHUNK = 1_000
SOURCE_TYPE = "demo.seed"
# The first academic year with term dates; later ones follow today (see _academic_years).
FIRST_TERM_YEAR = 2025

Progress = Callable[[str, int, int], None]


@dataclass
class DemoUser:
    username: str
    role_label: str
    organisation: str
    description: str


@dataclass
class DemoSummary:
    users: list[DemoUser]
    counts: dict[str, int]


class DemoDataError(Exception):
    """The demo data cannot be loaded into this database."""


USER_DESCRIPTIONS = {
    "hub.practitioner": "Works in the Children's Hub: searches people across the partnership and checks records.",
    "social.worker": "Children's social care assessment team: sees the families they work with.",
    "team.manager": "Manages the child protection team; sees performance figures.",
    "police.officer": "Child Abuse Investigation Team: searches people and joins strategy discussions.",
    "police.supervisor": "Supervises the Child Abuse Investigation Team and signs off investigations.",
    "health.practitioner": "Safeguarding children team of an NHS trust.",
    "school.dsl": "Designated safeguarding lead of a primary school: sees the children on its roll only.",
    "partnership.analyst": "Partnership business unit: performance figures, no personal records.",
    "partnership.manager": "Partnership business unit: runs the board's business; records the partners' "
    "commitments and hears when one is not kept.",
    "privacy.officer": "Partnership business unit: reviews access to records, including break-glass.",
    "encompass.coordinator": "Education Safeguarding Team: receives Operation Encompass notices for children with "
    "no school and phones schools that have not acknowledged theirs.",
    "missing.coordinator": "Missing Children Team: the council's missing lead; reads the daily digest of missing "
    "children, chases return home interviews, and sees repeat and exploitation flags and children missing education.",
    "rhi.worker": "Safe Return Partnership, commissioned for return home interviews: sees only the children "
    "referred to it.",
    "disclosure.officer": "The force's Disclosure Unit: searches, assesses and returns DBS local checks; sees "
    "nothing else of the force's records.",
    "disclosure.supervisor": "Supervises the Disclosure Unit: gives the quality review every disclosure needs, and "
    "watches the backlog against the 14- and 60-day standards.",
    "system.admin": "Partnership business unit: manages the directory, calendars and settings (Django admin too).",
}


def is_seeded() -> bool:
    """Whether this database already holds the demo partnership."""
    return Partnership.objects.filter(name=names.PARTNERSHIP_NAME).exists()


def demo_users() -> list[DemoUser]:
    """The demo users in this database, in role order, for printing their sign-ins again."""
    usernames = [username for username, *_ in names.DEMO_STAFF]
    found = {u.username: u for u in User.objects.filter(username__in=usernames).select_related("organisation")}
    users = []
    for username, role, *_ in names.DEMO_STAFF:
        user = found.get(username)
        if user is not None:
            organisation = user.organisation.name if user.organisation else ""
            users.append(DemoUser(username, Role(role).label, organisation, USER_DESCRIPTIONS[username]))
    return users


def seed_demo(
    *, size: str = "medium", seed: int = 2026, progress: Progress | None = None, children: int | None = None
) -> DemoSummary:
    """Load the demo partnership into an empty database: `SIZES[size]` children (or `children`)
    with their families, four local authorities with their schools and calendars, and one
    user per role who signs in with DEMO_PASSWORD."""
    if size not in SIZES:
        raise ValueError(f"There is no demo size {size!r}: choose small, medium or large.")
    if Partnership.objects.exists() or Person.objects.exists():
        raise DemoDataError(
            "This database already holds a partnership or people, and the demo loads only into an empty "
            "database. Start again with `safehub demo --reset`, or point SAFEHUB_DATA_DIR at a new directory."
        )
    generator = _Generator(
        rng=random.Random(seed),
        today=timezone.localdate(),
        children=SIZES[size] if children is None else children,
        progress=progress or (lambda stage, done, total: None),
    )
    with transaction.atomic():
        summary = generator.run()
        for label, seeder in _module_seeders(seed, generator.today):
            generator.progress(label, 0, 1)
            counts = seeder()
            if "unborn children" in counts:  # people, counted with the generator's
                generator._count("unborn children", counts.pop("unborn children"))
            summary.counts.update(counts)
            generator.progress(label, 1, 1)
    return summary


def _module_seeders(seed: int, today: datetime.date) -> list[tuple[str, Callable[[], dict[str, int]]]]:
    """Each app's demo, in the order each depends on the last, run through that app's services.
    Each has its own random stream, so changing one leaves the others' data as it was."""
    from safehub.access.demo import seed_access_demo
    from safehub.dbs.demo import seed_dbs_demo
    from safehub.demo.colleagues import seed_colleagues
    from safehub.encompass.demo import seed_encompass_demo
    from safehub.hub.demo import seed_hub_demo
    from safehub.investigations.demo import seed_investigations_demo
    from safehub.measures.demo import seed_measures_demo
    from safehub.meetings.demo import seed_meetings_demo
    from safehub.missing.demo import seed_missing_demo
    from safehub.notifications.demo import deliver_history
    from safehub.people.demo import seed_chronology_demo, seed_duplicates_demo

    def rng(name: str) -> random.Random:
        return random.Random(f"{name}-{seed}")

    return [
        # The demo users' colleagues, who do the work beside them.
        ("colleagues", lambda: {"colleagues": seed_colleagues(rng=rng("colleagues"))}),
        # Who works with which families, and an emergency access to review.
        ("access", lambda: seed_access_demo(seed=seed)),
        ("Children's Hub", lambda: seed_hub_demo(rng=rng("hub"), today=today)),
        # Strategy discussions and conferences for the hub's decisions, today's for the demo
        # users, and the partnership's video provider (a join-link template and a few rooms).
        ("meetings", lambda: seed_meetings_demo(rng=rng("meetings"), today=today)),
        ("Operation Encompass", lambda: seed_encompass_demo(rng=rng("encompass"), today=today)),
        # The force's year of investigations, most from the joint section 47 strategy discussions.
        ("investigations", lambda: seed_investigations_demo(rng=rng("investigations"))),
        # A year of missing episodes across the four councils, their digests and interviews.
        ("missing children", lambda: seed_missing_demo(rng=rng("missing"), today=today)),
        # Two years of the force's DBS local checks, and a disclosure awaiting quality review.
        ("DBS checks", lambda: seed_dbs_demo(rng=rng("dbs"), today=today)),
        # What the demo practitioners recorded by hand, each entry read by whom its agency chose.
        ("chronology", lambda: seed_chronology_demo(rng=rng("chronology"))),
        # Second records of some children made by other agencies, the night's search of the
        # index for duplicates, and the hub's first decisions.
        ("duplicate records", lambda: seed_duplicates_demo(rng=rng("duplicates"))),
        # The partnership's measures from all of the above, and the commitments the board tracks.
        ("measures", lambda: seed_measures_demo(today=today)),
        # The history's emails, sent as the worker would have sent them when they fell due.
        ("emails", deliver_history),
    ]


# Household shapes and how common they are.
COUPLE, SINGLE_MOTHER, SINGLE_FATHER, MOTHER_STEPFATHER, FATHER_STEPMOTHER = range(5)
HOUSEHOLD_SHAPES = (COUPLE, SINGLE_MOTHER, SINGLE_FATHER, MOTHER_STEPFATHER, FATHER_STEPMOTHER)
HOUSEHOLD_SHAPE_WEIGHTS = (55, 25, 5, 12, 3)
CHILDREN_PER_HOUSEHOLD = (1, 2, 3, 4)
CHILDREN_PER_HOUSEHOLD_WEIGHTS = (40, 35, 18, 7)

# School pools that children are enrolled from.
EARLY, PRIMARY, SECONDARY, SIXTH_FORM, SPECIAL = "early", "primary", "secondary", "sixth_form", "special"

# (phase key, count per authority at the medium scale)
ESTABLISHMENT_MIX = (
    ("early_years", 5),
    ("nursery", 2),
    ("primary", 24),
    ("secondary", 5),
    ("all_through", 1),
    ("special", 1),
)
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
SCHOOL_DAY_STARTS = (*(datetime.time(8, minute) for minute in range(30, 60, 5)), datetime.time(9, 0))


@dataclass
class _Street:
    name: str
    district: str
    sector: int
    unit_base: int
    next_number: int = 1


@dataclass
class _Town:
    name: str
    la: int
    districts: tuple[str, ...]
    streets: list[_Street] = field(default_factory=list)


@dataclass
class _School:
    org: Organisation
    la: int
    town: int
    phase: str
    establishment_number: int
    sixth_form: bool
    popularity: float
    terms: list[Term] = field(default_factory=list)
    pupils: int = 0


@dataclass
class _Pool:
    schools: list[_School]
    cum_weights: list[float]


@dataclass
class _Batch:
    """One chunk of households. Rows that point at a person hold the (unsaved) Person, which
    has its key by the time the rows are written."""

    addresses: list[Address] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    unborn: list[Person] = field(default_factory=list)
    # (person, kind, given names, family name, used from, used until)
    names: list[tuple[Person, str, str, str, datetime.date | None, datetime.date | None]] = field(default_factory=list)
    # (person, scheme, value, issuer id)
    identifiers: list[tuple[Person, str, str, int | None]] = field(default_factory=list)
    # (person, address, start, end, confidential)
    person_addresses: list[tuple[Person, Address, datetime.date, datetime.date | None, bool]] = field(
        default_factory=list
    )
    # (person, related to, kind, start)
    relationships: list[tuple[Person, Person, str, datetime.date | None]] = field(default_factory=list)
    # (child, organisation id, start, end)
    enrolments: list[tuple[Person, int, datetime.date, datetime.date | None]] = field(default_factory=list)
    # (person, occurred at, category, summary, organisation id)
    chronology: list[tuple[Person, datetime.datetime, str, str, int | None]] = field(default_factory=list)


def _days(n: int) -> datetime.timedelta:
    # Calendar-day arithmetic for invented dates; no statutory timescale is computed here.
    return datetime.timedelta(days=n)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=LONDON)


class _Generator:
    def __init__(self, *, rng: random.Random, today: datetime.date, children: int, progress: Progress) -> None:
        self.rng = rng
        self.today = today
        self.target_children = children
        self.progress = progress
        self.created_at = _at(today, 0)
        # The academic year under way today (it starts in September of this year).
        self.academic_year = today.year if today.month >= 9 else today.year - 1
        self.scale = max(1, min(10, children // 20_000))
        self.counts: dict[str, int] = {}
        self.nhs_base = 999_000_000
        self.police_serial = 0
        self.upn_serials: dict[tuple[str, int, int], int] = {}
        self.la_cum = list(accumulate(names.LOCAL_AUTHORITY_WEIGHTS))
        self.shape_cum = list(accumulate(HOUSEHOLD_SHAPE_WEIGHTS))
        self.children_cum = list(accumulate(CHILDREN_PER_HOUSEHOLD_WEIGHTS))

    # The whole run ----------------------------------------------------------------------

    def run(self) -> DemoSummary:
        self._organisations()
        self._calendars()
        self._families()
        users = self._users()
        return DemoSummary(users=users, counts=self.counts)

    def _count(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    # Organisations and teams --------------------------------------------------------------

    def _organisations(self) -> None:
        stage = "organisations and teams"
        self.progress(stage, 0, 1)
        rng = self.rng
        self.partnership = Partnership.objects.create(
            name=names.PARTNERSHIP_NAME, short_name=names.PARTNERSHIP_SHORT_NAME, hub_name="Children's Hub"
        )
        self.phone_serial = 0
        self.towns: list[_Town] = []
        self.towns_by_la: list[list[int]] = []
        self.local_authorities: list[Organisation] = []
        for index, (code, council, short, area, first_district, towns) in enumerate(names.LOCAL_AUTHORITIES):
            town_indices = []
            for position, town in enumerate(towns):
                districts = tuple(f"{area}{first_district + 3 * position + d}" for d in range(3))
                town_indices.append(len(self.towns))
                self.towns.append(_Town(town, index, districts))
            self.towns_by_la.append(town_indices)
            self.local_authorities.append(
                self._organisation(
                    OrganisationKind.LOCAL_AUTHORITY, council, la_code=code, town=town_indices[0], slug=short
                )
            )
        self.police = self._organisation(
            OrganisationKind.POLICE_FORCE, "Riverside and Wolds Police", town=0, slug="police"
        )
        self.icb = self._organisation(
            OrganisationKind.INTEGRATED_CARE_BOARD,
            "NHS Riverside and Wolds Integrated Care Board",
            ods_code="QZ9",
            town=0,
            slug="icb",
        )
        self.trusts = [
            self._organisation(
                OrganisationKind.HEALTH_TRUST,
                "Riverside and Wolds Hospitals NHS Foundation Trust",
                ods_code="RZ9",
                town=1,
                slug="hospitals",
            ),
            self._organisation(
                OrganisationKind.HEALTH_TRUST,
                "Wolds and Wendmoor Community Health NHS Trust",
                ods_code="RZ8",
                town=self.towns_by_la[2][0],
                slug="community-health",
            ),
        ]
        gp_suffixes = ("Medical Practice", "Surgery", "Health Centre", "Family Practice")
        gp_stems = rng.sample(names.SCHOOL_STEMS, 10)
        self.gp_practices = [
            self._organisation(
                OrganisationKind.GP_PRACTICE,
                f"{stem} {gp_suffixes[i % len(gp_suffixes)]}",
                ods_code=f"Z9{i + 1:04d}",
                town=self.towns_by_la[i % 4][i // 4 % len(self.towns_by_la[i % 4])],
                slug=stem.lower().replace(" ", "-"),
            )
            for i, stem in enumerate(gp_stems)
        ]
        self.business_unit = self._organisation(
            OrganisationKind.OTHER, "Riverside and Wolds Partnership Business Unit", town=0, slug="partnership"
        )
        # The independent providers the councils commission for return home interviews (made
        # without the generator's random draws, so the rest of the demo is as it was).
        self.rhi_providers = [
            Organisation(
                partnership=self.partnership,
                kind=OrganisationKind.OTHER,
                name=name,
                email=f"enquiries@{slug}.{names.EMAIL_DOMAIN}",
                phone=phone,
            )
            for name, slug, phone in (
                ("Safe Return Partnership", "safe-return", "01632 961001"),
                ("Compass Young People's Service", "compass-yps", "01632 961002"),
            )
        ]
        agencies = [
            *self.local_authorities,
            self.police,
            self.icb,
            *self.trusts,
            *self.gp_practices,
            self.business_unit,
            *self.rhi_providers,
        ]
        Organisation.objects.bulk_create(agencies, batch_size=BATCH_SIZE)
        self.schools = self._schools()
        Organisation.objects.bulk_create([s.org for s in self.schools], batch_size=BATCH_SIZE)
        self._count("local authorities", len(self.local_authorities))
        self._count("schools and settings", len(self.schools))
        self._count("other organisations", len(agencies) - len(self.local_authorities))
        self._teams()
        self._build_pools()
        self.progress(stage, 1, 1)

    def _organisation(
        self,
        kind: str,
        name: str,
        *,
        town: int,
        slug: str,
        la_code: str = "",
        ods_code: str = "",
        **fields: object,
    ) -> Organisation:
        self.phone_serial += 1
        return Organisation(
            partnership=self.partnership,
            kind=kind,
            name=name,
            la_code=la_code,
            ods_code=ods_code,
            postcode=self._postcode(self.towns[town]),
            phone=f"01632 960{self.phone_serial % 1000:03d}",
            email=f"enquiries@{slug.lower()}.{names.EMAIL_DOMAIN}",
            **fields,
        )

    def _postcode(self, town: _Town) -> str:
        rng = self.rng
        letters = rng.choice(POSTCODE_LETTERS) + rng.choice(POSTCODE_LETTERS)
        return f"{rng.choice(town.districts)} {rng.randint(1, 9)}{letters}"

    def _schools(self) -> list[_School]:
        rng = self.rng
        schools: list[_School] = []
        used_names: set[str] = set()
        urn = 950_000
        for la_index, la in enumerate(self.local_authorities):
            numbers = {"nursery": 1000, "early_years": 1500, "primary": 2000, "secondary": 4000}
            numbers |= {"all_through": 4500, "special": 7000}
            for phase, count in ESTABLISHMENT_MIX:
                for _ in range(count * self.scale):
                    urn += 1
                    numbers[phase] += 1
                    town = rng.choice(self.towns_by_la[la_index])
                    name, kind, phase_label, establishment_type = self._school_identity(phase, town, used_names)
                    sixth_form = phase == "all_through" or (phase == "secondary" and rng.random() < 0.5)
                    org = self._organisation(
                        kind,
                        name,
                        town=town,
                        slug=name.lower().replace("'", "").replace(" ", "-"),
                        urn=urn,
                        local_authority=la,
                        phase=phase_label,
                        establishment_type=establishment_type,
                        school_day_starts=rng.choice(SCHOOL_DAY_STARTS),
                    )
                    org.email = f"safeguarding@{org.email.split('@', 1)[1]}"
                    popularity = rng.uniform(0.4, 2.0)
                    schools.append(_School(org, la_index, town, phase, numbers[phase], sixth_form, popularity))
        return schools

    def _school_identity(self, phase: str, town: int, used: set[str]) -> tuple[str, str, str, str]:
        """Name, organisation kind, phase and establishment type of a new school or setting."""
        rng = self.rng
        kind = OrganisationKind.SCHOOL
        for attempt in range(50):
            stem = rng.choice(names.SCHOOL_STEMS)
            if attempt >= 10:
                stem = f"{self.towns[town].name} {stem}"
            saint = rng.choice(names.SAINTS)
            roll = rng.random()
            if phase == "early_years":
                kind = OrganisationKind.EARLY_YEARS
                if roll < 0.6:
                    name, phase_label, kind_label = f"{stem} Day Nursery", "Nursery", "Day nursery"
                else:
                    name, phase_label, kind_label = f"{stem} Pre-school", "Nursery", "Pre-school playgroup"
            elif phase == "nursery":
                name, phase_label, kind_label = f"{stem} Nursery School", "Nursery", "Local authority nursery school"
            elif phase == "primary":
                phase_label = "Primary"
                if roll < 0.42:
                    name, kind_label = f"{stem} Primary School", "Community school"
                elif roll < 0.52:
                    name, kind_label = f"{stem} Church of England Primary School", "Voluntary controlled school"
                elif roll < 0.60:
                    name, kind_label = f"{stem} Church of England Primary School", "Voluntary aided school"
                elif roll < 0.68:
                    name, kind_label = f"St {saint}'s Catholic Primary School", "Voluntary aided school"
                elif roll < 0.90:
                    name, kind_label = f"{stem} Primary Academy", "Academy converter"
                else:
                    name, kind_label = f"{stem} Primary Academy", "Academy sponsor led"
            elif phase == "secondary":
                phase_label = "Secondary"
                if roll < 0.25:
                    name, kind_label = f"{stem} High School", "Community school"
                elif roll < 0.35:
                    name, kind_label = f"St {saint}'s Catholic High School", "Voluntary aided school"
                elif roll < 0.85:
                    name, kind_label = f"{stem} Academy", "Academy converter"
                else:
                    name, kind_label = f"{stem} Academy", "Academy sponsor led"
            elif phase == "all_through":
                name, phase_label, kind_label = f"{stem} All-through School", "All-through", "Academy converter"
            else:
                phase_label = "Special"
                if roll < 0.5:
                    name, kind_label = f"{stem} School", "Community special school"
                else:
                    name, kind_label = f"{stem} School", "Academy special converter"
            if name not in used:
                used.add(name)
                return name, kind, phase_label, kind_label
        raise RuntimeError("Ran out of invented school names; add stems to safehub/demo/names.py.")

    def _teams(self) -> None:
        teams: list[Team] = []

        def add(org: Organisation, name: str, *, duty: bool = False) -> Team:
            team = Team(
                organisation=org, name=name, is_duty_team=duty, email=f"{_slug(name)}@{org.email.split('@')[1]}"
            )
            teams.append(team)
            return team

        self.la_teams: list[dict[str, Team]] = []
        for la in self.local_authorities:
            self.la_teams.append(
                {
                    "hub": add(la, "Children's Hub"),
                    "assessment": add(la, "Assessment Team"),
                    "child_protection": add(la, "Child Protection Team"),
                    "education": add(la, "Education Safeguarding Team"),
                    "duty": add(la, "Children's Social Care duty team", duty=True),
                }
            )
        self.cait = add(self.police, "Child Abuse Investigation Team")
        add(self.police, "Public Protection Unit")
        add(self.police, "Force Control Room duty team", duty=True)
        add(self.police, "Missing from Home Team")
        self.disclosure_unit = add(self.police, "Disclosure Unit")
        add(self.icb, "Designated Professionals for Safeguarding", duty=True)
        self.trust_teams = [add(trust, "Safeguarding Children Team", duty=True) for trust in self.trusts]
        add(self.trusts[0], "Maternity Safeguarding Team")
        add(self.trusts[1], "Health Visiting Service")
        add(self.trusts[1], "School Nursing Service")
        for practice in self.gp_practices:
            add(practice, "Safeguarding", duty=True)
        self.business_teams = {
            "performance": add(self.business_unit, "Quality and Performance"),
            "governance": add(self.business_unit, "Information Governance"),
            "support": add(self.business_unit, "SafeHub Support"),
        }
        self.school_teams = {s.org.urn: add(s.org, "Safeguarding", duty=True) for s in self.schools}
        for la, la_teams in zip(self.local_authorities, self.la_teams, strict=True):
            la_teams["missing"] = add(la, "Missing Children Team")
        self.rhi_teams = [add(provider, "Return Home Interviews") for provider in self.rhi_providers]
        Team.objects.bulk_create(teams, batch_size=BATCH_SIZE)
        self._count("teams", len(teams))

    def _build_pools(self) -> None:
        members = {
            EARLY: ("early_years", "nursery"),
            PRIMARY: ("primary", "all_through"),
            SECONDARY: ("secondary", "all_through"),
            SIXTH_FORM: ("all_through",),
            SPECIAL: ("special",),
        }
        self.la_pools: dict[tuple[int, str], _Pool] = {}
        self.town_pools: dict[tuple[int, str], _Pool] = {}
        for pool, phases in members.items():
            for la in range(len(self.local_authorities)):
                chosen = [
                    s
                    for s in self.schools
                    if s.la == la and (s.phase in phases or (pool == SIXTH_FORM and s.sixth_form))
                ]
                self.la_pools[la, pool] = _pool(chosen)
                for town in self.towns_by_la[la]:
                    in_town = [s for s in chosen if s.town == town]
                    if in_town:
                        self.town_pools[town, pool] = _pool(in_town)

    def _pick_school(self, la: int, town: int, pool: str, *, not_this: _School | None = None) -> _School:
        rng = self.rng
        candidates = self.town_pools.get((town, pool)) if rng.random() < 0.75 else None
        candidates = candidates or self.la_pools[la, pool]
        for _ in range(5):
            school = rng.choices(candidates.schools, cum_weights=candidates.cum_weights)[0]
            if school is not not_this:
                return school
        return school

    # Term dates and INSET days --------------------------------------------------------------

    def _academic_years(self) -> range:
        # 2025/26 to 2027/28 while those are current; later, the year before today's to the year after.
        return range(min(FIRST_TERM_YEAR, self.academic_year - 1), max(2027, self.academic_year + 1) + 1)

    def _calendars(self) -> None:
        stage = "term dates and INSET days"
        rng = self.rng
        years = self._academic_years()
        self.la_terms = [term for year in years for term in academic_year_terms(year)]
        rows: list[TermDate] = [
            TermDate(local_authority=la, name=term.name, start_date=term.start, end_date=term.end)
            for la in self.local_authorities
            for term in self.la_terms
        ]
        closures: list[SchoolClosure] = []
        own_terms = 0
        for done, school in enumerate(self.schools, start=1):
            terms = self.la_terms
            academy = "Academy" in school.org.establishment_type
            if academy and rng.random() < 0.6:
                own_terms += 1
                terms = shifted_terms(self.la_terms, rng.choice((-3, -2, -1, 1, 2, 3)))
                rows.extend(
                    TermDate(school=school.org, name=term.name, start_date=term.start, end_date=term.end)
                    for term in terms
                )
            school.terms = terms
            if school.org.kind == OrganisationKind.SCHOOL:
                for first in range(0, len(terms), 6):
                    closures.extend(
                        SchoolClosure(school=school.org, date=day, kind=ClosureKind.INSET, reason="Staff training")
                        for day in self._inset_days(terms[first : first + 6])
                    )
            if done % 50 == 0 or done == len(self.schools):
                self.progress(stage, done, len(self.schools))
        TermDate.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        SchoolClosure.objects.bulk_create(closures, batch_size=BATCH_SIZE)
        self._count("term dates", len(rows))
        self._count("schools with their own terms", own_terms)
        self._count("INSET days", len(closures))

    def _inset_days(self, year_terms: Sequence[Term]) -> list[datetime.date]:
        """Five INSET days in one academic year: mostly at the start or end of a term."""
        rng = self.rng
        autumn1, autumn2, spring1, spring2, summer1, summer2 = (school_days(term) for term in year_terms)
        chosen = [
            autumn1[0],
            autumn2[0] if rng.random() < 0.4 else rng.choice(autumn2),
            spring1[0] if rng.random() < 0.6 else rng.choice(spring1),
            rng.choice(spring2 + summer1),
            summer2[-1] if rng.random() < 0.5 else rng.choice(summer2),
        ]
        every_day = autumn1 + autumn2 + spring1 + spring2 + summer1 + summer2
        days: list[datetime.date] = []
        for day in chosen:
            while day in days:
                day = rng.choice(every_day)
            days.append(day)
        return sorted(days)

    # Families --------------------------------------------------------------------------

    def _families(self) -> None:
        stage = "children and families"
        self._streets()
        made = 0
        households = 0
        while made < self.target_children:
            batch = _Batch()
            for _ in range(HOUSEHOLDS_PER_CHUNK):
                if made >= self.target_children:
                    break
                made += self._household(batch, self.target_children - made)
                households += 1
            self._flush(batch)
            self.progress(stage, made, self.target_children)
        self._count("households", households)

    def _streets(self) -> None:
        rng = self.rng
        expected_addresses = self.target_children * 0.75
        combos = len(names.STREET_STEMS) * len(names.STREET_SUFFIXES)
        for town in self.towns:
            share = names.LOCAL_AUTHORITY_WEIGHTS[town.la] / sum(names.LOCAL_AUTHORITY_WEIGHTS)
            per_town = expected_addresses * share / len(self.towns_by_la[town.la])
            count = min(combos, max(25, int(per_town // 40)))
            for combo in rng.sample(range(combos), count):
                stem, suffix = divmod(combo, len(names.STREET_SUFFIXES))
                town.streets.append(
                    _Street(
                        name=f"{names.STREET_STEMS[stem]} {names.STREET_SUFFIXES[suffix]}",
                        district=rng.choice(town.districts),
                        sector=rng.randint(1, 9),
                        unit_base=rng.randrange(len(POSTCODE_LETTERS) ** 2),
                    )
                )

    def _new_address(self, batch: _Batch, town_index: int) -> Address:
        rng = self.rng
        town = self.towns[town_index]
        street = rng.choice(town.streets)
        number = street.next_number
        street.next_number += rng.choice((1, 2, 2, 2))
        unit = (street.unit_base + number // 16) % len(POSTCODE_LETTERS) ** 2
        inward = f"{street.sector}{POSTCODE_LETTERS[unit // len(POSTCODE_LETTERS)]}"
        inward += POSTCODE_LETTERS[unit % len(POSTCODE_LETTERS)]
        address = Address(line_1=f"{number} {street.name}", town=town.name, postcode=f"{street.district} {inward}")
        batch.addresses.append(address)
        return address

    def _other_town(self, la: int) -> int:
        rng = self.rng
        if rng.random() < 0.75:
            return rng.choice(self.towns_by_la[la])
        return rng.randrange(len(self.towns))

    def _date_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        if last <= first:
            return first
        return first + _days(self.rng.randint(0, (last - first).days))

    def _child_dobs(self, n: int) -> list[datetime.date]:
        rng = self.rng
        earliest = _years_before(self.today, 18) + _days(1)
        span = (self.today - earliest).days
        dobs: list[datetime.date] = []
        for _ in range(n):
            if dobs and rng.random() < 0.015:
                dobs.append(dobs[-1])  # twins
                continue
            for _attempt in range(20):
                dob = earliest + _days(rng.randint(0, span))
                if all(abs((dob - other).days) >= 300 for other in dobs):
                    dobs.append(dob)
                    break
        return sorted(dobs)

    def _household(self, batch: _Batch, wanted: int) -> int:
        """One household: its adults, children, addresses, identifiers and schools. Returns the children made."""
        rng = self.rng
        la = rng.choices(range(len(self.local_authorities)), cum_weights=self.la_cum)[0]
        town = rng.choice(self.towns_by_la[la])
        shape = rng.choices(HOUSEHOLD_SHAPES, cum_weights=self.shape_cum)[0]
        planned = min(wanted, rng.choices(CHILDREN_PER_HOUSEHOLD, cum_weights=self.children_cum)[0])
        dobs = self._child_dobs(planned)
        oldest = dobs[0]

        mother_surname, father_surname = rng.choice(names.FAMILY_NAMES), rng.choice(names.FAMILY_NAMES)
        maiden = None
        if shape == COUPLE and rng.random() < 0.6:
            maiden, mother_surname = mother_surname, father_surname
        roll = rng.random()
        if maiden or shape in (SINGLE_FATHER, FATHER_STEPMOTHER) or roll < 0.55:
            children_surname = father_surname
        elif roll < 0.9 or " " in mother_surname + father_surname:
            children_surname = mother_surname
        else:
            children_surname = f"{mother_surname}-{father_surname}"

        mother_resident = shape in (COUPLE, SINGLE_MOTHER, MOTHER_STEPFATHER)
        father_resident = shape in (COUPLE, SINGLE_FATHER, FATHER_STEPMOTHER)
        mother_dob = oldest - _days(rng.randint(18 * 365 + 5, 40 * 365))
        father_dob = min(mother_dob + _days(rng.randint(-7 * 365, 3 * 365)), oldest - _days(17 * 365))
        mother = father = None
        if mother_resident or rng.random() < 0.5:
            mother = self._adult(batch, Sex.FEMALE, mother_surname, mother_dob, resident=mother_resident)
            if maiden:
                married = self._date_between(mother_dob + _days(18 * 365), oldest)
                batch.names.append((mother, NameKind.BIRTH, mother.given_names, maiden, None, married))
            elif children_surname == father_surname and shape != COUPLE and rng.random() < 0.3:
                used_from = self._date_between(mother_dob + _days(18 * 365), oldest)
                used_until = self._date_between(oldest, self.today - _days(60))
                batch.names.append(
                    (mother, NameKind.PREVIOUS, mother.given_names, father_surname, used_from, used_until)
                )
        if father_resident or rng.random() < 0.65:
            father = self._adult(batch, Sex.MALE, father_surname, father_dob, resident=father_resident)

        step = None
        step_from = None
        if shape in (MOTHER_STEPFATHER, FATHER_STEPMOTHER):
            step_sex = Sex.MALE if shape == MOTHER_STEPFATHER else Sex.FEMALE
            partner_dob = mother_dob if shape == MOTHER_STEPFATHER else father_dob
            step_dob = partner_dob + _days(rng.randint(-6 * 365, 4 * 365))
            step = self._adult(batch, step_sex, rng.choice(names.FAMILY_NAMES), step_dob, resident=True)
            step_from = self._date_between(min(oldest + _days(180), self.today - _days(30)), self.today - _days(30))

        # Children, newest partner's child last: in a step family the youngest may be the step-parent's own.
        children: list[Person] = []
        half_sibling = None
        for position, dob in enumerate(dobs):
            surname = children_surname
            own_child_of_step = (
                step is not None
                and step_from is not None
                and position == len(dobs) - 1
                and position > 0
                and dob > step_from
                and rng.random() < 0.6
            )
            if own_child_of_step and step is not None:
                surname = step.family_name if step.sex == Sex.MALE else children_surname
            child = self._person(batch, PersonKind.CHILD, self._sex(), surname, dob)
            if own_child_of_step:
                half_sibling = child
            children.append(child)

        # Who is whose parent, and the children's siblings.
        for child in children:
            lead_parent = mother if shape == MOTHER_STEPFATHER else father
            bio_parents = [lead_parent] if child is half_sibling else [mother, father]
            for parent in bio_parents:
                if parent is not None:
                    batch.relationships.append((parent, child, RelationshipKind.PARENT, None))
            if step is not None:
                kind = RelationshipKind.PARENT if child is half_sibling else RelationshipKind.STEP_PARENT
                start = child.date_of_birth if child is half_sibling else step_from
                batch.relationships.append((step, child, kind, start))
        for older, younger in combinations(children, 2):
            batch.relationships.append((older, younger, RelationshipKind.SIBLING, None))

        # Addresses: the home, sometimes a previous one, and an absent parent's own.
        residents = [p for p in (mother if mother_resident else None, father if father_resident else None) if p]
        residents += children
        move_in = self.today - _days(rng.randint(30, 12 * 365))
        confidential = rng.random() < 0.005
        home = self._new_address(batch, town)
        for person in [*residents, *([step] if step else [])]:
            start = max(move_in, person.date_of_birth or move_in)
            if person is step and step_from:
                start = max(start, step_from)
            batch.person_addresses.append((person, home, start, None, confidential))
            self._address_event(batch, person, start, None if confidential else town)
        if rng.random() < 0.2:
            previous = self._new_address(batch, self._other_town(la))
            previous_start = move_in - _days(rng.randint(365, 8 * 365))
            for person in residents:
                if person.date_of_birth is None or person.date_of_birth < move_in:
                    start = max(previous_start, person.date_of_birth or previous_start)
                    batch.person_addresses.append((person, previous, start, move_in - _days(1), False))
        for absent, resident in ((mother, mother_resident), (father, father_resident)):
            if absent is not None and not resident:
                elsewhere = self._new_address(batch, self._other_town(la))
                moved = self.today - _days(rng.randint(60, 10 * 365))
                batch.person_addresses.append((absent, elsewhere, moved, None, False))

        for child in children:
            self._chronology(batch, child, "birth", "Birth notified by maternity services", child.date_of_birth)
            self._schooling(batch, child, la, town)

        if mother is not None and mother_resident and rng.random() < 0.016:
            self._unborn(batch, mother, father if father_resident else step, children_surname)
        return len(children)

    def _sex(self) -> str:
        return Sex.FEMALE if self.rng.random() < 0.49 else Sex.MALE

    def _person(
        self,
        batch: _Batch,
        kind: str,
        sex: str,
        family_name: str,
        dob: datetime.date | None,
        precision: str = DatePrecision.DAY,
    ) -> Person:
        given = names.GIVEN_NAMES_FEMALE if sex == Sex.FEMALE else names.GIVEN_NAMES_MALE
        given_names = self.rng.choice(given)
        if self.rng.random() < 0.25:
            middle = self.rng.choice(given)
            if middle != given_names:
                given_names += " " + middle
        person = Person(
            kind=kind,
            given_names=given_names,
            family_name=family_name,
            sex=sex,
            date_of_birth=dob,
            date_of_birth_precision=precision,
            created_at=self.created_at,
        )
        batch.persons.append(person)
        batch.identifiers.append((person, IdentifierScheme.NHS_NUMBER, self._nhs_number(), None))
        return person

    def _adult(self, batch: _Batch, sex: str, family_name: str, dob: datetime.date, *, resident: bool) -> Person:
        rng = self.rng
        roll = rng.random()
        unknown_dob = 0.05 if not resident else 0.005
        precision = DatePrecision.DAY
        known_dob: datetime.date | None = dob
        if roll < unknown_dob:
            known_dob = None
        elif roll < unknown_dob + 0.02:
            known_dob, precision = dob.replace(day=1), DatePrecision.MONTH
        elif roll < unknown_dob + 0.03:
            known_dob, precision = dob.replace(month=1, day=1), DatePrecision.YEAR
        adult = self._person(batch, PersonKind.ADULT, sex, family_name, known_dob, precision)
        if rng.random() < (0.2 if not resident else 0.07):
            self.police_serial += 1
            year = rng.randint(5, self.today.year % 100)
            reference = f"RW/{year:02d}/{self.police_serial:06d}"
            batch.identifiers.append((adult, IdentifierScheme.POLICE_REFERENCE, reference, self.police.pk))
        if rng.random() < 0.03:
            first = adult.given_names.split()[0]
            alias_family = rng.choice(names.FAMILY_NAMES) if rng.random() < 0.4 else family_name
            batch.names.append((adult, NameKind.ALIAS, names.NICKNAMES.get(first, first), alias_family, None, None))
        return adult

    def _nhs_number(self) -> str:
        while True:
            self.nhs_base += self.rng.randint(1, 2)
            if self.nhs_base > 999_999_999:
                raise RuntimeError("The demo has used every NHS number in the 999 test range; choose a smaller size.")
            first_nine = f"{self.nhs_base:09d}"
            check = nhs_check_digit(first_nine)
            if check is not None:
                return f"{first_nine}{check}"

    def _upn(self, school: _School, year: int) -> str | None:
        """A valid UPN allocated by `school` in `year`, or None when its 999 serials are used up."""
        la_code = self.local_authorities[school.la].la_code
        key = (la_code, school.establishment_number, year % 100)
        serial = self.upn_serials.get(key, 0) + 1
        if serial > 999:
            return None
        self.upn_serials[key] = serial
        body = f"{la_code}{school.establishment_number:04d}{year % 100:02d}{serial:03d}"
        return upn_check_letter(body) + body

    def _address_event(self, batch: _Batch, person: Person, start: datetime.date, town: int | None) -> None:
        """A child's address in the chronology; a confidential one (a refuge) without its town."""
        if person.kind != PersonKind.CHILD:
            return
        if town is None:
            summary = "Moved to a confidential address"
        elif start == person.date_of_birth:
            summary = f"Home address recorded in {self.towns[town].name}"
        else:
            summary = f"Moved to {self.towns[town].name}"
        self._chronology(batch, person, "address", summary, start)

    def _chronology(
        self,
        batch: _Batch,
        person: Person,
        category: str,
        summary: str,
        day: datetime.date | None,
        organisation: Organisation | None = None,
    ) -> None:
        if day is None:
            return
        organisation_id = organisation.pk if organisation else None
        batch.chronology.append((person, _at(day), category, summary, organisation_id))

    def _enrol(
        self, batch: _Batch, child: Person, school: _School, start: datetime.date, end: datetime.date | None = None
    ) -> None:
        start = min(start, self.today)
        if end is not None:
            end = max(start, min(end, self.today - _days(1)))
        batch.enrolments.append((child, school.org.pk, start, end))
        self._chronology(batch, child, "enrolment", f"Enrolled at {school.org.name}", start, school.org)
        if end is None:
            school.pupils += 1
        else:
            self._chronology(batch, child, "enrolment", f"Left {school.org.name}", end, school.org)

    def _schooling(self, batch: _Batch, child: Person, la: int, town: int) -> None:
        """Enrol the child at age-appropriate schools of its authority, and give a pupil a UPN."""
        rng = self.rng
        dob = child.date_of_birth
        assert dob is not None
        year = self.academic_year
        age = child.age_on(datetime.date(year, 8, 31)) or 0
        first_school: tuple[_School, int] | None = None

        def enrol(school: _School, start: datetime.date, end: datetime.date | None = None) -> None:
            nonlocal first_school
            self._enrol(batch, child, school, start, end)
            if school.org.kind == OrganisationKind.SCHOOL and (first_school is None or start.year < first_school[1]):
                first_school = (school, min(start, self.today).year)

        if age in (2, 3):
            if rng.random() < (0.55 if age == 2 else 0.9):
                entry_year = year if age == 2 or rng.random() < 0.5 else year - 1
                enrol(self._pick_school(la, town, EARLY), autumn_term_start(entry_year))
            return
        if age < 4:
            return
        if age >= 16:
            if rng.random() < 0.55:
                enrol(self._pick_school(la, town, SIXTH_FORM), autumn_term_start(year - (age - 11)))
            elif rng.random() < 0.7:
                left = summer_term_end(year - (age - 16))
                enrol(self._pick_school(la, town, SECONDARY), autumn_term_start(year - (age - 11)), left)
        elif rng.random() < 0.01:
            # Home educated: no school now, sometimes one in the past.
            if rng.random() < 0.5:
                pool, entry_age = (PRIMARY, 4) if age <= 10 else (SECONDARY, 11)
                start = autumn_term_start(year - rng.randint(0, min(age - entry_age, 3)))
                school = self._pick_school(la, town, pool)
                enrol(school, start, self._date_between(start + _days(60), self.today - _days(30)))
        elif rng.random() < 0.015:
            enrol(self._pick_school(la, town, SPECIAL), autumn_term_start(year - rng.randint(0, age - 4)))
        else:
            pool, entry_age = (PRIMARY, 4) if age <= 10 else (SECONDARY, 11)
            entry = autumn_term_start(year - (age - entry_age))
            if pool == SECONDARY and rng.random() < 0.5:
                primary_start = autumn_term_start(year - (age - 4))
                enrol(self._pick_school(la, town, PRIMARY), primary_start, summer_term_end(entry.year))
            school = self._pick_school(la, town, pool)
            if rng.random() < 0.1 and entry < self.today - _days(90):
                # Moved school part-way through.
                moved = self._date_between(entry + _days(60), self.today - _days(14))
                while moved.weekday() > 4:
                    moved += _days(1)
                enrol(self._pick_school(la, town, pool, not_this=school), entry, moved - _days(rng.randint(1, 20)))
                entry = moved
            enrol(school, entry)
        if first_school is not None:
            upn = self._upn(*first_school)
            if upn is not None:
                batch.identifiers.append((child, IdentifierScheme.UPN, upn, None))

    def _unborn(self, batch: _Batch, mother: Person, partner: Person | None, family_name: str) -> None:
        rng = self.rng
        if mother.date_of_birth is None or mother.age_on(self.today) is None or (mother.age_on(self.today) or 0) > 44:
            return
        due = self.today + _days(rng.randint(30, 180))
        unborn = Person(
            kind=PersonKind.UNBORN,
            family_name=family_name,
            sex=Sex.UNKNOWN,
            expected_due_date=due,
            mother=mother,
            created_at=self.created_at,
        )
        batch.unborn.append(unborn)
        for parent in (mother, partner):
            if parent is not None:
                batch.relationships.append((parent, unborn, RelationshipKind.PARENT, None))
        booked = due - _days(280 - 70)
        trust = self.trusts[0]
        self._chronology(batch, unborn, "pregnancy", "Pregnancy booked with maternity services", booked, trust)

    def _flush(self, batch: _Batch) -> None:
        # bulk_create skips Person.save(), which keeps the phonetic family-name key.
        for person in (*batch.persons, *batch.unborn):
            person.family_name_key = name_key(person.family_name)
        Address.objects.bulk_create(batch.addresses, batch_size=BATCH_SIZE)
        Person.objects.bulk_create(batch.persons, batch_size=BATCH_SIZE)
        # An unborn child points at the mother's row, so it follows the mothers.
        Person.objects.bulk_create(batch.unborn, batch_size=BATCH_SIZE)
        # The dependent rows, about four fifths of the total, go in as plain tuples now that
        # the people and addresses have their keys: building a model instance for each
        # would triple the time the demo takes to start.
        adapt = connection.ops.adapt_datetimefield_value
        _insert(
            PersonName,
            ("person", "kind", "given_names", "family_name", "used_from", "used_until", "family_name_key"),
            [(p.pk, kind, given, family, *dates, name_key(family)) for p, kind, given, family, *dates in batch.names],
        )
        _insert(
            Identifier,
            ("person", "scheme", "value", "issuer"),
            [(p.pk, *rest) for p, *rest in batch.identifiers],
        )
        _insert(
            PersonAddress,
            ("person", "address", "start_date", "end_date", "is_confidential"),
            [(p.pk, a.pk, *rest) for p, a, *rest in batch.person_addresses],
        )
        _insert(
            Relationship,
            ("person", "related_to", "kind", "description", "start_date", "end_date"),
            [(p.pk, other.pk, kind, "", start, None) for p, other, kind, start in batch.relationships],
        )
        _insert(
            Enrolment,
            ("person", "organisation", "start_date", "end_date"),
            [(p.pk, *rest) for p, *rest in batch.enrolments],
        )
        _insert(
            ChronologyEntry,
            (
                "person",
                "occurred_at",
                "category",
                "summary",
                "organisation",
                "recorded_by",
                "visibility",
                "source_type",
                "source_id",
            ),
            [
                (p.pk, adapt(at), category, summary, org, None, ChronologyVisibility.PARTNERSHIP, SOURCE_TYPE, "")
                for p, at, category, summary, org in batch.chronology
            ],
        )
        children = sum(1 for p in batch.persons if p.kind == PersonKind.CHILD)
        self._count("children", children)
        self._count("unborn children", len(batch.unborn))
        self._count("adults", len(batch.persons) - children)
        self._count("addresses", len(batch.addresses))
        self._count("identifiers", len(batch.identifiers))
        self._count("relationships", len(batch.relationships))
        self._count("enrolments", len(batch.enrolments))
        self._count("chronology entries", len(batch.chronology))

    # Users --------------------------------------------------------------------------------

    def _users(self) -> list[DemoUser]:
        stage = "demo users"
        self.progress(stage, 0, len(names.DEMO_STAFF))
        la = self.la_teams[0]
        # The designated safeguarding lead works at the primary school with the most pupils.
        primaries = [s for s in self.schools if s.phase == "primary"]
        dsl_school = max(primaries, key=lambda s: (s.pupils, -(s.org.urn or 0)))
        placements: dict[str, Team] = {
            Role.HUB_PRACTITIONER: la["hub"],
            Role.SOCIAL_WORKER: la["assessment"],
            Role.TEAM_MANAGER: la["child_protection"],
            Role.POLICE_OFFICER: self.cait,
            Role.POLICE_SUPERVISOR: self.cait,
            Role.HEALTH_PRACTITIONER: self.trust_teams[0],
            Role.DESIGNATED_SAFEGUARDING_LEAD: self.school_teams[dsl_school.org.urn],
            Role.PARTNERSHIP_ANALYST: self.business_teams["performance"],
            Role.PARTNERSHIP_MANAGER: self.business_teams["performance"],
            Role.PRIVACY_OFFICER: self.business_teams["governance"],
            Role.ENCOMPASS_COORDINATOR: la["education"],
            Role.MISSING_COORDINATOR: la["missing"],
            Role.RHI_WORKER: self.rhi_teams[0],
            Role.DISCLOSURE_OFFICER: self.disclosure_unit,
            Role.DISCLOSURE_SUPERVISOR: self.disclosure_unit,
            Role.SYSTEM_ADMIN: self.business_teams["support"],
        }
        password = make_password(DEMO_PASSWORD)
        users = []
        for username, role, given, family, job_title in names.DEMO_STAFF:
            team = placements[role]
            admin = role == Role.SYSTEM_ADMIN
            users.append(
                User(
                    username=username,
                    first_name=given,
                    last_name=family,
                    email=f"{username}@{names.EMAIL_DOMAIN}",
                    organisation=team.organisation,
                    job_title=job_title,
                    password=password,
                    is_staff=admin,
                    is_superuser=admin,
                    date_joined=self.created_at,
                )
            )
        User.objects.bulk_create(users)
        memberships = [
            User.teams.through(user_id=user.pk, team_id=placements[role].pk)
            for user, (_, role, *_) in zip(users, names.DEMO_STAFF, strict=True)
        ]
        User.teams.through.objects.bulk_create(memberships)
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=user, role=role) for user, (_, role, *_) in zip(users, names.DEMO_STAFF, strict=True)]
        )
        # Every demo user signs in with a second factor too: an authenticator whose codes
        # `safehub demo-code USERNAME` prints (demo mode only; production cannot).
        from safehub.core.mfa import enrol_demo_device

        for user in users:
            enrol_demo_device(user)
        self._count("users", len(users))
        self.progress(stage, len(users), len(users))
        return [
            DemoUser(user.username, Role(role).label, user.organisation.name, USER_DESCRIPTIONS[user.username])
            for user, (_, role, *_) in zip(users, names.DEMO_STAFF, strict=True)
            if user.organisation
        ]


def _insert(model: type[Model], fields: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """INSERT `rows` (values for `fields`, in order, ready for the database) in batches."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(model, name)) for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608 (no user input)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(sql, rows[start : start + BATCH_SIZE])


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    return str(field.column)


def _pool(schools: list[_School]) -> _Pool:
    return _Pool(schools, list(accumulate(s.popularity for s in schools)))


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower().replace("'", "")).strip("-")
