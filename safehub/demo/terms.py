"""Realistic English school terms for the demo partnership's calendars.

Six half-terms a year, with the holidays English local authorities usually set: a week at
the end of October, about two weeks at Christmas, a week in mid February, two weeks
around Easter (from the real Easter date), the week of the spring bank holiday, and the
summer from about 21 July. Computed, so the demo stays current whatever year it runs.
"""

import datetime
from dataclasses import dataclass

from safehub.timescales.calendar import is_working_day

ONE_DAY = datetime.timedelta(days=1)
ONE_WEEK = datetime.timedelta(days=7)
MONDAY, FRIDAY = 0, 4


@dataclass(frozen=True)
class Term:
    name: str
    start: datetime.date
    end: datetime.date


def easter_sunday(year: int) -> datetime.date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian computus)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def _on_or_after(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def _on_or_before(day: datetime.date, weekday: int) -> datetime.date:
    return day - datetime.timedelta(days=(day.weekday() - weekday) % 7)


def _first_working_day_from(day: datetime.date) -> datetime.date:
    while not is_working_day(day):
        day += ONE_DAY
    return day


def _last_working_day_to(day: datetime.date) -> datetime.date:
    while not is_working_day(day):
        day -= ONE_DAY
    return day


def autumn_term_start(year: int) -> datetime.date:
    """The first day of the academic year starting in `year`: the first Monday to Thursday from 2 September."""
    day = datetime.date(year, 9, 2)
    while day.weekday() > 3:
        day += ONE_DAY
    return day


def summer_term_end(year: int) -> datetime.date:
    """The last day of the academic year ending in `year`: 22 July, or the Friday before a weekend."""
    return _last_working_day_to(datetime.date(year, 7, 22))


def academic_year_terms(year: int) -> list[Term]:
    """The six half-terms of the academic year that starts in September of `year`."""
    spring_year = year + 1
    # October half-term: the last full Monday-to-Friday week of October.
    october_break = _on_or_before(datetime.date(year, 10, 27), MONDAY)
    # Christmas: term ends on the last Friday on or before 20 December.
    christmas_break = _on_or_before(datetime.date(year, 12, 20), FRIDAY) + ONE_DAY
    spring_start = _first_working_day_from(datetime.date(spring_year, 1, 4))
    february_break = _on_or_after(datetime.date(spring_year, 2, 12), MONDAY)
    # Easter: the fortnight from the Monday of Holy Week (Good Friday and Easter Monday inside it).
    easter = easter_sunday(spring_year)
    easter_break = easter - datetime.timedelta(days=6)
    summer_start = _first_working_day_from(easter_break + 2 * ONE_WEEK)
    # Whitsun: the week of the spring bank holiday, the last Monday in May.
    whitsun_break = _on_or_before(datetime.date(spring_year, 5, 31), MONDAY)
    return [
        Term(f"Autumn 1 {year}", autumn_term_start(year), october_break - 3 * ONE_DAY),
        Term(f"Autumn 2 {year}", october_break + ONE_WEEK, christmas_break - ONE_DAY),
        Term(f"Spring 1 {spring_year}", spring_start, february_break - 3 * ONE_DAY),
        Term(f"Spring 2 {spring_year}", february_break + ONE_WEEK, easter_break - 3 * ONE_DAY),
        Term(f"Summer 1 {spring_year}", summer_start, whitsun_break - 3 * ONE_DAY),
        Term(f"Summer 2 {spring_year}", whitsun_break + ONE_WEEK, summer_term_end(spring_year)),
    ]


def shifted_terms(terms: list[Term], days: int) -> list[Term]:
    """An academy's own version of the authority's terms: each start and end moved by `days`
    calendar days, then onto a weekday (starts later, ends earlier), never before 1 September.
    Holidays of a week or more keep the terms apart for shifts of up to three days."""
    shifted = []
    for term in terms:
        start = term.start + datetime.timedelta(days=days)
        end = term.end + datetime.timedelta(days=days)
        if start.month != term.start.month and term.start.month == 9:
            start = term.start.replace(day=1)  # the school year never starts in August
        while start.weekday() > FRIDAY:
            start += ONE_DAY
        while end.weekday() > FRIDAY:
            end -= ONE_DAY
        shifted.append(Term(term.name, start, end))
    return shifted


def school_days(term: Term, closures: frozenset[datetime.date] = frozenset()) -> list[datetime.date]:
    """The days of a term when pupils attend: working days not closed."""
    days = []
    day = term.start
    while day <= term.end:
        if is_working_day(day) and day not in closures:
            days.append(day)
        day += ONE_DAY
    return days
