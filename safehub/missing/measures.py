"""The partnership's evidence that every missing child reaches social care the same day and every
return is followed up: episodes by council and risk, the time from the report to the council
being told (by the daily digest or, when high risk, at once), return home interviews offered
and completed within 72 hours, declined, repeat-missing children, children with an
exploitation flag, and NRM referrals with their decisions.

An episode belongs to the month it was reported, an interview to the month it fell due, a
flag to the month it was raised, a referral to the month it was made (Europe/London). Each
figure is defined once here as a queryset, and its records page lists exactly that queryset,
so a figure always equals the number of records it links to. Records are references and dates:
no child's name.
"""

import datetime
import statistics
from dataclasses import dataclass
from typing import Any

from django.db.models import DurationField, ExpressionWrapper, F, Q, QuerySet

from safehub.access import policy
from safehub.hub.measures import Period, PeriodError, default_period, period_from, period_or_default
from safehub.missing.models import (
    Episode,
    ExploitationFlag,
    GroundsDecision,
    InterviewState,
    NrmReferral,
    ReturnInterview,
    RiskGrade,
)
from safehub.partnership.models import Organisation, OrganisationKind, User
from safehub.people.models import Person
from safehub.timescales.rules import timescale_value

__all__ = ["Period", "PeriodError", "default_period", "period_from", "period_or_default"]

FIGURES = {
    "episodes": "Missing episodes reported",
    "told_within_a_day": "Councils told within a day of the report",
    "told_late": "Councils told more than a day after the report, or not yet (must be 0)",
    "interviews_due": "Return home interviews due",
    "offered_in_time": "Offered within 72 hours",
    "completed_in_time": "Completed within 72 hours",
    "declined": "Declined by the child",
    "repeat_children": "Children missing repeatedly (an episode that made 3 in 90 days)",
    "flagged_children": "Children given an exploitation flag",
    "nrm_referrals": "NRM referrals made",
    "nrm_reasonable_positive": "NRM: positive reasonable grounds decisions",
    "nrm_conclusive_positive": "NRM: positive conclusive grounds decisions",
}
PERSON_FIGURES = frozenset({"repeat_children", "flagged_children"})


def _council(council: Organisation | None) -> Q:
    if council is None:
        return Q()
    return Q(local_authority=council) | Q(placing_authority=council)


def episodes(period: Period, *, council: Organisation | None = None, risk: str = "") -> QuerySet[Episode]:
    rows = Episode.objects.filter(reported_at__gte=period.start, reported_at__lt=period.end).filter(_council(council))
    return rows.filter(risk_grade=risk) if risk else rows


def _with_delay(rows: QuerySet[Episode]) -> QuerySet[Episode]:
    return rows.annotate(
        told_after=ExpressionWrapper(F("council_told_at") - F("reported_at"), output_field=DurationField())
    )


def _told_within() -> Q:
    limit = datetime.timedelta(hours=timescale_value("missing_council_told"))
    return Q(council_told_at__isnull=False, told_after__lte=limit)


def interviews(period: Period, *, council: Organisation | None = None) -> QuerySet[ReturnInterview]:
    rows = ReturnInterview.objects.filter(due_at__gte=period.start, due_at__lt=period.end)
    return rows.filter(local_authority=council) if council is not None else rows


def _nrm(period: Period, council: Organisation | None) -> QuerySet[NrmReferral]:
    rows = NrmReferral.objects.filter(referred_on__gte=period.first, referred_on__lt=period.end.date())
    if council is not None:
        councils_children = Episode.objects.filter(_council(council)).values("person_id")
        rows = rows.filter(Q(organisation=council) | Q(person__in=councils_children))
    return rows


def behind(figure: str, period: Period, *, council: Organisation | None = None, risk: str = "") -> QuerySet[Any]:
    """The records behind a figure: episodes, interviews, children or referrals."""
    if figure not in FIGURES:
        raise PeriodError("Choose a figure shown on the page.")
    if risk and risk not in RiskGrade.values:
        raise PeriodError("Choose a risk grade shown on the page.")
    if figure in ("episodes", "told_within_a_day", "told_late"):
        rows = episodes(period, council=council, risk=risk)
        if figure == "episodes":
            return rows.order_by("reported_at", "pk")
        rows = _with_delay(rows)
        rows = rows.filter(_told_within()) if figure == "told_within_a_day" else rows.exclude(_told_within())
        return rows.order_by("reported_at", "pk")
    if figure in ("interviews_due", "offered_in_time", "completed_in_time", "declined"):
        rows_i = interviews(period, council=council)
        if figure == "offered_in_time":
            rows_i = rows_i.filter(offered_at__isnull=False, offered_at__lte=F("due_at"))
        elif figure == "completed_in_time":
            rows_i = rows_i.filter(state=InterviewState.COMPLETED, finished_at__lte=F("due_at"))
        elif figure == "declined":
            rows_i = rows_i.filter(state=InterviewState.DECLINED)
        return rows_i.select_related("episode").order_by("due_at", "pk")
    if figure == "repeat_children":
        repeat = episodes(period, council=council).filter(repeat=True).values("person_id")
        return Person.objects.filter(pk__in=repeat).order_by("pk")
    if figure == "flagged_children":
        flags = ExploitationFlag.objects.filter(raised_at__gte=period.start, raised_at__lt=period.end)
        if council is not None:
            flags = flags.filter(local_authority=council)
        return Person.objects.filter(pk__in=flags.values("person_id")).order_by("pk")
    rows_n = _nrm(period, council)
    if figure == "nrm_reasonable_positive":
        rows_n = rows_n.filter(reasonable_grounds=GroundsDecision.POSITIVE)
    elif figure == "nrm_conclusive_positive":
        rows_n = rows_n.filter(conclusive_grounds=GroundsDecision.POSITIVE)
    return rows_n.order_by("referred_on", "pk")


@dataclass(frozen=True)
class CouncilLine:
    council: Organisation
    counts: dict[str, int]
    total: int


@dataclass(frozen=True)
class MissingFigures:
    period: Period
    counts: dict[str, int]
    by_council: list[CouncilLine]
    hours_to_told: list[float]

    @property
    def median_hours(self) -> float | None:
        return round(statistics.median(self.hours_to_told), 1) if self.hours_to_told else None

    def rate(self, figure: str, of: str) -> int | None:
        total = self.counts.get(of, 0)
        return round(100 * self.counts.get(figure, 0) / total) if total else None

    @property
    def offered_rate(self) -> int | None:
        return self.rate("offered_in_time", "interviews_due")

    @property
    def completed_rate(self) -> int | None:
        return self.rate("completed_in_time", "interviews_due")

    @property
    def told_rate(self) -> int | None:
        return self.rate("told_within_a_day", "episodes")


def missing_figures(period: Period, *, council: Organisation | None = None) -> MissingFigures:
    counts = {figure: behind(figure, period, council=council).count() for figure in FIGURES}
    lines = []
    councils = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).order_by("name")
    if council is not None:
        councils = councils.filter(pk=council.pk)
    for la in councils:
        by_risk = dict.fromkeys(RiskGrade.values, 0)
        for grade in episodes(period, council=la).values_list("risk_grade", flat=True):
            by_risk[grade] += 1
        lines.append(CouncilLine(la, by_risk, sum(by_risk.values())))
    pairs = episodes(period, council=council).filter(council_told_at__isnull=False)
    hours = [
        (told - reported).total_seconds() / 3600
        for reported, told in pairs.values_list("reported_at", "council_told_at")
        if told is not None
    ]
    return MissingFigures(period=period, counts=counts, by_council=lines, hours_to_told=sorted(hours))


@dataclass(frozen=True)
class RecordRow:
    reference: str
    url: str
    detail: str
    at: Any
    due: Any = None


def describe(user: User, items: list[Any]) -> list[RecordRow]:
    """One page of records as rows, each linked only for a viewer who may open it."""
    rows: list[RecordRow] = []
    episode_ids = [
        i.pk if isinstance(i, Episode) else i.episode_id for i in items if isinstance(i, Episode | ReturnInterview)
    ]
    visible = set(policy.visible_episodes(user).filter(pk__in=episode_ids).values_list("pk", flat=True))
    for item in items:
        if isinstance(item, Episode):
            url = item.get_absolute_url() if item.pk in visible else ""
            told = f"told {item.council_told_at:%d %b %H:%M}" if item.council_told_at else "not yet told"
            rows.append(
                RecordRow(item.reference, url, f"{item.get_risk_grade_display()} risk; {told}", item.reported_at)
            )
        elif isinstance(item, ReturnInterview):
            url = item.episode.get_absolute_url() if item.episode_id in visible else ""
            rows.append(RecordRow(item.episode.reference, url, item.get_state_display(), item.offered_at, item.due_at))
        elif isinstance(item, Person):
            rows.append(RecordRow(item.reference, "", "", None))
        else:
            rows.append(RecordRow(f"NRM {item.pk}", "", item.get_exploitation_type_display(), item.referred_on))
    return rows
