"""The demo's year of strategy discussions and child protection conferences, and today's
meetings for the demo users. Called at the end of `safehub.demo.seed.seed_demo`, after the
hub demo, in its transaction; deterministic for the seed's random generator and today.

History (the last twelve months, for the first council, whose staff are the demo users):
a strategy discussion for every hub contact decided for one, and some about unborn babies
convened by the social worker; about half the section 47 enquiries go to an initial (or
pre-birth) conference, then the core group and the review conferences that fall in the
year, with the child protection plans they start, continue and end.

Attendance has the gaps the inspectorate found: the police attend about 60% of strategy
discussions at the start of the year, rising, until the force's change (1 March, see
`police_change`): from then an officer joins every strategy discussion and initial
conference (the commitment `safehub.measures.demo` tracks); they still come to only a third
of pre-birth conferences and about half of reviews; remote attendance grows
from a fifth to about three fifths; some meetings are not quorate and a manager records the
decision anyway, with the reason.

Rows are written with `bulk_create` and plain INSERTs, as the meetings services would write
them: references SD-, CP- and CG-YYYY-NNNNN numbered in convening order each year, due times
from `safehub.meetings.due_dates`, invitations escalated 2 hours before the start while no
one has accepted, access to the children's records for each invitee until 30 days after
the meeting, and the chronology entries. No audit events are written for this history.
Today's meetings also put their invitations in the demo users' inboxes.
"""

import datetime
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone

from safehub.access.models import LegitimateRelationship, RelationshipSource
from safehub.demo import names
from safehub.demo.seed import _insert
from safehub.hub.models import Contact, ContactSource, ContactState, ContactSubject, Decision, SubjectRole
from safehub.meetings import due_dates
from safehub.meetings.models import (
    PRESENT_STATUSES,
    QUORUM_AGENCIES,
    REFERENCE_PREFIXES,
    SECTION_47_OUTCOMES,
    Agency,
    Attendance,
    AttendanceMode,
    AttendanceStatus,
    ChildProtectionPlan,
    EnquiryOutcome,
    Invitation,
    Meeting,
    MeetingAction,
    MeetingFormat,
    MeetingKind,
    MeetingState,
    PlanCategory,
    ResponseState,
    StrategyOutcome,
    VideoRoom,
)
from safehub.meetings.services.convening import ACCESS_AFTER_MEETING, SOURCE_TYPE
from safehub.notifications.channels import message_id_for
from safehub.notifications.models import Channel, Notification, State
from safehub.partnership.models import Organisation, OrganisationKind, Partnership, Team, User
from safehub.partnership.roles import Capability, Role, capabilities_of, has_capability
from safehub.people.models import (
    ChronologyEntry,
    ChronologyVisibility,
    Enrolment,
    Person,
    PersonAddress,
    PersonKind,
    Relationship,
    RelationshipKind,
    Sex,
    name_key,
)
from safehub.timescales.calendar import LONDON, add_working_days, is_working_day, next_working_day
from safehub.timescales.models import TermDate
from safehub.timescales.rules import timescale_value

BATCH_SIZE = 2_000
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
YEAR = datetime.timedelta(days=365)
# The kinds of meeting the force committed to attend every one of (the demo's commitment).
POLICE_COMMITTED = frozenset({MeetingKind.STRATEGY_DISCUSSION, MeetingKind.INITIAL_CONFERENCE})


def police_change(today: datetime.date) -> datetime.date:
    """When the force's change took effect: the last 1 March at least three months ago and
    within the year of history, else the first of the month six months ago."""
    march = datetime.date(today.year if today.month >= 6 else today.year - 1, 3, 1)
    if (today - march).days > 330:
        month = today.replace(day=1)
        for _ in range(6):
            month = (month - datetime.timedelta(days=1)).replace(day=1)
        return month
    return march


VIDEO_PROVIDER = "Riverside Meet"
VIDEO_LINK_TEMPLATE = "https://meet.riverside-partnership.example/safehub-{room}"
VIDEO_ROOMS = ("Conference suite", "Strategy room 1", "Strategy room 2", "Core group room")
CARING = (RelationshipKind.PARENT, RelationshipKind.STEP_PARENT, RelationshipKind.CARER)
DEMO_STAFF = (
    "hub.practitioner",
    "social.worker",
    "team.manager",
    "police.officer",
    "police.supervisor",
    "health.practitioner",
    "school.dsl",
)

# How a strategy discussion ends: cards in a deck dealt in turn (reshuffled when used up), so
# that even the small demo's few dozen discussions come out in these proportions.
STRATEGY_OUTCOMES = {
    StrategyOutcome.SECTION_47_JOINT: 8,
    StrategyOutcome.SECTION_47_SINGLE: 3,
    StrategyOutcome.NO_SECTION_47: 6,
    StrategyOutcome.FURTHER_INFORMATION: 2,
}
PRE_BIRTH_OUTCOMES = {
    StrategyOutcome.SECTION_47_SINGLE: 4,
    StrategyOutcome.SECTION_47_JOINT: 3,
    StrategyOutcome.NO_SECTION_47: 2,
    StrategyOutcome.FURTHER_INFORMATION: 1,
}
CATEGORIES = {
    PlanCategory.NEGLECT: 9,
    PlanCategory.EMOTIONAL: 6,
    PlanCategory.PHYSICAL: 3,
    PlanCategory.SEXUAL: 1,
    PlanCategory.MULTIPLE: 2,
}
# The share of section 47 enquiries that lead to a conference.
TO_CONFERENCE = 0.5
# How the other section 47 enquiries end, and why (fictional, varied wording).
ENQUIRY_ENDINGS = {EnquiryOutcome.CHILD_IN_NEED: 3, EnquiryOutcome.NOT_SUBSTANTIATED: 2}
ENQUIRY_REASONS = {
    EnquiryOutcome.CHILD_IN_NEED: [
        "Concerns substantiated but the family is working with us; a child in need plan will support them.",
        "Neglect found but parents engaging well; risk managed under a child in need plan.",
        "Injury consistent with the account after medical; support offered under a child in need plan.",
    ],
    EnquiryOutcome.NOT_SUBSTANTIATED: [
        "Medical found the mark consistent with a fall; no further concerns from any agency.",
        "The child's account was clarified at interview; concerns not substantiated.",
        "Police and health checks found nothing to support the allegation.",
    ],
}
PRE_BIRTH_TO_CONFERENCE = 0.85
# About one unborn baby's strategy discussion for every dozen about children.
STRATEGY_DISCUSSIONS_PER_PRE_BIRTH = 12
MIN_PRE_BIRTH = 14
LATE_SHARE = {
    MeetingKind.STRATEGY_DISCUSSION: 0.12,
    MeetingKind.INITIAL_CONFERENCE: 0.14,
    MeetingKind.PRE_BIRTH_CONFERENCE: 0.15,
    MeetingKind.REVIEW_CONFERENCE: 0.1,
    MeetingKind.CORE_GROUP: 0.12,
}
MINUTES_LONG = {
    MeetingKind.STRATEGY_DISCUSSION: (45, 60),
    MeetingKind.INITIAL_CONFERENCE: (90, 120),
    MeetingKind.PRE_BIRTH_CONFERENCE: (90, 120),
    MeetingKind.REVIEW_CONFERENCE: (60, 90),
    MeetingKind.CORE_GROUP: (60, 60),
}
VENUES = {
    MeetingKind.STRATEGY_DISCUSSION: ["Riverside House, strategy room", "Riverside Police Station, CAIT meeting room"],
    MeetingKind.INITIAL_CONFERENCE: ["Riverside House, conference suite", "Kestrelford Civic Centre, room 3"],
    MeetingKind.PRE_BIRTH_CONFERENCE: ["Riverside House, conference suite", "Riverside General Hospital, room B12"],
    MeetingKind.REVIEW_CONFERENCE: ["Riverside House, conference suite", "Ashmere Quay Family Hub"],
    MeetingKind.CORE_GROUP: ["Ashmere Quay Family Hub", "Kestrelford Family Centre"],
}
LATE_REASONS = {
    MeetingKind.STRATEGY_DISCUSSION: [
        "The police could not join until the next morning; the child was safe with a relative overnight.",
        "The health representative was in clinic; the first time every agency could join.",
        "Decided late on Friday; held first thing on Monday with the child safe at a relative's.",
    ],
    MeetingKind.INITIAL_CONFERENCE: [
        "The conference chair was off sick; the first date a chair was free.",
        "Moved so that the parents could attend with their advocate.",
        "The police reports were not ready; moved by three days with the chair's agreement.",
    ],
    MeetingKind.PRE_BIRTH_CONFERENCE: [
        "The midwife's report was late; the first date the maternity team could attend.",
        "Moved so that the mother could attend after her hospital appointment.",
    ],
    MeetingKind.REVIEW_CONFERENCE: [
        "The family moved house; moved so that the new school could attend.",
        "The conference chair was off sick; the first date a chair was free.",
    ],
    MeetingKind.CORE_GROUP: [
        "The school was closed for the holiday; the first day the class teacher could attend.",
        "Moved to fit the parents' work shifts.",
    ],
}
OVERRIDE_REASONS = [
    "The police did not attend; their checks were shared in writing and the child's safety could not wait.",
    "Health could not send anyone able to decide today; the named nurse agreed the plan by phone afterwards.",
    "The police officer who joined could not commit to a joint enquiry; the decision could not wait until tomorrow.",
    "No police attendance again; escalated to the detective inspector, and the decision made to keep the baby safe.",
]
DECLINE_REASONS = {
    Agency.POLICE: ["On a late shift and in custody interviews", "At court all day", "Annual leave"],
    Agency.HEALTH: ["In clinic all day", "On a training course", "Annual leave"],
    Agency.EDUCATION: ["Teaching all day and no cover", "At another child's meeting", "On a school trip"],
    Agency.SOCIAL_CARE: ["Visiting another family in crisis", "Annual leave"],
}
DEPUTY_TITLES = {
    Agency.POLICE: "DC",
    Agency.HEALTH: "Named nurse",
    Agency.EDUCATION: "Deputy DSL",
    Agency.SOCIAL_CARE: "Senior social worker",
    Agency.REFERRER: "",
}
INFORMATION = {
    Agency.POLICE: "Police: two domestic incidents at the address this year; the adult male has a caution for assault.",
    Agency.HEALTH: "Health: missed health-visitor appointments; seen in the ED in the spring with a burn to the hand.",
    Agency.EDUCATION: "School: attendance 82%; the child often arrives hungry; two concerns logged this term.",
}
MINUTES = {
    StrategyOutcome.SECTION_47_JOINT: (
        "Reasonable cause to suspect significant harm. Joint section 47 enquiry agreed: the police "
        "will lead on the criminal investigation and the social worker will see the child today."
    ),
    StrategyOutcome.SECTION_47_SINGLE: (
        "Reasonable cause to suspect significant harm. Single-agency section 47 enquiry by children's "
        "social care; no criminal investigation at present."
    ),
    StrategyOutcome.NO_SECTION_47: (
        "The threshold for a section 47 enquiry is not met. A child and family assessment will be "
        "offered, with the school and health visitor monitoring."
    ),
    StrategyOutcome.FURTHER_INFORMATION: (
        "Not enough information to decide. The police will complete checks on the adults and the "
        "discussion will reconvene within two working days."
    ),
}
CORE_GROUP_MINUTES = (
    "The core group went through the plan's actions with the parents. Home visits took place as "
    "agreed; school attendance is improving. The next meeting was arranged before the group closed."
)
CONFERENCE_MINUTES = (
    "The conference heard the reports of each agency and the parents' views. {decision} "
    "Strengths: the parents engaged with the enquiry. Worries: {worry}."
)
WORRIES = {
    PlanCategory.NEGLECT: "the home conditions, missed health appointments and the children arriving at school hungry",
    PlanCategory.EMOTIONAL: "the children's exposure to domestic abuse and the adults' drinking",
    PlanCategory.PHYSICAL: "unexplained bruising and the account given of it",
    PlanCategory.SEXUAL: "the child's disclosure and contact with an adult who poses a risk",
    PlanCategory.MULTIPLE: "neglect of the children's basic care and their exposure to domestic abuse",
}


def seed_meetings_demo(
    *, rng: random.Random, today: datetime.date, now: datetime.datetime | None = None
) -> dict[str, int]:
    """A year of strategy discussions and conferences, and today's; returns counts for the summary."""
    cast = _Cast.load()
    if cast is None:
        return {}
    _video_rooms(cast.partnership)
    year = _MeetingsYear(rng=rng, today=today, now=now or timezone.now(), cast=cast)
    return year.run()


def _video_rooms(partnership: Partnership) -> None:
    """The provider's join-link template, and the rooms the partnership keeps for when it is down."""
    partnership.video_provider_name = partnership.video_provider_name or VIDEO_PROVIDER
    partnership.video_link_template = partnership.video_link_template or VIDEO_LINK_TEMPLATE
    partnership.save(update_fields=["video_provider_name", "video_link_template"])
    VideoRoom.objects.bulk_create(
        [
            VideoRoom(
                partnership=partnership,
                name=f"{VIDEO_PROVIDER}: {room}",
                join_url=VIDEO_LINK_TEMPLATE.replace("{room}", f"room-{number}"),
            )
            for number, room in enumerate(VIDEO_ROOMS, start=1)
        ]
    )


def _london(moment: datetime.datetime) -> str:
    """As the convening service writes a time into the chronology."""
    local = moment.astimezone(LONDON)
    return f"{local:%H:%M} on {local:%A %-d %B %Y}"


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _working_days_before(day: datetime.date, count: int) -> datetime.date:
    for _ in range(count):
        day -= datetime.timedelta(days=1)
        while not is_working_day(day):
            day -= datetime.timedelta(days=1)
    return day


def _working_day_on_or_before(day: datetime.date) -> datetime.date:
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day


def _office_slot(moment: datetime.datetime) -> datetime.datetime:
    """The first quarter hour at or after `moment` in office hours (09:00 to 16:30) on a working day."""
    local = moment.astimezone(LONDON).replace(second=0, microsecond=0)
    if local.minute % 15:
        local += datetime.timedelta(minutes=15 - local.minute % 15)
    day = local.date()
    if is_working_day(day) and datetime.time(9, 0) <= local.time() <= datetime.time(16, 30):
        return local
    if is_working_day(day) and local.time() < datetime.time(9, 0):
        return _at(day, 9, 30)
    return _at(next_working_day(day), 9, 30)


@dataclass
class _Cast:
    """The first council, its teams, the agencies' teams and the demo staff who run and attend meetings."""

    partnership: Partnership
    council: Organisation
    hub: Team
    assessment: Team
    child_protection: Team
    education: Team
    cait: Team
    police: Organisation
    trust_teams: dict[int, Team]
    default_health: Team
    school_teams: dict[int, Team]
    users: dict[str, User]
    responders: dict[int, list[User]]
    # How many people each team's invitation reaches (`convening.recipients_of`): its active
    # members who may attend meetings.
    reach: dict[int, int]

    @property
    def by_pk(self) -> dict[int, User]:
        return {user.pk: user for user in self.users.values()}

    @classmethod
    def load(cls) -> "_Cast | None":
        partnership = Partnership.current()
        council = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).order_by("pk").first()
        police = Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE).order_by("name", "pk").first()
        users = {u.username: u for u in User.objects.filter(username__in=DEMO_STAFF).select_related("organisation")}
        if partnership is None or council is None or police is None or set(users) != set(DEMO_STAFF):
            return None
        teams = list(Team.objects.select_related("organisation").order_by("pk"))
        council_teams = {t.name: t for t in teams if t.organisation_id == council.pk}
        needed = ("Children's Hub", "Assessment Team", "Child Protection Team", "Education Safeguarding Team")
        cait = next((t for t in teams if t.organisation_id == police.pk and "Child Abuse" in t.name), None)
        if cait is None or any(name not in council_teams for name in needed):
            return None
        trusts = [t for t in teams if t.organisation.kind == OrganisationKind.HEALTH_TRUST and "Safeguarding" in t.name]
        trusts.sort(key=lambda t: (t.organisation.name, t.organisation_id, t.pk))
        if not trusts:
            return None
        trust_teams: dict[int, Team] = {}
        for team in trusts:
            trust_teams.setdefault(team.organisation_id, team)
        school_teams: dict[int, Team] = {}
        for team in teams:
            education = team.organisation.kind in (OrganisationKind.SCHOOL, OrganisationKind.EARLY_YEARS)
            if education and "Safeguarding" in team.name:
                school_teams.setdefault(team.organisation_id, team)
        responders: dict[int, list[User]] = defaultdict(list)
        memberships = User.teams.through.objects.filter(user__username__in=DEMO_STAFF).order_by("user_id")
        by_pk = {u.pk: u for u in users.values()}
        for user_id, team_id in memberships.values_list("user_id", "team_id"):
            user = by_pk[user_id]
            if has_capability(user, Capability.ATTEND_MEETINGS):
                responders[team_id].append(user)
        attending = [role for role in Role.values if Capability.ATTEND_MEETINGS in capabilities_of([role])]
        counted = (
            User.teams.through.objects.filter(user__is_active=True, user__role_assignments__role__in=attending)
            .values("team_id")
            .annotate(n=Count("user_id", distinct=True))
        )
        reach = {row["team_id"]: row["n"] for row in counted}
        return cls(
            partnership=partnership,
            council=council,
            hub=council_teams["Children's Hub"],
            assessment=council_teams["Assessment Team"],
            child_protection=council_teams["Child Protection Team"],
            education=council_teams["Education Safeguarding Team"],
            cait=cait,
            police=police,
            trust_teams=trust_teams,
            default_health=trusts[0],
            school_teams=school_teams,
            users=users,
            responders=responders,
            reach=reach,
        )

    def health_team(self, contact: Contact | None) -> Team:
        """The hub's rule for health: the referring trust's safeguarding team, else the first trust's."""
        source = contact.source_organisation_id if contact is not None else None
        return self.trust_teams.get(source or 0, self.default_health)

    def education_team(self, school_id: int | None) -> Team:
        return self.school_teams.get(school_id or 0, self.education)


@dataclass
class _PlannedInvitation:
    invitation: Invitation
    attendance: Attendance | None = None


@dataclass
class _Planned:
    meeting: Meeting
    subjects: list[int]
    depth: int
    invitations: list[_PlannedInvitation] = field(default_factory=list)
    actions: list[MeetingAction] = field(default_factory=list)
    # Inbox rows for today's meetings: (recipient, kind, the invitation it is about, when, read).
    inbox: list[tuple[User, str, Invitation, datetime.datetime, bool]] = field(default_factory=list)


@dataclass
class _Chain:
    """One child protection journey: the plans it holds open as it goes."""

    open_plans: dict[int, ChildProtectionPlan] = field(default_factory=dict)
    plans: list[ChildProtectionPlan] = field(default_factory=list)


class _MeetingsYear:
    def __init__(self, *, rng: random.Random, today: datetime.date, now: datetime.datetime, cast: _Cast) -> None:
        self.rng = rng
        self.today = today
        self.now = now
        self.start = now - YEAR
        self.police_change = datetime.datetime.combine(police_change(today), datetime.time(0), tzinfo=LONDON)
        self.cast = cast
        self.planned: list[_Planned] = []
        self.plans: list[ChildProtectionPlan] = []
        self.busy_until: dict[int, datetime.datetime] = {}
        self.escalation = datetime.timedelta(hours=timescale_value("invitation_escalation"))
        self.term_days = self._term_days()
        self.schools: dict[int, int] = {}
        self.parents: dict[int, list[tuple[int, str]]] = {}
        self.unborn_mother: dict[int, int] = {}
        self.unborn_due: dict[int, datetime.date] = {}
        self.new_unborn = 0
        self.decks: dict[int, list[str]] = {}
        self.owed: dict[tuple[object, ...], float] = {}

    # The whole year ---------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        contacts = list(
            Contact.objects.filter(
                hub_team=self.cast.hub,
                state=ContactState.DECIDED,
                decision=Decision.STRATEGY_DISCUSSION,
                decided_at__gte=self.start,
            ).order_by("decided_at", "pk")
        )
        subjects: dict[int, list[int]] = defaultdict(list)
        for contact_id, person_id in (
            ContactSubject.objects.filter(
                contact__in=contacts, role__in=[SubjectRole.CHILD, SubjectRole.UNBORN], person__isnull=False
            )
            .order_by("pk")
            .values_list("contact_id", "person_id")
        ):
            subjects[contact_id].append(person_id)
        unborn = self._unborn_for_pre_birth(max(MIN_PRE_BIRTH, len(contacts) // STRATEGY_DISCUSSIONS_PER_PRE_BIRTH))
        self._load_family({p for people in subjects.values() for p in people} | {u for u, _ in unborn})
        unborn_subjects = Person.objects.filter(
            pk__in={p for people in subjects.values() for p in people}, kind=PersonKind.UNBORN
        )
        self.unborn_due.update(
            (pk, due) for pk, due in unborn_subjects.values_list("pk", "expected_due_date") if due is not None
        )
        self.unborn_due.update(unborn)
        starts: list[tuple[datetime.datetime, int, Contact | None, tuple[int, datetime.datetime] | None]] = []
        for contact in contacts:
            if subjects.get(contact.pk):
                assert contact.decided_at is not None
                starts.append((contact.decided_at, contact.pk, contact, None))
        for pk, due in unborn:
            moment = self._pre_birth_concern(due)
            if moment is not None:
                starts.append((moment, -pk, None, (pk, moment)))
        # In the order the hub and the social worker met them, so a child already on a plan is seen to be.
        for _moment, _key, decided, pregnancy in sorted(starts, key=lambda s: (s[0], s[1])):
            if decided is not None:
                self._journey_from_contact(decided, subjects[decided.pk])
            elif pregnancy is not None:
                self._pre_birth_journey(*pregnancy)
        live = _Today(self)
        live.run()
        return self._save(live)

    # Chance, kept to its proportions -------------------------------------------------------

    def _deal[T: str](self, weights: dict[T, int]) -> T:
        """The next card of a shuffled deck holding each choice `weight` times."""
        deck = self.decks.get(id(weights))
        if not deck:
            deck = [choice for choice, weight in weights.items() for _ in range(weight)]
            self.rng.shuffle(deck)
            self.decks[id(weights)] = deck
        return deck.pop()  # type: ignore[return-value]

    def _share(self, key: tuple[object, ...], probability: float) -> bool:
        """True about `probability` of the times it is asked under `key`: random each time, but
        what is owed carries over, so a few dozen meetings already show the rate."""
        owed = self.owed.get(key, self.rng.random()) + probability
        happens = owed + self.rng.uniform(-0.35, 0.35) >= 1
        self.owed[key] = owed - happens
        return happens

    # Families -------------------------------------------------------------------------------

    def _term_days(self) -> set[datetime.date]:
        days: set[datetime.date] = set()
        for start, end in TermDate.objects.filter(local_authority=self.cast.council).values_list(
            "start_date", "end_date"
        ):
            day = start
            while day <= end:
                days.add(day)
                day += datetime.timedelta(days=1)
        return days

    def _load_family(self, people: set[int]) -> None:
        """Each child's school, and the parents a conference invites (as `parents_to_invite`)."""
        people = set(people)
        self.schools.update(
            Enrolment.objects.current_on(self.today)
            .filter(person_id__in=people)
            .order_by("start_date", "pk")
            .values_list("person_id", "organisation_id")
        )
        found: dict[int, dict[int, str]] = defaultdict(dict)
        for child, parent, given, family in (
            Relationship.objects.current_on(self.today)
            .filter(related_to_id__in=people, kind__in=CARING)
            .order_by("person_id")
            .values_list("related_to_id", "person_id", "person__given_names", "person__family_name")
        ):
            found[child][parent] = f"{given} {family}".strip()
        mothers = Person.objects.filter(pk__in=[self.unborn_mother.get(p) for p in people if p in self.unborn_mother])
        mother_names = {m.pk: m.full_name for m in mothers}
        for person in people:
            mother = self.unborn_mother.get(person)
            if mother is not None and mother in mother_names:
                found[person].setdefault(mother, mother_names[mother])
            self.parents[person] = sorted(found[person].items())

    def _unborn_for_pre_birth(self, wanted: int) -> list[tuple[int, datetime.date]]:
        """Unborn babies of the council's families for pre-birth work: the demo's own first, then
        new pregnancies of mothers there, recorded as the people demo records them."""
        living_here = PersonAddress.objects.current_on(self.today).filter(
            address__town__in=names.LOCAL_AUTHORITIES[0][5]
        )
        unborn = [
            (pk, due, mother)
            for pk, due, mother in Person.objects.filter(
                kind=PersonKind.UNBORN, mother__in=living_here.values("person_id")
            )
            .order_by("pk")
            .values_list("pk", "expected_due_date", "mother_id")
            if due is not None
        ]
        # Babies due within five months: far enough on for a strategy discussion in the past.
        unborn = [row for row in unborn if (row[1] - self.today).days <= 150]
        chosen = self.rng.sample(unborn, min(len(unborn), wanted * 2 // 3))
        if len(chosen) < wanted:
            chosen += self._new_pregnancies(wanted - len(chosen), living_here)
        for pk, _due, mother in chosen:
            self.unborn_mother[pk] = mother
        return sorted((pk, due) for pk, due, _mother in chosen)

    def _new_pregnancies(
        self, count: int, living_here: QuerySet[PersonAddress]
    ) -> list[tuple[int, datetime.date, int]]:
        rng = self.rng
        mothers = list(
            Person.objects.filter(
                kind=PersonKind.ADULT,
                sex=Sex.FEMALE,
                pk__in=living_here.values("person_id"),
                date_of_birth__gt=_years_before(self.today, 40),
                date_of_birth__lte=_years_before(self.today, 18),
                relationships_from__kind=RelationshipKind.PARENT,
            )
            .exclude(unborn_children__isnull=False)
            .order_by("pk")
            .values_list("pk", "family_name")
            .distinct()
        )
        chosen = rng.sample(mothers, min(count, len(mothers)))
        # The mother's partner: the other parent of her children.
        mother_ids = [mother for mother, _ in chosen]
        kids = Relationship.objects.filter(person_id__in=mother_ids, kind=RelationshipKind.PARENT)
        mother_of = dict(kids.values_list("related_to_id", "person_id"))
        partners: dict[int, int] = {}
        for kid, partner in (
            Relationship.objects.filter(related_to_id__in=list(mother_of), kind=RelationshipKind.PARENT)
            .exclude(person_id__in=mother_ids)
            .order_by("person_id")
            .values_list("related_to_id", "person_id")
        ):
            partners.setdefault(mother_of[kid], partner)
        babies = []
        for mother, family in chosen:
            due = self.today + datetime.timedelta(days=rng.randint(20, 130))
            babies.append(
                Person(
                    kind=PersonKind.UNBORN,
                    family_name=family,
                    family_name_key=name_key(family),
                    sex=Sex.UNKNOWN,
                    expected_due_date=due,
                    mother_id=mother,
                    created_at=_at(due - datetime.timedelta(days=210), 9),
                )
            )
        Person.objects.bulk_create(babies)
        relationships = []
        chronology = []
        adapt = connection.ops.adapt_datetimefield_value
        trust = self.cast.default_health.organisation_id
        for baby in babies:
            assert baby.expected_due_date is not None
            assert baby.mother_id is not None
            for parent in (baby.mother_id, partners.get(baby.mother_id)):
                if parent is not None:
                    relationships.append((parent, baby.pk, RelationshipKind.PARENT, "", None, None))
            booked = _at(baby.expected_due_date - datetime.timedelta(days=210), 9)
            chronology.append(
                (
                    baby.pk,
                    adapt(booked),
                    "pregnancy",
                    "Pregnancy booked with maternity services",
                    trust,
                    None,
                    ChronologyVisibility.PARTNERSHIP,
                    "demo.seed",
                    "",
                )
            )
        _insert(Relationship, ("person", "related_to", "kind", "description", "start_date", "end_date"), relationships)
        _insert(ChronologyEntry, CHRONOLOGY_FIELDS, chronology)
        self.new_unborn = len(babies)
        return [(b.pk, b.expected_due_date, b.mother_id) for b in babies if b.expected_due_date and b.mother_id]

    def _pre_birth_concern(self, due: datetime.date) -> datetime.datetime | None:
        """When the concern about an unborn baby reached a strategy discussion: weeks 14 to 30 of the
        pregnancy, and before today."""
        week_now = 40 - -(-(due - self.today).days // 7)
        # Most were a month or more ago (their conference is held); some are recent (it is to come).
        latest_week = min(30, week_now - (4 if self.rng.random() < 0.75 else 1))
        if latest_week < 14:
            return None
        week = self.rng.randint(14, latest_week)
        day = due - datetime.timedelta(weeks=40 - week)
        moment = _at(day, 9) + datetime.timedelta(minutes=self.rng.randint(30, 7 * 60))
        return moment if self.start <= moment < self.now - datetime.timedelta(hours=3) else None

    # Journeys ---------------------------------------------------------------------------------

    def _busy(self, subjects: Sequence[int], at: datetime.datetime) -> bool:
        return any(self.busy_until.get(p, self.start) > at for p in subjects)

    def _journey_from_contact(self, contact: Contact, subjects: list[int]) -> None:
        rng = self.rng
        assert contact.decided_at is not None
        convened_at = contact.decided_at + datetime.timedelta(minutes=rng.randint(10, 90))
        if convened_at >= self.now:
            return  # the hub has not arranged it yet: it is still to convene
        discussion = self._strategy_discussion(
            contact=contact,
            subjects=subjects,
            convened_at=convened_at,
            due_at=due_dates.strategy_discussion_due(contact.decided_at),
            convened_by=self.cast.users["hub.practitioner"],
            team=self.cast.hub,
        )
        self._follow(discussion, subjects, to_conference=TO_CONFERENCE)

    def _pre_birth_journey(self, unborn: int, convened_at: datetime.datetime) -> None:
        discussion = self._strategy_discussion(
            contact=None,
            subjects=[unborn],
            convened_at=convened_at,
            due_at=due_dates.strategy_discussion_due(convened_at),
            convened_by=self.cast.users["social.worker"],
            team=self.cast.assessment,
            outcomes=PRE_BIRTH_OUTCOMES,
        )
        self._follow(discussion, [unborn], to_conference=PRE_BIRTH_TO_CONFERENCE)

    def _follow(self, discussion: _Planned, subjects: list[int], *, to_conference: float) -> None:
        """After a strategy discussion: the conference (if the enquiry leads to one), its core group and reviews."""
        meeting = discussion.meeting
        if meeting.state != MeetingState.HELD or meeting.outcome not in SECTION_47_OUTCOMES:
            return
        if self._busy(subjects, meeting.starts_at):
            # The child's next conference (already arranged) takes the enquiry's findings.
            self._conclude_without_conference(meeting)
            return
        if not self._share(("conference", to_conference), to_conference):
            self._conclude_without_conference(meeting)
            return
        chain = _Chain()
        last = self._conference_after(discussion, subjects, chain)
        if last is not None:
            # Convening the conference is what records this (as the service does).
            meeting.enquiry_outcome = EnquiryOutcome.CONFERENCE
        end = last.meeting.ends_at if last is not None else meeting.ends_at
        for person in subjects:
            self.busy_until[person] = (
                datetime.datetime.max.replace(tzinfo=datetime.UTC) if person in chain.open_plans else end
            )
        self.plans += chain.plans

    def _conclude_without_conference(self, meeting: Meeting) -> None:
        """Most enquiries that lead to no conference end within a few working days; one still
        under way (fewer than 10 working days old) is left open, so it shows as to convene."""
        assert meeting.held_at is not None
        concluded_at = _at(add_working_days(due_dates.london_day(meeting.held_at), self.rng.randint(5, 12)), 15)
        if concluded_at >= self.now:
            return
        outcome = self._deal(ENQUIRY_ENDINGS)
        meeting.enquiry_outcome = outcome
        meeting.enquiry_outcome_reason = self.rng.choice(ENQUIRY_REASONS[outcome])
        meeting.enquiry_concluded_at = concluded_at
        meeting.enquiry_concluded_by = self.cast.users["team.manager"]

    def _conference_after(self, discussion: _Planned, subjects: list[int], chain: _Chain) -> _Planned | None:
        rng, cast = self.rng, self.cast
        sd = discussion.meeting
        assert sd.held_at is not None
        unborn = [p for p in subjects if p in self.unborn_due]
        if unborn and len(unborn) == len(subjects):
            kind = MeetingKind.PRE_BIRTH_CONFERENCE
            due_at = due_dates.pre_birth_conference_due(min(self.unborn_due[p] for p in unborn))
            # Held soon after the enquiry starts, as an initial conference is, and by week 34 at the latest.
            latest = min(due_at, due_dates.initial_conference_due(sd.starts_at))
        else:
            kind = MeetingKind.INITIAL_CONFERENCE
            due_at = latest = due_dates.initial_conference_due(sd.starts_at)
        on_time_from = _at(add_working_days(due_dates.london_day(sd.starts_at), 8), 9)
        convened_at = add_working_days(sd.held_at, rng.randint(1, 3))
        starts_at = self._starts(kind, earliest=max(on_time_from, convened_at), latest=latest, due_at=due_at)
        conference = self._meeting(
            kind=kind,
            contact=sd.contact,
            previous=sd,
            subjects=subjects,
            convened_by=cast.users["team.manager"],
            convened_at=convened_at,
            team=cast.child_protection,
            chair=cast.users["team.manager"],
            due_at=due_at,
            starts_at=starts_at,
            depth=1,
        )
        if conference is None:
            return None
        self._conference_invitations(conference, contact=sd.contact)
        self._settle(conference)
        if conference.meeting.state != MeetingState.HELD:
            return conference
        self._decide_conference(conference, chain, plan_share=0.8 if kind == MeetingKind.PRE_BIRTH_CONFERENCE else 0.75)
        if not conference.meeting.plan_decision:
            return conference
        last = conference
        core_group = self._core_group(conference, subjects)
        previous, depth = conference, 2
        plan_ended: datetime.datetime | None = None
        while True:
            review = self._review(previous, subjects, depth)
            if review is None:
                break
            last = review
            if review.meeting.state != MeetingState.HELD:
                break
            self._decide_conference(review, chain, plan_share=0.6 if depth == 2 else 0.5)
            if not review.meeting.plan_decision:
                plan_ended = review.meeting.starts_at
                break
            previous, depth = review, depth + 1
        self._later_core_groups(core_group, subjects, plan_ended=plan_ended)
        return last

    def _core_group(self, conference: _Planned, subjects: list[int]) -> _Planned | None:
        cast, rng = self.cast, self.rng
        icpc = conference.meeting
        assert icpc.held_at is not None
        due_at = due_dates.core_group_due(icpc.starts_at)
        earliest = _at(add_working_days(due_dates.london_day(icpc.starts_at), 3), 9)
        planned = self._meeting(
            kind=MeetingKind.CORE_GROUP,
            contact=icpc.contact,
            previous=icpc,
            subjects=subjects,
            convened_by=cast.users["team.manager"],
            convened_at=icpc.held_at + datetime.timedelta(minutes=rng.randint(10, 60)),
            team=icpc.team,
            chair=cast.users["social.worker"],
            due_at=due_at,
            starts_at=self._starts(MeetingKind.CORE_GROUP, earliest=earliest, due_at=due_at),
            depth=2,
        )
        if planned is None:
            return None
        self._conference_invitations(planned, contact=icpc.contact)
        self._settle(planned)
        self._record_core_group(planned)
        return planned

    def _record_core_group(self, planned: _Planned) -> None:
        """What `record_core_group` writes for a core group that has met: the minutes, and
        whether the three agencies were there (it needs no quorum)."""
        meeting = planned.meeting
        if meeting.state == MeetingState.HELD:
            meeting.minutes = CORE_GROUP_MINUTES
            meeting.quorate = all(a in self._represented(planned) for a in QUORUM_AGENCIES)

    def _later_core_groups(
        self, first: _Planned | None, subjects: list[int], *, plan_ended: datetime.datetime | None
    ) -> None:
        """The core group meets again, each meeting arranged at the one before, within the
        interval (`due_dates.core_group_due`) for as long as the plan lasts: until the review
        that ends it, or (for an unborn baby, whose plan moves to the child at birth) the birth."""
        cast, rng = self.cast, self.rng
        before = first
        while before is not None and before.meeting.state == MeetingState.HELD:
            meeting = before.meeting
            assert meeting.held_at is not None
            due_at = due_dates.core_group_due(meeting.starts_at, first=False)
            earliest = _at(add_working_days(due_dates.london_day(meeting.starts_at), 18), 9)
            starts_at = self._starts(MeetingKind.CORE_GROUP, earliest=earliest, due_at=due_at)
            if self.now - datetime.timedelta(hours=4) < starts_at <= self.now:
                # Not one under way as the demo opens: today's meetings are the demo users' own.
                starts_at = _at(next_working_day(due_dates.london_day(self.now)), 14)
            if plan_ended is not None and starts_at >= plan_ended:
                return
            if any(p in self.unborn_due and self.unborn_due[p] <= due_dates.london_day(starts_at) for p in subjects):
                return
            before = self._meeting(
                kind=MeetingKind.CORE_GROUP,
                contact=meeting.contact,
                previous=meeting,
                subjects=subjects,
                convened_by=cast.users["social.worker"],
                convened_at=meeting.held_at + datetime.timedelta(minutes=rng.randint(5, 40)),
                team=meeting.team,
                chair=cast.users["social.worker"],
                due_at=due_at,
                starts_at=starts_at,
                depth=before.depth + 1,
            )
            if before is not None:
                self._conference_invitations(before, contact=meeting.contact)
                self._settle(before)
                self._record_core_group(before)

    def _review(self, previous: _Planned, subjects: list[int], depth: int) -> _Planned | None:
        cast, rng = self.cast, self.rng
        before = previous.meeting
        first = before.kind in {MeetingKind.INITIAL_CONFERENCE, MeetingKind.PRE_BIRTH_CONFERENCE}
        due_at = due_dates.review_conference_due(before.starts_at, first=first)
        # An unborn baby's review after the birth is about the child, whom the demo does not have.
        if any(p in self.unborn_due and self.unborn_due[p] <= due_dates.london_day(due_at) for p in subjects):
            return None
        earliest = _at(_working_day_on_or_before(due_dates.london_day(due_at) - datetime.timedelta(days=14)), 9)
        starts_at = self._starts(MeetingKind.REVIEW_CONFERENCE, earliest=earliest, due_at=due_at)
        convened_at = starts_at - datetime.timedelta(days=rng.randint(18, 28), hours=rng.randint(0, 3))
        planned = self._meeting(
            kind=MeetingKind.REVIEW_CONFERENCE,
            contact=before.contact,
            previous=before,
            subjects=subjects,
            convened_by=cast.users["team.manager"],
            convened_at=convened_at,
            team=before.team,
            chair=cast.users["team.manager"],
            due_at=due_at,
            starts_at=starts_at,
            depth=depth,
        )
        if planned is None:
            return None
        self._conference_invitations(planned, contact=before.contact)
        self._settle(planned)
        return planned

    def _starts(
        self,
        kind: str,
        *,
        earliest: datetime.datetime,
        due_at: datetime.datetime,
        latest: datetime.datetime | None = None,
    ) -> datetime.datetime:
        """Mostly between `earliest` and `latest` (the due time unless said), at a conference's
        usual hours; some after the due time."""
        rng = self.rng
        if rng.random() < LATE_SHARE[MeetingKind(kind)]:
            day = add_working_days(due_dates.london_day(due_at), rng.randint(1, 5))
        else:
            first = due_dates.london_day(earliest)
            last = due_dates.london_day(latest or due_at)
            span = max(0, (last - first).days)
            day = _working_day_on_or_before(first + datetime.timedelta(days=rng.randint(0, span)))
            if day < first:
                day = next_working_day(day)
        hour, minute = rng.choice([(9, 30), (10, 0), (13, 30), (14, 0)])
        return _at(day, hour, minute)

    # One meeting ------------------------------------------------------------------------------

    def _strategy_discussion(
        self,
        *,
        contact: Contact | None,
        subjects: list[int],
        convened_at: datetime.datetime,
        due_at: datetime.datetime,
        convened_by: User,
        team: Team,
        outcomes: dict[StrategyOutcome, int] = STRATEGY_OUTCOMES,
    ) -> _Planned:
        rng = self.rng
        if rng.random() < LATE_SHARE[MeetingKind.STRATEGY_DISCUSSION]:
            starts_at = _office_slot(due_at + datetime.timedelta(minutes=rng.randint(60, 30 * 60)))
        else:
            window = (due_at - convened_at).total_seconds()
            starts_at = _office_slot(convened_at + datetime.timedelta(seconds=rng.uniform(0.05, 0.6) * window))
            if starts_at > due_at:  # due first thing tomorrow: held in office hours today
                starts_at = _office_slot(convened_at + datetime.timedelta(minutes=30))
        planned = self._meeting(
            kind=MeetingKind.STRATEGY_DISCUSSION,
            contact=contact,
            previous=None,
            subjects=subjects,
            convened_by=convened_by,
            convened_at=convened_at,
            team=team,
            chair=self.cast.users["team.manager"],
            due_at=due_at,
            starts_at=max(starts_at, convened_at + datetime.timedelta(minutes=30)),
            depth=0,
        )
        assert planned is not None
        self._strategy_invitations(planned, contact)
        self._settle(planned)
        if planned.meeting.state == MeetingState.HELD:
            self._decide_strategy(planned, outcomes)
        return planned

    def _meeting(
        self,
        *,
        kind: str,
        contact: Contact | None,
        previous: Meeting | None,
        subjects: list[int],
        convened_by: User,
        convened_at: datetime.datetime,
        team: Team,
        chair: User,
        due_at: datetime.datetime,
        starts_at: datetime.datetime,
        depth: int,
        format: str | None = None,
        minutes: int | None = None,
    ) -> _Planned | None:
        """A meeting as `convene` writes it, or None if it would be convened after today. Held
        (and recorded by the chair) if it ended before now."""
        rng = self.rng
        if convened_at >= self.now:
            return None
        if minutes is None:
            starts_at = max(starts_at, _office_slot(convened_at))
            low, high = MINUTES_LONG[MeetingKind(kind)]
            minutes = rng.choice(range(low, high + 1, 15))
        ends_at = starts_at + datetime.timedelta(minutes=minutes)
        format = format or self._format(starts_at)
        venue = rng.choice(VENUES[MeetingKind(kind)]) if format != MeetingFormat.VIDEO else ""
        video_link = ""
        if format != MeetingFormat.IN_PERSON:
            video_link = VIDEO_LINK_TEMPLATE.replace("{room}", f"{rng.getrandbits(64):016x}")
        late_reason = rng.choice(LATE_REASONS[MeetingKind(kind)]) if starts_at > due_at else ""
        meeting = Meeting(
            kind=kind,
            local_authority=self.cast.council,
            team=team,
            contact=contact,
            previous=previous,
            convened_by=convened_by,
            convened_at=convened_at,
            chair=chair,
            due_at=due_at,
            starts_at=starts_at,
            ends_at=ends_at,
            format=format,
            venue=venue,
            video_link=video_link,
            late_reason=late_reason,
        )
        if ends_at + datetime.timedelta(minutes=10) <= self.now:
            meeting.state = MeetingState.HELD
            meeting.held_at = min(ends_at + datetime.timedelta(minutes=rng.randint(5, 90)), self.now)
            meeting.recorded_by = chair
        planned = _Planned(meeting=meeting, subjects=list(subjects), depth=depth)
        self.planned.append(planned)
        return planned

    def _year_through(self, moment: datetime.datetime) -> float:
        return min(1.0, max(0.0, (moment - self.start) / YEAR))

    def _format(self, starts_at: datetime.datetime) -> str:
        """By video from a tenth of meetings to a half over the year, hybrid from an eighth to a quarter."""
        t = self._year_through(starts_at)
        video, hybrid = 0.1 + 0.4 * t, 0.12 + 0.13 * t
        if self._share(("video",), video):
            return MeetingFormat.VIDEO
        return MeetingFormat.HYBRID if self._share(("hybrid",), hybrid / (1 - video)) else MeetingFormat.IN_PERSON

    # Invitations ------------------------------------------------------------------------------

    def _invite(
        self,
        planned: _Planned,
        agency: str,
        *,
        invitee: User | None = None,
        team: Team | None = None,
        external_name: str = "",
        required: bool = True,
    ) -> Invitation:
        meeting = planned.meeting
        organisation = invitee.organisation if invitee is not None else team.organisation if team else None
        invitation = Invitation(
            meeting=meeting,
            agency=agency,
            organisation=organisation,
            invitee=invitee,
            team=team if invitee is None else None,
            external_name=external_name,
            required=required,
            invited_at=meeting.convened_at,
            invited_by=meeting.convened_by,
            sequence_sent=0,
        )
        # Who it reached, as `convening._send` records it: the person, the team's members, else
        # (a school with no one in SafeHub) the team's shared mailbox.
        if invitee is not None:
            invitation.reached_people = 1
        elif team is not None:
            invitation.reached_people = self.cast.reach.get(team.pk, 0)
            invitation.reached_mailbox = team.email if not invitation.reached_people else ""
        planned.invitations.append(_PlannedInvitation(invitation))
        return invitation

    def _strategy_invitations(self, planned: _Planned, contact: Contact | None) -> None:
        """The rule's agencies (`default_invitations`): the allocated social worker by name, the
        police, health and the school by the hub's rule, the referrer by name when they have an
        account (an external professional referrer sometimes joins by phone)."""
        cast = self.cast
        school = next((self.schools[p] for p in planned.subjects if p in self.schools), None)
        # The demo's own account (its roles read once), when the referrer has one.
        referrer = cast.by_pk.get(contact.referrer_user_id or 0) if contact is not None else None
        teams = [
            (Agency.POLICE, cast.cait),
            (Agency.HEALTH, cast.health_team(contact)),
        ]
        if not all(p in self.unborn_due for p in planned.subjects):
            teams.append((Agency.EDUCATION, cast.education_team(school)))
        self._invite(planned, Agency.SOCIAL_CARE, invitee=cast.users["social.worker"])
        for agency, team in teams:
            if referrer is not None and referrer in cast.responders.get(team.pk, []):
                self._invite(planned, agency, invitee=referrer)
                referrer = None
            else:
                self._invite(planned, agency, team=team)
        if referrer is not None and has_capability(referrer, Capability.ATTEND_MEETINGS):
            self._invite(planned, Agency.REFERRER, invitee=referrer)
        elif (
            contact is not None
            and contact.referrer_user_id is None
            and contact.source in (ContactSource.SCHOOL, ContactSource.HEALTH, ContactSource.EARLY_YEARS)
            and self.rng.random() < 0.35
        ):
            self._invite(planned, Agency.REFERRER, external_name=contact.referrer_name, required=False)

    def _conference_invitations(self, planned: _Planned, *, contact: Contact | None) -> None:
        """Social care, police, health and the school or setting (required), and the parents."""
        cast = self.cast
        school = next((self.schools[p] for p in planned.subjects if p in self.schools), None)
        self._invite(planned, Agency.SOCIAL_CARE, invitee=cast.users["social.worker"])
        self._invite(planned, Agency.POLICE, team=cast.cait)
        self._invite(planned, Agency.HEALTH, team=cast.health_team(contact))
        if not all(p in self.unborn_due for p in planned.subjects):
            self._invite(planned, Agency.EDUCATION, team=cast.education_team(school))
        parents: dict[int, str] = {}
        for person in planned.subjects:
            parents.update(self.parents.get(person, []))
        for _pk, name in sorted(parents.items()):
            self._invite(planned, Agency.FAMILY, external_name=name, required=False)

    # Responses and attendance -----------------------------------------------------------------

    def _attendance_rate(self, agency: str, meeting: Meeting) -> float:
        kind, starts_at = meeting.kind, meeting.starts_at
        t = self._year_through(starts_at)
        if agency == Agency.SOCIAL_CARE:
            return 0.99
        if agency == Agency.POLICE:
            if starts_at >= self.police_change and kind in POLICE_COMMITTED:
                # The force's change (its commitment to the board, met from March): an officer
                # at every strategy discussion and initial conference, by video where needed.
                return 1.0
            return {
                MeetingKind.STRATEGY_DISCUSSION: 0.6 + 0.25 * t,
                MeetingKind.INITIAL_CONFERENCE: 0.62 + 0.18 * t,
                MeetingKind.PRE_BIRTH_CONFERENCE: 0.35,
                MeetingKind.REVIEW_CONFERENCE: 0.55,
                MeetingKind.CORE_GROUP: 0.45,
            }[MeetingKind(kind)]
        if agency == Agency.HEALTH:
            return 0.8 if kind == MeetingKind.CORE_GROUP else 0.85
        if agency == Agency.EDUCATION:
            return 0.82 if due_dates.london_day(starts_at) in self.term_days else 0.45
        if agency == Agency.FAMILY:
            return 0.75
        return 0.6

    def _present_status(self, meeting: Meeting, agency: str) -> str:
        rng = self.rng
        t = self._year_through(meeting.starts_at)
        if meeting.format == MeetingFormat.VIDEO:
            return AttendanceStatus.VIDEO if rng.random() < 0.85 else AttendanceStatus.PHONE
        remote = 0.2 if agency == Agency.FAMILY else 0.3 + 0.4 * t
        if meeting.format == MeetingFormat.HYBRID and self._share(("remote", agency == Agency.FAMILY), remote):
            return AttendanceStatus.VIDEO if rng.random() < 0.8 else AttendanceStatus.PHONE
        return AttendanceStatus.PHONE if rng.random() < 0.08 else AttendanceStatus.IN_PERSON

    def _deputy_name(self, agency: str) -> str:
        rng = self.rng
        given = rng.choice(rng.choice([names.GIVEN_NAMES_FEMALE, names.GIVEN_NAMES_MALE]))
        title = DEPUTY_TITLES.get(Agency(agency), "")
        return f"{title} {given} {rng.choice(names.FAMILY_NAMES)}".strip()

    def _responder(self, invitation: Invitation) -> User | None:
        """Who answers an invitation in SafeHub: the named invitee, else a demo member of the team."""
        if invitation.invitee is not None:
            return invitation.invitee
        if invitation.team is None:
            return None
        members = self.cast.responders.get(invitation.team.pk, [])
        if not members:
            return None
        return members[0] if len(members) == 1 or self.rng.random() < 0.7 else members[1]

    def _settle(self, planned: _Planned) -> None:
        """Each invitation's answer, escalation and (for a held meeting) attendance."""
        rng, meeting = self.rng, planned.meeting
        held = meeting.state == MeetingState.HELD
        recorded_at = (meeting.held_at or meeting.ends_at) - datetime.timedelta(minutes=rng.randint(1, 4))
        for item in planned.invitations:
            invitation = item.invitation
            agency = invitation.agency
            rate = self._attendance_rate(agency, meeting)
            present = rate >= 1 or self._share(("present", agency, meeting.kind), rate)
            deputy = present and agency in DEPUTY_TITLES and self._share(("deputy", agency), 0.1)
            status = (
                AttendanceStatus.DEPUTY
                if deputy
                else self._present_status(meeting, agency)
                if present
                else AttendanceStatus.APOLOGIES
                if rng.random() < (0.55 if agency != Agency.FAMILY else 0.3)
                else AttendanceStatus.DID_NOT_ATTEND
            )
            attendee = self._deputy_name(agency) if deputy else ""
            self._respond(item.invitation, status, attendee)
            if held:
                able = present and self._share(("able", agency, deputy), 0.85 if deputy else 0.97)
                item.attendance = Attendance(
                    invitation=invitation,
                    status=status,
                    attendee_name=attendee,
                    late_minutes=rng.choice([5, 10, 15, 20]) if present and rng.random() < 0.1 else 0,
                    able_to_decide=able,
                    recorded_at=max(recorded_at, meeting.starts_at),
                    recorded_by=meeting.chair,
                )

    def _respond(self, invitation: Invitation, status: str, deputy_name: str) -> None:
        """An answer consistent with what happened: accepted in the way they came, declined with a
        deputy, or no answer (escalated 2 hours before, as the job does)."""
        rng, meeting = self.rng, invitation.meeting
        responder = self._responder(invitation)
        response = ResponseState.PENDING
        if responder is not None:
            if status in PRESENT_STATUSES - {AttendanceStatus.DEPUTY}:
                response = ResponseState.ACCEPTED if rng.random() < 0.9 else ResponseState.PENDING
            elif status == AttendanceStatus.DEPUTY:
                response = ResponseState.DECLINED
            elif status == AttendanceStatus.APOLOGIES:
                response = ResponseState.DECLINED if rng.random() < 0.3 else ResponseState.PENDING
            else:
                response = ResponseState.ACCEPTED if rng.random() < 0.25 else ResponseState.PENDING
        elif (
            invitation.reached_mailbox and status in PRESENT_STATUSES - {AttendanceStatus.DEPUTY} and rng.random() < 0.8
        ):
            # A school with no one in SafeHub replied to its mailbox invitation; the convenor
            # recorded the reply (`convening.record_reply`), mostly.
            responder, response = meeting.convened_by, ResponseState.ACCEPTED
            invitation.reply_recorded = True
        window = max(600.0, (meeting.starts_at - invitation.invited_at).total_seconds() * 0.6)
        responded_at = invitation.invited_at + datetime.timedelta(seconds=rng.uniform(300, window))
        if response != ResponseState.PENDING and responded_at < self.now:
            assert responder is not None
            invitation.response, invitation.responded_at, invitation.responded_by = response, responded_at, responder
            if response == ResponseState.ACCEPTED:
                if not invitation.reply_recorded:
                    invitation.invitee = responder
                modes = {
                    AttendanceStatus.VIDEO: AttendanceMode.VIDEO,
                    AttendanceStatus.PHONE: AttendanceMode.PHONE,
                }
                invitation.response_mode = modes.get(AttendanceStatus(status), AttendanceMode.IN_PERSON)
                if invitation.response_mode == AttendanceMode.VIDEO and meeting.format == MeetingFormat.IN_PERSON:
                    invitation.response_mode = AttendanceMode.PHONE
            elif response == ResponseState.DECLINED:
                invitation.decline_reason = rng.choice(DECLINE_REASONS.get(Agency(invitation.agency), ["Annual leave"]))
                invitation.deputy_name = deputy_name or self._deputy_name(invitation.agency)
        else:
            invitation.reply_recorded = False
        if invitation.required and invitation.response == ResponseState.PENDING:
            alert = max(meeting.starts_at - self.escalation, invitation.invited_at)
            alert += datetime.timedelta(minutes=rng.randint(1, 10))
            if alert < min(meeting.ends_at, self.now):
                invitation.escalated_at = alert

    # Decisions --------------------------------------------------------------------------------

    def _represented(self, planned: _Planned) -> set[str]:
        return {
            item.invitation.agency
            for item in planned.invitations
            if item.attendance is not None
            and item.attendance.status in PRESENT_STATUSES
            and item.attendance.able_to_decide
        }

    def _quorum(self, planned: _Planned, *, needed: bool) -> None:
        meeting = planned.meeting
        meeting.quorate = all(a in self._represented(planned) for a in QUORUM_AGENCIES)
        if not meeting.quorate and needed:
            meeting.quorum_override_reason = self.rng.choice(OVERRIDE_REASONS)
            meeting.quorum_overridden_by = meeting.chair

    def _decide_strategy(
        self, planned: _Planned, outcomes: dict[StrategyOutcome, int], outcome: str | None = None
    ) -> None:
        rng, meeting, cast = self.rng, planned.meeting, self.cast
        represented = self._represented(planned)
        if outcome is None:
            outcome = self._deal(outcomes)
            if outcome == StrategyOutcome.SECTION_47_JOINT and Agency.POLICE not in represented and rng.random() < 0.5:
                outcome = StrategyOutcome.SECTION_47_SINGLE
            if not all(a in represented for a in QUORUM_AGENCIES) and rng.random() < 0.25:
                outcome = StrategyOutcome.FURTHER_INFORMATION  # reconvene when every agency can decide
        meeting.outcome = outcome
        self._quorum(planned, needed=outcome != StrategyOutcome.FURTHER_INFORMATION)
        meeting.minutes = MINUTES[StrategyOutcome(outcome)]
        present = {
            item.invitation.agency
            for item in planned.invitations
            if item.attendance is not None and item.attendance.status in PRESENT_STATUSES
        }
        meeting.information_shared = "\n".join(text for agency, text in INFORMATION.items() if agency in present)
        day = due_dates.london_day(meeting.starts_at)
        social_worker = cast.users["social.worker"].get_full_name()
        actions: list[tuple[str, Organisation, str, datetime.date]] = []
        if outcome in SECTION_47_OUTCOMES:
            actions.append(
                (
                    "See the child alone and speak to the parents; complete the section 47 enquiry.",
                    cast.council,
                    social_worker,
                    add_working_days(day, 1),
                )
            )
        if outcome == StrategyOutcome.SECTION_47_JOINT:
            actions.append(
                (
                    "Joint visit with children's social care; consider an achieving best evidence interview.",
                    cast.police,
                    cast.users["police.officer"].get_full_name(),
                    add_working_days(day, 2),
                )
            )
        elif outcome == StrategyOutcome.NO_SECTION_47:
            actions.append(("Offer the family a child and family assessment.", cast.council, social_worker, day))
        elif outcome == StrategyOutcome.FURTHER_INFORMATION:
            actions.append(
                (
                    "Complete checks on the adults in the household and report back to the chair.",
                    cast.police,
                    "CAIT duty sergeant",
                    add_working_days(day, 1),
                )
            )
        self._actions(planned, actions)

    def _decide_conference(
        self, planned: _Planned, chain: _Chain, *, plan_share: float, category: str | None = None
    ) -> None:
        meeting = planned.meeting
        plan = category is not None or self._share(("plan", meeting.kind), plan_share)
        self._quorum(planned, needed=True)
        day = due_dates.london_day(meeting.starts_at)
        meeting.plan_decision = plan
        if plan:
            first = meeting.kind in {MeetingKind.INITIAL_CONFERENCE, MeetingKind.PRE_BIRTH_CONFERENCE}
            meeting.plan_category = category or self._deal(CATEGORIES)
            meeting.plan_review_due = due_dates.london_day(
                due_dates.review_conference_due(meeting.starts_at, first=first)
            )
            category_label = meeting.get_plan_category_display().lower()
            decision = f"Decision: a child protection plan under the category of {category_label}."
            worry = WORRIES[PlanCategory(meeting.plan_category)]
        else:
            decision = "Decision: no child protection plan; the family will be supported under a child in need plan."
            worry = "the parents' capacity to sustain the changes they have made"
        meeting.minutes = CONFERENCE_MINUTES.format(decision=decision, worry=worry)
        for person in planned.subjects:
            current = chain.open_plans.get(person)
            if plan and current is None:
                assert meeting.plan_review_due is not None
                started = ChildProtectionPlan(
                    person_id=person,
                    category=meeting.plan_category,
                    started_by=meeting,
                    started_on=day,
                    next_review_due=meeting.plan_review_due,
                )
                chain.open_plans[person] = started
                chain.plans.append(started)
            elif plan and current is not None:
                assert meeting.plan_review_due is not None
                current.category, current.next_review_due = meeting.plan_category, meeting.plan_review_due
            elif current is not None:
                current.ended_by, current.ended_on = meeting, day
                del chain.open_plans[person]
        if plan:
            self._actions(
                planned,
                [
                    (
                        "Hold the core group and write the child protection plan with the family.",
                        self.cast.council,
                        self.cast.users["social.worker"].get_full_name(),
                        add_working_days(day, 10),
                    )
                ],
            )

    def _actions(self, planned: _Planned, actions: list[tuple[str, Organisation, str, datetime.date]]) -> None:
        for description, organisation, owner, due_on in actions:
            done = _at(due_on, 15) - datetime.timedelta(hours=self.rng.randint(0, 30))
            planned.actions.append(
                MeetingAction(
                    meeting=planned.meeting,
                    description=description,
                    owner_organisation=organisation,
                    owner_name=owner,
                    due_on=due_on,
                    completed_at=done if done < self.now and self.rng.random() < 0.85 else None,
                )
            )

    # Writing ----------------------------------------------------------------------------------

    def _references(self) -> None:
        """Numbered in convening order, per prefix and year, as `core.references.save_with_next_reference` does."""
        serials: dict[str, int] = defaultdict(int)
        for planned in sorted(self.planned, key=lambda p: p.meeting.convened_at):
            meeting = planned.meeting
            prefix = f"{REFERENCE_PREFIXES[MeetingKind(meeting.kind)]}-{meeting.convened_at.astimezone(LONDON).year}-"
            serials[prefix] += 1
            meeting.reference = f"{prefix}{serials[prefix]:05d}"

    def _save(self, live: "_Today") -> dict[str, int]:
        self._references()
        for depth in sorted({p.depth for p in self.planned}):
            Meeting.objects.bulk_create([p.meeting for p in self.planned if p.depth == depth], batch_size=BATCH_SIZE)
        _insert(
            Meeting.subjects.through,
            ("meeting", "person"),
            [(p.meeting.pk, person) for p in self.planned for person in p.subjects],
        )
        invitations = [item.invitation for p in self.planned for item in p.invitations]
        Invitation.objects.bulk_create(invitations, batch_size=BATCH_SIZE)
        attendance = [item.attendance for p in self.planned for item in p.invitations if item.attendance is not None]
        Attendance.objects.bulk_create(attendance, batch_size=BATCH_SIZE)
        MeetingAction.objects.bulk_create([a for p in self.planned for a in p.actions], batch_size=BATCH_SIZE)
        ChildProtectionPlan.objects.bulk_create(self.plans, batch_size=BATCH_SIZE)
        _insert(ChronologyEntry, CHRONOLOGY_FIELDS, self._chronology())
        _insert(LegitimateRelationship, RELATIONSHIP_FIELDS, self._access())
        Notification.objects.bulk_create(self._inbox())
        live.after_save()
        meetings = [p.meeting for p in self.planned]
        counts = {
            "strategy discussions": sum(1 for m in meetings if m.kind == MeetingKind.STRATEGY_DISCUSSION),
            "child protection conferences": sum(1 for m in meetings if m.is_conference),
            "core groups": sum(1 for m in meetings if m.kind == MeetingKind.CORE_GROUP),
            "meeting invitations": len(invitations),
            "child protection plans": len(self.plans),
        }
        if self.new_unborn:
            counts["unborn children"] = self.new_unborn
        return counts

    def _chronology(self) -> list[tuple[object, ...]]:
        """What `convene`, `record_strategy_outcome`, `record_conference_decision` and
        `record_core_group` put on each child's timeline."""
        adapt = connection.ops.adapt_datetimefield_value
        rows: list[tuple[object, ...]] = []
        council = self.cast.council.pk
        for planned in self.planned:
            meeting = planned.meeting
            events = [
                (
                    meeting.convened_at,
                    "meeting",
                    f"{meeting.title} arranged for {_london(meeting.starts_at)} (due by {_london(meeting.due_at)}).",
                    meeting.convened_by,
                )
            ]
            if meeting.held_at is not None and meeting.outcome:
                events.append(
                    (
                        meeting.held_at,
                        "strategy_discussion",
                        f"{meeting.title} held: {meeting.get_outcome_display()}.",
                        meeting.chair,
                    )
                )
            if meeting.held_at is not None and meeting.plan_decision is not None:
                summary = (
                    f"{meeting.title}: child protection plan ({meeting.get_plan_category_display().lower()}), "
                    f"review by {meeting.plan_review_due:%-d %B %Y}."
                    if meeting.plan_decision
                    else f"{meeting.title}: no child protection plan."
                )
                events.append((meeting.held_at, "conference", summary, meeting.chair))
            if meeting.held_at is not None and meeting.kind == MeetingKind.CORE_GROUP:
                summary = f"{meeting.title} held: the child protection plan reviewed by the core group."
                events.append((meeting.held_at, "core_group", summary, meeting.chair))
            for at, category, summary, by in events:
                rows += [
                    (
                        person,
                        adapt(at),
                        category,
                        summary[:300],
                        council,
                        by.pk,
                        ChronologyVisibility.PARTNERSHIP,
                        SOURCE_TYPE,
                        str(meeting.pk),
                    )
                    for person in planned.subjects
                ]
        return rows

    def _access(self) -> list[tuple[object, ...]]:
        """Each invitee (or invited team) may open the children's records until 30 days after the meeting."""
        adapt = connection.ops.adapt_datetimefield_value
        rows: list[tuple[object, ...]] = []
        for planned in self.planned:
            meeting = planned.meeting
            for item in planned.invitations:
                invitation = item.invitation
                # Access follows the invitation as sent: to the team, even when a member accepted it.
                holder: tuple[int | None, int | None] | None = None
                if invitation.team is not None:
                    holder = (None, invitation.team.pk)
                if holder is None and invitation.invitee is not None:
                    holder = (invitation.invitee.pk, None)
                if holder is None:
                    continue
                rows += [
                    (
                        person,
                        *holder,
                        RelationshipSource.MEETING_INVITATION,
                        f"Meeting {meeting.reference}",
                        adapt(invitation.invited_at),
                        adapt(meeting.ends_at + ACCESS_AFTER_MEETING),
                        None,
                        meeting.convened_by.pk,
                    )
                    for person in planned.subjects
                ]
        return rows

    def _inbox(self) -> list[Notification]:
        rows = []
        for planned in self.planned:
            meeting = planned.meeting
            link = reverse("meetings:meeting", args=[meeting.pk])
            for user, kind, invitation, at, read in planned.inbox:
                # The keys `_send`, `_tell_organisers` and `_escalate` use.
                key = {
                    "meetings.invitation": f"{kind}:invitation-{invitation.pk}:user-{user.pk}:seq-{meeting.sequence}",
                    "meetings.declined": f"{kind}:invitation-{invitation.pk}:{at:%Y%m%d%H%M%S}:user-{user.pk}",
                }.get(kind, f"{kind}:invitation-{invitation.pk}:user-{user.pk}")
                rows.append(
                    Notification(
                        key=key,
                        channel=Channel.INBOX,
                        recipient=user,
                        kind=kind,
                        reference=meeting.reference,
                        link=link,
                        created_at=at,
                        due_at=at,
                        next_attempt_at=at,
                        state=State.SENT,
                        attempts=1,
                        sent_at=at,
                        read_at=at + datetime.timedelta(minutes=20) if read else None,
                        provider_message_id=message_id_for(key=key, channel=Channel.INBOX),
                    )
                )
        return rows


class _Today:
    """Today's meetings for the demo users, on top of the year: a strategy discussion later today
    by video (the police officer has not answered, health has sent a deputy, the school has not
    answered), one that has started and waits for the chair's record, a joint section 47
    enquiry whose initial conference is still to convene, an initial conference next week, a
    review conference, and a contact decided today for a strategy discussion not yet arranged."""

    def __init__(self, year: _MeetingsYear) -> None:
        self.year = year
        self.rng = year.rng
        self.cast = year.cast
        self.now = year.now
        self.today = year.today
        self.users = year.cast.users

    def run(self) -> None:
        families = self._families(5)
        if len(families) < 5:
            return
        self.year._load_family({p for family in families for p in family})
        self._later_today(families[0])
        self._started_earlier(families[1])
        self._section_47_to_convene(families[2])
        self._conference_next_week(families[3])
        self._review_coming_up(families[4])

    def after_save(self) -> None:
        self._decided_today()

    # Whose meetings ---------------------------------------------------------------------------

    def _families(self, count: int) -> list[list[int]]:
        """Children of the social worker's families (and, first, one at the designated safeguarding
        lead's school), with their brothers and sisters, none in a conference already."""
        year = self.year
        allocated = list(
            LegitimateRelationship.objects.filter(
                user=self.users["social.worker"], source=RelationshipSource.ALLOCATION, person__kind=PersonKind.CHILD
            )
            .order_by("person_id")
            .values_list("person_id", flat=True)
            .distinct()
        )
        at_school = set(
            Enrolment.objects.current_on(self.today)
            .filter(organisation=self.users["school.dsl"].organisation, person__kind=PersonKind.CHILD)
            .values_list("person_id", flat=True)
        )
        first = sorted(at_school & set(allocated)) or sorted(at_school)
        candidates = [*first[:50], *allocated]
        used: set[int] = set()
        families: list[list[int]] = []
        for child in candidates:
            if len(families) == count:
                break
            if child in used or year.busy_until.get(child, year.start) > year.start:
                continue
            family = self._household_children(child)
            if used & set(family) or any(year.busy_until.get(p, year.start) > year.start for p in family):
                continue
            used |= set(family)
            families.append(family)
        return families

    def _household_children(self, child: int) -> list[int]:
        adults = Relationship.objects.filter(related_to_id=child, kind__in=CARING).values("person_id")
        siblings = (
            Relationship.objects.filter(person_id__in=adults, kind__in=CARING, related_to__kind=PersonKind.CHILD)
            .exclude(related_to_id=child)
            .order_by("related_to_id")
            .values_list("related_to_id", flat=True)
            .distinct()
        )
        return [child, *list(siblings)[:2]]

    # Answers ----------------------------------------------------------------------------------

    @staticmethod
    def _accept(invitation: Invitation, user: User, mode: str, at: datetime.datetime) -> None:
        invitation.invitee, invitation.response, invitation.response_mode = user, ResponseState.ACCEPTED, mode
        invitation.responded_at, invitation.responded_by = at, user

    @staticmethod
    def _decline(invitation: Invitation, user: User, reason: str, deputy: str, at: datetime.datetime) -> None:
        invitation.response, invitation.decline_reason, invitation.deputy_name = ResponseState.DECLINED, reason, deputy
        invitation.responded_at, invitation.responded_by = at, user

    def _attend(self, planned: _Planned, statuses: dict[str, str]) -> None:
        """The chair's record: everyone as `statuses` says (by agency), else in person; all able to decide."""
        meeting = planned.meeting
        assert meeting.held_at is not None
        for item in planned.invitations:
            status = statuses.get(item.invitation.agency, AttendanceStatus.IN_PERSON)
            present = status in PRESENT_STATUSES
            item.attendance = Attendance(
                invitation=item.invitation,
                status=status,
                attendee_name=item.invitation.deputy_name if status == AttendanceStatus.DEPUTY else "",
                able_to_decide=present,
                recorded_at=meeting.held_at - datetime.timedelta(minutes=2),
                recorded_by=meeting.chair,
            )

    def _escalate_unanswered(self, planned: _Planned) -> None:
        """As the escalation job: required invitations no one accepted, alerted 2 hours before the start."""
        meeting = planned.meeting
        for item in planned.invitations:
            invitation = item.invitation
            if invitation.required and invitation.response == ResponseState.PENDING:
                alert = max(meeting.starts_at - self.year.escalation, invitation.invited_at)
                invitation.escalated_at = alert + datetime.timedelta(minutes=3)

    def _tell(self, planned: _Planned, invitation: Invitation, *, read: bool) -> None:
        """The invitation in the inbox of each demo user it went to (the team's members, or the invitee)."""
        invitee = invitation.invitee if invitation.team is None else None
        recipients = (
            [invitee] if invitee is not None else self.cast.responders.get(getattr(invitation.team, "pk", 0), [])
        )
        for user in recipients:
            planned.inbox.append((user, "meetings.invitation", invitation, invitation.invited_at, read))

    def _by_agency(self, planned: _Planned) -> dict[str, Invitation]:
        return {item.invitation.agency: item.invitation for item in planned.invitations}

    # The meetings -----------------------------------------------------------------------------

    def _strategy_discussion(
        self,
        family: list[int],
        *,
        convened_at: datetime.datetime,
        starts_at: datetime.datetime,
        format: str,
        convened_by: User,
        team: Team,
    ) -> _Planned:
        planned = self.year._meeting(
            kind=MeetingKind.STRATEGY_DISCUSSION,
            contact=None,
            previous=None,
            subjects=family,
            convened_by=convened_by,
            convened_at=convened_at,
            team=team,
            chair=self.users["team.manager"],
            due_at=due_dates.strategy_discussion_due(convened_at),
            starts_at=starts_at,
            depth=0,
            format=format,
            minutes=60,
        )
        assert planned is not None
        self.year._strategy_invitations(planned, None)
        return planned

    def _later_today(self, family: list[int]) -> None:
        """By video this afternoon (or in a couple of hours): the police officer has not answered yet."""
        rng, users = self.rng, self.users
        # This afternoon, or (seeded late in the day) out of hours, as urgent discussions are.
        starts_at = max(self.now + datetime.timedelta(minutes=75), _at(self.today, 14))
        starts_at = starts_at.astimezone(LONDON).replace(second=0, microsecond=0)
        starts_at += datetime.timedelta(minutes=-starts_at.minute % 15)
        convened_at = self.now - datetime.timedelta(minutes=rng.randint(60, 150))
        planned = self._strategy_discussion(
            family,
            convened_at=convened_at,
            starts_at=starts_at,
            format=MeetingFormat.VIDEO,
            convened_by=users["social.worker"],
            team=self.cast.assessment,
        )
        invitations = self._by_agency(planned)
        police = invitations[Agency.POLICE]
        police.team, police.invitee = None, users["police.officer"]
        health = invitations[Agency.HEALTH]
        health.team, health.invitee = None, users["health.practitioner"]
        health.organisation = users["health.practitioner"].organisation
        if Agency.EDUCATION in invitations and invitations[Agency.EDUCATION].team is not None:
            school = invitations[Agency.EDUCATION]
            if users["school.dsl"] in self.cast.responders.get(school.team.pk, []):  # type: ignore[union-attr]
                school.team, school.invitee = None, users["school.dsl"]
        self._accept(invitations[Agency.SOCIAL_CARE], users["social.worker"], AttendanceMode.VIDEO, convened_at)
        declined_at = convened_at + datetime.timedelta(minutes=rng.randint(10, 40))
        self._decline(
            health,
            users["health.practitioner"],
            "In clinic all afternoon",
            self.year._deputy_name(Agency.HEALTH),
            declined_at,
        )
        for invitation in invitations.values():
            self._tell(planned, invitation, read=invitation.response != ResponseState.PENDING)
        for organiser in (users["team.manager"], users["social.worker"]):
            planned.inbox.append((organiser, "meetings.declined", health, declined_at, False))

    def _started_earlier(self, family: list[int]) -> None:
        """Started this morning (or within the last hour): the chair has still to record it."""
        users = self.users
        starts_at = (self.now - datetime.timedelta(minutes=40)).astimezone(LONDON).replace(second=0, microsecond=0)
        starts_at -= datetime.timedelta(minutes=starts_at.minute % 15)
        convened_at = starts_at - datetime.timedelta(hours=3)
        planned = self._strategy_discussion(
            family,
            convened_at=convened_at,
            starts_at=starts_at,
            format=MeetingFormat.HYBRID,
            convened_by=users["hub.practitioner"],
            team=self.cast.hub,
        )
        invitations = self._by_agency(planned)
        self._accept(invitations[Agency.SOCIAL_CARE], users["social.worker"], AttendanceMode.IN_PERSON, convened_at)
        police = invitations[Agency.POLICE]
        self._accept(
            police, users["police.supervisor"], AttendanceMode.VIDEO, convened_at + datetime.timedelta(minutes=25)
        )
        health = invitations[Agency.HEALTH]
        if health.team is not None and users["health.practitioner"] in self.cast.responders.get(health.team.pk, []):
            self._accept(
                health, users["health.practitioner"], AttendanceMode.PHONE, convened_at + datetime.timedelta(hours=1)
            )
        for invitation in invitations.values():
            self._tell(planned, invitation, read=True)
            if invitation.required and invitation.response == ResponseState.PENDING:
                invitation.escalated_at = starts_at - self.year.escalation + datetime.timedelta(minutes=3)
                planned.inbox.append(
                    (users["team.manager"], "meetings.unanswered", invitation, invitation.escalated_at, False)
                )

    def _section_47_to_convene(self, family: list[int]) -> None:
        """Held three working days ago: a joint section 47 enquiry; the initial conference is to convene."""
        users = self.users
        day = _working_days_before(self.today, 3)
        convened_at = _at(day, 9, 10)
        planned = self._strategy_discussion(
            family,
            convened_at=convened_at,
            starts_at=_at(day, 11),
            format=MeetingFormat.HYBRID,
            convened_by=users["social.worker"],
            team=self.cast.assessment,
        )
        invitations = self._by_agency(planned)
        self._accept(invitations[Agency.SOCIAL_CARE], users["social.worker"], AttendanceMode.IN_PERSON, convened_at)
        self._accept(invitations[Agency.POLICE], users["police.officer"], AttendanceMode.VIDEO, _at(day, 9, 40))
        health = invitations[Agency.HEALTH]
        if health.team is not None and users["health.practitioner"] in self.cast.responders.get(health.team.pk, []):
            self._accept(health, users["health.practitioner"], AttendanceMode.IN_PERSON, _at(day, 10, 5))
        self._escalate_unanswered(planned)
        self._attend(planned, {Agency.POLICE: AttendanceStatus.VIDEO, Agency.REFERRER: AttendanceStatus.PHONE})
        self.year._decide_strategy(planned, STRATEGY_OUTCOMES, outcome=StrategyOutcome.SECTION_47_JOINT)

    def _conference_next_week(self, family: list[int]) -> None:
        """An initial conference next week, due 15 working days after the strategy discussion; the
        police supervisor has not answered yet."""
        users = self.users
        target = self.today + datetime.timedelta(days=7 - self.today.weekday() + 2)
        if not is_working_day(target):
            target = next_working_day(target)
        ahead = 0
        day = self.today
        while day < target:
            day = next_working_day(day)
            ahead += 1
        discussion_day = _working_days_before(self.today, max(1, 15 - ahead - 2))
        discussion = self._strategy_discussion(
            family,
            convened_at=_at(discussion_day, 9, 5),
            starts_at=_at(discussion_day, 14),
            format=MeetingFormat.IN_PERSON,
            convened_by=users["social.worker"],
            team=self.cast.assessment,
        )
        for item in discussion.invitations:
            invitation = item.invitation
            if invitation.agency == Agency.POLICE:
                self._accept(invitation, users["police.officer"], AttendanceMode.IN_PERSON, _at(discussion_day, 9, 30))
            elif invitation.agency == Agency.SOCIAL_CARE:
                self._accept(invitation, users["social.worker"], AttendanceMode.IN_PERSON, _at(discussion_day, 9, 5))
        self._escalate_unanswered(discussion)
        self._attend(discussion, {})
        self.year._decide_strategy(discussion, STRATEGY_OUTCOMES, outcome=StrategyOutcome.SECTION_47_JOINT)
        sd = discussion.meeting
        assert sd.held_at is not None
        convened_at = _at(next_working_day(discussion_day), 10)
        conference = self.year._meeting(
            kind=MeetingKind.INITIAL_CONFERENCE,
            contact=None,
            previous=sd,
            subjects=family,
            convened_by=users["social.worker"],
            convened_at=convened_at,
            team=sd.team,
            chair=users["team.manager"],
            due_at=due_dates.initial_conference_due(sd.starts_at),
            starts_at=_at(target, 10),
            depth=1,
            format=MeetingFormat.HYBRID,
            minutes=120,
        )
        assert conference is not None
        self.year._conference_invitations(conference, contact=None)
        invitations = self._by_agency(conference)
        police = invitations[Agency.POLICE]
        police.team, police.invitee = None, users["police.supervisor"]
        health = invitations[Agency.HEALTH]
        health.team, health.invitee = None, users["health.practitioner"]
        health.organisation = users["health.practitioner"].organisation
        self._accept(invitations[Agency.SOCIAL_CARE], users["social.worker"], AttendanceMode.IN_PERSON, convened_at)
        self._accept(
            health, users["health.practitioner"], AttendanceMode.IN_PERSON, convened_at + datetime.timedelta(hours=3)
        )
        for invitation in invitations.values():
            self._tell(conference, invitation, read=invitation.response != ResponseState.PENDING)

    def _review_coming_up(self, family: list[int]) -> None:
        """A child on a plan since an initial conference three months ago: the first review is due soon."""
        year, users = self.year, self.users
        initial_day = _working_day_on_or_before(
            due_dates.london_day(_at(self.today + datetime.timedelta(days=10), 12)) - datetime.timedelta(days=91)
        )
        discussion_day = _working_days_before(initial_day, 12)
        discussion = self._strategy_discussion(
            family,
            convened_at=_at(discussion_day, 9, 20),
            starts_at=_at(discussion_day, 13, 30),
            format=MeetingFormat.HYBRID,
            convened_by=users["hub.practitioner"],
            team=self.cast.hub,
        )
        invitations = self._by_agency(discussion)
        self._accept(
            invitations[Agency.SOCIAL_CARE],
            users["social.worker"],
            AttendanceMode.IN_PERSON,
            _at(discussion_day, 9, 30),
        )
        self._accept(invitations[Agency.POLICE], users["police.officer"], AttendanceMode.VIDEO, _at(discussion_day, 10))
        self._escalate_unanswered(discussion)
        self._attend(discussion, {Agency.POLICE: AttendanceStatus.VIDEO})
        year._decide_strategy(discussion, STRATEGY_OUTCOMES, outcome=StrategyOutcome.SECTION_47_JOINT)
        sd = discussion.meeting
        chain = _Chain()
        conference = year._meeting(
            kind=MeetingKind.INITIAL_CONFERENCE,
            contact=None,
            previous=sd,
            subjects=family,
            convened_by=users["team.manager"],
            convened_at=_at(_working_days_before(initial_day, 10), 11),
            team=self.cast.child_protection,
            chair=users["team.manager"],
            due_at=due_dates.initial_conference_due(sd.starts_at),
            starts_at=_at(initial_day, 10),
            depth=1,
            format=MeetingFormat.IN_PERSON,
            minutes=120,
        )
        assert conference is not None
        year._conference_invitations(conference, contact=None)
        year._settle(conference)
        year._decide_conference(conference, chain, plan_share=1, category=PlanCategory.NEGLECT)
        core_group = year._core_group(conference, family)
        # The core group has met since, every few weeks; the next is arranged or to convene.
        year._later_core_groups(core_group, family, plan_ended=None)
        icpc = conference.meeting
        due_at = due_dates.review_conference_due(icpc.starts_at, first=True)
        review_day = _working_day_on_or_before(due_dates.london_day(due_at) - datetime.timedelta(days=2))
        review = year._meeting(
            kind=MeetingKind.REVIEW_CONFERENCE,
            contact=None,
            previous=icpc,
            subjects=family,
            convened_by=users["team.manager"],
            convened_at=_at(review_day - datetime.timedelta(days=21), 10),
            team=icpc.team,
            chair=users["team.manager"],
            due_at=due_at,
            starts_at=_at(max(review_day, next_working_day(self.today)), 13, 30),
            depth=2,
            format=MeetingFormat.HYBRID,
            minutes=90,
        )
        assert review is not None
        year._conference_invitations(review, contact=None)
        invitations = self._by_agency(review)
        convened_at = review.meeting.convened_at
        self._accept(invitations[Agency.SOCIAL_CARE], users["social.worker"], AttendanceMode.IN_PERSON, convened_at)
        health = invitations[Agency.HEALTH]
        if health.team is not None and users["health.practitioner"] in self.cast.responders.get(health.team.pk, []):
            self._accept(
                health, users["health.practitioner"], AttendanceMode.VIDEO, convened_at + datetime.timedelta(days=1)
            )
        for invitation in invitations.values():
            self._tell(review, invitation, read=invitation.response != ResponseState.PENDING)
        year.plans += chain.plans
        for person in family:
            year.busy_until[person] = datetime.datetime.max.replace(tzinfo=datetime.UTC)

    def _decided_today(self) -> None:
        """A contact the team manager decides today, through the hub's service, for a strategy
        discussion the hub has still to arrange. Taken from the hub's open contacts (those with
        everyone matched), from the stage that would still have others in it."""
        from safehub.hub.demo import RATIONALES
        from safehub.hub.services.workflow import decide

        open_contacts = Contact.objects.exclude(state=ContactState.DECIDED)
        stages = {s: open_contacts.filter(state=s).count() for s in ContactState.values}
        hub_open = open_contacts.filter(hub_team=self.cast.hub).exclude(subjects__person=None)
        for stage in sorted(
            (ContactState.AWAITING_DECISION, ContactState.RESEARCH, ContactState.RECEIVED), key=lambda s: -stages[s]
        ):
            if stages[stage] < 2:
                continue
            contact = hub_open.filter(state=stage).order_by("-received_at", "-pk").first()
            if contact is not None:
                decide(
                    contact=contact,
                    decision=Decision.STRATEGY_DISCUSSION,
                    rationale=RATIONALES[Decision.STRATEGY_DISCUSSION],
                    late_reason="The police checks came back this morning; decided as soon as they did.",
                    # The risk is clear: the strategy discussion will hear the agencies' checks.
                    close_open_checks=True,
                    by=self.users["team.manager"],
                )
                return
