"""Agencies' working patterns, and due times counted in them.

A timescale such as "red checks in 4 hours" means 4 hours of the answering agency's own
working time: the police and an emergency duty team work round the clock, health and most
council teams work office hours on working days, and a school answers in school hours on
school days. So a red check asked of a school on Saturday night is due 4 school hours into
Monday (or the first day of term), not at 02:00 on Sunday, and the figures never show a
breach the school could not have avoided.

- Round the clock: hours are clock hours; a day is 24 hours.
- Office hours: hours are counted between the partnership's office opening and closing
  times (`office_day_starts`, `office_day_ends`) on working days; days are working days.
- School days: hours between the school's own start (`Organisation.school_day_starts`) and
  the partnership's `school_day_ends` on the school's school days (its terms and closures);
  days are school days, keeping the clock time (as `add_working_days` does).

A timescale counted in days that starts outside the pattern's time (a weekend, a holiday)
counts from the start of the next day the agency works.
"""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models

from safehub.timescales.calendar import (
    LONDON,
    SCHOOL_DAY_SEARCH_LIMIT,
    CalendarError,
    SchoolCalendar,
    add_working_days,
    is_working_day,
)
from safehub.timescales.rules import TIMESCALES, Unit, timescale_value

if TYPE_CHECKING:
    from safehub.partnership.models import Organisation

# How far to look for enough working time before deciding the calendar cannot answer.
SEARCH_DAYS = SCHOOL_DAY_SEARCH_LIMIT


class WorkingPattern(models.TextChoices):
    ROUND_THE_CLOCK = "round_the_clock", "Round the clock, every day"
    OFFICE_HOURS = "office_hours", "Office hours on working days"
    SCHOOL_DAYS = "school_days", "School hours on school days"


@dataclass(frozen=True)
class OpeningHours:
    """The partnership's opening times, read once: office hours and the end of a school day."""

    office_starts: datetime.time
    office_ends: datetime.time
    school_ends: datetime.time

    @classmethod
    def current(cls) -> "OpeningHours":
        return cls(
            office_starts=_clock("office_day_starts"),
            office_ends=_clock("office_day_ends"),
            school_ends=_clock("school_day_ends"),
        )


def _clock(key: str) -> datetime.time:
    minutes = timescale_value(key)
    return datetime.time(minutes // 60, minutes % 60)


@dataclass
class _Days:
    """Which days the agency works and its hours on them."""

    opens: datetime.time
    closes: datetime.time
    school: SchoolCalendar | None = None

    def works_on(self, day: datetime.date) -> bool:
        return self.school.is_school_day(day) if self.school is not None else is_working_day(day)


def _days_for(
    pattern: str,
    start: datetime.date,
    *,
    school: "Organisation | None",
    school_calendar: SchoolCalendar | None,
    hours: OpeningHours,
) -> _Days:
    if pattern == WorkingPattern.SCHOOL_DAYS and school is not None:
        calendar = school_calendar or SchoolCalendar(school, start, start + datetime.timedelta(days=SEARCH_DAYS))
        return _Days(opens=school.school_day_starts, closes=hours.school_ends, school=calendar)
    return _Days(opens=hours.office_starts, closes=hours.office_ends)


def _add_hours(local: datetime.datetime, hours: int, days: _Days) -> datetime.datetime:
    remaining = datetime.timedelta(hours=hours)
    day = local.date()
    cursor = local
    for _ in range(SEARCH_DAYS):
        if days.works_on(day):
            opens = datetime.datetime.combine(day, days.opens, tzinfo=LONDON)
            closes = datetime.datetime.combine(day, days.closes, tzinfo=LONDON)
            begin = max(cursor, opens)
            if begin < closes:
                if begin + remaining <= closes:
                    return begin + remaining
                remaining -= closes - begin
        day += datetime.timedelta(days=1)
        cursor = datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=LONDON)
    raise CalendarError(f"No working time is known in the {SEARCH_DAYS} days after {local:%-d %B %Y}.")


def _add_days(local: datetime.datetime, count: int, days: _Days) -> datetime.datetime:
    day, clock = local.date(), local.time().replace(tzinfo=None)
    if not days.works_on(day):
        clock = datetime.time(0, 0)
        day = _next_day(day, days)
    for _ in range(count):
        day = _next_day(day, days)
    return datetime.datetime.combine(day, clock, tzinfo=LONDON)


def _next_day(day: datetime.date, days: _Days) -> datetime.date:
    for _ in range(SEARCH_DAYS):
        day += datetime.timedelta(days=1)
        if days.works_on(day):
            return day
    raise CalendarError(f"No working day is known in the {SEARCH_DAYS} days after {day:%-d %B %Y}.")


def due_in_pattern(
    start: datetime.datetime,
    key: str,
    pattern: str,
    *,
    school: "Organisation | None" = None,
    school_calendar: SchoolCalendar | None = None,
    value: int | None = None,
    hours: OpeningHours | None = None,
) -> datetime.datetime:
    """When something under timescale `key` (in hours or working days) is due, counted from
    `start` in the working time of an agency with this `pattern`. A school-days pattern needs
    the `school` (without one, as for a council's education team, office hours apply).
    `school_calendar`, `value` and `hours` let a caller that computes many due times read
    the calendar, the timescale and the opening hours once."""
    if start.tzinfo is None:
        raise CalendarError("Calendar calculations need an aware datetime.")
    unit = TIMESCALES[key].unit
    if unit not in (Unit.HOURS, Unit.WORKING_DAYS):
        raise ValueError(f"Timescale {key!r} is in {unit}, which is not counted in working time.")
    amount = timescale_value(key) if value is None else value
    local = start.astimezone(LONDON)
    if pattern == WorkingPattern.ROUND_THE_CLOCK:
        per = datetime.timedelta(hours=1) if unit == Unit.HOURS else datetime.timedelta(days=1)
        # Elapsed time, not wall-clock: 4 hours across the clocks changing is still 4 hours.
        return (start.astimezone(datetime.UTC) + amount * per).astimezone(LONDON)
    days = _days_for(
        pattern, local.date(), school=school, school_calendar=school_calendar, hours=hours or OpeningHours.current()
    )
    if unit == Unit.HOURS:
        return _add_hours(local, amount, days)
    if days.school is None:
        return add_working_days(local, amount)
    return _add_days(local, amount, days)
