"""The disclosure unit's figures: checks returned within the 14-day standard and the 60-day limit
by month, the average and median days to return (the report's "8 days"), the backlog (open
checks past their standard), its age, and a forecast of the open queue in four weeks.

A check belongs to the month it was returned (Europe/London); "within the standard" means
returned on or before the due date fixed at receipt (so a change to the standard applies to
checks received after it). The backlog on a day is every check received by then, not yet
returned, whose standard date has passed. Each figure is defined once here as a queryset of
one force's checks, and its records page lists exactly that queryset, so a figure always equals
the number of records it links to.
"""

import datetime
import statistics
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet

from safehub.dbs.models import OPEN_STATES, LocalCheck
from safehub.hub.measures import Period, PeriodError, default_period, period_from, period_or_default
from safehub.timescales.calendar import calendar_days_before

__all__ = ["Period", "PeriodError", "default_period", "period_from", "period_or_default"]

FIGURES = {
    "returned": "Checks returned to DBS",
    "within_standard": "Returned within the standard (14 days)",
    "within_limit": "Returned within the limit (60 days)",
    "past_limit": "Returned after the limit (must be 0)",
    "received": "Checks received from DBS",
    "fast_tracked": "Returned fast-tracked (nothing found)",
    "disclosed": "Returned with a disclosure",
}
# How the backlog is aged: (label, first day of age, last day of age or None).
AGE_BUCKETS = (
    ("0 to 14 days", 0, 14),
    ("15 to 30 days", 15, 30),
    ("31 to 60 days", 31, 60),
    ("Over 60 days", 61, None),
)
FORECAST_WEEKS = 4
TREND_WEEKS = 8


def returned(force_id: int, period: Period) -> QuerySet[LocalCheck]:
    return LocalCheck.objects.filter(
        force_id=force_id, returned_on__gte=period.first, returned_on__lt=period.end.date()
    )


def behind(figure: str, force_id: int, period: Period) -> QuerySet[LocalCheck]:
    """The checks behind a figure."""
    if figure not in FIGURES:
        raise PeriodError("Choose a figure shown on the page.")
    if figure == "received":
        rows = LocalCheck.objects.filter(
            force_id=force_id, received_on__gte=period.first, received_on__lt=period.end.date()
        )
        return rows.order_by("received_on", "pk")
    rows = returned(force_id, period)
    if figure == "within_standard":
        rows = rows.filter(returned_on__lte=F("standard_due_on"))
    elif figure == "within_limit":
        rows = rows.filter(returned_on__lte=F("limit_due_on"))
    elif figure == "past_limit":
        rows = rows.filter(returned_on__gt=F("limit_due_on"))
    elif figure == "fast_tracked":
        rows = rows.filter(fast_tracked=True)
    elif figure == "disclosed":
        rows = rows.filter(decision="disclose")
    return rows.order_by("returned_on", "pk")


def open_on(force_id: int, day: datetime.date) -> QuerySet[LocalCheck]:
    """Checks received by the end of `day` and not returned by then."""
    return LocalCheck.objects.filter(force_id=force_id, received_on__lte=day).filter(
        Q(returned_on__isnull=True) | Q(returned_on__gt=day)
    )


def backlog_on(force_id: int, day: datetime.date) -> QuerySet[LocalCheck]:
    """The backlog on `day`: open checks past their standard."""
    return open_on(force_id, day).filter(standard_due_on__lt=day)


def aged(force_id: int, today: datetime.date, bucket: str) -> QuerySet[LocalCheck]:
    """Open checks now, by days since receipt."""
    for label, first, last in AGE_BUCKETS:
        if label == bucket:
            rows = LocalCheck.objects.filter(force_id=force_id, state__in=OPEN_STATES)
            rows = rows.filter(received_on__lte=calendar_days_before(today, first))
            if last is not None:
                rows = rows.filter(received_on__gte=calendar_days_before(today, last))
            return rows.order_by("received_on", "pk")
    raise PeriodError("Choose an age shown on the page.")


@dataclass(frozen=True)
class Month:
    month: datetime.date
    counts: dict[str, int]
    average_days: float | None
    median_days: float | None

    def rate(self, figure: str) -> int | None:
        total = self.counts.get("returned", 0)
        return round(100 * self.counts.get(figure, 0) / total) if total else None

    @property
    def standard_rate(self) -> int | None:
        return self.rate("within_standard")

    @property
    def limit_rate(self) -> int | None:
        return self.rate("within_limit")


@dataclass(frozen=True)
class Forecast:
    open_now: int
    intake_per_week: float
    returned_per_week: float
    weeks: int

    @property
    def open_then(self) -> int:
        return max(0, round(self.open_now + self.weeks * (self.intake_per_week - self.returned_per_week)))

    @property
    def explanation(self) -> str:
        change = self.intake_per_week - self.returned_per_week
        trend = "grows" if change > 0 else "falls" if change < 0 else "stays the same"
        return (
            f"Over the last {TREND_WEEKS} weeks DBS sent {self.intake_per_week:.1f} checks a week and the unit "
            f"returned {self.returned_per_week:.1f}. If both stay as they are, the open queue {trend} by "
            f"{abs(change):.1f} a week: from {self.open_now} today to about {self.open_then} in {self.weeks} weeks."
        )


def forecast(force_id: int, today: datetime.date, *, weeks: int = FORECAST_WEEKS) -> Forecast:
    """The open queue in `weeks` weeks at the last eight weeks' intake and throughput: simple
    arithmetic, not a model, so anyone can check it."""
    since = calendar_days_before(today, 7 * TREND_WEEKS)
    checks = LocalCheck.objects.filter(force_id=force_id)
    intake = checks.filter(received_on__gt=since, received_on__lte=today).count()
    done = checks.filter(returned_on__gt=since, returned_on__lte=today).count()
    return Forecast(
        open_now=checks.filter(state__in=OPEN_STATES).count(),
        intake_per_week=intake / TREND_WEEKS,
        returned_per_week=done / TREND_WEEKS,
        weeks=weeks,
    )


@dataclass(frozen=True)
class DbsFigures:
    period: Period
    counts: dict[str, int]
    months: list[Month]
    average_days: float | None
    median_days: float | None
    backlog_by_month: list[tuple[datetime.date, int]]
    ages: list[tuple[str, int]]
    forecast: Forecast

    @property
    def standard_rate(self) -> int | None:
        total = self.counts.get("returned", 0)
        return round(100 * self.counts["within_standard"] / total) if total else None

    @property
    def limit_rate(self) -> int | None:
        total = self.counts.get("returned", 0)
        return round(100 * self.counts["within_limit"] / total) if total else None


def _days(rows: QuerySet[LocalCheck]) -> list[int]:
    return sorted(d for d in rows.values_list("days_to_return", flat=True) if d is not None)


def _average(days: list[int]) -> float | None:
    return round(sum(days) / len(days), 1) if days else None


def _median(days: list[int]) -> float | None:
    return float(statistics.median(days)) if days else None


def dbs_figures(force_id: int, period: Period, *, today: datetime.date) -> DbsFigures:
    counts = {figure: behind(figure, force_id, period).count() for figure in FIGURES}
    months = []
    for first in period.months:
        month = Period(first, first)
        month_counts = {figure: behind(figure, force_id, month).count() for figure in FIGURES}
        days = _days(returned(force_id, month))
        months.append(Month(first, month_counts, _average(days), _median(days)))
    days = _days(returned(force_id, period))
    backlog = []
    for first in period.months:
        # The backlog at the end of each month (or today, for this month).
        last_day = min(calendar_days_before(Period(first, first).end.date(), 1), today)
        backlog.append((first, backlog_on(force_id, last_day).count()))
    ages = [(label, aged(force_id, today, label).count()) for label, _, _ in AGE_BUCKETS]
    return DbsFigures(
        period=period,
        counts=counts,
        months=months,
        average_days=_average(days),
        median_days=_median(days),
        backlog_by_month=backlog,
        ages=ages,
        forecast=forecast(force_id, today),
    )


def records(figure: str, force_id: int, period: Period, *, today: datetime.date, age: str = "") -> QuerySet[Any]:
    """The checks a figure or an age bucket links to."""
    if age:
        return aged(force_id, today, age)
    if figure == "backlog":
        # Today's, or at the end of the one month asked for (as the by-month table shows it).
        day = today if period.first != period.last else min(calendar_days_before(period.end.date(), 1), today)
        return backlog_on(force_id, day).order_by("standard_due_on", "pk")
    return behind(figure, force_id, period)
