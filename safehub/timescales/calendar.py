"""Working days and school days for England.

Working days exclude weekends and England's bank holidays, one-off ones included
(the `holidays` package keeps them; the test suite checks it against GOV.UK's data).
School days also exclude a school's holidays between terms and its closure (INSET) days.
Datetimes come in aware (any zone) and go out aware in Europe/London.
"""

import datetime
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, overload
from zoneinfo import ZoneInfo

import holidays

if TYPE_CHECKING:
    from safehub.partnership.models import Organisation

LONDON = ZoneInfo("Europe/London")
FIRST_YEAR, LAST_YEAR = 1995, 2060
# How far ahead to look for a school's next day before deciding it has no calendar.
SCHOOL_DAY_SEARCH_LIMIT = 400


class CalendarError(ValueError):
    """A calendar question that cannot be answered, such as a date outside the known years."""


@cache
def _england_bank_holidays() -> frozenset[datetime.date]:
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=range(FIRST_YEAR, LAST_YEAR + 1))
    return frozenset(calendar.keys())


def bank_holiday_name(day: datetime.date) -> str | None:
    if day not in _england_bank_holidays():
        return None
    names = holidays.country_holidays("GB", subdiv="ENG", years=day.year)
    return str(names.get(day))


def is_bank_holiday(day: datetime.date) -> bool:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CalendarError(f"SafeHub knows England's bank holidays for {FIRST_YEAR} to {LAST_YEAR} only.")
    return day in _england_bank_holidays()


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def working_day_on_or_before(day: datetime.date) -> datetime.date:
    """`day` if it is a working day, else the last working day before it: a deadline that
    falls on a weekend or bank holiday is met on the working day before."""
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day


def next_working_day(day: datetime.date) -> datetime.date:
    """The first working day strictly after `day`."""
    day += datetime.timedelta(days=1)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def _to_london(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        raise CalendarError("Calendar calculations need an aware datetime.")
    return moment.astimezone(LONDON)


@overload
def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime: ...
@overload
def add_working_days(start: datetime.date, days: int) -> datetime.date: ...
def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """`days` working days after `start`.

    A date gives the date of the nth working day after it. A datetime keeps its London
    clock time on that day; one that falls on a weekend or bank holiday counts from the
    start of the next working day, so a referral made on Saturday with one working day to
    decide is due by the end of Monday (00:00 on Tuesday).
    """
    if days < 0:
        raise CalendarError("Count working days forwards only.")
    if isinstance(start, datetime.datetime):
        local = _to_london(start)
        day = local.date()
        clock = local.time().replace(tzinfo=None)
        if not is_working_day(day):
            day = next_working_day(day)
            clock = datetime.time(0, 0)
        due = _add_working_days_to_date(day, days)
        return datetime.datetime.combine(due, clock, tzinfo=LONDON)
    return _add_working_days_to_date(start, days)


def _add_working_days_to_date(day: datetime.date, days: int) -> datetime.date:
    for _ in range(days):
        day = next_working_day(day)
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is earlier.

    So `working_days_between(d, add_working_days(d, n)) == n` for every date `d`.
    """
    if isinstance(start, datetime.datetime):
        start = _to_london(start).date()
    if isinstance(end, datetime.datetime):
        end = _to_london(end).date()
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


class SkippedTime(CalendarError):
    """A UK wall-clock time that did not happen: the hour the clocks went forward."""


def london_wall_clock(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """The moment this UK wall-clock time happens on `day`. A time in the hour the clocks go
    forward never happens, and is refused; in the hour they go back, the first is meant."""
    moment = datetime.datetime.combine(day, time, tzinfo=LONDON)
    if moment.astimezone(datetime.UTC).astimezone(LONDON).replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise SkippedTime(
            f"There was no {time:%H:%M} on {day:%-d %B %Y}: the clocks went forward an hour. Check the time."
        )
    return moment


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month `months` later (or earlier); a day the shorter month lacks
    (31 August + 1 month) becomes its last day. For timescales set in calendar months, such
    as review conferences."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    try:
        return day.replace(year=year, month=month + 1)
    except ValueError:
        return add_months(day.replace(day=1), months + 1) - datetime.timedelta(days=1)


class TermSource(StrEnum):
    SCHOOL = "school"
    LOCAL_AUTHORITY = "local_authority"


class SchoolCalendar:
    """One school's school days: its terms (its own, else its local authority's), minus
    weekends, bank holidays and its closure days. Loads a window of dates in a few queries.

    Term dates are known from the first day of the first term recorded to the last day of
    the last one; the holidays between those terms are not school days. Outside that span
    (or with no terms at all) every working day counts as a school day, so that a notice to
    the school is never held back for want of a calendar.
    """

    def __init__(self, school: "Organisation", start: datetime.date, end: datetime.date) -> None:
        from django.db.models import Max, Min

        from safehub.timescales.models import SchoolClosure, TermDate

        self.school = school
        self.source: TermSource | None = None
        terms = TermDate.objects.filter(school=school)
        span = terms.aggregate(first=Min("start_date"), last=Max("end_date"))
        if span["first"] is not None:
            self.source = TermSource.SCHOOL
        elif school.local_authority_id is not None:
            terms = TermDate.objects.filter(local_authority_id=school.local_authority_id)
            span = terms.aggregate(first=Min("start_date"), last=Max("end_date"))
            if span["first"] is not None:
                self.source = TermSource.LOCAL_AUTHORITY
        self.known_from: datetime.date | None = span["first"]
        self.known_until: datetime.date | None = span["last"]
        self.terms = list(terms.filter(end_date__gte=start, start_date__lte=end).values_list("start_date", "end_date"))
        self.closures = set(
            SchoolClosure.objects.filter(school=school, date__range=(start, end)).values_list("date", flat=True)
        )

    @property
    def has_calendar(self) -> bool:
        return self.source is not None

    def knows_terms_on(self, day: datetime.date) -> bool:
        if self.known_from is None or self.known_until is None:
            return False
        return self.known_from <= day <= self.known_until

    def is_school_day(self, day: datetime.date) -> bool:
        if not is_working_day(day) or day in self.closures:
            return False
        if not self.knows_terms_on(day):
            return True
        return any(first <= day <= last for first, last in self.terms)


def is_school_day(school: "Organisation", day: datetime.date) -> bool:
    return SchoolCalendar(school, day, day).is_school_day(day)


def next_school_day_start(school: "Organisation", after: datetime.datetime) -> datetime.datetime:
    """When the school's next school day starts after `after`, in Europe/London.

    An incident at 07:59 on a school day with an 08:45 start gives 08:45 that morning;
    one at 08:45 or later gives the start of the following school day.
    """
    return next_school_day_starts(school, after, count=1)[0]


def next_school_day_starts(school: "Organisation", after: datetime.datetime, *, count: int) -> list[datetime.datetime]:
    """The starts of the school's next `count` school days after `after`, in Europe/London."""
    local = _to_london(after)
    first = local.date()
    calendar = SchoolCalendar(school, first, first + datetime.timedelta(days=SCHOOL_DAY_SEARCH_LIMIT))
    starts: list[datetime.datetime] = []
    for offset in range(SCHOOL_DAY_SEARCH_LIMIT + 1):
        day = first + datetime.timedelta(days=offset)
        if calendar.is_school_day(day):
            start = datetime.datetime.combine(day, school.school_day_starts, tzinfo=LONDON)
            if start > local:
                starts.append(start)
                if len(starts) == count:
                    return starts
    raise CalendarError(
        f"No school day is known for {school.name} in the {SCHOOL_DAY_SEARCH_LIMIT} days after "
        f"{local:%-d %B %Y}. Import its term dates."
    )


def school_days_between(school: "Organisation", first: datetime.date, last: datetime.date) -> int:
    """How many of the school's school days fall from `first` to `last`, both included."""
    if last < first:
        return 0
    calendar = SchoolCalendar(school, first, last)
    return sum(
        1
        for offset in range((last - first).days + 1)
        if calendar.is_school_day(first + datetime.timedelta(days=offset))
    )


def calendar_days_before(day: datetime.date, days: int) -> datetime.date:
    """The date `days` calendar days before `day` (for windows set in calendar days, such as
    the repeat-missing window: weekends and bank holidays count)."""
    return day - datetime.timedelta(days=days)


def calendar_days_after(day: datetime.date, days: int) -> datetime.date:
    """The date `days` calendar days after `day` (for standards set in calendar days, such as
    a DBS local check's 14 and 60 days)."""
    return day + datetime.timedelta(days=days)


def calendar_days_between(first: datetime.date, last: datetime.date) -> int:
    """How many calendar days from `first` to `last` (0 on the same day; negative if before)."""
    return (last - first).days
