"""Operation Encompass performance: whether schools were told in time, and whether they read it.

For the partnership, or for one school or setting, by the month each notice was due
(Europe/London):
- notices sent (one per child per incident, to the school or to the council's education team);
- delivered before the school day started (`delivered_at <= due_at`; never delivered is late);
- acknowledged by the Key Adult, and acknowledged by the acknowledge-by time (10:00 on the day
  due, by default), after which the coordinator phones the school;
- the median time from the incident to delivery;
- children with no school found (the notice went to the council), by reason.

The figures are counts with no personal data, so everyone with VIEW_PERFORMANCE sees the whole
partnership's (an analyst, a coordinator, a police supervisor). The records behind a figure
are the notices' references, recipient and times, never a child's name or the incident's
address; each links to the notice only for a viewer who may open it
(`safehub.access.policy.visible_notices`).

Every figure comes from one query over the period's notices: the database works out each
notice's month and whether it was on time, acknowledged and so on (plain comparisons, so
SQLite converts no dates), and the tallies and the median are taken here in Python, as SQLite
has no median and the numbers are small (a year of a large partnership is some tens of
thousands of notices: `benchmarks/encompass_measures.py` times 20,000 at about 0.2-0.3 s).
"""

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import (
    BooleanField,
    Case,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.urls import reverse

from safehub.access import policy
from safehub.encompass.models import NoSchoolReason, Notice, RecipientKind
from safehub.hub.measures import Count, Period, PeriodError, default_period, percent, period_from, period_or_default
from safehub.partnership.models import Organisation, User

__all__ = ["Period", "PeriodError", "default_period", "period_from", "period_or_default"]

PAGE_TITLE = "Operation Encompass performance"
NO_SUCH_FIGURE = f"There is no such figure: go back to {PAGE_TITLE} and choose one."
NO_SUCH_SCHOOL = "Choose a school or setting from the list."


class FigureError(ValueError):
    """A figure (or school) that does not exist; the message says what to do."""


def _month_text(month: datetime.date | None) -> str:
    return f"{month:%Y-%m}" if month else ""


def _query(**params: str) -> str:
    return urlencode({name: value for name, value in params.items() if value})


def duration_text(duration: datetime.timedelta | None) -> str:
    """A duration as a person reads it: "45 min", "3 h 20 min", "2 days 4 h"; blank for none."""
    if duration is None:
        return ""
    minutes = max(round(duration.total_seconds() / 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


# Which notices ---------------------------------------------------------------------------------


def schools_notified() -> QuerySet[Organisation]:
    """The schools and settings that have ever been sent a notice: the page's school filter."""
    return (
        Organisation.objects.filter(
            pk__in=Notice.objects.filter(recipient_kind=RecipientKind.SCHOOL).values("organisation_id")
        )
        .only("pk", "name")
        .order_by("name", "pk")
    )


def school_from(text: str | None) -> Organisation | None:
    """The school chosen by its id in the query string, or None for the whole partnership."""
    if not text:
        return None
    school = schools_notified().filter(pk=int(text)).first() if text.strip().isdigit() else None
    if school is None:
        raise FigureError(NO_SUCH_SCHOOL)
    return school


def measured_notices(period: Period, school: Organisation | None = None) -> QuerySet[Notice]:
    """The notices the figures count: due in the period, to the school if one is chosen."""
    notices = Notice.objects.filter(due_at__gte=period.start, due_at__lt=period.end)
    if school is not None:
        notices = notices.filter(recipient_kind=RecipientKind.SCHOOL, organisation=school)
    return notices


@dataclass(frozen=True)
class _NoticeFacts:
    """What the figures need of one notice, worked out by the database where it can be."""

    month: datetime.date
    organisation_id: int
    organisation_name: str
    recipient_kind: str
    no_school_reason: str
    delivered: bool
    on_time: bool
    acknowledged: bool
    acknowledged_in_time: bool
    escalated: bool
    to_delivery: datetime.timedelta | None


def _month_index(period: Period) -> Case:
    """Which month of the period a notice was due in (0 for the first), from London month
    boundaries: plain comparisons, so the database converts no dates."""
    months = period.months
    return Case(
        *[When(due_at__lt=Period(month, month).end, then=Value(index)) for index, month in enumerate(months)],
        default=Value(len(months) - 1),
        output_field=IntegerField(),
    )


def _is(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _facts(notices: QuerySet[Notice], period: Period) -> list[_NoticeFacts]:
    rows = (
        notices.order_by()
        .annotate(
            month_index=_month_index(period),
            is_delivered=_is(Q(delivered_at__isnull=False)),
            is_on_time=_is(Q(delivered_at__lte=F("due_at"))),
            is_acknowledged=_is(Q(acknowledged_at__isnull=False)),
            is_acknowledged_in_time=_is(Q(acknowledged_at__lte=F("acknowledge_by"))),
            is_escalated=_is(Q(escalated_at__isnull=False)),
            to_delivery=ExpressionWrapper(F("delivered_at") - F("incident__occurred_at"), output_field=DurationField()),
        )
        .values_list(
            "month_index",
            "organisation_id",
            "organisation__name",
            "recipient_kind",
            "no_school_reason",
            "is_delivered",
            "is_on_time",
            "is_acknowledged",
            "is_acknowledged_in_time",
            "is_escalated",
            "to_delivery",
        )
    )
    months = period.months
    return [
        _NoticeFacts(
            month=months[index],
            organisation_id=organisation_id,
            organisation_name=name,
            recipient_kind=kind,
            no_school_reason=reason,
            delivered=bool(delivered),
            on_time=bool(on_time),
            acknowledged=bool(acknowledged),
            acknowledged_in_time=bool(acknowledged_in_time),
            escalated=bool(escalated),
            to_delivery=to_delivery,
        )
        for (
            index,
            organisation_id,
            name,
            kind,
            reason,
            delivered,
            on_time,
            acknowledged,
            acknowledged_in_time,
            escalated,
            to_delivery,
        ) in rows
    ]


# Figures -------------------------------------------------------------------------------------


def median(durations: Iterable[datetime.timedelta]) -> datetime.timedelta | None:
    seconds = [duration.total_seconds() for duration in durations]
    return datetime.timedelta(seconds=statistics.median(seconds)) if seconds else None


@dataclass(frozen=True)
class Tally:
    """The figures for some notices: one month, one school, or the whole period."""

    sent: int = 0
    delivered: int = 0
    on_time: int = 0
    acknowledged: int = 0
    acknowledged_in_time: int = 0
    escalated: int = 0
    no_school: int = 0
    median_to_delivery: datetime.timedelta | None = None
    month: datetime.date | None = None
    # The filter behind the figure's link: the month, or the school of a by-school row.
    school_id: int | None = None

    @classmethod
    def of(
        cls, facts: Sequence[_NoticeFacts], *, month: datetime.date | None = None, school_id: int | None = None
    ) -> "Tally":
        return cls(
            sent=len(facts),
            delivered=sum(1 for f in facts if f.delivered),
            on_time=sum(1 for f in facts if f.on_time),
            acknowledged=sum(1 for f in facts if f.acknowledged),
            acknowledged_in_time=sum(1 for f in facts if f.acknowledged_in_time),
            escalated=sum(1 for f in facts if f.escalated),
            no_school=sum(1 for f in facts if f.recipient_kind == RecipientKind.LOCAL_AUTHORITY),
            median_to_delivery=median(d for f in facts if (d := f.to_delivery) is not None),
            month=month,
            school_id=school_id,
        )

    @property
    def late(self) -> int:
        """Delivered after the school day started, or not delivered at all."""
        return self.sent - self.on_time

    @property
    def not_acknowledged(self) -> int:
        return self.sent - self.acknowledged

    @property
    def percent_on_time(self) -> int | None:
        return percent(self.on_time, self.sent)

    @property
    def percent_acknowledged(self) -> int | None:
        return percent(self.acknowledged, self.sent)

    @property
    def percent_acknowledged_in_time(self) -> int | None:
        return percent(self.acknowledged_in_time, self.sent)

    @property
    def median_text(self) -> str:
        return duration_text(self.median_to_delivery)

    def link(self, figure: str, value: str = "") -> str:
        """The query string of the records behind one of this tally's figures."""
        school = str(self.school_id) if self.school_id else ""
        return _query(figure=figure, value=value, month=_month_text(self.month), school=school)

    @property
    def links(self) -> dict[str, str]:
        """For templates: each figure's records query string, by figure."""
        return {figure: self.link(figure) for figure in FIGURES}


@dataclass(frozen=True)
class SchoolTally:
    school_id: int
    name: str
    tally: Tally


@dataclass
class EncompassFigures:
    period: Period
    school: Organisation | None
    total: Tally = field(default_factory=Tally)
    by_month: list[Tally] = field(default_factory=list)
    by_school: list[SchoolTally] = field(default_factory=list)
    no_school: list[Count] = field(default_factory=list)


def encompass_figures(period: Period, *, school: Organisation | None = None) -> EncompassFigures:
    """Every figure on the performance page: the partnership's, or one school's."""
    facts = _facts(measured_notices(period, school), period)
    school_id = school.pk if school is not None else None
    figures = EncompassFigures(period=period, school=school, total=Tally.of(facts, school_id=school_id))
    by_month: dict[datetime.date, list[_NoticeFacts]] = defaultdict(list)
    by_school: dict[int, list[_NoticeFacts]] = defaultdict(list)
    names: dict[int, str] = {}
    for fact in facts:
        by_month[fact.month].append(fact)
        if fact.recipient_kind == RecipientKind.SCHOOL:
            by_school[fact.organisation_id].append(fact)
            names[fact.organisation_id] = fact.organisation_name
    figures.by_month = [Tally.of(by_month[m], month=m, school_id=school_id) for m in period.months]
    figures.by_school = sorted(
        (SchoolTally(pk, names[pk], Tally.of(rows, school_id=pk)) for pk, rows in by_school.items()),
        key=lambda row: (row.name, row.school_id),
    )
    reasons: dict[str, int] = defaultdict(int)
    for fact in facts:
        if fact.recipient_kind == RecipientKind.LOCAL_AUTHORITY:
            reasons[fact.no_school_reason] += 1
    figures.no_school = [
        Count(label, reasons[reason], percent(reasons[reason], figures.total.no_school), "no_school", reason)
        for reason, label in NoSchoolReason.choices
    ]
    return figures


# The notices behind a figure -------------------------------------------------------------------

FIGURES = {
    "sent": "Notices sent",
    "on_time": "Notices delivered before the school day started",
    "late": "Notices delivered after the school day started, or not delivered",
    "delivered": "Notices delivered (the median time from incident to delivery is theirs)",
    "acknowledged": "Notices acknowledged",
    "acknowledged_in_time": "Notices acknowledged by the acknowledge-by time",
    "not_acknowledged": "Notices not acknowledged",
    "escalated": "Notices the coordinator was alerted to, not acknowledged in time",
    "no_school": "Children with no school found",
}
# What a records page reads of a notice: never the child, the adults or the place.
RECORD_FIELDS = (
    "pk",
    "reference",
    "recipient_kind",
    "no_school_reason",
    "due_at",
    "delivered_at",
    "acknowledge_by",
    "acknowledged_at",
    "escalated_at",
    "organisation__name",
    "incident__occurred_at",
)


def figure_title(figure: str, value: str = "") -> str:
    if figure not in FIGURES:
        raise FigureError(NO_SUCH_FIGURE)
    if value and (figure != "no_school" or value not in NoSchoolReason.values):
        raise FigureError(NO_SUCH_FIGURE)
    if value:
        return f"{FIGURES[figure]}: {NoSchoolReason(value).label[0].lower()}{NoSchoolReason(value).label[1:]}"
    return FIGURES[figure]


def notices_behind(
    period: Period, figure: str, value: str = "", *, school: Organisation | None = None
) -> QuerySet[Notice]:
    """The notices one figure counts, soonest due first."""
    figure_title(figure, value)
    notices = measured_notices(period, school)
    match figure:
        case "on_time":
            notices = notices.filter(delivered_at__lte=F("due_at"))
        case "late":
            notices = notices.filter(Q(delivered_at__isnull=True) | Q(delivered_at__gt=F("due_at")))
        case "delivered":
            notices = notices.filter(delivered_at__isnull=False)
        case "acknowledged":
            notices = notices.filter(acknowledged_at__isnull=False)
        case "acknowledged_in_time":
            notices = notices.filter(acknowledged_at__lte=F("acknowledge_by"))
        case "not_acknowledged":
            notices = notices.filter(acknowledged_at__isnull=True)
        case "escalated":
            notices = notices.filter(escalated_at__isnull=False)
        case "no_school":
            notices = notices.filter(recipient_kind=RecipientKind.LOCAL_AUTHORITY)
            if value:
                notices = notices.filter(no_school_reason=value)
    return notices.order_by("due_at", "pk")


@dataclass(frozen=True)
class NoticeRecord:
    """One notice behind a figure: its reference, recipient and times, never the child."""

    id: int
    reference: str
    recipient: str
    no_school_reason: str
    occurred_at: datetime.datetime
    due_at: datetime.datetime
    delivered_at: datetime.datetime | None
    acknowledge_by: datetime.datetime
    acknowledged_at: datetime.datetime | None
    escalated_at: datetime.datetime | None
    url: str  # empty when the viewer may not open the notice

    @property
    def on_time(self) -> bool:
        return self.delivered_at is not None and self.delivered_at <= self.due_at

    @property
    def to_delivery(self) -> str:
        return duration_text(self.delivered_at - self.occurred_at) if self.delivered_at else ""


def describe(user: User, notices: Sequence[Notice]) -> list[NoticeRecord]:
    """The rows of a records page (one page of `notices_behind`), in two queries."""
    ids = [notice.pk for notice in notices]
    rows = Notice.objects.filter(pk__in=ids).order_by("due_at", "pk").values_list(*RECORD_FIELDS)
    openable = set(policy.visible_notices(user).filter(pk__in=ids).values_list("pk", flat=True))
    reasons = dict(NoSchoolReason.choices)
    return [
        NoticeRecord(
            id=pk,
            reference=reference,
            recipient=name if kind == RecipientKind.SCHOOL else f"{name} (education team)",
            no_school_reason=reasons.get(reason, ""),
            occurred_at=occurred_at,
            due_at=due_at,
            delivered_at=delivered_at,
            acknowledge_by=acknowledge_by,
            acknowledged_at=acknowledged_at,
            escalated_at=escalated_at,
            url=reverse("encompass:notice", args=[pk]) if pk in openable else "",
        )
        for (
            pk,
            reference,
            kind,
            reason,
            due_at,
            delivered_at,
            acknowledge_by,
            acknowledged_at,
            escalated_at,
            name,
            occurred_at,
        ) in rows
    ]
