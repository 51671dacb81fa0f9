"""Reads for the calendar pages and API: timescales in force, bank holidays, term dates
and one school's calendar. None of this is personal data."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from safehub.partnership.models import Organisation, OrganisationKind, Partnership
from safehub.timescales.calendar import (
    LONDON,
    SchoolCalendar,
    TermSource,
    bank_holiday_name,
    is_bank_holiday,
    next_school_day_starts,
)
from safehub.timescales.models import SchoolClosure, TermDate, TimescaleSetting
from safehub.timescales.rules import TIMESCALE_LIST, Timescale, Unit

ACADEMIC_YEAR_STARTS_MONTH = 9


@dataclass(frozen=True)
class TimescaleInForce:
    key: str
    label: str
    value: int
    unit: Unit
    default: int
    configurable: bool
    set_locally: bool
    source: str

    @property
    def value_display(self) -> str:
        return _display(self.value, self.unit)

    @property
    def default_display(self) -> str:
        return _display(self.default, self.unit)


def _display(value: int, unit: Unit) -> str:
    if unit == Unit.CLOCK_TIME:
        return f"{value // 60:02d}:{value % 60:02d}"
    if value == 1:
        singular = {Unit.WORKING_DAYS: "working day", Unit.HOURS: "hour", Unit.WEEKS: "week"}
        singular |= {Unit.MONTHS: "month", Unit.MINUTES: "minute", Unit.DAYS: "calendar day"}
        singular |= {Unit.SCHOOL_DAYS: "school day", Unit.EPISODES: "episode"}
        return f"1 {singular[unit]}"
    return f"{value} {unit}"


def timescales_in_force(partnership: Partnership | None = None) -> list[TimescaleInForce]:
    """Every timescale with the value in force: the partnership's override of a local one, else the default.

    Reads the overrides in one query; `rules.timescale_value` gives the same values one at a time.
    """
    partnership = partnership or Partnership.current()
    overrides: dict[str, int] = {}
    if partnership is not None:
        overrides = dict(TimescaleSetting.objects.filter(partnership=partnership).values_list("key", "value"))
    return [_in_force(rule, overrides) for rule in TIMESCALE_LIST]


def _in_force(rule: Timescale, overrides: dict[str, int]) -> TimescaleInForce:
    set_locally = rule.configurable and rule.key in overrides
    return TimescaleInForce(
        key=rule.key,
        label=rule.label,
        value=overrides[rule.key] if set_locally else rule.default,
        unit=rule.unit,
        default=rule.default,
        configurable=rule.configurable,
        set_locally=set_locally,
        source=rule.source,
    )


@dataclass(frozen=True)
class BankHoliday:
    date: datetime.date
    name: str


def bank_holidays(year: int) -> list[BankHoliday]:
    """England's bank holidays in `year`, in date order: the days off, so a Christmas Day that
    falls on a Saturday shows as its substitute Monday only, as GOV.UK lists them."""
    day = datetime.date(year, 1, 1)
    found = []
    while day.year == year:
        if day.weekday() < 5 and is_bank_holiday(day):
            found.append(BankHoliday(day, bank_holiday_name(day) or "Bank holiday"))
        day += datetime.timedelta(days=1)
    return found


@dataclass(frozen=True)
class AcademicYear:
    first_day: datetime.date

    @property
    def last_day(self) -> datetime.date:
        return datetime.date(self.first_day.year + 1, ACADEMIC_YEAR_STARTS_MONTH, 1) - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.first_day.year} to {self.first_day.year + 1}"

    def next(self) -> "AcademicYear":
        return AcademicYear(datetime.date(self.first_day.year + 1, ACADEMIC_YEAR_STARTS_MONTH, 1))


def academic_year_of(day: datetime.date) -> AcademicYear:
    """The academic year (1 September to 31 August) that `day` falls in."""
    year = day.year if day.month >= ACADEMIC_YEAR_STARTS_MONTH else day.year - 1
    return AcademicYear(datetime.date(year, ACADEMIC_YEAR_STARTS_MONTH, 1))


@dataclass(frozen=True)
class AuthorityTerms:
    authority: Organisation
    years: list[tuple[AcademicYear, list[TermDate]]]


def local_authority_terms(today: datetime.date) -> list[AuthorityTerms]:
    """Each local authority's terms in the academic year of `today` and the next, terms starting in each year."""
    current = academic_year_of(today)
    following = current.next()
    terms = TermDate.objects.filter(
        local_authority__isnull=False, start_date__range=(current.first_day, following.last_day)
    ).order_by("start_date")
    by_authority: dict[int, list[TermDate]] = {}
    for term in terms:
        assert term.local_authority_id is not None
        by_authority.setdefault(term.local_authority_id, []).append(term)
    authorities = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).order_by("name")
    result = []
    for authority in authorities:
        own = by_authority.get(authority.pk, [])
        years = [
            (year, [t for t in own if year.first_day <= t.start_date <= year.last_day]) for year in (current, following)
        ]
        result.append(AuthorityTerms(authority, years))
    return result


def get_school(pk: int) -> Organisation:
    """A school or early-years setting, or 404."""
    school = Organisation.objects.select_related("local_authority").filter(pk=pk).first()
    if school is None or not school.is_education:
        raise Http404("There is no school or setting with this number.")
    return school


@dataclass(frozen=True)
class SchoolCalendarSummary:
    school: Organisation
    source: TermSource | None
    terms: QuerySet[TermDate]
    closures: QuerySet[SchoolClosure]
    next_starts: list[datetime.datetime]
    academic_year: AcademicYear


def school_calendar(school: Organisation, now: datetime.datetime, *, starts: int = 5) -> SchoolCalendarSummary:
    """The school's terms (its own, else its local authority's) from the current academic
    year on, its closure days from today on, and its next `starts` school-day starts."""
    today = now.astimezone(LONDON).date()
    year = academic_year_of(today)
    source = SchoolCalendar(school, today, today).source
    if source == TermSource.SCHOOL:
        terms = TermDate.objects.filter(school=school)
    elif source == TermSource.LOCAL_AUTHORITY:
        terms = TermDate.objects.filter(local_authority_id=school.local_authority_id)
    else:
        terms = TermDate.objects.none()
    return SchoolCalendarSummary(
        school=school,
        source=source,
        terms=terms.filter(end_date__gte=year.first_day).order_by("start_date"),
        closures=SchoolClosure.objects.filter(school=school, date__gte=year.first_day).order_by("date"),
        next_starts=next_school_day_starts(school, now, count=starts),
        academic_year=year,
    )
