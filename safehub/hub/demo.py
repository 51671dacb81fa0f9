"""The demo's year of hub activity: contacts, screening, multi-agency checks, decisions and
assessments for the last twelve months, and the last days' contacts still open in each hub's
queue. Called at the end of `safehub.demo.seed.seed_demo`, in its transaction.

Rows are written with `bulk_create` for speed, but hold exactly what the hub's services
would write: references CT-YYYY-NNNNN, research due from the RAG timescale, decisions due
one working day after the contact arrived, assessments due 45 working days after they
start, all from `safehub.timescales`. No audit events are written for this history.
"""

import datetime
import itertools
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from safehub.access.models import LegitimateRelationship, RelationshipSource
from safehub.demo.seed import _insert
from safehub.hub.models import (
    RAG_TIMESCALES,
    Assessment,
    Consent,
    Contact,
    ContactSource,
    ContactState,
    ContactSubject,
    Decision,
    FamilyAwareness,
    LawfulBasis,
    Rag,
    ResearchAgency,
    ResearchAnswer,
    ResearchRequest,
    SubjectRole,
)
from safehub.partnership.models import EDUCATION_KINDS, Organisation, OrganisationKind, RoleAssignment, Team, User
from safehub.partnership.roles import CAPABILITIES, Capability, Role
from safehub.people.models import (
    ChronologyEntry,
    ChronologyVisibility,
    Enrolment,
    Identifier,
    IdentifierScheme,
    Person,
    PersonAddress,
    PersonKind,
    Relationship,
    RelationshipKind,
)
from safehub.timescales.calendar import LONDON, SchoolCalendar, add_working_days, is_working_day, next_working_day
from safehub.timescales.patterns import SEARCH_DAYS, OpeningHours, due_in_pattern
from safehub.timescales.rules import due_after, timescale_value

# About one contact a year for every eight children.
CHILDREN_PER_CONTACT = 8
BATCH_SIZE = 2_000
# The share of contacts about a child the hub already had a contact about this year.
REPEAT_SHARE = 0.18
# Contacts received in the last OPEN_WORKING_DAYS working days are still open in the queue.
OPEN_WORKING_DAYS = 2
SOURCE_TYPE = "hub.contact"
CHRONOLOGY_FIELDS = (
    "person",
    "occurred_at",
    "category",
    "summary",
    "organisation",
    "recorded_by",
    "visibility",
    "source_type",
    "source_id",
)
RELATIONSHIP_FIELDS = (
    "person",
    "user",
    "team",
    "source",
    "reason",
    "starts_at",
    "expires_at",
    "revoked_at",
    "created_by",
)
# How far a contact has gone: received, under research, awaiting a decision, decided.
RECEIVED, RESEARCH, AWAITING_DECISION, DECIDED = range(4)
OPEN_STAGES = (RESEARCH, RECEIVED, AWAITING_DECISION, RESEARCH)
CARING = (RelationshipKind.PARENT, RelationshipKind.STEP_PARENT, RelationshipKind.CARER)

SOURCE_WEIGHTS = {
    ContactSource.POLICE: 30,
    ContactSource.SCHOOL: 20,
    ContactSource.HEALTH: 15,
    ContactSource.SOCIAL_CARE: 5,
    ContactSource.EARLY_YEARS: 3,
    ContactSource.FAMILY: 8,
    ContactSource.PUBLIC: 8,
    ContactSource.ANONYMOUS: 4,
    ContactSource.OTHER: 7,
}
DECISION_WEIGHTS = {
    Decision.NO_FURTHER_ACTION: 28,
    Decision.ADVICE: 24,
    Decision.EARLY_HELP: 21,
    Decision.ASSESSMENT: 19,
    Decision.STRATEGY_DISCUSSION: 6,
    Decision.IMMEDIATE_PROTECTION: 2,
}
RAG_WEIGHTS = {Rag.RED: 12, Rag.AMBER: 53, Rag.GREEN: 35}
AGENCIES = (ResearchAgency.POLICE, ResearchAgency.HEALTH, ResearchAgency.EDUCATION, ResearchAgency.SOCIAL_CARE)

CONCERNS: dict[str, list[str]] = {
    ContactSource.POLICE: [
        "Police attended a report of domestic abuse at the home; the children were present and heard the argument.",
        "Officers found the child out late at night with older youths and brought them home; the parent was unaware.",
        "Police were called to a disturbance at the address; the adults were intoxicated and a young child was there.",
        "The child was reported missing overnight and found the next morning; they will not say where they were.",
        "Officers attended a concern for welfare: the home was in poor condition with little food for the children.",
    ],
    ContactSource.SCHOOL: [
        "The child arrived at school with a bruise to the cheek and gave different accounts of how it happened.",
        "Attendance has fallen below 70% this term and the child often arrives hungry and tired.",
        "The child told a teaching assistant that an adult at home hits them when they are angry.",
        "Staff have noticed the child wearing the same clothes for a week and seeming withdrawn.",
        "The child disclosed self-harm to a friend, who told the form tutor.",
    ],
    ContactSource.HEALTH: [
        "The health visitor is worried about the baby's weight and missed appointments.",
        "Emergency department attendance with an injury that does not fit the explanation given.",
        "The mother disclosed domestic abuse at an antenatal appointment.",
        "The GP is concerned about the parent's mental health and the care of the children.",
    ],
    ContactSource.SOCIAL_CARE: [
        "A social worker in another authority shares a concern about a family who have moved here.",
        "Out-of-hours duty were called about the children being left alone overnight.",
    ],
    ContactSource.EARLY_YEARS: [
        "Nursery staff noticed marks on the child's arm at nappy change.",
        "The child is often collected late by an adult who appears intoxicated.",
    ],
    ContactSource.FAMILY: [
        "A grandparent is worried about the children's care since their parent's new partner moved in.",
        "The young person rang to say they do not feel safe going home.",
    ],
    ContactSource.PUBLIC: [
        "A neighbour reports shouting and crying from the flat most nights.",
        "A member of the public saw a young child alone in the park after dark.",
    ],
    ContactSource.ANONYMOUS: [
        "An anonymous caller says the children are left alone while the parent works nights.",
        "An anonymous caller is worried that the family have no heating or food.",
    ],
    ContactSource.OTHER: [
        "The housing officer found the home in very poor condition with young children living there.",
        "The youth worker is worried the young person is being exploited by older men.",
    ],
}
SHARED_INFORMATION: dict[str, list[str]] = {
    ResearchAgency.POLICE: [
        "Two domestic incidents at the address in the last year, both graded medium risk; no charges.",
        "The adult male in the household has a caution for assault (2022).",
        "The child was reported missing twice this year and returned within a day each time.",
    ],
    ResearchAgency.HEALTH: [
        "Missed two health-visitor appointments; the last weight check was below the 9th centile.",
        "Attended the emergency department in the spring with a burn to the hand.",
        "Mother is under the community mental health team.",
    ],
    ResearchAgency.EDUCATION: [
        "Attendance 82% this year; two late arrivals a week; no exclusions.",
        "School has recorded three safeguarding concerns this year about the child's hygiene.",
        "Receives free school meals; the school provides breakfast club.",
    ],
    ResearchAgency.SOCIAL_CARE: [
        "Known to early help in 2024 for parenting support; closed when the goals were met.",
        "An assessment in 2023 closed with no further action.",
        "The siblings were on child in need plans until last year.",
    ],
}
REASONS_NOT_SHARED = [
    "Information relates to a live criminal investigation; sharing now could prejudice it. Will review in 7 days.",
    "The information is about a third party's health and is not relevant to the children's safety.",
    "Disclosure could put an adult victim at risk; discussed with our safeguarding lead.",
]
LATE_REASONS = [
    "Waiting for the police checks, which were needed to decide.",
    "The manager was in a strategy discussion all afternoon; decided first thing next morning.",
    "Further information was requested from the referrer before deciding.",
    "High volume of contacts that day; red-rated contacts were decided first.",
]
RATIONALES = {
    Decision.NO_FURTHER_ACTION: "No concerns found in the checks; the family is managing and support is in place.",
    Decision.ADVICE: "Advice given to the referrer; the family signposted to local support services.",
    Decision.EARLY_HELP: "Needs are below the threshold for social care; early help offered with the family's consent.",
    Decision.ASSESSMENT: "The child may be in need; a child and family assessment (section 17) is needed.",
    Decision.STRATEGY_DISCUSSION: "Reasonable cause to suspect significant harm: a strategy discussion is needed.",
    Decision.IMMEDIATE_PROTECTION: "The child is at immediate risk; police protection and a strategy discussion today.",
}


@dataclass
class _Rows:
    contacts: list[Contact] = field(default_factory=list)
    subjects: list[list[ContactSubject]] = field(default_factory=list)
    research: list[list[ResearchRequest]] = field(default_factory=list)


def _pick[T](rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _working_start(moment: datetime.datetime) -> datetime.datetime:
    """The moment, or 09:00 on the next working day when it falls outside office hours."""
    local = moment.astimezone(LONDON)
    if is_working_day(local.date()) and 9 <= local.hour < 17:
        return local
    day = local.date()
    if not is_working_day(day) or local.hour >= 17:
        day = next_working_day(day)
    return datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=LONDON)


def _timescales() -> dict[str, int]:
    """The timescales the hub works to, read once (the partnership may have changed them)."""
    keys = [*RAG_TIMESCALES.values(), "referral_decision", "assessment_completion"]
    return {key: timescale_value(key) for key in keys}


def seed_hub_demo(*, rng: random.Random, today: datetime.date, now: datetime.datetime | None = None) -> dict[str, int]:
    """A year of contacts to the partnership's Children's Hubs; returns counts for the demo's summary."""
    directory = _Directory.load()
    if directory is None:
        return {}
    year = _HubYear(rng=rng, today=today, now=now or timezone.now(), directory=directory, people=_People.load())
    return year.run()


def _team_of(teams: Sequence[Team], names: Sequence[str], *, duty: bool = True) -> Team | None:
    """The first team (by key) whose name holds one of `names`, else the duty team: the rule of
    `safehub.hub.services.workflow.research_team_for`, over teams loaded once."""
    for name in names:
        for team in teams:
            if name.lower() in team.name.lower():
                return team
    if duty:
        return next((team for team in teams if team.is_duty_team), None)
    return None


@dataclass
class _Directory:
    """Who receives what: the hub of each council, and each agency's team for the checks."""

    default_hub: Team
    hub_of_council: dict[int, Team]
    settings: dict[int, Organisation]
    councils: list[Organisation]
    police: Organisation | None
    trusts: list[Organisation]
    teams_of: dict[int, list[Team]]
    answerers: dict[int, User]
    users: dict[str, User]
    staff: dict[tuple[int, str], User]

    @classmethod
    def load(cls) -> "_Directory | None":
        from safehub.hub.services.contacts import hub_team_for

        councils = list(Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).order_by("pk"))
        if not councils:
            return None
        try:
            default_hub = hub_team_for(None)
        except ValidationError:
            return None
        hub_of_council = {council.pk: hub_team_for(council) for council in councils}
        teams_of: dict[int, list[Team]] = defaultdict(list)
        for team in Team.objects.select_related("organisation").order_by("pk"):
            teams_of[team.organisation_id].append(team)
        users = {u.username: u for u in User.objects.filter(is_active=True).select_related("organisation")}
        # Who answers each team's checks, and who holds each role in each organisation (the
        # demo user first, then colleagues: safehub.demo.colleagues), loaded in two queries.
        teams_of_user: dict[int, list[int]] = defaultdict(list)
        for user_id, team_id in User.teams.through.objects.values_list("user_id", "team_id").order_by("team_id"):
            teams_of_user[user_id].append(team_id)
        roles_of: dict[int, list[str]] = defaultdict(list)
        for user_id, role in RoleAssignment.objects.values_list("user_id", "role"):
            roles_of[user_id].append(role)
        answerers: dict[int, User] = {}
        staff: dict[tuple[int, str], User] = {}
        for user in sorted(users.values(), key=lambda u: u.pk):
            if user.organisation_id is not None:
                for role in roles_of[user.pk]:
                    staff.setdefault((user.organisation_id, role), user)
            if any(Capability.ANSWER_RESEARCH in CAPABILITIES[Role(role)] for role in roles_of[user.pk]):
                for team_id in teams_of_user[user.pk]:
                    answerers.setdefault(team_id, user)
        open_ = Organisation.objects.open()
        return cls(
            default_hub=default_hub,
            hub_of_council=hub_of_council,
            settings={org.pk: org for org in Organisation.objects.filter(kind__in=EDUCATION_KINDS)},
            councils=councils,
            police=Organisation.objects.open()
            .filter(kind=OrganisationKind.POLICE_FORCE)
            .order_by("name", "pk")
            .first(),
            trusts=list(open_.filter(kind=OrganisationKind.HEALTH_TRUST).order_by("name", "pk")),
            teams_of=teams_of,
            answerers=answerers,
            users=users,
            staff=staff,
        )

    def research_team(self, agency: str, *, contact: Contact, school_id: int | None) -> Team | None:
        council_id = contact.hub_team.organisation_id
        source = contact.source_organisation
        if agency == ResearchAgency.POLICE:
            force = source if source is not None and source.kind == OrganisationKind.POLICE_FORCE else self.police
            return _team_of(self.teams_of[force.pk], ["Child Abuse Investigation", "CAIT"]) if force else None
        if agency == ResearchAgency.HEALTH:
            trust = source if source is not None and source.kind == OrganisationKind.HEALTH_TRUST else None
            trust = trust or (self.trusts[0] if self.trusts else None)
            return _team_of(self.teams_of[trust.pk], ["Safeguarding"]) if trust else None
        if agency == ResearchAgency.EDUCATION:
            school_team = _team_of(self.teams_of[school_id], ["Safeguarding"]) if school_id else None
            return school_team or _team_of(self.teams_of[council_id], ["Education Safeguarding"], duty=False)
        duty = [t for t in self.teams_of[council_id] if t.is_duty_team and t.pk != contact.hub_team_id]
        return duty[0] if duty else _team_of(self.teams_of[council_id], ["Social Care"], duty=False)


@dataclass
class _People:
    children: list[int]
    details: dict[int, tuple[str, str, datetime.date | None]]
    expected: dict[int, datetime.date]
    nhs: dict[int, str]
    postcodes: dict[int, str]
    adults_of: dict[int, list[int]]
    children_of: dict[int, list[int]]
    school_of: dict[int, int]

    @classmethod
    def load(cls) -> "_People":
        details = {
            pk: (given, family, dob)
            for pk, given, family, dob in Person.objects.values_list(
                "pk", "given_names", "family_name", "date_of_birth"
            )
        }
        adults_of: dict[int, list[int]] = defaultdict(list)
        children_of: dict[int, list[int]] = defaultdict(list)
        for adult, child in (
            Relationship.objects.filter(kind__in=CARING).order_by("pk").values_list("person_id", "related_to_id")
        ):
            adults_of[child].append(adult)
            children_of[adult].append(child)
        # The latest current enrolment wins, as in the service's `_school_of`.
        school_of = dict(
            Enrolment.objects.current_on().order_by("start_date", "pk").values_list("person_id", "organisation_id")
        )
        return cls(
            children=list(Person.objects.filter(kind=PersonKind.CHILD).order_by("pk").values_list("pk", flat=True)),
            details=details,
            expected={
                pk: due
                for pk, due in Person.objects.filter(kind=PersonKind.UNBORN).values_list("pk", "expected_due_date")
                if due is not None
            },
            nhs=dict(Identifier.objects.filter(scheme=IdentifierScheme.NHS_NUMBER).values_list("person_id", "value")),
            postcodes=dict(PersonAddress.objects.current_on().values_list("person_id", "address__postcode")),
            adults_of=adults_of,
            children_of=children_of,
            school_of=school_of,
        )


@dataclass
class _Planned:
    contact: Contact
    subjects: list[ContactSubject]
    research: list[ResearchRequest]


class _HubYear:
    def __init__(
        self,
        *,
        rng: random.Random,
        today: datetime.date,
        now: datetime.datetime,
        directory: _Directory,
        people: _People,
    ) -> None:
        self.rng = rng
        self.now = now
        self.directory = directory
        self.people = people
        # Contacts received since noon OPEN_WORKING_DAYS working days ago are still being worked.
        open_day = today
        for _ in range(OPEN_WORKING_DAYS):
            open_day -= datetime.timedelta(days=1)
            while not is_working_day(open_day):
                open_day -= datetime.timedelta(days=1)
        self.open_from = datetime.datetime.combine(open_day, datetime.time(12, 0), tzinfo=LONDON)
        self.serials: dict[int, int] = defaultdict(int)
        self.open_turn = itertools.count()
        self.seen: list[int] = []
        self.timescales = _timescales()
        self.hours = OpeningHours.current()
        self.school_calendars: dict[int, SchoolCalendar] = {}

    def _check_due(self, rag: str, screened_at: datetime.datetime, team: Team) -> datetime.datetime:
        """As `safehub.hub.services.workflow.research_due` (the same `due_in_pattern`), with the
        timescales, opening hours and each school's calendar read once for the year."""
        key = RAG_TIMESCALES[Rag(rag)]
        organisation = team.organisation
        school, calendar = None, None
        if organisation.kind in EDUCATION_KINDS:
            school = organisation
            calendar = self.school_calendars.get(organisation.pk)
            if calendar is None:
                first = (self.now - datetime.timedelta(days=400)).date()
                calendar = SchoolCalendar(organisation, first, self.now.date() + datetime.timedelta(days=SEARCH_DAYS))
                self.school_calendars[organisation.pk] = calendar
        return due_in_pattern(
            screened_at,
            key,
            team.pattern,
            school=school,
            school_calendar=calendar,
            value=self.timescales[key],
            hours=self.hours,
        )

    def run(self) -> dict[str, int]:
        if not self.people.children:
            return {}
        count = max(1, len(self.people.children) // CHILDREN_PER_CONTACT)
        start = self.now - datetime.timedelta(days=365)
        moments = [self._arrival(start) for _ in range(count)]
        # However small the demo, the queue has work in it today.
        window = int((self.now - self.open_from).total_seconds())
        recent = sum(1 for m in moments if m >= self.open_from)
        moments += [self.open_from + datetime.timedelta(seconds=self.rng.randrange(window)) for _ in range(6 - recent)]
        planned = [
            self._contact(moment)
            for moment in sorted(m.astimezone(LONDON).replace(second=0, microsecond=0) for m in moments)
        ]
        return self._save(planned)

    def _arrival(self, start: datetime.datetime) -> datetime.datetime:
        """A moment in the past year, mostly in office hours on working days."""
        while True:
            moment = start + datetime.timedelta(seconds=self.rng.randrange(int((self.now - start).total_seconds())))
            local = moment.astimezone(LONDON)
            if (is_working_day(local.date()) and 8 <= local.hour < 18) or self.rng.random() < 0.25:
                return local

    def _reference(self, received_at: datetime.datetime) -> str:
        year = received_at.astimezone(LONDON).year
        self.serials[year] += 1
        return f"CT-{year}-{self.serials[year]:05d}"

    def _child(self) -> int:
        if self.seen and self.rng.random() < REPEAT_SHARE:
            return self.rng.choice(self.seen)
        child = self.rng.choice(self.people.children)
        self.seen.append(child)
        return child

    def _subjects(self, child: int) -> list[ContactSubject]:
        people = self.people
        adults = people.adults_of.get(child, [])
        siblings = sorted({c for a in adults for c in people.children_of.get(a, []) if c != child})
        chosen = [(child, SubjectRole.CHILD)]
        chosen += [(s, SubjectRole.UNBORN if s in people.expected else SubjectRole.CHILD) for s in siblings[:3]]
        chosen += [(a, SubjectRole.ADULT) for a in adults[:2]]
        subjects = []
        for person_id, role in chosen:
            given, family, dob = people.details[person_id]
            subjects.append(
                ContactSubject(
                    role=role,
                    person_id=person_id,
                    given_names=given,
                    family_name=family,
                    date_of_birth=dob,
                    expected_due_date=people.expected.get(person_id),
                    nhs_number=people.nhs.get(person_id, ""),
                    postcode=people.postcodes.get(person_id, ""),
                )
            )
        return subjects

    def _source(self, source: str, child: int) -> tuple[Organisation | None, User | None]:
        """Where the contact came from, and the referrer's SafeHub account if the demo has one."""
        directory, users = self.directory, self.directory.users
        school_id = self.people.school_of.get(child)
        if source == ContactSource.POLICE:
            return directory.police, None
        setting = directory.settings.get(school_id) if school_id is not None else None
        wanted: dict[str, str] = {
            ContactSource.SCHOOL: OrganisationKind.SCHOOL,
            ContactSource.EARLY_YEARS: OrganisationKind.EARLY_YEARS,
        }
        if source in wanted:
            if setting is None or setting.kind != wanted[source]:
                return None, None
            dsl = users.get("school.dsl")
            return setting, dsl if dsl is not None and dsl.organisation_id == setting.pk else None
        if source == ContactSource.HEALTH and directory.trusts:
            trust = self.rng.choice(directory.trusts)
            health = users.get("health.practitioner")
            if health is not None and health.organisation_id == trust.pk and self.rng.random() < 0.4:
                return trust, health
            return trust, None
        if source == ContactSource.SOCIAL_CARE:
            council_id = setting.local_authority_id if setting is not None else None
            return next((c for c in directory.councils if c.pk == council_id), directory.councils[0]), None
        return None, None

    def _hub_for(self, organisation: Organisation | None) -> Team:
        """`safehub.hub.services.contacts.hub_team_for`, from the directory loaded once."""
        council_id = None
        if organisation is not None:
            if organisation.kind == OrganisationKind.LOCAL_AUTHORITY:
                council_id = organisation.pk
            elif organisation.kind in EDUCATION_KINDS:
                council_id = organisation.local_authority_id
        return self.directory.hub_of_council.get(council_id or 0, self.directory.default_hub)

    def _contact(self, received_at: datetime.datetime) -> _Planned:
        rng = self.rng
        source = _pick(rng, SOURCE_WEIGHTS)
        child = self._child()
        organisation, referrer = self._source(source, child)
        consent = rng.choices([Consent.GIVEN, Consent.NOT_SOUGHT, Consent.REFUSED], weights=[45, 45, 10])[0]
        rag = _pick(rng, RAG_WEIGHTS)
        if consent == Consent.GIVEN and rag == Rag.GREEN:
            lawful_basis = LawfulBasis.CONSENT
        elif source == ContactSource.POLICE:
            lawful_basis = LawfulBasis.LAW_ENFORCEMENT if rag == Rag.GREEN else LawfulBasis.SIGNIFICANT_HARM
        else:
            lawful_basis = LawfulBasis.PUBLIC_TASK if rag == Rag.GREEN else LawfulBasis.SIGNIFICANT_HARM
        hub = self._hub_for(organisation)
        awareness = (
            FamilyAwareness.NOT_TOLD_RISK
            if rag == Rag.RED
            else rng.choice([FamilyAwareness.AWARE, FamilyAwareness.AWARE, FamilyAwareness.NOT_AWARE])
        )
        contact = Contact(
            reference=self._reference(received_at),
            received_at=received_at,
            source=source,
            source_organisation=organisation,
            recorded_by=referrer,
            referrer_user=referrer,
            referrer_name=self._referrer_name(source, referrer),
            referrer_role=referrer.job_title if referrer else "",
            external_reference=f"OCC-{received_at:%y%m%d}-{rng.randint(1000, 9999)}"
            if source == ContactSource.POLICE
            else "",
            what_happened=rng.choice(CONCERNS[source]),
            family_awareness=awareness,
            consent=consent,
            lawful_basis=lawful_basis,
            hub_team=hub,
            # As record_contact does: the decision is due a working day after the contact arrived.
            decision_due_at=add_working_days(received_at, self.timescales["referral_decision"]),
        )
        subjects = self._subjects(child)
        planned = _Planned(contact, subjects, [])
        # Open contacts take turns to be received, under research or awaiting a decision.
        turn = next(self.open_turn) if received_at >= self.open_from else None
        stage = DECIDED if turn is None else OPEN_STAGES[turn % len(OPEN_STAGES)]
        if turn is not None and turn % 3 == 0:
            # Some adults in new contacts are not matched yet: the hub links them (or not) by hand.
            for subject in subjects:
                if subject.role == SubjectRole.ADULT:
                    subject.person_id = None
        if stage >= RESEARCH:
            self._screen(planned, rag, stage, school_id=self.people.school_of.get(child))
        if stage == DECIDED:
            self._decide(contact, planned.research)
        return planned

    def _referrer_name(self, source: str, referrer: User | None) -> str:
        if referrer is not None:
            return referrer.get_full_name()
        names: dict[str, str] = {
            ContactSource.ANONYMOUS: "",
            ContactSource.POLICE: "Force Control Room",
            ContactSource.FAMILY: "A relative",
            ContactSource.PUBLIC: "A neighbour",
        }
        return names.get(source, "Safeguarding lead")

    def _hub_user(self, contact: Contact, role: str) -> User:
        """Who in the hub's council does this: the demo user there, else a colleague. Every
        council's hub is staffed (safehub.demo.colleagues), as the services need someone."""
        return self.directory.staff[(contact.hub_team.organisation_id, role)]

    def _screen(self, planned: _Planned, rag: str, stage: int, *, school_id: int | None) -> None:
        rng, contact = self.rng, planned.contact
        practitioner = self._hub_user(contact, Role.HUB_PRACTITIONER)
        screened_at = _working_start(contact.received_at) + datetime.timedelta(minutes=rng.randint(10, 90))
        contact.screened_at = min(screened_at, self.now - datetime.timedelta(minutes=5))
        contact.rag = rag
        contact.allocated_to = practitioner
        contact.screened_by = practitioner
        contact.screening_notes = "Checks asked of every agency; the child is known to universal services."
        contact.state = ContactState.AWAITING_DECISION if stage >= AWAITING_DECISION else ContactState.RESEARCH
        for agency in AGENCIES:
            team = self.directory.research_team(agency, contact=contact, school_id=school_id)
            if team is None:
                continue
            due_at = self._check_due(rag, contact.screened_at, team)
            request = ResearchRequest(agency=agency, team=team, requested_at=contact.screened_at, due_at=due_at)
            self._answer(contact, request, all_answered=stage >= AWAITING_DECISION)
            planned.research.append(request)
        # As screen does: the checks are all due by the last of them.
        dues = [request.due_at for request in planned.research]
        contact.research_due_at = max(dues) if dues else due_after(contact.screened_at, RAG_TIMESCALES[Rag(rag)])
        if stage >= AWAITING_DECISION and not all(r.answered_at for r in planned.research):
            contact.state = ContactState.RESEARCH  # a check no one can answer keeps it open
        if stage == RESEARCH and all(r.answered_at for r in planned.research) and planned.research:
            last = planned.research[-1]
            last.answer, last.information, last.reason_not_shared = "", "", ""
            last.lawful_basis, last.answered_at, last.answered_by = "", None, None

    def _answer(self, contact: Contact, request: ResearchRequest, *, all_answered: bool) -> None:
        rng = self.rng
        assert contact.screened_at is not None
        roll = rng.random()
        answerer = self.directory.answerers.get(request.team.pk)
        if answerer is None or (not all_answered and roll < 0.5):
            return  # still being checked, or by a team with no one in SafeHub to answer it
        window = (request.due_at - contact.screened_at).total_seconds()
        if roll > 0.95:  # late
            answered_at = request.due_at + datetime.timedelta(minutes=rng.randint(30, 60 * 20))
        else:
            answered_at = contact.screened_at + datetime.timedelta(seconds=rng.uniform(0.05, 0.8) * window)
        request.answered_at = max(contact.screened_at, min(answered_at, self.now - datetime.timedelta(minutes=1)))
        outcome = rng.random()
        if outcome < 0.72:
            request.answer = ResearchAnswer.NOTHING_KNOWN
        elif outcome < 0.94:
            request.answer = ResearchAnswer.SHARED
            request.information = rng.choice(SHARED_INFORMATION[request.agency])
        else:
            request.answer = ResearchAnswer.NOT_SHARED
            request.reason_not_shared = rng.choice(REASONS_NOT_SHARED)
        if request.agency == ResearchAgency.POLICE:
            request.lawful_basis = LawfulBasis.LAW_ENFORCEMENT
        elif contact.lawful_basis == LawfulBasis.CONSENT:
            request.lawful_basis = LawfulBasis.CONSENT
        else:
            request.lawful_basis = LawfulBasis.PUBLIC_TASK
        request.answered_by = answerer

    def _decide(self, contact: Contact, research: Sequence[ResearchRequest]) -> None:
        rng = self.rng
        assert contact.decision_due_at is not None
        assert contact.screened_at is not None
        decision = _pick(rng, DECISION_WEIGHTS)
        if contact.rag == Rag.RED and decision in (Decision.NO_FURTHER_ACTION, Decision.ADVICE):
            decision = Decision.STRATEGY_DISCUSSION
        answers = [r.answered_at for r in research if r.answered_at and r.answered_at <= contact.decision_due_at]
        earliest = max([contact.screened_at, *answers]) + datetime.timedelta(minutes=rng.randint(5, 60))
        if rng.random() < 0.07 or earliest >= contact.decision_due_at:
            decided_at = max(earliest, contact.decision_due_at) + datetime.timedelta(minutes=rng.randint(20, 60 * 26))
        else:
            span = (contact.decision_due_at - earliest).total_seconds()
            decided_at = earliest + datetime.timedelta(seconds=rng.uniform(0, 0.6) * span)
        contact.decided_at = min(decided_at, self.now - datetime.timedelta(minutes=1))
        contact.late_reason = rng.choice(LATE_REASONS) if contact.decided_at > contact.decision_due_at else ""
        contact.decision = decision
        contact.decided_by = self._hub_user(contact, Role.TEAM_MANAGER)
        for request in research:
            if request.answered_at is None:
                # As decide does: the decision closes a check no one answered, as not needed.
                request.answer = ResearchAnswer.NOT_NEEDED
                request.answered_at, request.answered_by = contact.decided_at, contact.decided_by
        contact.decision_rationale = RATIONALES[decision]
        contact.state = ContactState.DECIDED
        if contact.referrer_user is not None:
            contact.referrer_told_at = contact.decided_at
        else:
            # An external referrer is phoned by the hub, and the hub records it.
            told = contact.decided_at + datetime.timedelta(minutes=rng.randint(10, 180))
            contact.referrer_told_at = told if told < self.now and contact.referrer_name else None

    def _save(self, planned: list[_Planned]) -> dict[str, int]:
        Contact.objects.bulk_create([p.contact for p in planned], batch_size=BATCH_SIZE)
        subjects: list[ContactSubject] = []
        research: list[ResearchRequest] = []
        assessments: list[Assessment] = []
        # Plain rows for the two biggest tables, as the demo's people are written (safehub.demo.seed).
        adapt = connection.ops.adapt_datetimefield_value
        chronology: list[tuple[object, ...]] = []
        relationships: list[tuple[object, ...]] = []
        hub_access: set[tuple[int, int]] = set()
        for item in planned:
            contact = item.contact
            for subject in item.subjects:
                subject.contact = contact
            for request in item.research:
                request.contact = contact
            subjects += item.subjects
            research += item.research
            people = [s.person_id for s in item.subjects if s.person_id is not None]
            # The hub may open the people its contacts are about (once a team has it, it keeps it).
            for person_id in people:
                if (contact.hub_team_id, person_id) not in hub_access:
                    hub_access.add((contact.hub_team_id, person_id))
                    relationships.append(
                        (
                            person_id,
                            None,
                            contact.hub_team_id,
                            RelationshipSource.REFERRAL,
                            f"Contact {contact.reference}",
                            adapt(contact.received_at),
                            None,
                            None,
                            contact.recorded_by.pk if contact.recorded_by else None,
                        )
                    )
            # Each agency may open them while its check is open; the answer ends it.
            for request in item.research:
                relationships += [
                    (
                        person_id,
                        None,
                        request.team.pk,
                        RelationshipSource.REFERRAL,
                        f"Multi-agency check for contact {contact.reference}",
                        adapt(request.requested_at),
                        None,
                        adapt(request.answered_at) if request.answered_at else None,
                        contact.screened_by.pk if contact.screened_by else None,
                    )
                    for person_id in people
                ]
            for at, category, summary, by, organisation_id in self._events(item):
                chronology += [
                    (
                        person_id,
                        adapt(at),
                        category,
                        summary[:300],
                        organisation_id,
                        by.pk if by else None,
                        ChronologyVisibility.PARTNERSHIP,
                        SOURCE_TYPE,
                        str(contact.pk),
                    )
                    for person_id in people
                ]
            if contact.decision == Decision.ASSESSMENT and contact.decided_at is not None:
                assessments += self._assessments(item)
        ContactSubject.objects.bulk_create(subjects, batch_size=BATCH_SIZE)
        ResearchRequest.objects.bulk_create(research, batch_size=BATCH_SIZE)
        Assessment.objects.bulk_create(assessments, batch_size=BATCH_SIZE)
        _insert(ChronologyEntry, CHRONOLOGY_FIELDS, chronology)
        _insert(LegitimateRelationship, RELATIONSHIP_FIELDS, relationships)
        return {
            "hub contacts": len(planned),
            "multi-agency checks": len(research),
            "assessments": len(assessments),
        }

    def _assessments(self, item: _Planned) -> list[Assessment]:
        contact = item.contact
        assert contact.decided_at is not None
        due = add_working_days(contact.received_at, self.timescales["assessment_completion"])
        assessments = []
        for subject in item.subjects:
            if subject.role in (SubjectRole.CHILD, SubjectRole.UNBORN) and subject.person_id is not None:
                # Most assessments finish in time; an invented date, not a timescale.
                done = due - datetime.timedelta(days=self.rng.randint(-10, 30))
                completed_at = done if done < self.now else None
                late = completed_at is not None and completed_at > due
                assessments.append(
                    Assessment(
                        contact=contact,
                        person_id=subject.person_id,
                        started_at=contact.decided_at,
                        due_at=due,
                        completed_at=completed_at,
                        late_reason="Waiting for the paediatric assessment report." if late else "",
                    )
                )
        return assessments

    def _events(self, item: _Planned) -> list[tuple[datetime.datetime, str, str, User | None, int | None]]:
        """What the services put on the chronology, in order: (when, category, summary, by, organisation)."""
        contact = item.contact
        hub_org = contact.hub_team.organisation_id
        events: list[tuple[datetime.datetime, str, str, User | None, int | None]] = [
            (
                contact.received_at,
                "contact",
                f"Contact received from {ContactSource(contact.source).label}",
                contact.recorded_by,
                contact.source_organisation.pk if contact.source_organisation else None,
            )
        ]
        if contact.screened_at is None:
            return events
        screener = contact.screened_by
        asked = ", ".join(ResearchAgency(r.agency).label.lower() for r in item.research) or "no agency"
        events.append(
            (
                contact.screened_at,
                "contact",
                f"Contact {contact.reference} screened by the hub: {Rag(contact.rag).label.lower()}. "
                f"Checks asked of {asked}.",
                screener,
                screener.organisation_id if screener and screener.organisation_id else hub_org,
            )
        )
        for request in item.research:
            if request.answered_at is None or request.answer == ResearchAnswer.NOT_NEEDED:
                continue
            by = request.answered_by
            events.append(
                (
                    request.answered_at,
                    "contact",
                    f"{ResearchAgency(request.agency).label} answered the hub's check for contact "
                    f"{contact.reference}: {ResearchAnswer(request.answer).label.lower()}.",
                    by,
                    by.organisation_id if by and by.organisation_id else hub_org,
                )
            )
        if contact.decided_at is None:
            return events
        decider = contact.decided_by
        decider_org = decider.organisation_id if decider and decider.organisation_id else hub_org
        events.append(
            (
                contact.decided_at,
                "referral_decision",
                f"Decision on contact {contact.reference}: {Decision(contact.decision).label}.",
                decider,
                decider_org,
            )
        )
        if contact.decision == Decision.ASSESSMENT:
            due = add_working_days(contact.received_at, self.timescales["assessment_completion"])
            events.append(
                (
                    contact.decided_at,
                    "assessment",
                    f"Assessment (section 17) started after contact {contact.reference}: "
                    f"due by {due.astimezone(LONDON):%-d %B %Y}.",
                    decider,
                    decider_org,
                )
            )
        elif contact.decision == Decision.STRATEGY_DISCUSSION:
            events.append(
                (
                    contact.decided_at,
                    "strategy_discussion",
                    f"Strategy discussion to be held after contact {contact.reference} (possible section 47 enquiry).",
                    decider,
                    decider_org,
                )
            )
        return events
