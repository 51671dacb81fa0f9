"""The partnership's evidence that the agencies come to the meetings that protect children:
attendance by agency, meetings held on time, and decisions recorded without quorum, by month
(DOMAIN.md, "Strategy discussions": "attendance by agency must be ... visible to the
partnership").

Every figure counts held meetings whose start falls in the month (Europe/London), across the
whole partnership: they are counts without personal data, for anyone with VIEW_PERFORMANCE.
An agency attended a meeting when one of its invitations has a present attendance (in
person, by video, by phone, or a deputy); it attended remotely when someone joined for it by
video or phone. The denominator is always the meetings held, because a required agency must
be at every one: "invited but absent" and "never invited" both count as not attended.

The records behind a figure are the meetings' references, kind, dates and each agency's
attendance, never who the meeting was about; each links to the meeting only for a viewer who
may open it (`safehub.access.policy.visible_meetings`).

The figures come from two grouped queries (by month, kind and agency), whatever the number
of meetings; `benchmarks/meeting_measures.py` times them.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, DateField, F, Q, QuerySet
from django.db.models.functions import TruncMonth

from safehub.access import policy
from safehub.hub.measures import Period, PeriodError, default_period, percent, period_from, period_or_default
from safehub.meetings.models import (
    PRESENT_STATUSES,
    REMOTE_STATUSES,
    Agency,
    Attendance,
    AttendanceStatus,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingState,
    ResponseState,
)
from safehub.partnership.models import User
from safehub.timescales.calendar import LONDON

# The period and its parsing are the hub's: one rule for every performance page.
__all__ = ["Period", "PeriodError", "default_period", "period_from", "period_or_default"]

# The meetings measured, in the order the page shows them (core groups are not measured).
GROUPS: dict[str, str] = {
    MeetingKind.STRATEGY_DISCUSSION: "Strategy discussions",
    MeetingKind.INITIAL_CONFERENCE: "Initial child protection conferences",
    MeetingKind.PRE_BIRTH_CONFERENCE: "Pre-birth child protection conferences",
    MeetingKind.REVIEW_CONFERENCE: "Review child protection conferences",
}
# Shown for every group, even with nothing attended; other agencies only once they attended.
ALWAYS_SHOWN = (Agency.SOCIAL_CARE, Agency.POLICE, Agency.HEALTH, Agency.EDUCATION)
# The order an agency's attendance at one meeting is told in, when several of its people were invited.
STATUS_RANK = [
    AttendanceStatus.IN_PERSON,
    AttendanceStatus.VIDEO,
    AttendanceStatus.PHONE,
    AttendanceStatus.DEPUTY,
    AttendanceStatus.APOLOGIES,
    AttendanceStatus.DID_NOT_ATTEND,
]
NOT_INVITED = "Not invited"
NOT_RECORDED = "Not recorded"


def _query(**params: str) -> str:
    return urlencode({name: value for name, value in params.items() if value})


def _month_text(month: datetime.date | None) -> str:
    return f"{month:%Y-%m}" if month else ""


# Figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceCell:
    """One agency at one group's meetings in one month (or, with no month, the whole period)."""

    group: str
    agency: str
    month: datetime.date | None
    held: int
    attended: int
    remote: int

    @property
    def share(self) -> int | None:
        return percent(self.attended, self.held)

    @property
    def missed(self) -> int:
        return self.held - self.attended

    @property
    def short(self) -> bool:
        """Some meeting went ahead without the agency: what the page must make plain."""
        return self.attended < self.held

    def _link(self, figure: str) -> str:
        return _query(figure=figure, group=self.group, agency=self.agency, month=_month_text(self.month))

    @property
    def attended_query(self) -> str:
        return self._link("attended")

    @property
    def missed_query(self) -> str:
        return self._link("missed")

    @property
    def remote_query(self) -> str:
        return self._link("remote")


@dataclass(frozen=True)
class AgencyAttendance:
    agency: str
    label: str
    months: list[AttendanceCell]
    total: AttendanceCell


@dataclass(frozen=True)
class MonthRow:
    """One month of a group's table: the meetings held, and each agency's cell."""

    group: str
    month: datetime.date | None
    held: int
    cells: list[AttendanceCell]

    @property
    def held_query(self) -> str:
        return _query(figure="held", group=self.group, month=_month_text(self.month))


@dataclass(frozen=True)
class GroupAttendance:
    group: str
    label: str
    agencies: list[AgencyAttendance]
    held_by_month: list[int]

    @property
    def held(self) -> int:
        return sum(self.held_by_month)

    @property
    def rows(self) -> list[MonthRow]:
        months = self.agencies[0].months if self.agencies else []
        return [
            MonthRow(self.group, cell.month, held, [agency.months[index] for agency in self.agencies])
            for index, (cell, held) in enumerate(zip(months, self.held_by_month, strict=True))
        ]

    @property
    def total_row(self) -> MonthRow:
        return MonthRow(self.group, None, self.held, [agency.total for agency in self.agencies])

    def of(self, agency: str) -> AgencyAttendance | None:
        return next((row for row in self.agencies if row.agency == agency), None)


@dataclass(frozen=True)
class HeldCell:
    """One group's meetings held in one month (or the period): on time, quorum."""

    group: str
    month: datetime.date | None
    held: int = 0
    on_time: int = 0
    not_quorate: int = 0
    without_quorum: int = 0

    @property
    def late(self) -> int:
        return self.held - self.on_time

    @property
    def on_time_share(self) -> int | None:
        return percent(self.on_time, self.held)

    def _link(self, figure: str) -> str:
        return _query(figure=figure, group=self.group, month=_month_text(self.month))

    @property
    def on_time_query(self) -> str:
        return self._link("on_time")

    @property
    def late_query(self) -> str:
        return self._link("late")

    @property
    def not_quorate_query(self) -> str:
        return self._link("not_quorate")

    @property
    def without_quorum_query(self) -> str:
        return self._link("without_quorum")


@dataclass(frozen=True)
class GroupHeld:
    group: str
    label: str
    months: list[HeldCell]
    total: HeldCell


@dataclass
class MeetingFigures:
    period: Period
    attendance: list[GroupAttendance] = field(default_factory=list)
    held: list[GroupHeld] = field(default_factory=list)

    @property
    def summary(self) -> list[tuple[str, list[AttendanceCell]]]:
        """The agencies every meeting needs, with their attendance at each group over the period."""
        return [
            (Agency(agency).label, [row.total for group in self.attendance if (row := group.of(agency))])
            for agency in ALWAYS_SHOWN
        ]

    @property
    def held_rows(self) -> list[tuple[datetime.date | None, list[HeldCell]]]:
        """Month by month (then the period), each group's meetings held: on time and quorum."""
        rows: list[tuple[datetime.date | None, list[HeldCell]]] = [
            (month, [group.months[index] for group in self.held]) for index, month in enumerate(self.period.months)
        ]
        return [*rows, (None, [group.total for group in self.held])]

    def group(self, kind: str) -> GroupAttendance:
        return next(group for group in self.attendance if group.group == kind)

    def held_in(self, kind: str) -> GroupHeld:
        return next(group for group in self.held if group.group == kind)


def held_meetings(period: Period) -> QuerySet[Meeting]:
    """The meetings the figures count: held, of a measured kind, starting in the period."""
    return Meeting.objects.filter(
        state=MeetingState.HELD, kind__in=list(GROUPS), starts_at__gte=period.start, starts_at__lt=period.end
    )


def _month_of(path: str) -> TruncMonth:
    return TruncMonth(path, tzinfo=LONDON, output_field=DateField())


def _as_month(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.astimezone(LONDON).date()
    return value.replace(day=1)


def _held_by_month(period: Period) -> dict[tuple[str, datetime.date], dict[str, int]]:
    rows = (
        held_meetings(period)
        .annotate(month=_month_of("starts_at"))
        .values("kind", "month")
        .annotate(
            held=Count("pk"),
            on_time=Count("pk", filter=Q(starts_at__lte=F("due_at"))),
            not_quorate=Count("pk", filter=Q(quorate=False)),
            without_quorum=Count("pk", filter=~Q(quorum_override_reason="")),
        )
        .order_by()
    )
    return {
        (row["kind"], _as_month(row["month"])): {
            "held": row["held"],
            "on_time": row["on_time"],
            "not_quorate": row["not_quorate"],
            "without_quorum": row["without_quorum"],
        }
        for row in rows
    }


def _attended_by_month(period: Period) -> dict[tuple[str, str, datetime.date], tuple[int, int]]:
    """(kind, agency, month) -> (meetings attended, of which remotely)."""
    rows = (
        Attendance.objects.filter(
            status__in=list(PRESENT_STATUSES),
            invitation__meeting__state=MeetingState.HELD,
            invitation__meeting__kind__in=list(GROUPS),
            invitation__meeting__starts_at__gte=period.start,
            invitation__meeting__starts_at__lt=period.end,
        )
        .annotate(month=_month_of("invitation__meeting__starts_at"))
        .values("invitation__meeting__kind", "invitation__agency", "month")
        .annotate(
            attended=Count("invitation__meeting", distinct=True),
            joined_remotely=Count("invitation__meeting", distinct=True, filter=Q(status__in=list(REMOTE_STATUSES))),
        )
        .order_by()
    )
    return {
        (row["invitation__meeting__kind"], row["invitation__agency"], _as_month(row["month"])): (
            row["attended"],
            row["joined_remotely"],
        )
        for row in rows
    }


def meeting_figures(period: Period) -> MeetingFigures:
    """Every figure on the attendance page, for the whole partnership."""
    held = _held_by_month(period)
    attended = _attended_by_month(period)
    figures = MeetingFigures(period=period)
    for kind, label in GROUPS.items():
        held_by_month = [held.get((kind, month), {}).get("held", 0) for month in period.months]
        seen = {agency for (group, agency, _month) in attended if group == kind}
        agencies = []
        for agency, agency_label in Agency.choices:
            if agency not in ALWAYS_SHOWN and agency not in seen:
                continue
            cells = [
                AttendanceCell(kind, agency, month, count, *attended.get((kind, agency, month), (0, 0)))
                for month, count in zip(period.months, held_by_month, strict=True)
            ]
            total = AttendanceCell(
                kind,
                agency,
                None,
                sum(held_by_month),
                sum(cell.attended for cell in cells),
                sum(cell.remote for cell in cells),
            )
            agencies.append(AgencyAttendance(agency, agency_label, cells, total))
        figures.attendance.append(GroupAttendance(kind, label, agencies, held_by_month))
        months = [HeldCell(kind, month, **held.get((kind, month), {})) for month in period.months]
        total_held = HeldCell(
            kind,
            None,
            held=sum(cell.held for cell in months),
            on_time=sum(cell.on_time for cell in months),
            not_quorate=sum(cell.not_quorate for cell in months),
            without_quorum=sum(cell.without_quorum for cell in months),
        )
        figures.held.append(GroupHeld(kind, label, months, total_held))
    return figures


# The meetings behind a figure ------------------------------------------------------------------

FIGURES = {
    "held": "{group} held",
    "attended": "{group} attended by {agency}",
    "missed": "{group} held without {agency}",
    "remote": "{group} attended by {agency} remotely (by video or phone)",
    "on_time": "{group} held by their due date",
    "late": "{group} held after their due date",
    "not_quorate": "{group} not quorate (social care, police and health not all represented by a decision-maker)",
    "without_quorum": "{group} decided without quorum, on a team manager's override",
}
AGENCY_FIGURES = frozenset({"attended", "missed", "remote"})
# What a records page reads of a meeting: never its subjects, minutes or what was shared.
RECORD_FIELDS = ("pk", "reference", "kind", "starts_at", "due_at", "quorate", "quorum_override_reason")


class FigureError(ValueError):
    """A figure that does not exist; the message says what to do."""


NO_SUCH_FIGURE = "There is no such figure: go back to Meeting attendance and choose one."


def figure_title(figure: str, group: str, agency: str = "") -> str:
    if figure not in FIGURES or group not in GROUPS:
        raise FigureError(NO_SUCH_FIGURE)
    if figure in AGENCY_FIGURES and agency not in Agency.values:
        raise FigureError(NO_SUCH_FIGURE)
    agency_label = Agency(agency).label.lower() if figure in AGENCY_FIGURES else ""
    return FIGURES[figure].format(group=GROUPS[group], agency=agency_label)


def _meetings_where(agency: str, statuses: frozenset[AttendanceStatus]) -> QuerySet[Attendance, int]:
    return Attendance.objects.filter(invitation__agency=agency, status__in=list(statuses)).values_list(
        "invitation__meeting_id", flat=True
    )


def meetings_behind(period: Period, figure: str, group: str, agency: str = "") -> QuerySet[Meeting]:
    """The held meetings one figure counts, in the order they were held."""
    figure_title(figure, group, agency)
    meetings = held_meetings(period).filter(kind=group)
    match figure:
        case "attended":
            meetings = meetings.filter(pk__in=_meetings_where(agency, PRESENT_STATUSES))
        case "missed":
            meetings = meetings.exclude(pk__in=_meetings_where(agency, PRESENT_STATUSES))
        case "remote":
            meetings = meetings.filter(pk__in=_meetings_where(agency, REMOTE_STATUSES))
        case "on_time":
            meetings = meetings.filter(starts_at__lte=F("due_at"))
        case "late":
            meetings = meetings.filter(starts_at__gt=F("due_at"))
        case "not_quorate":
            meetings = meetings.filter(quorate=False)
        case "without_quorum":
            meetings = meetings.exclude(quorum_override_reason="")
    return meetings.only(*RECORD_FIELDS).order_by("starts_at", "pk")


@dataclass(frozen=True)
class AgencyPresence:
    agency: str
    label: str
    how: str
    present: bool
    remote: bool


@dataclass(frozen=True)
class MeetingRecord:
    """One meeting behind a figure: reference, kind, dates and the agencies' attendance; never
    who it was about."""

    id: int
    reference: str
    kind: str
    kind_label: str
    starts_at: datetime.datetime
    due_at: datetime.datetime
    quorate: bool | None
    without_quorum: bool
    agencies: list[AgencyPresence]
    others: list[AgencyPresence]
    url: str  # empty when the viewer may not open the meeting

    @property
    def on_time(self) -> bool:
        return self.starts_at <= self.due_at


def _presence(agency: str, statuses: list[str] | None) -> AgencyPresence:
    """How the agency attended: every way someone came for it, or why no one did."""
    label = Agency(agency).label
    if statuses is None:
        return AgencyPresence(agency, label, NOT_INVITED, False, False)
    recorded = [status for status in STATUS_RANK if status in statuses]
    if not recorded:
        return AgencyPresence(agency, label, NOT_RECORDED, False, False)
    present = [status for status in recorded if status in PRESENT_STATUSES]
    if not present:
        return AgencyPresence(agency, label, recorded[0].label, False, False)
    how = "; ".join(status.label for status in present)
    return AgencyPresence(agency, label, how, True, any(status in REMOTE_STATUSES for status in present))


def describe(user: User, meetings: Sequence[Meeting]) -> list[MeetingRecord]:
    """The rows of a records page, with one query for every meeting's attendance."""
    ids = [meeting.pk for meeting in meetings]
    statuses: dict[int, dict[str, list[str]]] = defaultdict(dict)
    invitations = (
        Invitation.objects.filter(meeting_id__in=ids)
        .exclude(response=ResponseState.WITHDRAWN)
        .values_list("meeting_id", "agency", "attendance__status")
    )
    for meeting_id, agency, status in invitations:
        statuses[meeting_id].setdefault(agency, [])
        if status:
            statuses[meeting_id][agency].append(status)
    openable = set(policy.visible_meetings(user).filter(pk__in=ids).values_list("pk", flat=True))
    records = []
    for meeting in meetings:
        by_agency = statuses[meeting.pk]
        others = [
            _presence(agency, by_agency[agency])
            for agency in Agency.values
            if agency in by_agency and agency not in ALWAYS_SHOWN
        ]
        records.append(
            MeetingRecord(
                id=meeting.pk,
                reference=meeting.reference,
                kind=meeting.kind,
                kind_label=meeting.get_kind_display(),
                starts_at=meeting.starts_at,
                due_at=meeting.due_at,
                quorate=meeting.quorate,
                without_quorum=bool(meeting.quorum_override_reason.strip()),
                agencies=[_presence(agency, by_agency.get(agency)) for agency in ALWAYS_SHOWN],
                others=others,
                url=meeting.get_absolute_url() if meeting.pk in openable else "",
            )
        )
    return records
