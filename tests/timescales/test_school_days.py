"""School days: when a school's next day starts, from its terms, closures, bank holidays and start time."""

import datetime

import pytest

from safehub.timescales.calendar import (
    LONDON,
    SchoolCalendar,
    TermSource,
    is_school_day,
    next_school_day_start,
    next_school_day_starts,
)
from safehub.timescales.models import ClosureKind, SchoolClosure
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def london(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def test_before_the_start_on_a_school_day_gives_that_morning(community_school):
    assert next_school_day_start(community_school, london(2026, 9, 15, 7, 59)) == london(2026, 9, 15, 8, 45)


def test_at_the_start_gives_the_next_school_day(community_school):
    assert next_school_day_start(community_school, london(2026, 9, 15, 8, 45)) == london(2026, 9, 16, 8, 45)


def test_after_the_start_gives_the_next_school_day(community_school):
    assert next_school_day_start(community_school, london(2026, 9, 15, 15, 0)) == london(2026, 9, 16, 8, 45)


def test_friday_evening_before_half_term_gives_the_first_day_after_half_term(community_school):
    assert next_school_day_start(community_school, london(2026, 10, 23, 18, 0)) == london(2026, 11, 2, 8, 45)


def test_inset_day_is_skipped(community_school):
    SchoolClosure.objects.create(school=community_school, date=datetime.date(2026, 11, 2), kind=ClosureKind.INSET)
    assert next_school_day_start(community_school, london(2026, 10, 23, 18, 0)) == london(2026, 11, 3, 8, 45)


def test_christmas_holidays_are_skipped(community_school):
    assert next_school_day_start(community_school, london(2026, 12, 18, 16, 0)) == london(2027, 1, 5, 8, 45)


def test_easter_holidays_are_skipped(community_school):
    assert next_school_day_start(community_school, london(2027, 3, 25, 12, 0)) == london(2027, 4, 12, 8, 45)


def test_bank_holiday_monday_in_term_is_skipped(community_school):
    # Early May bank holiday, Monday 3 May 2027, falls in Summer 1.
    assert next_school_day_start(community_school, london(2027, 4, 30, 10, 0)) == london(2027, 5, 4, 8, 45)


def test_clocks_going_forward_give_0845_british_summer_time(community_school):
    # Clocks go forward on Sunday 29 March 2026.
    start = next_school_day_start(community_school, london(2026, 3, 27, 16, 0))
    assert start.astimezone(LONDON).replace(tzinfo=None) == datetime.datetime(2026, 3, 30, 8, 45)
    assert start.utcoffset() == datetime.timedelta(hours=1)
    assert start.astimezone(datetime.UTC) == datetime.datetime(2026, 3, 30, 7, 45, tzinfo=datetime.UTC)


def test_clocks_going_back_give_0845_greenwich_mean_time():
    # Clocks go back on Sunday 25 October 2026; a school with no term dates counts working days.
    school = SchoolFactory(local_authority=None)
    start = next_school_day_start(school, london(2026, 10, 23, 16, 0))
    assert start.astimezone(LONDON).replace(tzinfo=None) == datetime.datetime(2026, 10, 26, 8, 45)
    assert start.utcoffset() == datetime.timedelta(0)
    assert start.astimezone(datetime.UTC) == datetime.datetime(2026, 10, 26, 8, 45, tzinfo=datetime.UTC)


def test_clocks_going_back_during_half_term_give_gmt_after_it(community_school):
    start = next_school_day_start(community_school, london(2026, 10, 23, 18, 0))
    assert start.utcoffset() == datetime.timedelta(0)
    assert start.astimezone(datetime.UTC).time() == datetime.time(8, 45)


def test_academy_with_its_own_terms_ignores_the_authority_half_term(academy):
    # The authority is in term on 19 October 2026; the academy is on half-term until 26 October.
    assert next_school_day_start(academy, london(2026, 10, 16, 16, 0)) == london(2026, 10, 26, 8, 45)


def test_academy_is_in_term_during_the_authority_half_term(academy):
    assert next_school_day_start(academy, london(2026, 10, 23, 18, 0)) == london(2026, 10, 26, 8, 45)
    assert SchoolCalendar(academy, datetime.date(2026, 10, 26), datetime.date(2026, 10, 26)).source == (
        TermSource.SCHOOL
    )


@pytest.mark.parametrize(
    ("starts", "after", "expected"),
    [
        (datetime.time(8, 30), london(2026, 9, 15, 8, 40), london(2026, 9, 16, 8, 30)),
        (datetime.time(9, 0), london(2026, 9, 15, 8, 50), london(2026, 9, 15, 9, 0)),
        (datetime.time(9, 0), london(2026, 9, 15, 9, 0), london(2026, 9, 16, 9, 0)),
    ],
)
def test_school_day_start_other_than_0845(authority, starts, after, expected):
    school = SchoolFactory(local_authority=authority, school_day_starts=starts)
    assert next_school_day_start(school, after) == expected


def test_school_with_no_term_dates_falls_back_to_working_days():
    school = SchoolFactory(local_authority=None)
    # Friday 28 August 2026; Monday 31 August is the summer bank holiday.
    assert next_school_day_start(school, london(2026, 8, 28, 12, 0)) == london(2026, 9, 1, 8, 45)
    assert SchoolCalendar(school, datetime.date(2026, 9, 1), datetime.date(2026, 9, 1)).source is None


def test_summer_holiday_between_known_terms_is_not_a_school_day(community_school):
    assert not is_school_day(community_school, datetime.date(2026, 8, 10))
    assert next_school_day_start(community_school, london(2026, 8, 10, 9, 0)) == london(2026, 9, 3, 8, 45)


def test_days_after_the_last_known_term_fall_back_to_working_days(community_school):
    # Term dates are known up to 21 July 2027 only.
    assert is_school_day(community_school, datetime.date(2027, 8, 2))
    assert next_school_day_start(community_school, london(2027, 7, 30, 12, 0)) == london(2027, 8, 2, 8, 45)


def test_school_days_are_read_from_utc_moments_on_their_london_date(community_school):
    # 07:30 UTC on 15 September 2026 is 08:30 in London, before the 08:45 start.
    moment = datetime.datetime(2026, 9, 15, 7, 30, tzinfo=datetime.UTC)
    assert next_school_day_start(community_school, moment) == london(2026, 9, 15, 8, 45)


def test_next_five_school_day_starts_skip_the_weekend(community_school):
    starts = next_school_day_starts(community_school, london(2026, 9, 17, 12, 0), count=5)
    assert [start.date() for start in starts] == [
        datetime.date(2026, 9, 18),
        datetime.date(2026, 9, 21),
        datetime.date(2026, 9, 22),
        datetime.date(2026, 9, 23),
        datetime.date(2026, 9, 24),
    ]
