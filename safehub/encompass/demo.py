"""The demo's year of Operation Encompass: a year of domestic abuse incidents from the demo
force, each child's notice to their school (or to the council's education team), delivered,
acknowledged and chased, and today's notices still open. Called at the end of
`safehub.demo.seed.seed_demo`, in its transaction; deterministic for the seed's `rng`.

Rows are written with `bulk_create` (and plain INSERTs for the access rows), but hold exactly
what `safehub.encompass.services.incidents.record_incident` would write: references
DA-YYYY-NNNNN in the order incidents were recorded, notices DA-...-N, each child routed by
its enrolment on the incident date, due at `notice_due` (the school's next school day start,
read from `SchoolCalendar` once per school) and chased at `acknowledge_by`. Incidents happen
more in the evenings and at weekends, and more around Christmas and New Year and during the
summer football tournaments. No audit events are written for this history, and the inbox
rows only for the last days' notices to the demo users.

Every demo school is treated as having Key Adults (only one of them is a demo user), so a
notice is delivered when it is recorded; a few reached no one (the school had no Key Adult in
SafeHub that night) and were escalated at once, as the service does.
"""

import datetime
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from safehub.access.models import LegitimateRelationship, RelationshipSource
from safehub.demo import names
from safehub.demo.seed import _insert
from safehub.encompass.models import (
    AdultRole,
    Incident,
    IncidentAdult,
    IncidentChild,
    LocationKind,
    NoSchoolReason,
    Notice,
    RecipientKind,
)
from safehub.encompass.services.incidents import (
    ACCESS_AFTER_NOTICE,
    SOURCE_TYPE,
    AdultInput,
    ChildInput,
    IncidentInput,
    Route,
    acknowledge_by,
    chase_time,
    education_team,
    notice_due,
    request_fingerprint,
)
from safehub.notifications.channels import message_id_for
from safehub.notifications.models import Channel, Notification, State
from safehub.partnership.models import EDUCATION_KINDS, Organisation, OrganisationKind, Partnership, Team, User
from safehub.partnership.roles import Role
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
    Sex,
)
from safehub.timescales.calendar import LONDON, SchoolCalendar, next_school_day_start

# About one incident a year for every 150 children, and at least five a month however small the demo.
CHILDREN_PER_INCIDENT = 150
MIN_INCIDENTS = 60
BATCH_SIZE = 2_000
# The history ends this many days ago; the live incidents (last night's, the one to chase, the
# corrected one) are placed after it.
HISTORY_ENDS_DAYS_AGO = 3
# Inbox and email rows are written for notices recorded in the last LIVE_DAYS days.
LIVE_DAYS = 7
REPEAT_SHARE = 0.2
MAX_CHILDREN = 5
RECORDED_NEXT_MORNING = 0.08
IMPORTED_SHARE = 0.8
ACKNOWLEDGED_IN_TIME = 0.90
ACKNOWLEDGED_LATE = 0.07
SUPPORT_SHARE = 0.7
MISRECORDED_SHARE = 0.03
VISITING_CHILD_SHARE = 0.03

# Relative frequency by hour of the day (0-23) and day of the week (Monday first).
HOUR_WEIGHTS = (6, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 4, 6, 8, 10, 11, 11, 10, 8)
WEEKDAY_WEIGHTS = (8, 8, 8, 9, 11, 13, 12)
CHRISTMAS_WEIGHT = 1.6
TOURNAMENT_WEIGHT = 1.3
# Summer football tournaments (first and last match days), when incidents rise.
TOURNAMENTS = (
    (datetime.date(2024, 6, 14), datetime.date(2024, 7, 14)),
    (datetime.date(2025, 7, 2), datetime.date(2025, 7, 27)),
    (datetime.date(2026, 6, 11), datetime.date(2026, 7, 19)),
    (datetime.date(2027, 6, 24), datetime.date(2027, 7, 25)),
    (datetime.date(2028, 6, 9), datetime.date(2028, 7, 9)),
)
MAX_WEIGHT = max(HOUR_WEIGHTS) * max(WEEKDAY_WEIGHTS) * max(CHRISTMAS_WEIGHT, TOURNAMENT_WEIGHT)
CARING = (RelationshipKind.PARENT, RelationshipKind.STEP_PARENT, RelationshipKind.CARER)
LOCATION_WEIGHTS = {LocationKind.HOME: 78, LocationKind.OTHER_HOME: 10, LocationKind.PUBLIC: 9, LocationKind.OTHER: 3}

CIRCUMSTANCES = [
    "An argument about money escalated; one adult pushed the other against a wall. A neighbour called the police.",
    "The victim called 999: their former partner came to the house in breach of a non-molestation order "
    "and shouted at the door.",
    "A verbal argument after both adults had been drinking; items were thrown and an internal door was damaged.",
    "The victim was assaulted in the kitchen and has a cut lip; the suspect left before officers arrived.",
    "A dispute over contact arrangements became heated at the handover of the children; threats were made.",
    "The victim reports controlling behaviour: the partner takes their phone and bank card and stops them "
    "seeing friends.",
    "The suspect came home intoxicated and damaged furniture; the victim locked themselves and the children "
    "in a bedroom.",
    "Harassment by text and social media since the separation; tonight the suspect arrived at the address.",
    "A passer-by reported a loud argument in the street; both adults made allegations against each other.",
    "The victim told officers the partner had put a hand round their throat last week; DASH risk: high.",
    "The suspect threatened to take the children and not bring them back; the victim is frightened.",
    "An argument about the suspect's gambling; a mobile phone was smashed and the victim was pushed over.",
]
PUBLIC_PLACES = [
    "Outside the Red Lion, Market Street",
    "Car park of the retail park, Station Road",
    "Bus stop on Church Lane",
    "Playing fields off Mill Lane",
    "Outside the takeaway on Bridge Street",
]
OTHER_PLACES = [
    "In the family's car in a lay-by",
    "Car park of the children's contact centre",
    "Outside the children's school gates after the evening club",
]
WHEREABOUTS_AT_HOME = [
    "In the same room; saw the argument",
    "Upstairs in their bedroom",
    "In the living room watching television",
    "In the kitchen doorway",
    "Asleep upstairs; woke during the incident",
    "In a bedroom with a younger brother or sister",
]
WHEREABOUTS_OUT = [
    "With the adults; saw what happened",
    "In the back of the car",
    "A few metres away with an older cousin",
    "In the next room",
]
WHEREABOUTS_AWAY = [
    "At a grandparent's house overnight",
    "Staying with the other parent",
    "At a friend's sleepover",
    "At football training",
    "With an aunt for the weekend",
]
VOICE_PRESENT = [
    "Said they heard shouting and a loud bang and hid under the duvet.",
    "Told officers: 'They always shout when they have been drinking and I don't like it.'",
    "Was crying and would not speak to officers; stayed close to the victim throughout.",
    "Said they saw one adult push the other and tried to get between them.",
    "Said they rang 999 themselves because they were scared.",
    "Said this happens a lot and they put headphones on so they can't hear it.",
    "Asked officers whether anyone was going to prison.",
    "Was awake and said they were worried about going to school tomorrow.",
    "Did not want to talk; seemed withdrawn and tired.",
    "Said they were frightened and wanted to stay at their nan's house.",
]
VOICE_YOUNG = [
    "Too young to speak to officers; appeared settled and was cared for by the victim.",
    "A baby, asleep in a cot in the same room during the argument.",
    "Crying when officers arrived; calmed once held by the victim.",
]
VOICE_AWAY = [
    "Not present; not spoken to.",
    "Not present. The victim says the child has heard previous arguments.",
    "Not present; the victim told the child by phone that the police had been called.",
]
INJURIES = [
    "No injuries seen.",
    "A small graze to the knee; said they fell on the stairs running away.",
    "No visible injuries; checked by the ambulance crew as a precaution.",
]
ACTIONS = [
    "Suspect arrested for assault; victim given refuge and helpline details. DASH risk assessment: medium.",
    "Suspect left before officers arrived and is circulated as wanted. Victim and children safe with a relative.",
    "Words of advice; referral to the local domestic abuse service with the victim's consent.",
    "Suspect arrested for criminal damage and bailed with conditions not to contact the victim.",
    "DASH risk assessment high: referred to MARAC and the independent domestic violence adviser (IDVA).",
    "Domestic Violence Protection Notice issued; suspect removed from the address for 48 hours.",
    "Victim declined to support a prosecution; DASH risk assessment standard; safety advice given.",
    "Contact made with the Children's Hub; suspect remanded in custody.",
]
SUPPORT_SCHOOL = [
    "Key Adult checked in with the child at the start of the day; class teacher aware; a quiet space offered.",
    "Pastoral lead to meet the child this morning; homework deadlines relaxed this week.",
    "Child seemed tired: offered breakfast club and a check-in with the learning mentor.",
    "Key Adult spoke with the victim at drop-off about local domestic abuse support.",
    "Added to the school's monitoring list; ELSA sessions offered.",
    "School counsellor to see the child this week; form tutor told only that the child needs support.",
    "Nothing seen in class today; we will keep a close eye and record any concerns.",
    "Child said more to the Key Adult; we have made a contact to the Children's Hub.",
]
SUPPORT_COUNCIL = [
    "Elective home education adviser to visit the family this week and see the child.",
    "Children missing education officer checking where the child is on roll.",
    "Health visitor told for the under-five; early help offered to the family.",
    "Passed to the setting's designated lead under our local protocol; they will check in with the family.",
    "Child not known to us under the name given; asked the police for more details to identify them.",
]
CORRECTION_NOTE = "Added the outcome: the suspect was charged with assault and remanded in custody."
CORRECTED_ACTIONS = "Suspect charged with assault and remanded in custody; the victim is supported by the IDVA."


def seed_encompass_demo(
    *, rng: random.Random, today: datetime.date, now: datetime.datetime | None = None
) -> dict[str, int]:
    """A year of Operation Encompass incidents and notices; returns counts for the demo's summary."""
    world = _World.load(today)
    if world is None:
        return {}
    return _EncompassYear(rng=rng, now=now or timezone.now(), world=world).run()


def _local(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(LONDON)


def _season(day: datetime.date) -> float:
    if (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day <= 2):
        return CHRISTMAS_WEIGHT
    if any(first <= day <= last for first, last in TOURNAMENTS):
        return TOURNAMENT_WEIGHT
    return 1.0


def _age_on(dob: datetime.date, day: datetime.date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


@dataclass(slots=True)
class _Person:
    given_names: str
    family_name: str
    date_of_birth: datetime.date | None
    sex: str


@dataclass
class _World:
    """What the demo's incidents are about: the force, the councils and settings, the families."""

    force: Organisation
    councils: list[Organisation]
    council_of_town: dict[str, Organisation]
    education_teams: dict[int, Team | None]
    settings: dict[int, Organisation]
    includes_early_years: bool
    users: dict[str, User]
    people: dict[int, _Person]
    children: list[int]
    adults_of: dict[int, list[int]]
    children_of: dict[int, list[int]]
    # (start, end, organisation id, enrolment id), for each child
    enrolments: dict[int, list[tuple[datetime.date | None, datetime.date | None, int, int]]]
    homes: dict[int, tuple[str, str, str]]
    nhs: dict[int, str]

    @classmethod
    def load(cls, today: datetime.date) -> "_World | None":
        force = Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE).order_by("name", "pk").first()
        councils = list(Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).order_by("pk"))
        if force is None or not councils:
            return None
        by_code = {council.la_code: council for council in councils}
        council_of_town = {
            town: by_code[code]
            for code, _, _, _, _, towns in names.LOCAL_AUTHORITIES
            if code in by_code
            for town in towns
        }
        partnership = Partnership.current()
        people = {
            pk: _Person(given, family, dob, sex)
            for pk, given, family, dob, sex in Person.objects.exclude(kind=PersonKind.UNBORN).values_list(
                "pk", "given_names", "family_name", "date_of_birth", "sex"
            )
        }
        children = list(
            Person.objects.filter(kind=PersonKind.CHILD, date_of_birth__isnull=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        adults_of: dict[int, list[int]] = defaultdict(list)
        children_of: dict[int, list[int]] = defaultdict(list)
        for adult, child in (
            Relationship.objects.filter(kind__in=CARING, related_to__kind=PersonKind.CHILD)
            .order_by("pk")
            .values_list("person_id", "related_to_id")
        ):
            adults_of[child].append(adult)
            children_of[adult].append(child)
        enrolments: dict[int, list[tuple[datetime.date | None, datetime.date | None, int, int]]] = defaultdict(list)
        for person, start, end, organisation, pk in Enrolment.objects.order_by("pk").values_list(
            "person_id", "start_date", "end_date", "organisation_id", "pk"
        ):
            enrolments[person].append((start, end, organisation, pk))
        homes = {
            person: (line_1, town, postcode)
            for person, line_1, town, postcode in PersonAddress.objects.current_on(today)
            .order_by("start_date", "pk")
            .values_list("person_id", "address__line_1", "address__town", "address__postcode")
        }
        return cls(
            force=force,
            councils=councils,
            council_of_town=council_of_town,
            education_teams={council.pk: education_team(council) for council in councils},
            settings={org.pk: org for org in Organisation.objects.filter(kind__in=EDUCATION_KINDS).order_by("pk")},
            includes_early_years=bool(partnership and partnership.encompass_includes_early_years),
            users={
                u.username: u
                for u in User.objects.filter(
                    username__in=["police.officer", "police.supervisor", "school.dsl", "encompass.coordinator"]
                )
            },
            people=people,
            children=children,
            adults_of=adults_of,
            children_of=children_of,
            enrolments=enrolments,
            homes=homes,
            nhs=dict(
                Identifier.objects.filter(scheme=IdentifierScheme.NHS_NUMBER, person__kind=PersonKind.CHILD)
                .order_by("pk")
                .values_list("person_id", "value")
            ),
        )

    def enrolled_at(self, person_id: int, on: datetime.date) -> Organisation | None:
        """The setting of the child's latest enrolment current on `on`, as `route_child` finds it."""
        current = [
            (start or datetime.date.min, pk, organisation)
            for start, end, organisation, pk in self.enrolments.get(person_id, [])
            if (start is None or start <= on) and (end is None or end >= on)
        ]
        return self.settings[max(current)[2]] if current else None

    def route(self, person_id: int | None, *, on: datetime.date, council: Organisation) -> Route:
        """`safehub.encompass.services.incidents.route_child`, from the enrolments loaded once."""
        reason = NoSchoolReason.NOT_FOUND
        if person_id is not None:
            setting = self.enrolled_at(person_id, on)
            if setting is not None and self.in_scheme(setting):
                return Route(RecipientKind.SCHOOL, setting)
            reason = NoSchoolReason.OUTSIDE_SCHEME if setting is not None else NoSchoolReason.NO_ENROLMENT
        return Route(
            RecipientKind.LOCAL_AUTHORITY, council, team=self.education_teams[council.pk], no_school_reason=reason
        )

    def in_scheme(self, setting: Organisation) -> bool:
        if setting.kind == OrganisationKind.SCHOOL:
            return True
        return setting.kind == OrganisationKind.EARLY_YEARS and self.includes_early_years

    def council_of(self, child: int) -> Organisation:
        home = self.homes.get(child)
        if home is not None and home[1] in self.council_of_town:
            return self.council_of_town[home[1]]
        return self.councils[0]


@dataclass
class _Planned:
    incident: Incident
    adults: list[IncidentAdult]
    children: list[IncidentChild]
    notices: list[Notice]
    # Notices whose outcome the live story fixes: not acknowledged (escalated once overdue).
    held: set[int] = field(default_factory=set)


# Who receives notices (safehub.encompass.services.incidents.key_adults): a school's leads, and
# the council education team's coordinators.
RECEIVING_ROLES = (Role.DESIGNATED_SAFEGUARDING_LEAD, Role.ENCOMPASS_COORDINATOR)


class _EncompassYear:
    def __init__(self, *, rng: random.Random, now: datetime.datetime, world: _World) -> None:
        self.rng = rng
        self.now = now
        self.world = world
        today = _local(now).date()
        self.today = today
        self.window = (today - datetime.timedelta(days=370), today + datetime.timedelta(days=400))
        self.calendars: dict[int, SchoolCalendar] = {}
        self.chase_times: dict[datetime.datetime, datetime.datetime] = {}
        self.police_references: set[str] = set()
        self.families: list[int] = []
        self.current: dict[int, Organisation | None] | None = None
        users = world.users
        self.officer = users.get("police.officer")
        self.supervisor = users.get("police.supervisor")
        self.dsl = users.get("school.dsl")
        self.coordinator = users.get("encompass.coordinator")
        self.first_council = world.councils[0]
        self.coordinator_team = self.coordinator.teams.order_by("pk").first() if self.coordinator is not None else None
        # Who receives and acknowledges each school's and team's notices (key_adults): the demo
        # user first, then their colleagues (safehub.demo.colleagues). A school with no one in
        # SafeHub gets its notices by the coordinator's phone call, never through SafeHub.
        self.key_adult_of_school: dict[int, User] = {}
        self.key_adult_of_team: dict[int, User] = {}
        receivers = {
            user.pk: user
            for user in User.objects.filter(is_active=True, role_assignments__role__in=RECEIVING_ROLES)
            .order_by("pk")
            .distinct()
        }
        for user in receivers.values():
            if user.organisation_id is not None:
                self.key_adult_of_school.setdefault(user.organisation_id, user)
        memberships = User.teams.through.objects.filter(user__in=list(receivers)).order_by("user_id")
        for user_id, team_id in memberships.values_list("user_id", "team_id"):
            self.key_adult_of_team.setdefault(team_id, receivers[user_id])
        self.demo_users = {user.pk for user in (self.dsl, self.coordinator) if user is not None}

    # The whole run -----------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        world = self.world
        if not world.children:
            return {}
        count = max(MIN_INCIDENTS, len(world.children) // CHILDREN_PER_INCIDENT)
        start = self.now - datetime.timedelta(days=365)
        end = self.now - datetime.timedelta(days=HISTORY_ENDS_DAYS_AGO)
        moments = sorted(self._moment(start, end) for _ in range(count))
        # A child at an early-years setting and one with no school, so that every route shows.
        showcase = {count // 3: self._early_years_children(), 2 * count // 3: self._children_with_no_school()}
        planned = [self._history(moment, anchors=showcase.get(index)) for index, moment in enumerate(moments)]
        planned += self._live()
        self._number(planned)
        return self._save(planned)

    def _moment(self, start: datetime.datetime, end: datetime.datetime) -> datetime.datetime:
        """A moment in [start, end): evenings, weekends, Christmas and tournaments more often."""
        rng = self.rng
        span = int((end - start).total_seconds())
        while True:
            moment = _local(start + datetime.timedelta(seconds=rng.randrange(span)))
            weight = HOUR_WEIGHTS[moment.hour] * WEEKDAY_WEIGHTS[moment.weekday()] * _season(moment.date())
            if rng.random() * MAX_WEIGHT < weight:
                return moment.replace(second=0, microsecond=0)

    def _recorded(self, occurred: datetime.datetime) -> datetime.datetime:
        """When the force recorded it: mostly within hours; some the next morning."""
        rng = self.rng
        roll = rng.random()
        if roll < RECORDED_NEXT_MORNING:
            day = (occurred + datetime.timedelta(hours=8)).date()
            recorded = datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=LONDON) + datetime.timedelta(
                minutes=rng.randint(0, 150)
            )
            if recorded <= occurred:
                recorded = occurred + datetime.timedelta(hours=2)
        elif roll < 0.3:
            recorded = occurred + datetime.timedelta(minutes=rng.randint(4 * 60, 10 * 60))
        else:
            recorded = occurred + datetime.timedelta(minutes=rng.randint(25, 4 * 60))
        return min(recorded, self.now - datetime.timedelta(minutes=2))

    # Who and where -------------------------------------------------------------------------

    def _settings_today(self) -> dict[int, Organisation | None]:
        if self.current is None:
            self.current = {child: self.world.enrolled_at(child, self.today) for child in self.world.children}
        return self.current

    def _early_years_children(self) -> list[int]:
        return [
            child
            for child, setting in self._settings_today().items()
            if setting is not None and setting.kind == OrganisationKind.EARLY_YEARS
        ]

    def _children_with_no_school(self) -> list[int]:
        people = self.world.people
        return [
            child
            for child, setting in self._settings_today().items()
            if setting is None and 5 <= _age_on(people[child].date_of_birth or self.today, self.today) <= 15
        ]

    def _pupils_of(self, schools: set[int]) -> list[int]:
        return [
            child for child, setting in self._settings_today().items() if setting is not None and setting.pk in schools
        ]

    def _anchor(self, day: datetime.date, anchors: list[int] | None) -> int:
        """The child the incident is first about: a repeat family now and then, else anyone born by then."""
        rng, world = self.rng, self.world
        if anchors:
            born = [c for c in anchors if (world.people[c].date_of_birth or day) <= day and world.adults_of.get(c)]
            if born:
                return rng.choice(born)
        if self.families and rng.random() < REPEAT_SHARE:
            earlier = rng.choice(self.families)
            if (world.people[earlier].date_of_birth or day) <= day:
                return earlier
        while True:
            child = rng.choice(world.children)
            if (world.people[child].date_of_birth or day) <= day and world.adults_of.get(child):
                self.families.append(child)
                return child

    def _adults(self, anchor: int) -> list[IncidentAdult]:
        """Two adults: the child's parents or carers where the demo has two, else a partner not on record."""
        rng, world = self.rng, self.world
        carers = world.adults_of[anchor]
        women = [a for a in carers if world.people[a].sex == Sex.FEMALE]
        men = [a for a in carers if world.people[a].sex == Sex.MALE]
        chosen: list[int | None]
        if women and men:
            chosen = [rng.choice(women), rng.choice(men)]
        elif len(carers) >= 2:
            chosen = rng.sample(carers, 2)
        else:
            chosen = [carers[0], None]
        adults, sexes = [], []
        for person_id in chosen:
            if person_id is not None:
                person = world.people[person_id]
                adults.append(
                    IncidentAdult(
                        person_id=person_id,
                        given_names=person.given_names,
                        family_name=person.family_name,
                        date_of_birth=person.date_of_birth,
                    )
                )
                sexes.append(person.sex)
                continue
            # A partner or former partner the demo has no record of.
            sex = Sex.MALE if world.people[carers[0]].sex == Sex.FEMALE else Sex.FEMALE
            given = rng.choice(names.GIVEN_NAMES_FEMALE if sex == Sex.FEMALE else names.GIVEN_NAMES_MALE)
            adults.append(IncidentAdult(person_id=None, given_names=given, family_name=rng.choice(names.FAMILY_NAMES)))
            sexes.append(sex)
        # Most victims are women; now and then each adult accuses the other.
        roll = rng.random()
        likely_victim = sexes.index(Sex.FEMALE) if sexes.count(Sex.FEMALE) == 1 else 0
        for position, adult in enumerate(adults):
            if roll < 0.1:
                adult.role = AdultRole.BOTH
            elif (position == likely_victim) == (roll < 0.82):
                adult.role = AdultRole.VICTIM
            else:
                adult.role = AdultRole.PERPETRATOR
        # The victim first, as officers list them.
        return sorted(adults, key=lambda a: a.role != AdultRole.VICTIM)

    def _children_of(self, anchor: int, adults: list[IncidentAdult], day: datetime.date) -> list[int]:
        world = self.world
        related = {anchor}
        for adult in adults:
            if adult.person_id is not None:
                related.update(world.children_of.get(adult.person_id, []))
        born = [c for c in related if (dob := world.people[c].date_of_birth) is not None and dob <= day]
        born.sort(key=lambda c: (world.people[c].date_of_birth, c))
        if len(born) > MAX_CHILDREN:
            born = [anchor, *[c for c in born if c != anchor][: MAX_CHILDREN - 1]]
            born.sort(key=lambda c: (world.people[c].date_of_birth, c))
        return born

    def _location(self, kind: str, anchor: int, council: Organisation) -> str:
        rng, world = self.rng, self.world
        line_1, town, postcode = world.homes.get(anchor, ("", council.name, ""))
        if kind == LocationKind.HOME and line_1:
            return f"{line_1}, {town} {postcode}".strip()
        street = f"{rng.choice(names.STREET_STEMS)} {rng.choice(names.STREET_SUFFIXES)}"
        if kind == LocationKind.PUBLIC:
            return f"{rng.choice(PUBLIC_PLACES)}, {town}"
        if kind == LocationKind.OTHER:
            return f"{rng.choice(OTHER_PLACES)}, {town}"
        return f"{rng.randint(1, 120)} {street}, {town} (a relative's home)"

    def _police_reference(self, occurred: datetime.datetime) -> str:
        while True:
            reference = f"OCC-{occurred:%y%m%d}-{self.rng.randint(100, 9999):04d}"
            if reference not in self.police_references:
                self.police_references.add(reference)
                return reference

    def _child_row(
        self, child: int, *, day: datetime.date, present: bool, misrecorded: bool, at_home: bool
    ) -> IncidentChild:
        rng, world = self.rng, self.world
        person = world.people[child]
        dob = person.date_of_birth
        assert dob is not None
        given = person.given_names if rng.random() < 0.5 else person.given_names.split()[0]
        family = person.family_name
        date_of_birth: datetime.date | None = dob
        if misrecorded:
            # Recorded as the officer heard it: a nickname and no date of birth, which matches no one.
            first = person.given_names.split()[0]
            given = names.NICKNAMES.get(first, first[:-1] if len(first) > 3 else first + "e")
            date_of_birth = None
        young = _age_on(dob, day) < 3
        if present:
            places = WHEREABOUTS_AT_HOME if at_home else WHEREABOUTS_OUT
            whereabouts = "In the same room" if young else rng.choice(places)
            voice = rng.choice(VOICE_YOUNG if young else VOICE_PRESENT)
        else:
            whereabouts, voice = rng.choice(WHEREABOUTS_AWAY), rng.choice(VOICE_AWAY)
        home = world.homes.get(child)
        return IncidentChild(
            person_id=None if misrecorded else child,
            given_names=given,
            family_name=family,
            date_of_birth=date_of_birth,
            nhs_number=world.nhs.get(child, "") if not misrecorded and rng.random() < 0.4 else "",
            postcode=home[2] if home and rng.random() < 0.6 else "",
            present=present,
            whereabouts=whereabouts,
            voice_of_child=voice,
            injuries=rng.choice(INJURIES) if present and rng.random() < 0.15 else "",
        )

    def _visitor(self, family_name: str, day: datetime.date) -> IncidentChild:
        """A child staying the night whom the demo has no record of: notified to the council."""
        rng = self.rng
        female = rng.random() < 0.5
        given = rng.choice(names.GIVEN_NAMES_FEMALE if female else names.GIVEN_NAMES_MALE)
        dob = day - datetime.timedelta(days=rng.randint(4 * 365, 12 * 365))
        return IncidentChild(
            person_id=None,
            given_names=given,
            family_name=family_name,
            date_of_birth=dob,
            present=True,
            whereabouts="Staying the night; asleep in the spare room",
            voice_of_child="Said they woke up to shouting and wanted to go home.",
        )

    # An incident and its notices -----------------------------------------------------------------

    def _incident(
        self,
        *,
        occurred: datetime.datetime,
        recorded: datetime.datetime,
        anchor: int,
        council: Organisation,
        by: User | None,
        hold_anchor: bool = False,
    ) -> _Planned:
        rng, world = self.rng, self.world
        day = occurred.date()
        adults = self._adults(anchor)
        kind = rng.choices(list(LOCATION_WEIGHTS), weights=list(LOCATION_WEIGHTS.values()))[0]
        incident = Incident(
            force=world.force,
            local_authority=council,
            police_reference=self._police_reference(occurred),
            idempotency_key=f"form:{by.pk}:{uuid.UUID(int=rng.getrandbits(128)).hex}" if by else None,
            occurred_at=occurred,
            recorded_at=recorded,
            recorded_by=by,
            recorded_via="form" if by else "import",
            location=self._location(kind, anchor, council),
            location_kind=kind,
            circumstances=rng.choice(CIRCUMSTANCES),
        )
        actions = rng.choice(ACTIONS)
        children: list[IncidentChild] = []
        anchor_row: IncidentChild | None = None
        all_present = kind == LocationKind.HOME and rng.random() < 0.6
        for child in self._children_of(anchor, adults, day):
            present = all_present or (kind == LocationKind.HOME and rng.random() < 0.5) or rng.random() < 0.15
            misrecorded = child != anchor and rng.random() < MISRECORDED_SHARE
            row = self._child_row(
                child, day=day, present=present, misrecorded=misrecorded, at_home=kind == LocationKind.HOME
            )
            row.actions_taken = actions
            children.append(row)
            if child == anchor:
                anchor_row = row
        if rng.random() < VISITING_CHILD_SHARE:
            visitor = self._visitor(adults[0].family_name, day)
            visitor.actions_taken = actions
            children.append(visitor)
        # As record_incident keeps it: the digest of the request, to tell a resend from a change.
        incident.request_fingerprint = request_fingerprint(
            IncidentInput(
                police_reference=incident.police_reference,
                occurred_at=incident.occurred_at,
                local_authority=council,
                location=incident.location,
                location_kind=incident.location_kind,
                circumstances=incident.circumstances,
                adults=[AdultInput(a.role, a.given_names, a.family_name, a.date_of_birth) for a in adults],
                children=[
                    ChildInput(
                        given_names=c.given_names,
                        family_name=c.family_name,
                        present=c.present,
                        date_of_birth=c.date_of_birth,
                        whereabouts=c.whereabouts,
                        voice_of_child=c.voice_of_child,
                        injuries=c.injuries,
                        actions_taken=c.actions_taken,
                    )
                    for c in children
                ],
            )
        )
        planned = _Planned(incident, adults, children, [])
        for row in children:
            route = world.route(row.person_id, on=day, council=council)
            due_at = self._due(route, occurred)
            notice = Notice(
                recipient_kind=route.recipient_kind,
                organisation=route.organisation,
                team=route.team,
                no_school_reason=route.no_school_reason,
                created_at=recorded,
                due_at=due_at,
                acknowledge_by=self._chase_time(route, due_at, recorded),
                version_notified=1,
            )
            planned.notices.append(notice)
            if hold_anchor and row is anchor_row:
                planned.held.add(len(planned.notices) - 1)
        return planned

    def _history(self, occurred: datetime.datetime, *, anchors: list[int] | None) -> _Planned:
        rng = self.rng
        anchor = self._anchor(occurred.date(), anchors)
        recorded = self._recorded(occurred)
        by = None
        if rng.random() >= IMPORTED_SHARE:
            by = self.officer if rng.random() < 0.6 else self.supervisor
        planned = self._incident(
            occurred=occurred, recorded=recorded, anchor=anchor, council=self.world.council_of(anchor), by=by
        )
        self._outcomes(planned)
        return planned

    def _live(self) -> list[_Planned]:
        """Today's story for the first council: a notice corrected this week, one past its
        acknowledge-by time at another school for the coordinator to chase, and last night's
        incident, recorded by the demo officer, waiting for the demo DSL."""
        rng, world = self.rng, self.world
        if self.dsl is None or self.dsl.organisation_id is None:
            return []
        council = self.first_council
        dsl_pupils = self._pupils_of({self.dsl.organisation_id})
        others = {
            pk
            for pk, setting in world.settings.items()
            if setting.kind == OrganisationKind.SCHOOL
            and setting.local_authority_id == council.pk
            and pk != self.dsl.organisation_id
        }
        other_pupils = self._pupils_of(others)
        planned: list[_Planned] = []
        by = self.officer
        if dsl_pupils:
            occurred = datetime.datetime.combine(
                self.today - datetime.timedelta(days=5), datetime.time(19, 10), tzinfo=LONDON
            ) + datetime.timedelta(minutes=rng.randint(0, 90))
            corrected = self._incident(
                occurred=occurred,
                recorded=occurred + datetime.timedelta(minutes=rng.randint(60, 150)),
                anchor=rng.choice(dsl_pupils),
                council=council,
                by=by,
            )
            incident = corrected.incident
            incident.version = 2
            incident.corrected_at = min(
                datetime.datetime.combine(occurred.date() + datetime.timedelta(days=1), datetime.time(11, 20), LONDON),
                self.now - datetime.timedelta(minutes=30),
            )
            incident.correction_note = CORRECTION_NOTE
            for child in corrected.children:
                child.actions_taken = CORRECTED_ACTIONS
            for notice in corrected.notices:
                notice.version_notified = 2
            self._outcomes(corrected)
            planned.append(corrected)
        if other_pupils:
            anchor = rng.choice(other_pupils)
            school = world.enrolled_at(anchor, self.today)
            assert school is not None
            due = self._last_overdue_start(school)
            recorded = due - datetime.timedelta(minutes=rng.randint(9 * 60 + 30, 10 * 60 + 30))
            chased = self._incident(
                occurred=recorded - datetime.timedelta(minutes=rng.randint(60, 180)),
                recorded=recorded,
                anchor=anchor,
                council=council,
                by=None,
                hold_anchor=True,
            )
            self._outcomes(chased)
            planned.append(chased)
        if dsl_pupils:
            occurred = datetime.datetime.combine(
                self.today - datetime.timedelta(days=1), datetime.time(20, 40), tzinfo=LONDON
            ) + datetime.timedelta(minutes=rng.randint(0, 40))
            last_night = self._incident(
                occurred=occurred,
                recorded=min(occurred + datetime.timedelta(minutes=rng.randint(80, 140)), self.now),
                anchor=rng.choice(dsl_pupils),
                council=council,
                by=by,
                hold_anchor=True,
            )
            self._outcomes(last_night)
            planned.append(last_night)
        return planned

    def _last_overdue_start(self, school: Organisation) -> datetime.datetime:
        """The start of the school's latest school day whose acknowledge-by time has passed."""
        calendar = self._calendar(school)
        day = self.today
        while day >= self.window[0]:
            if calendar.is_school_day(day):
                start = datetime.datetime.combine(day, school.school_day_starts, tzinfo=LONDON)
                if acknowledge_by(start) <= self.now - datetime.timedelta(minutes=5):
                    return start
            day -= datetime.timedelta(days=1)
        raise ValueError(f"No school day is known for {school.name} in the last year.")

    # Timing ---------------------------------------------------------------------------------

    def _calendar(self, school: Organisation) -> SchoolCalendar:
        """The school's calendar over the demo's whole window, loaded once."""
        if school.pk not in self.calendars:
            self.calendars[school.pk] = SchoolCalendar(school, *self.window)
        return self.calendars[school.pk]

    def _due(self, route: Route, after: datetime.datetime) -> datetime.datetime:
        """`notice_due`: for a school, `next_school_day_start` walked over the calendar loaded once."""
        if route.recipient_kind != RecipientKind.SCHOOL:
            return notice_due(route, after)
        school = route.organisation
        calendar = self._calendar(school)
        local = after.astimezone(LONDON)
        day = local.date()
        while self.window[0] <= day <= self.window[1]:
            if calendar.is_school_day(day):
                start = datetime.datetime.combine(day, school.school_day_starts, tzinfo=LONDON)
                if start > local:
                    return start
            day += datetime.timedelta(days=1)
        return next_school_day_start(school, after)

    def _chase_time(
        self, route: Route, due_at: datetime.datetime, delivered_at: datetime.datetime | None = None
    ) -> datetime.datetime:
        """`chase_time`: cached for the usual case, a notice delivered in time."""
        if delivered_at is not None and delivered_at > due_at:
            return chase_time(route, due_at=due_at, delivered_at=delivered_at)
        if due_at not in self.chase_times:
            self.chase_times[due_at] = acknowledge_by(due_at)
        return self.chase_times[due_at]

    def _acknowledger(self, notice: Notice) -> User | None:
        """The Key Adult who acknowledges notices to this school or team: the demo user there,
        else a colleague; None for a school with no one in SafeHub."""
        if notice.recipient_kind == RecipientKind.SCHOOL:
            return self.key_adult_of_school.get(notice.organisation.pk)
        return self.key_adult_of_team.get(notice.team.pk) if notice.team is not None else None

    def _demo_recipient(self, notice: Notice) -> User | None:
        """The demo user whose inbox holds this notice, if it is addressed to one."""
        user = self._acknowledger(notice)
        return user if user is not None and user.pk in self.demo_users else None

    def _outcomes(self, planned: _Planned) -> None:
        """Delivered when recorded (or, now and then, to no one, and escalated at once); most
        acknowledged by the chase time, some after being chased, a few never. Nothing after now."""
        rng, now = self.rng, self.now
        for index, notice in enumerate(planned.notices):
            recorded, due, chase = notice.created_at, notice.due_at, notice.acknowledge_by
            acknowledger = self._acknowledger(notice)
            demo_recipient = self._demo_recipient(notice) is not None
            escalated: datetime.datetime | None = None
            acknowledged: datetime.datetime | None = None
            delivered: datetime.datetime | None = recorded
            if acknowledger is None:
                # The school had no Key Adult in SafeHub: the coordinator was alerted at once and
                # phoned; no one there can acknowledge it in SafeHub.
                delivered = None
                escalated = recorded + datetime.timedelta(seconds=rng.randint(5, 59))
            else:
                roll = rng.random()
                if roll < ACKNOWLEDGED_IN_TIME:
                    acknowledged = self._in_time(recorded, due, chase)
                elif roll < ACKNOWLEDGED_IN_TIME + ACKNOWLEDGED_LATE or demo_recipient:
                    escalated = chase + datetime.timedelta(seconds=rng.randint(5, 59))
                    acknowledged = chase + datetime.timedelta(minutes=rng.randint(10, 6 * 60))
                else:
                    escalated = chase + datetime.timedelta(seconds=rng.randint(5, 59))
            if index in planned.held or (acknowledged is not None and acknowledged > now):
                acknowledged = None
            if escalated is not None and escalated > now:
                escalated = None
            if acknowledged is None and escalated is None and chase < now:
                # The worker's next run (every minute) has chased it.
                escalated = min(chase + datetime.timedelta(seconds=rng.randint(5, 59)), now)
            notice.delivered_at, notice.escalated_at, notice.acknowledged_at = delivered, escalated, acknowledged
            if acknowledged is not None:
                notice.acknowledged_by = acknowledger
                if rng.random() < SUPPORT_SHARE:
                    school = notice.recipient_kind == RecipientKind.SCHOOL
                    notice.support = rng.choice(SUPPORT_SCHOOL if school else SUPPORT_COUNCIL)

    def _in_time(
        self, recorded: datetime.datetime, due: datetime.datetime, chase: datetime.datetime
    ) -> datetime.datetime:
        """Acknowledged by the chase time: read before school or in the first hour, or, for a notice
        that arrived during a school day, often that day."""
        rng = self.rng
        start = max(recorded + datetime.timedelta(minutes=3), due - datetime.timedelta(minutes=75))
        end = chase
        local = _local(recorded)
        if local.weekday() < 5 and 8 <= local.hour < 15 and rng.random() < 0.6:
            start = recorded + datetime.timedelta(minutes=3)
            end = min(recorded + datetime.timedelta(hours=3), chase)
        return start + (end - start) * rng.betavariate(1.3, 3)

    # References and writing ------------------------------------------------------------------

    def _number(self, planned: list[_Planned]) -> None:
        """DA-YYYY-NNNNN in the order the incidents were recorded, as the service allocates them."""
        serials: dict[int, int] = defaultdict(int)
        planned.sort(key=lambda p: p.incident.recorded_at)
        for item in planned:
            year = _local(item.incident.recorded_at).year
            serials[year] += 1
            item.incident.reference = f"DA-{year}-{serials[year]:05d}"
            for number, notice in enumerate(item.notices, start=1):
                notice.reference = f"{item.incident.reference}-{number}"

    def _save(self, planned: list[_Planned]) -> dict[str, int]:
        Incident.objects.bulk_create([p.incident for p in planned], batch_size=BATCH_SIZE)
        adults: list[IncidentAdult] = []
        children: list[IncidentChild] = []
        for item in planned:
            for adult in item.adults:
                adult.incident = item.incident
            for child in item.children:
                child.incident = item.incident
            adults += item.adults
            children += item.children
        IncidentAdult.objects.bulk_create(adults, batch_size=BATCH_SIZE)
        IncidentChild.objects.bulk_create(children, batch_size=BATCH_SIZE)
        notices: list[Notice] = []
        for item in planned:
            for child, notice in zip(item.children, item.notices, strict=True):
                notice.incident, notice.child = item.incident, child
            notices += item.notices
        Notice.objects.bulk_create(notices, batch_size=BATCH_SIZE)
        self._chronology(planned)
        self._access(notices)
        inbox = self._inbox(planned)
        return {
            "domestic abuse incidents": len(planned),
            "Operation Encompass notices": len(notices),
            "Operation Encompass inbox and email rows": inbox,
        }

    def _chronology(self, planned: list[_Planned]) -> None:
        """What `record_incident` puts on each matched child's chronology, shared with the recipient."""
        entries: list[ChronologyEntry] = []
        shared_with: list[Organisation] = []
        for item in planned:
            incident = item.incident
            for child, notice in zip(item.children, item.notices, strict=True):
                if child.person_id is None:
                    continue
                entries.append(
                    ChronologyEntry(
                        person_id=child.person_id,
                        occurred_at=incident.occurred_at,
                        category="domestic_abuse",
                        summary=f"Domestic abuse incident {incident.reference} (police {incident.police_reference}); "
                        f"{'present' if child.present else 'not present'}. Operation Encompass notice "
                        f"{notice.reference} sent to {notice.organisation.name}.",
                        organisation=incident.force,
                        recorded_by=incident.recorded_by,
                        visibility=ChronologyVisibility.PARTNERSHIP,
                        source_type=SOURCE_TYPE,
                        source_id=str(incident.pk),
                    )
                )
                shared_with.append(notice.organisation)
        ChronologyEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)
        through = ChronologyEntry.shared_with.through
        through.objects.bulk_create(
            [
                through(chronologyentry_id=entry.pk, organisation_id=organisation.pk)
                for entry, organisation in zip(entries, shared_with, strict=True)
            ],
            batch_size=BATCH_SIZE,
        )

    def _access(self, notices: list[Notice]) -> None:
        """The council's education team may open the record of a child notified to it, for 90 days."""
        adapt = connection.ops.adapt_datetimefield_value
        _insert(
            LegitimateRelationship,
            ("person", "team", "source", "reason", "starts_at", "expires_at"),
            [
                (
                    notice.child.person_id,
                    notice.team.pk,
                    RelationshipSource.NOTIFICATION,
                    f"Operation Encompass notice {notice.reference}",
                    adapt(notice.created_at),
                    adapt(notice.created_at + ACCESS_AFTER_NOTICE),
                )
                for notice in notices
                if notice.team is not None and notice.child.person_id is not None
            ],
        )

    def _inbox(self, planned: list[_Planned]) -> int:
        """The inbox and email rows of the last days' notices to the demo users: the notice, any
        update, and the coordinator's alert for a notice not acknowledged in time."""
        since = self.now - datetime.timedelta(days=LIVE_DAYS)
        rows: list[Notification] = []
        for item in planned:
            incident = item.incident
            if incident.recorded_at < since:
                continue
            for notice in item.notices:
                link = reverse("encompass:notice", args=[notice.pk])
                recipient = self._demo_recipient(notice)
                if recipient is not None and notice.delivered_at is not None:
                    read_at = notice.acknowledged_at
                    rows += self._rows(
                        f"encompass.notice:notice-{notice.pk}:v1:user-{recipient.pk}",
                        recipient,
                        "encompass.notice",
                        notice,
                        link,
                        notice.delivered_at,
                        read_at,
                    )
                    if incident.version > 1 and incident.corrected_at is not None:
                        rows += self._rows(
                            f"encompass.updated:notice-{notice.pk}:v{incident.version}:user-{recipient.pk}",
                            recipient,
                            "encompass.updated",
                            notice,
                            link,
                            incident.corrected_at,
                            read_at if read_at and read_at > incident.corrected_at else None,
                        )
                if notice.escalated_at is not None and self._coordinates(notice):
                    assert self.coordinator is not None
                    rows += self._rows(
                        f"encompass.unacknowledged:notice-{notice.pk}:user-{self.coordinator.pk}",
                        self.coordinator,
                        "encompass.unacknowledged",
                        notice,
                        link,
                        notice.escalated_at,
                        None,
                    )
        Notification.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        return len(rows)

    def _coordinates(self, notice: Notice) -> bool:
        """Whether the demo coordinator is one `coordinators_for(notice)` would alert: the council of
        the school (or the council notified), else the incident's council."""
        if self.coordinator is None:
            return False
        council = notice.organisation if notice.recipient_kind == RecipientKind.LOCAL_AUTHORITY else None
        council_id = council.pk if council else notice.organisation.local_authority_id
        return self.coordinator.organisation_id in (council_id, notice.incident.local_authority_id)

    def _rows(
        self,
        key: str,
        recipient: User,
        kind: str,
        notice: Notice,
        link: str,
        at: datetime.datetime,
        read_at: datetime.datetime | None,
    ) -> list[Notification]:
        """One notification as `notify` writes it and the dispatcher sends it: the inbox row
        delivered at once, the email a few seconds later on the worker's next run."""
        rows = []
        channels = [Channel.INBOX] + ([Channel.EMAIL] if recipient.email else [])
        for channel in channels:
            sent_at = at if channel == Channel.INBOX else at + datetime.timedelta(seconds=self.rng.randint(5, 55))
            rows.append(
                Notification(
                    key=key,
                    channel=channel,
                    recipient=recipient,
                    kind=kind,
                    reference=notice.reference,
                    link=link,
                    created_at=at,
                    due_at=at,
                    next_attempt_at=at,
                    state=State.SENT,
                    attempts=1,
                    sent_at=min(sent_at, self.now),
                    provider_message_id=message_id_for(key=key, channel=channel),
                    read_at=read_at if channel == Channel.INBOX else None,
                )
            )
        return rows
