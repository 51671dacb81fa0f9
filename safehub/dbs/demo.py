"""Two years of DBS local checks for the demo partnership's force, made by the services (each
with an explicit `now`), so every clock, state and audit event follows the same rules as in use.

The unit's year has a shape: DBS sends more checks in the summer (schools and holiday schemes
recruit) while the unit is short through the holidays, so the backlog grows from June and is
falling by the autumn. Most checks find nothing and are fast-tracked; a few lead to a
disclosure, reviewed by the supervisor. Today: open checks at every stage, some past the
14-day standard, and a disclosure by the demo officer awaiting the demo supervisor's review.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.utils import timezone

from safehub.dbs import services
from safehub.dbs.models import Decision, LocalCheck, Workforce
from safehub.partnership.models import Organisation, OrganisationKind, Team, User
from safehub.partnership.roles import Role
from safehub.people.models import Person, PersonKind
from safehub.timescales.calendar import is_working_day, london_wall_clock

DAYS = 730
# About 2,500 checks at the medium size (the default), 250 at small; a county's year needs the bulk
# path of the scale work (issue 16), so the largest demo keeps to 4,000.
CHILDREN_PER_CHECK = 8
MIN_CHECKS, MAX_CHECKS = 200, 4_000
SUMMER = ((6, 1), (9, 15))
SUMMER_INTAKE = 1.5
PEAK_DELAY = 14
ROLES = {
    Workforce.CHILD: ["Teaching assistant", "Teacher", "Youth worker", "Nursery practitioner", "Sports coach"],
    Workforce.ADULT: ["Care worker", "Support worker (adults)", "Home care assistant"],
    Workforce.BOTH: ["Taxi driver (licensed)", "Healthcare assistant", "Foster carer", "Volunteer driver"],
}
FOUND = [
    "An intelligence report of a disturbance at the home address, no offence recorded.",
    "Named as a witness to a road traffic collision; no concern.",
    "A caution for shoplifting as a juvenile, more than ten years ago.",
    "Arrested for assault on a partner; no further action for want of evidence.",
    "Reported for harassment by a former partner; words of advice given.",
]
DISCLOSURES = [
    (
        "The applicant was arrested for assaulting their partner in the presence of a child; the matter did not "
        "proceed. Relevant to a role with children: it concerns violence witnessed by a child and is recent.",
        "The police were called to the applicant's home address following a report that the applicant had "
        "assaulted their partner while a child was present. The applicant was arrested; no further action was taken.",
    ),
    (
        "Repeated reports of harassment of a former partner over a year are relevant to a position of trust "
        "with vulnerable adults and proportionate to disclose.",
        "Between March and November the police received four reports that the applicant was harassing a former "
        "partner. Words of advice were given on two occasions.",
    ),
]
NOT_RELEVANT = (
    "What was found is old, minor or about the applicant as a witness or victim: it is not relevant to the "
    "role applied for and disclosing it would not be proportionate."
)


@dataclass
class _Plan:
    received: datetime.date
    workforce: str
    role: str
    applicant: tuple[str, str, datetime.date, str]
    known: bool
    found: bool = False
    disclose: bool = False
    searched: datetime.date | None = None
    assessed: datetime.date | None = None
    reviewed: datetime.date | None = None
    returned: datetime.date | None = None
    steps: list[str] = field(default_factory=list)


def _in_summer(day: datetime.date) -> bool:
    start, end = (datetime.date(day.year, *SUMMER[0]), datetime.date(day.year, *SUMMER[1]))
    return start <= day <= end


def _delay(day: datetime.date) -> float:
    """Days the unit's queue adds in the year's shape: building from June (more checks, staff
    on leave) to a peak in mid-September, cleared by December."""
    peak = datetime.date(day.year, *SUMMER[1])
    rising = datetime.date(day.year, *SUMMER[0])
    if rising <= day <= peak:
        return PEAK_DELAY * (day - rising).days / (peak - rising).days
    if peak < day < datetime.date(day.year, 12, 1):
        return PEAK_DELAY * (1 - (day - peak).days / (datetime.date(day.year, 12, 1) - peak).days)
    return 0.0


def _working_day_from(day: datetime.date) -> datetime.date:
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def _at(day: datetime.date, rng: random.Random, hour: int = 9) -> datetime.datetime:
    """A time in the hour given: each stage has its own hour (received 9, searched 10, assessed
    11, reviewed 13, returned 15), so stages on one day keep their order."""
    return london_wall_clock(day, datetime.time(hour, rng.randrange(0, 60)))


class _Unit:
    def __init__(self, *, rng: random.Random, today: datetime.date, now: datetime.datetime) -> None:
        self.rng, self.today, self.now = rng, today, now
        self.force = Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE).order_by("pk").first()
        team = Team.objects.filter(organisation=self.force, name="Disclosure Unit").first()
        members = (
            User.objects.filter(teams=team, is_active=True).order_by("pk").prefetch_related("role_assignments")
            if team
            else User.objects.none()
        )
        self.supervisors = [u for u in members if Role.DISCLOSURE_SUPERVISOR in u.roles]
        self.officers = [u for u in members if Role.DISCLOSURE_OFFICER in u.roles]
        self.counts = {"DBS local checks": 0}

    def applicants(self, count: int) -> list[tuple[tuple[str, str, datetime.date, str], bool]]:
        """Applicants: a few adults already in the index (so the force may know them), the rest
        new combinations of the index's names, as most applicants are unknown to the police."""
        adults: list[tuple[str, str, datetime.date]] = [
            (given, family, born)
            for given, family, born in Person.objects.filter(kind=PersonKind.ADULT, date_of_birth__isnull=False)
            .order_by("pk")
            .values_list("given_names", "family_name", "date_of_birth")[: count * 3]
            if born is not None
        ]
        people: list[tuple[tuple[str, str, datetime.date, str], bool]] = []
        for _ in range(count):
            given, family, born = self.rng.choice(adults)
            if self.rng.random() < 0.25:
                people.append(((given, family, born, ""), True))
                continue
            other = self.rng.choice(adults)
            shifted = born + datetime.timedelta(days=self.rng.randrange(-900, 900))
            people.append(((given, other[1], shifted, ""), False))
        return people

    def plan(self, total: int) -> list[_Plan]:
        rng = self.rng
        start = self.today - datetime.timedelta(days=DAYS)
        working = [start + datetime.timedelta(days=n) for n in range(DAYS + 1)]
        working = [day for day in working if is_working_day(day)]
        weights = [SUMMER_INTAKE if _in_summer(day) else 1.0 for day in working]
        per_weight = total / sum(weights)
        applicants = iter(self.applicants(total + 50))
        plans: list[_Plan] = []
        for day, weight in zip(working, weights, strict=True):
            for _ in range(int(per_weight * weight + rng.random())):
                workforce = rng.choices(list(ROLES), weights=(6, 2, 2))[0]
                applicant, known = next(applicants)
                plan = _Plan(
                    received=day,
                    workforce=workforce,
                    role=rng.choice(ROLES[workforce]),
                    applicant=applicant,
                    known=known,
                )
                plan.found = rng.random() < (0.55 if known else 0.06)
                plan.disclose = plan.found and rng.random() < 0.3
                work = rng.choice((6, 8, 10, 12, 15, 18)) if plan.found else rng.choice((1, 2, 2, 3, 3, 4, 5, 7))
                if plan.disclose:
                    work += rng.choice((4, 6, 9, 12))
                back = _working_day_from(
                    day + datetime.timedelta(days=work + round(_delay(day) * rng.uniform(0.6, 1.4)))
                )
                plan.returned = back if back <= self.today else None
                plans.append(plan)
        self._schedule(plans)
        return plans

    def _schedule(self, plans: list[_Plan]) -> None:
        """The stages' days: searched early, assessed and reviewed before the return."""
        for plan in plans:
            end = plan.returned or self.today
            span = max((end - plan.received).days, 0)
            plan.searched = plan.received + datetime.timedelta(days=min(span, self.rng.randrange(0, 4)))
            if plan.returned is None:
                # Still open today: the newest not searched yet, the oldest further on.
                age = (self.today - plan.received).days
                plan.searched = plan.searched if age > self.rng.randrange(1, 5) else None
                if plan.searched is not None and plan.found and age > 6:
                    plan.assessed = min(plan.searched + datetime.timedelta(days=3), self.today)
                continue
            if plan.found:
                plan.assessed = plan.searched + datetime.timedelta(days=(end - plan.searched).days // 2)
                if plan.disclose:
                    plan.reviewed = plan.assessed + datetime.timedelta(days=(end - plan.assessed).days // 2)

    def when(self, day: datetime.date, hour: int) -> datetime.datetime:
        """The stage's time on `day`, never after now (today's stages happened this morning)."""
        return min(_at(day, self.rng, hour), self.now)

    def who(self, plan: _Plan) -> User:
        return self.rng.choice(self.officers)

    def run(self, plans: list[_Plan]) -> None:
        supervisor = self.supervisors[0]
        for number, plan in enumerate(plans, start=1):
            given, family, born, postcode = plan.applicant
            officer = self.who(plan)
            check, _ = services.receive_check(
                given=services.CheckInput(
                    dbs_reference=f"E00{plan.received:%y}{number:07d}",
                    given_names=given,
                    family_name=family,
                    date_of_birth=born,
                    workforce=plan.workforce,
                    role_applied_for=plan.role,
                    received_on=plan.received,
                    postcode=postcode,
                ),
                by=officer,
                now=self.when(plan.received, 9),
            )
            self.counts["DBS local checks"] += 1
            self.work(check, plan, officer, supervisor)

    def work(self, check: LocalCheck, plan: _Plan, officer: User, supervisor: User) -> None:
        rng = self.rng
        if plan.searched is None:
            return
        summary = rng.choice(FOUND) if plan.found else ""
        check = services.record_search(
            check=check, by=officer, records_found=plan.found, summary=summary, now=self.when(plan.searched, 10)
        )
        if plan.found and plan.assessed is not None:
            relevance, text = rng.choice(DISCLOSURES) if plan.disclose else (NOT_RELEVANT, "")
            check = services.record_assessment(
                check=check,
                by=officer,
                decision=Decision.DISCLOSE if plan.disclose else Decision.NO_DISCLOSURE,
                relevance=relevance,
                disclosure_text=text,
                representations_invited_on=plan.assessed if plan.disclose else None,
                representations="No representations were received by the date given." if plan.disclose else "",
                now=self.when(plan.assessed, 11),
            )
            if plan.disclose and plan.reviewed is not None and plan.returned is not None:
                check = services.record_review(
                    check=check,
                    by=supervisor,
                    approved=True,
                    rationale="Accurate, relevant to the workforce and proportionate: approved.",
                    now=self.when(plan.reviewed, 13),
                )
        if plan.returned is not None:
            services.return_to_dbs(check=check, by=officer, now=self.when(plan.returned, 15))

    def today_items(self, demo_officer: User | None) -> None:
        """For the demo users: a check that came in this morning, to search, and a disclosure by
        the officer awaiting the supervisor's review."""
        if demo_officer is None or not self.supervisors:
            return
        services.receive_check(
            given=services.CheckInput(
                dbs_reference=f"E00{self.today:%y}9000002",
                given_names="Imogen",
                family_name="Castellano",
                date_of_birth=datetime.date(1995, 9, 3),
                workforce=Workforce.BOTH,
                role_applied_for="Healthcare assistant",
                received_on=self.today,
            ),
            by=demo_officer,
            now=min(self.now, london_wall_clock(self.today, datetime.time(8, 40))),
        )
        self.counts["DBS local checks"] += 1
        received = self.today - datetime.timedelta(days=9)
        check, _ = services.receive_check(
            given=services.CheckInput(
                dbs_reference=f"E00{self.today:%y}9000001",
                given_names="Daniel",
                family_name="Ashdown",
                date_of_birth=datetime.date(1988, 4, 17),
                workforce=Workforce.CHILD,
                role_applied_for="Youth worker",
                received_on=received,
            ),
            by=demo_officer,
            now=_at(received, self.rng),
        )
        check = services.record_search(
            check=check,
            by=demo_officer,
            records_found=True,
            summary="Arrested in 2024 for assault on a partner, a child present; no further action.",
            now=_at(received + datetime.timedelta(days=2), self.rng, 10),
        )
        relevance, text = DISCLOSURES[0]
        invited = received + datetime.timedelta(days=3)
        services.record_assessment(
            check=check,
            by=demo_officer,
            decision=Decision.DISCLOSE,
            relevance=relevance,
            disclosure_text=text,
            representations_invited_on=invited,
            representations="The applicant replied that the matter was a misunderstanding and no charge followed.",
            now=min(self.now, _at(self.today - datetime.timedelta(days=1), self.rng, 11)),
        )
        self.counts["DBS local checks"] += 1


def seed_dbs_demo(*, rng: random.Random, today: datetime.date, now: datetime.datetime | None = None) -> dict[str, int]:
    """Two years of the force's DBS local checks; returns counts for the demo's summary."""
    now = now or timezone.now()
    unit = _Unit(rng=rng, today=today, now=now)
    if unit.force is None or not unit.officers or not unit.supervisors:
        return {}
    children = Person.objects.filter(kind=PersonKind.CHILD).count()
    total = min(MAX_CHECKS, max(MIN_CHECKS, children // CHILDREN_PER_CHECK))
    plans = unit.plan(total)
    unit.run(plans)
    demo_officer = next((u for u in unit.officers if u.username == "disclosure.officer"), unit.officers[0])
    unit.today_items(demo_officer)
    return unit.counts
