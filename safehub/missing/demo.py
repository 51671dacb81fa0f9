"""The demo partnership's year of missing children, made through the services
(`safehub.missing.services`) in the order it happened, with the services' clock set to each
moment: the force's system reports each episode (as `safehub import missing` would), the
child comes back, the provider the council commissions offers the return home interview, and
every council gets its digest at 08:00 every day, weekends and bank holidays too. The inbox
notifications of that history are marked read, as the people they went to would have.

For the demo users today:
- `missing.coordinator` (the first council's missing lead): today's digest (once 08:00 has
  passed; before then, yesterday's is the latest), an interview overdue and escalated, and
  Kayla-style featured child: a 14-year-old in care, missing repeatedly over the last 90 days,
  whose interviews found an older associate, so she has an exploitation flag; the team manager
  has convened a strategy discussion for her; her Philomena record and an NRM referral with a
  positive reasonable grounds decision. She was reported missing again this morning at high
  risk, so `police.officer` can open her Philomena record.
- `rhi.worker` (Safe Return Partnership, commissioned by the first two councils): one
  interview due this afternoon, and only the children referred to the provider.
- Two children missing education in the first council, one also missing from home now.
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safehub.meetings.models import MeetingFormat, MeetingKind
from safehub.missing import services
from safehub.missing.models import (
    CmeReason,
    Episode,
    EpisodeEvent,
    ExploitationType,
    GroundsDecision,
    Indicator,
    InterviewState,
    MissingArrangement,
    Reporter,
    RiskGrade,
)
from safehub.notifications.models import Notification
from safehub.partnership.models import Organisation, OrganisationKind, Team, User
from safehub.people.models import Enrolment, Person, PersonKind, Sex
from safehub.timescales.calendar import add_months, london_wall_clock

FORCE_SYSTEM = "Riverside Police missing persons system"
# About one episode a year for every this many children (most children never go missing;
# a few go missing again and again).
CHILDREN_PER_EPISODE = 100
MIN_EPISODES = 60
# Older history keeps only the digests that had news, to keep seeding quick.
FULL_DIGEST_DAYS = 28
RISK_WEIGHTS = {RiskGrade.NO_APPARENT_RISK: 10, RiskGrade.LOW: 35, RiskGrade.MEDIUM: 45, RiskGrade.HIGH: 10}
REPORTER_WEIGHTS = {
    Reporter.PARENT: 45,
    Reporter.CARER: 15,
    Reporter.CHILDRENS_HOME: 25,
    Reporter.SCHOOL: 5,
    Reporter.OTHER: 10,
}
PLACES = (
    "Leaving school at the end of the day",
    "At home, in the evening",
    "In the town centre with friends",
    "At the children's home, after tea",
    "At the bus station",
    "Outside the leisure centre",
)
FOUND = (
    ("Returned home by herself or himself", "Self", ""),
    ("A friend's house in the same town", "Police", ""),
    ("Town centre", "Police", ""),
    ("A flat in Wolds Bridge", "Police", "WB4 7QT"),
    ("Railway station", "British Transport Police", ""),
)
FINDINGS = (
    (
        "Arguments at home about curfew and a phone.",
        "Wanted to be with friends.",
        "Stayed at a friend's house.",
        "To have more say about when she sees friends.",
    ),
    (
        "Feels no one at the placement listens.",
        "A group of older teenagers in the park.",
        "In the park, then a friend's garage.",
        "To move nearer her sister.",
    ),
    ("Stress about exams.", "", "Walked around town and slept on a bench.", "Help with school."),
)


@dataclass
class _Planned:
    at: datetime.datetime
    order: int
    act: Callable[[], None]


class _MissingYear:
    def __init__(self, *, rng: random.Random, today: datetime.date, now: datetime.datetime) -> None:
        self.rng, self.today, self.now = rng, today, now
        self.councils = list(Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).order_by("pk"))
        self.force = Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE).order_by("pk").first()
        self.providers = list(
            Organisation.objects.filter(kind=OrganisationKind.OTHER, teams__name="Return Home Interviews")
            .distinct()
            .order_by("pk")
        )
        self.plan: list[_Planned] = []
        self.serial = 0
        self.last_digest_at: datetime.datetime | None = None
        self.counts = {"missing episodes": 0, "return home interviews": 0, "missing digests": 0}

    # Set-up ------------------------------------------------------------------------------------

    def arrange(self) -> None:
        for number, council in enumerate(self.councils):
            team = Team.objects.filter(organisation=council, name="Missing Children Team").first()
            if team is None:
                continue
            provider = self.providers[0 if number < 2 else -1] if self.providers else None
            arrangement = MissingArrangement(local_authority=council, team=team, rhi_provider=provider)
            arrangement.full_clean()
            arrangement.save()

    def worker_of(self, provider: Organisation | None) -> User | None:
        if provider is None:
            return None
        return services.rhi_workers(provider)[0] if services.rhi_workers(provider) else None

    def children_of(self, council: Organisation, *, ages: tuple[int, int]) -> list[Person]:
        oldest = add_months(self.today, -12 * (ages[1] + 1))
        youngest = add_months(self.today, -12 * ages[0])
        pupils = Enrolment.objects.current_on(self.today).filter(organisation__local_authority=council)
        return list(
            Person.objects.filter(
                kind=PersonKind.CHILD,
                merged_into__isnull=True,
                date_of_birth__gt=oldest,
                date_of_birth__lte=youngest,
                pk__in=pupils.values("person_id"),
            ).order_by("pk")[:400]
        )

    # The year ----------------------------------------------------------------------------------

    def police_reference(self) -> str:
        self.serial += 1
        return f"MP/{self.serial:05d}/{self.today:%y}"

    def add(self, at: datetime.datetime, act: Callable[[], None], order: int = 1) -> None:
        if at <= self.now:
            self.plan.append(_Planned(at, order, act))

    def plan_episode(
        self,
        *,
        child: Person,
        council: Organisation,
        reported_at: datetime.datetime,
        risk: str,
        in_care: bool = False,
        placing: Organisation | None = None,
        hours_missing: float | None = None,
        interview: str | None = None,
        indicators: tuple[str, ...] = (),
        found: tuple[str, str, str] | None = None,
    ) -> None:
        rng = self.rng
        reference = self.police_reference()
        hours = hours_missing if hours_missing is not None else rng.choice((3, 5, 8, 14, 20, 30, 44, 70))
        returned_at = reported_at + datetime.timedelta(hours=hours)
        holder: dict[str, Episode] = {}

        def report() -> None:
            episode, _ = services.record_episode(
                episode=services.EpisodeInput(
                    police_reference=reference,
                    child=services.ChildDetails(child.given_names, child.family_name, person=child),
                    reported_at=reported_at,
                    reported_by=Reporter.CHILDRENS_HOME
                    if in_care
                    else rng.choices(list(REPORTER_WEIGHTS), list(REPORTER_WEIGHTS.values()))[0],
                    last_seen_at=reported_at - datetime.timedelta(hours=rng.choice((1, 2, 3))),
                    last_seen_location=rng.choice(PLACES),
                    risk_grade=risk,
                    local_authority=council,
                    in_care=in_care,
                    placing_authority=placing,
                ),
                by=None,
                force=self.force,
                via="import",
                on_behalf_of=FORCE_SYSTEM,
                now=reported_at + datetime.timedelta(minutes=20),
            )
            holder["episode"] = episode
            self.counts["missing episodes"] += 1

        self.add(reported_at + datetime.timedelta(minutes=20), report)
        place, by, postcode = found or rng.choice(FOUND)

        def back() -> None:
            services.record_return(
                episode=holder["episode"],
                by=None,
                force=self.force,
                given=services.ReturnInput(
                    returned_at=returned_at,
                    found_location=place,
                    found_postcode=postcode,
                    found_by=by,
                ),
                now=returned_at + datetime.timedelta(minutes=40),
            )
            self.counts["return home interviews"] += 1

        self.add(returned_at + datetime.timedelta(minutes=40), back)
        outcome = interview or rng.choices(["in_time", "late", "declined", "no_contact"], [52, 28, 13, 7])[0]
        offer_after = rng.uniform(6, 60) if outcome != "late" else rng.uniform(80, 140)
        offered_at = returned_at + datetime.timedelta(hours=offer_after)

        def interview_it() -> None:
            episode = holder["episode"]
            interview_row = episode.interview
            worker = self.worker_of(interview_row.provider)
            if worker is None:
                return
            if outcome == "declined":
                services.record_interview(
                    interview=interview_row, by=worker, state=InterviewState.DECLINED, at=offered_at, now=offered_at
                )
                return
            if outcome == "no_contact":
                services.record_interview(
                    interview=interview_row,
                    by=worker,
                    state=InterviewState.COULD_NOT_CONTACT,
                    at=offered_at,
                    now=offered_at,
                )
                return
            push, pull, where, wants = rng.choice(FINDINGS)
            services.record_interview(
                interview=interview_row,
                by=worker,
                state=InterviewState.COMPLETED,
                at=offered_at,
                now=offered_at,
                findings=services.InterviewFindings(
                    push_factors=push,
                    pull_factors=pull,
                    where_and_with_whom=where,
                    child_wants=wants,
                    indicators=indicators,
                ),
            )

        if outcome != "open":
            self.add(offered_at, interview_it)

    def plan_year(self) -> None:
        rng = self.rng
        children = Person.objects.filter(kind=PersonKind.CHILD).count()
        total = max(MIN_EPISODES, children // CHILDREN_PER_EPISODE)
        start = self.today - datetime.timedelta(days=365)
        pools = {c.pk: self.children_of(c, ages=(10, 17)) for c in self.councils}
        for _ in range(total):
            council = rng.choice(self.councils)
            pool = pools[council.pk]
            if not pool:
                continue
            # A few children go missing again and again: draw from the first few more often.
            child = pool[min(int(rng.expovariate(1 / 25)), len(pool) - 1)]
            day = start + datetime.timedelta(days=rng.randrange(0, 350))
            reported_at = london_wall_clock(
                day, datetime.time(rng.choice((16, 18, 19, 21, 22, 23)), rng.choice((0, 30)))
            )
            in_care = rng.random() < 0.3
            placing = rng.choice([c for c in self.councils if c != council]) if in_care and rng.random() < 0.3 else None
            self.plan_episode(
                child=child,
                council=council,
                reported_at=reported_at,
                risk=rng.choices(list(RISK_WEIGHTS), list(RISK_WEIGHTS.values()))[0],
                in_care=in_care,
                placing=placing,
            )
        for day_offset in range(366):
            day = start + datetime.timedelta(days=day_offset)
            moment = london_wall_clock(day, datetime.time(8, 0))
            # The last four weeks have a digest every day; before that, the days with news.
            quiet_ok = day >= self.today - datetime.timedelta(days=FULL_DIGEST_DAYS)
            self.add(moment, self._digest_at(moment, only_with_news=not quiet_ok), order=0)

    def _digest_at(self, moment: datetime.datetime, *, only_with_news: bool) -> Callable[[], None]:
        def send() -> None:
            previous, self.last_digest_at = self.last_digest_at, moment
            # A quiet day in the older history: nothing happened since yesterday's digests, so no
            # council has news (one query, not one per council).
            if (
                only_with_news
                and previous is not None
                and not EpisodeEvent.objects.filter(at__gt=previous, at__lte=moment).exists()
            ):
                return
            self.counts["missing digests"] += services.send_digests(now=moment, only_with_news=only_with_news)

        return send

    def run_plan(self) -> None:
        for item in sorted(self.plan, key=lambda p: (p.at, p.order)):
            item.act()
        self.plan = []

    # The demo users' children ------------------------------------------------------------------

    def featured(self) -> Person | None:
        """A girl of 14 at a school of the first council."""
        council = self.councils[0]
        girls = [p for p in self.children_of(council, ages=(14, 14)) if p.sex == Sex.FEMALE]
        return girls[len(girls) // 2] if girls else None

    def plan_featured(self, girl: Person) -> None:
        council = self.councils[0]
        days_ago = (75, 52, 31, 12)
        for number, ago in enumerate(days_ago):
            day = self.today - datetime.timedelta(days=ago)
            older = (Indicator.OLDER_ASSOCIATES,) if number >= 1 else ()
            self.plan_episode(
                child=girl,
                council=council,
                reported_at=london_wall_clock(day, datetime.time(21, 30)),
                risk=RiskGrade.MEDIUM if number < 3 else RiskGrade.HIGH,
                in_care=True,
                hours_missing=(18, 30, 26, 40)[number],
                interview="in_time",
                indicators=older,
                found=("A flat in Wolds Bridge", "Police", "WB4 7QT"),
            )

    def today_items(self, girl: Person | None) -> None:
        council = self.councils[0]
        users = {
            u.username: u
            for u in User.objects.filter(username__in=["police.officer", "team.manager", "missing.coordinator"])
        }
        pool = self.children_of(council, ages=(12, 16))
        rng = self.rng
        # One interview due this afternoon and one overdue, for the first council's provider.
        due = max(london_wall_clock(self.today, datetime.time(16, 0)), self.now + datetime.timedelta(hours=2))
        for child, returned_at in (
            (pool[-1], due - datetime.timedelta(hours=72)),
            (pool[-2], self.now - datetime.timedelta(hours=96)),
        ):
            if returned_at >= self.now:
                continue
            self.plan_episode(
                child=child,
                council=council,
                reported_at=returned_at - datetime.timedelta(hours=9),
                risk=RiskGrade.MEDIUM,
                hours_missing=9,
                interview="open",
            )
        self.run_plan()
        services.escalate_overdue_interviews(now=self.now)
        if girl is None:
            return
        coordinator = users.get("missing.coordinator")
        if coordinator is not None:
            services.keep_philomena(
                person=girl,
                by=coordinator,
                description="Slight build, about 5ft 2, shoulder-length hair dyed red, a small scar on her left "
                "eyebrow. Usually wears a black puffer jacket and white trainers.",
                photo_reference="Current photograph with the carers and on the placement file (taken September).",
                associates="A man in his twenties she calls 'Dee', who drives a grey car; two older girls from the "
                "park near the shopping centre.",
                places="A flat above the shops in Wolds Bridge (WB4 7QT); the bus station; the retail park.",
                health_needs="Asthma: carries an inhaler.",
            )
            referral = services.refer_to_nrm(
                person=girl,
                by=coordinator,
                referred_on=self.today - datetime.timedelta(days=10),
                exploitation_type=ExploitationType.CRIMINAL,
            )
            services.record_nrm_decision(
                referral=referral,
                by=coordinator,
                stage="reasonable",
                decision=GroundsDecision.POSITIVE,
                decided_on=self.today - datetime.timedelta(days=6),
            )
        manager = users.get("team.manager")
        if manager is not None:
            self.convene_for(girl, manager)
        # Missing again this morning, at high risk: the police officer can open her Philomena record.
        officer = users.get("police.officer")
        reported = min(self.now - datetime.timedelta(minutes=30), london_wall_clock(self.today, datetime.time(6, 40)))
        if officer is not None and reported > london_wall_clock(self.today, datetime.time(0, 0)):
            services.record_episode(
                episode=services.EpisodeInput(
                    police_reference=self.police_reference(),
                    child=services.ChildDetails(girl.given_names, girl.family_name, date_of_birth=girl.date_of_birth),
                    reported_at=reported,
                    reported_by=Reporter.CHILDRENS_HOME,
                    last_seen_location="Leaving the children's home at 02:00 by the back door",
                    risk_grade=RiskGrade.HIGH,
                    local_authority=council,
                    in_care=True,
                    circumstances="Her fifth episode in three months. Believed to be with an older man she calls "
                    "Dee; the Philomena record names the places she has been found.",
                    indicators=[Indicator.OLDER_ASSOCIATES, Indicator.COUNTY_LINES],
                ),
                by=officer,
            )
        # Children missing education: one also missing from home now.
        self.missing_education(council, girl, pool[:1], coordinator, rng)

    def convene_for(self, girl: Person, manager: User) -> None:
        from safehub.meetings.services.convening import convene

        day = self.today + datetime.timedelta(days=1)
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        starts = london_wall_clock(day, datetime.time(10, 0))
        for late_reason in ("", "The earliest time the police and health leads for exploitation can both attend."):
            try:
                convene(
                    kind=MeetingKind.STRATEGY_DISCUSSION,
                    by=manager,
                    chair=manager,
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(hours=1),
                    format=MeetingFormat.VIDEO,
                    subjects=[girl],
                    late_reason=late_reason,
                )
                return
            except ValidationError:
                continue

    def missing_education(
        self,
        council: Organisation,
        girl: Person | None,
        others: list[Person],
        coordinator: User | None,
        rng: random.Random,
    ) -> None:
        if coordinator is None:
            return
        for person in [p for p in (girl, *others) if p is not None]:
            enrolment = (
                Enrolment.objects.current_on(self.today)
                .filter(person=person, organisation__local_authority=council)
                .select_related("organisation")
                .first()
            )
            school = enrolment.organisation if enrolment else None
            try:
                services.record_missing_education(
                    person=person,
                    by=coordinator,
                    reason=CmeReason.ABSENCE if school else CmeReason.OFF_ROLL,
                    since=self.today - datetime.timedelta(days=21),
                    school=school,
                )
            except (ValidationError, PermissionDenied):
                continue

    def mark_history_read(self) -> None:
        Notification.objects.filter(kind__startswith="missing.", read_at__isnull=True).update(read_at=self.now)


def seed_missing_demo(
    *, rng: random.Random, today: datetime.date, now: datetime.datetime | None = None
) -> dict[str, int]:
    """A year of missing episodes in every council; returns counts for the demo's summary."""
    now = now or timezone.now()
    year = _MissingYear(rng=rng, today=today, now=now)
    if year.force is None or not year.councils:
        return {}
    year.arrange()
    girl = year.featured()
    year.plan_year()
    if girl is not None:
        year.plan_featured(girl)
    year.run_plan()
    year.mark_history_read()
    year.today_items(girl)
    # Today's digest goes at 08:00: sent already if that time has passed.
    year.counts["missing digests"] += services.send_digests(now=now)
    return year.counts
