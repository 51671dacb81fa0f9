"""The hub's performance figures for managers and analysts: contacts by source and outcome,
decisions within one working day, agencies' checks answered in time, repeat contacts.

Reads only, narrowed by access: a figure counts only the contacts the viewer may see
(`safehub.access.policy.visible_contacts`), so a team manager sees their own hub's. Someone
who may see performance figures but no personal records at all (a partnership analyst)
sees partnership-wide counts; the records behind a figure are then listed by reference and
date only, and none can be opened. No figure holds a name or a narrative.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import QuerySet

from safehub.access import policy
from safehub.hub.models import (
    Contact,
    ContactSource,
    Decision,
    ResearchAgency,
    ResearchAnswer,
    ResearchRequest,
    SubjectRole,
)
from safehub.partnership.models import User
from safehub.partnership.roles import Capability, has_capability
from safehub.timescales.calendar import LONDON, add_months

DEFAULT_MONTHS = 12
LONGEST_PERIOD_MONTHS = 36
REPEAT_WINDOW_MONTHS = 12
UNDECIDED = "undecided"


class PeriodError(ValueError):
    """A period the figures cannot be shown for; the message says what to enter instead."""


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=LONDON)


@dataclass(frozen=True)
class Period:
    """Whole calendar months, from the first day of `first` to the last day of `last`, in London."""

    first: datetime.date
    last: datetime.date

    @property
    def start(self) -> datetime.datetime:
        return _midnight(self.first)

    @property
    def end(self) -> datetime.datetime:
        """The moment after the period (exclusive)."""
        return _midnight(add_months(self.last, 1))

    @property
    def months(self) -> list[datetime.date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = add_months(month, 1)
        return months

    def month(self, text: str) -> "Period":
        """One month of this period, from "YYYY-MM"."""
        month = parse_month(text, "month")
        if not self.first <= month <= self.last:
            raise PeriodError("Choose a month inside the period shown.")
        return Period(month, month)

    @property
    def query(self) -> dict[str, str]:
        return {"start": f"{self.first:%Y-%m}", "end": f"{self.last:%Y-%m}"}


def default_period(today: datetime.date) -> Period:
    """The last twelve months, this one included."""
    last = today.replace(day=1)
    return Period(add_months(last, 1 - DEFAULT_MONTHS), last)


def parse_month(text: str, what: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise PeriodError(f"Enter the {what} as a year and month, for example 2026-03.") from None


def period_or_default(params: Mapping[str, str], *, today: datetime.date) -> tuple[Period, str]:
    """The period a page's query asks for (`start`, `end`), or the default with the reason the
    one asked for cannot be shown (every performance page shows the reason above its figures)."""
    try:
        return period_from(params.get("start"), params.get("end"), today=today), ""
    except PeriodError as error:
        return default_period(today), str(error)


def period_from(start: str | None, end: str | None, *, today: datetime.date) -> Period:
    """The period asked for ("YYYY-MM" months), or the last twelve months when none is."""
    if not start and not end:
        return default_period(today)
    default = default_period(today)
    first = parse_month(start, "first month") if start else default.first
    last = parse_month(end, "last month") if end else default.last
    if last < first:
        raise PeriodError("The last month must be the same as or after the first month.")
    # Counted, not walked: a far-off month (9999-12) must not build thousands of months first.
    if (last.year - first.year) * 12 + last.month - first.month + 1 > LONGEST_PERIOD_MONTHS:
        raise PeriodError(f"Choose a period of at most {LONGEST_PERIOD_MONTHS} months.")
    if first > today:
        raise PeriodError("The first month must not be in the future.")
    return Period(first, last)


class Scope(StrEnum):
    PARTNERSHIP = "partnership"
    VISIBLE = "visible"


def scope_of(user: User) -> Scope | None:
    """Whose contacts the user's figures count, or None if they may not see hub figures."""
    if not has_capability(user, Capability.VIEW_PERFORMANCE):
        return None
    if not has_capability(user, Capability.VIEW_PERSON):
        return Scope.PARTNERSHIP
    return Scope.VISIBLE


def measured_contacts(user: User) -> QuerySet[Contact]:
    """The contacts the user's figures count."""
    match scope_of(user):
        case Scope.PARTNERSHIP:
            return Contact.objects.all()
        case Scope.VISIBLE:
            return policy.visible_contacts(user)
    return Contact.objects.none()


# Figures -------------------------------------------------------------------------------------


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class Count:
    label: str
    count: int
    share: int | None
    figure: str
    value: str = ""


@dataclass(frozen=True)
class MonthFigures:
    month: datetime.date
    contacts: int
    decided: int
    decided_in_time: int
    repeats: int

    @property
    def percent_in_time(self) -> int | None:
        return percent(self.decided_in_time, self.decided)


@dataclass(frozen=True)
class AgencyFigures:
    agency: str
    label: str
    in_time: int
    late: int
    overdue: int
    waiting: int

    @property
    def due(self) -> int:
        """Checks whose time has come: answered, or unanswered past their due time."""
        return self.in_time + self.late + self.overdue

    @property
    def percent_in_time(self) -> int | None:
        return percent(self.in_time, self.due)


@dataclass
class HubFigures:
    period: Period
    scope: Scope
    contacts: int = 0
    by_source: list[Count] = field(default_factory=list)
    by_decision: list[Count] = field(default_factory=list)
    decided: int = 0
    decided_in_time: int = 0
    by_month: list[MonthFigures] = field(default_factory=list)
    by_agency: list[AgencyFigures] = field(default_factory=list)
    repeats: int = 0

    @property
    def percent_in_time(self) -> int | None:
        return percent(self.decided_in_time, self.decided)

    @property
    def decided_late(self) -> int:
        return self.decided - self.decided_in_time

    @property
    def percent_repeats(self) -> int | None:
        return percent(self.repeats, self.contacts)


@dataclass(frozen=True)
class _ContactFacts:
    pk: int
    reference: str
    received_at: datetime.datetime
    source: str
    decision: str
    decided_at: datetime.datetime | None
    decision_due_at: datetime.datetime | None

    @property
    def month(self) -> datetime.date:
        return self.received_at.astimezone(LONDON).date().replace(day=1)

    @property
    def decided_in_time(self) -> bool:
        return bool(self.decided_at and self.decision_due_at and self.decided_at <= self.decision_due_at)


def _facts(contacts: QuerySet[Contact], period: Period) -> list[_ContactFacts]:
    rows = contacts.filter(received_at__gte=period.start, received_at__lt=period.end).order_by("received_at", "pk")
    return [
        _ContactFacts(*row)
        for row in rows.values_list(
            "pk", "reference", "received_at", "source", "decision", "decided_at", "decision_due_at"
        )
    ]


def _repeat_contacts(contacts: QuerySet[Contact], period: Period) -> set[int]:
    """Contacts in the period about a child who had another contact (that the viewer may see) in
    the twelve months before it."""
    since = _midnight(add_months(period.first, -REPEAT_WINDOW_MONTHS))
    rows = (
        contacts.filter(
            received_at__gte=since,
            received_at__lt=period.end,
            subjects__role__in=[SubjectRole.CHILD, SubjectRole.UNBORN],
            subjects__person__isnull=False,
        )
        .values_list("pk", "subjects__person_id", "received_at")
        .distinct()
    )
    by_child: dict[int, list[tuple[datetime.datetime, int]]] = defaultdict(list)
    for pk, person_id, received_at in rows:
        by_child[person_id].append((received_at, pk))
    repeats: set[int] = set()
    for history in by_child.values():
        history.sort()
        for index, (received_at, pk) in enumerate(history):
            if received_at < period.start:
                continue
            local = received_at.astimezone(LONDON)
            opens = datetime.datetime.combine(
                add_months(local.date(), -REPEAT_WINDOW_MONTHS), local.time(), tzinfo=LONDON
            )
            if any(opens <= earlier < received_at and other != pk for earlier, other in history[:index]):
                repeats.add(pk)
    return repeats


def _checks(contacts: QuerySet[Contact], period: Period) -> QuerySet[ResearchRequest]:
    return ResearchRequest.objects.filter(
        contact__in=contacts, requested_at__gte=period.start, requested_at__lt=period.end
    )


def _counts(
    values: Iterable[str], labels: dict[str, str], total: int, figure: str, *, keep_zero: bool = False
) -> list[Count]:
    tally: dict[str, int] = defaultdict(int)
    for value in values:
        tally[value] += 1
    return [
        Count(label, tally[value], percent(tally[value], total), figure, value)
        for value, label in labels.items()
        if tally[value] or keep_zero
    ]


def hub_figures(user: User, period: Period, *, now: datetime.datetime) -> HubFigures | None:
    """Every figure on the hub performance page, for the contacts the user may see."""
    scope = scope_of(user)
    if scope is None:
        return None
    contacts = measured_contacts(user)
    facts = _facts(contacts, period)
    repeats = _repeat_contacts(contacts, period)
    figures = HubFigures(period=period, scope=scope, contacts=len(facts), repeats=len(repeats))
    figures.by_source = _counts((f.source for f in facts), dict(ContactSource.choices), len(facts), "source")
    outcomes = {**dict(Decision.choices), UNDECIDED: "Not decided yet"}
    figures.by_decision = _counts(
        (f.decision or UNDECIDED for f in facts), outcomes, len(facts), "decision", keep_zero=True
    )
    decided = [f for f in facts if f.decided_at is not None]
    figures.decided = len(decided)
    figures.decided_in_time = sum(1 for f in decided if f.decided_in_time)
    for month in period.months:
        in_month = [f for f in facts if f.month == month]
        figures.by_month.append(
            MonthFigures(
                month=month,
                contacts=len(in_month),
                decided=sum(1 for f in in_month if f.decided_at is not None),
                decided_in_time=sum(1 for f in in_month if f.decided_in_time),
                repeats=sum(1 for f in in_month if f.pk in repeats),
            )
        )
    tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = _checks(contacts, period).values_list("agency", "due_at", "answered_at", "answer")
    for agency, due_at, answered_at, answer in rows:
        tally[agency][_timeliness(due_at, answered_at, now, answer)] += 1
    figures.by_agency = [
        AgencyFigures(
            agency=agency,
            label=label,
            in_time=tally[agency]["in_time"],
            late=tally[agency]["late"],
            overdue=tally[agency]["overdue"],
            waiting=tally[agency]["waiting"],
        )
        for agency, label in ResearchAgency.choices
        if agency in tally
    ]
    return figures


def _timeliness(
    due_at: datetime.datetime, answered_at: datetime.datetime | None, now: datetime.datetime, answer: str = ""
) -> str:
    if answer == ResearchAnswer.NOT_NEEDED:
        # Closed by the decision: the agency never answered. Past its due time, that counts
        # against it as overdue; decided before it was due, the check is not counted at all.
        assert answered_at is not None
        return "overdue" if answered_at > due_at else "not_needed"
    if answered_at is not None:
        return "in_time" if answered_at <= due_at else "late"
    return "overdue" if now > due_at else "waiting"


# The records behind a figure -------------------------------------------------------------------

FIGURES = {
    "contacts": "Contacts received",
    "source": "Contacts from {value}",
    "decision": "Contacts with the outcome: {value}",
    "decided_in_time": "Decisions made within 1 working day",
    "decided_late": "Decisions made later than 1 working day",
    "repeat": "Repeat contacts (another contact about the child in the 12 months before)",
    "checks_in_time": "{value} checks answered in time",
    "checks_late": "{value} checks answered late",
    "checks_overdue": "{value} checks not answered and overdue",
}
CHECK_FIGURES = {"checks_in_time": "in_time", "checks_late": "late", "checks_overdue": "overdue"}


class FigureError(ValueError):
    """A figure that does not exist; the message says what to do."""


@dataclass(frozen=True)
class Record:
    """One contact behind a figure: its reference and dates, never its narrative."""

    reference: str
    received_at: datetime.datetime
    source: str
    outcome: str
    decided_at: datetime.datetime | None
    decision_due_at: datetime.datetime | None
    url: str  # empty when the viewer may not open the contact
    agency: str = ""
    due_at: datetime.datetime | None = None
    answered_at: datetime.datetime | None = None


def figure_title(figure: str, value: str) -> str:
    if figure not in FIGURES:
        raise FigureError("There is no such figure: go back to Hub performance and choose one.")
    labels = {**dict(ContactSource.choices), **dict(Decision.choices), **dict(ResearchAgency.choices)}
    labels[UNDECIDED] = "not decided yet"
    needs_value = "{value}" in FIGURES[figure]
    if needs_value and value not in labels:
        raise FigureError("There is no such figure: go back to Hub performance and choose one.")
    text = FIGURES[figure].format(value=labels.get(value, "").lower() if figure != "decision" else labels[value])
    return text[0].upper() + text[1:]


def records_behind(user: User, period: Period, figure: str, value: str = "", *, now: datetime.datetime) -> list[Record]:
    """The contacts (or checks) counted by one figure, oldest first; each links to the contact
    only if the user may open it."""
    figure_title(figure, value)
    contacts = measured_contacts(user)
    openable = set(policy.visible_contacts(user).values_list("pk", flat=True))
    if figure in CHECK_FIGURES:
        wanted = CHECK_FIGURES[figure]
        checks = _checks(contacts, period).filter(agency=value).select_related("contact").order_by("requested_at")
        return [
            _record(check.contact, openable, agency=check.get_agency_display(), check=check)
            for check in checks
            if _timeliness(check.due_at, check.answered_at, now, check.answer) == wanted
        ]
    facts = _facts(contacts, period)
    if figure == "source":
        chosen = {f.pk for f in facts if f.source == value}
    elif figure == "decision":
        chosen = {f.pk for f in facts if (f.decision or UNDECIDED) == value}
    elif figure == "decided_in_time":
        chosen = {f.pk for f in facts if f.decided_in_time}
    elif figure == "decided_late":
        chosen = {f.pk for f in facts if f.decided_at is not None and not f.decided_in_time}
    elif figure == "repeat":
        chosen = _repeat_contacts(contacts, period)
    else:
        chosen = {f.pk for f in facts}
    rows = Contact.objects.filter(pk__in=chosen).order_by("received_at", "pk")
    return [_record(contact, openable) for contact in rows]


def _record(contact: Contact, openable: set[int], *, agency: str = "", check: ResearchRequest | None = None) -> Record:
    return Record(
        reference=contact.reference,
        received_at=contact.received_at,
        source=contact.get_source_display(),
        outcome=contact.get_decision_display() if contact.decision else "Not decided yet",
        decided_at=contact.decided_at,
        decision_due_at=contact.decision_due_at,
        url=contact.get_absolute_url() if contact.pk in openable else "",
        agency=agency,
        due_at=check.due_at if check else None,
        answered_at=check.answered_at if check else None,
    )
