"""Working days: checked day by day against GOV.UK's own bank-holiday data, by properties, and by named cases."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from govuk_bank_holidays.bank_holidays import BankHolidays
from hypothesis import given
from hypothesis import strategies as st

from safehub.timescales.calendar import (
    LONDON,
    CalendarError,
    add_working_days,
    bank_holiday_name,
    is_working_day,
    next_working_day,
    working_days_between,
)

# GOV.UK's data as shipped inside the govuk-bank-holidays package (no network). Its cached
# file covers 2012 to 2028 in full for England and Wales, so the whole 2018-2027 span is compared.
ORACLE_FIRST, ORACLE_LAST = datetime.date(2018, 1, 1), datetime.date(2027, 12, 31)
UTC = ZoneInfo("UTC")


def govuk_bank_holidays() -> set[datetime.date]:
    data = BankHolidays(use_cached_holidays=True).get_holidays(division=BankHolidays.ENGLAND_AND_WALES)
    return {holiday["date"] for holiday in data}


def test_oracle_covers_every_year_compared():
    years = {day.year for day in govuk_bank_holidays()}
    assert set(range(ORACLE_FIRST.year, ORACLE_LAST.year + 1)) <= years


def test_every_day_2018_to_2027_is_a_working_day_exactly_when_govuk_says_so():
    holidays = govuk_bank_holidays()
    mismatches = []
    day = ORACLE_FIRST
    while day <= ORACLE_LAST:
        expected = day.weekday() < 5 and day not in holidays
        if is_working_day(day) != expected:
            mismatches.append(day)
        day += datetime.timedelta(days=1)
    assert mismatches == []


dates = st.dates(min_value=datetime.date(2018, 1, 1), max_value=datetime.date(2055, 12, 31))


@given(day=dates, days=st.integers(min_value=0, max_value=300))
def test_working_days_between_undoes_add_working_days(day, days):
    assert working_days_between(day, add_working_days(day, days)) == days


@given(day=dates)
def test_next_working_day_is_the_first_working_day_after(day):
    following = next_working_day(day)
    assert following > day
    assert is_working_day(following)
    between = [day + datetime.timedelta(days=n) for n in range(1, (following - day).days)]
    assert not any(is_working_day(d) for d in between)


@given(day=dates, days=st.integers(min_value=1, max_value=300))
def test_add_working_days_never_lands_on_a_weekend_or_bank_holiday(day, days):
    due = add_working_days(day, days)
    assert due.weekday() < 5
    assert bank_holiday_name(due) is None


@given(
    moment=st.datetimes(
        min_value=datetime.datetime(2018, 1, 1), max_value=datetime.datetime(2055, 12, 31), timezones=st.just(UTC)
    ),
    days=st.integers(min_value=0, max_value=100),
)
def test_datetimes_keep_their_london_clock_time(moment, days):
    local = moment.astimezone(LONDON)
    due = add_working_days(moment, days)
    assert due.tzinfo is LONDON
    assert due.utcoffset() == due.astimezone(LONDON).utcoffset()
    if is_working_day(local.date()):
        assert due.time() == local.time().replace(tzinfo=None)
        assert due.date() == add_working_days(local.date(), days)
    else:
        assert due.time() == datetime.time(0, 0)
        assert due.date() == add_working_days(next_working_day(local.date()), days)
    assert is_working_day(due.date())


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # 2027: Christmas Day is a Saturday and Boxing Day a Sunday: substitutes Monday 27 and Tuesday 28.
        (datetime.date(2027, 12, 24), 1, datetime.date(2027, 12, 29)),
        # 2026: Boxing Day is a Saturday: substitute Monday 28.
        (datetime.date(2026, 12, 24), 1, datetime.date(2026, 12, 29)),
        (datetime.date(2026, 12, 24), 3, datetime.date(2026, 12, 31)),
        # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
        (datetime.date(2026, 4, 2), 1, datetime.date(2026, 4, 7)),
        # Early May (4 May) and spring (25 May) bank holidays 2026.
        (datetime.date(2026, 5, 1), 1, datetime.date(2026, 5, 5)),
        (datetime.date(2026, 5, 22), 1, datetime.date(2026, 5, 26)),
        # 2020: the early May bank holiday moved to Friday 8 May for VE Day.
        (datetime.date(2020, 5, 7), 1, datetime.date(2020, 5, 11)),
        # One-offs: the Queen's state funeral, the coronation, the Platinum Jubilee.
        (datetime.date(2022, 9, 16), 1, datetime.date(2022, 9, 20)),
        (datetime.date(2023, 5, 5), 1, datetime.date(2023, 5, 9)),
        (datetime.date(2022, 6, 1), 1, datetime.date(2022, 6, 6)),
    ],
)
def test_working_days_skip_bank_holidays(start, days, due):
    assert add_working_days(start, days) == due


@pytest.mark.parametrize(
    "day",
    [
        datetime.date(2027, 12, 27),
        datetime.date(2027, 12, 28),
        datetime.date(2026, 12, 28),
        datetime.date(2026, 4, 3),
        datetime.date(2026, 4, 6),
        datetime.date(2026, 5, 4),
        datetime.date(2026, 5, 25),
        datetime.date(2022, 9, 19),
        datetime.date(2023, 5, 8),
        datetime.date(2022, 6, 2),
        datetime.date(2022, 6, 3),
    ],
)
def test_named_bank_holidays_are_not_working_days(day):
    assert not is_working_day(day)
    assert bank_holiday_name(day)


def test_spring_bank_holiday_2022_moved_so_the_last_monday_of_may_was_a_working_day():
    assert is_working_day(datetime.date(2022, 5, 30))


def test_saturday_referral_with_one_working_day_is_due_at_the_end_of_monday():
    saturday_afternoon = datetime.datetime(2026, 3, 7, 14, 30, tzinfo=LONDON)
    due = add_working_days(saturday_afternoon, 1)
    assert due == datetime.datetime(2026, 3, 10, 0, 0, tzinfo=LONDON)  # midnight ending Monday 9 March


def test_weekday_referral_is_due_at_the_same_time_on_the_next_working_day():
    friday = datetime.datetime(2026, 3, 6, 16, 0, tzinfo=LONDON)
    assert add_working_days(friday, 1) == datetime.datetime(2026, 3, 9, 16, 0, tzinfo=LONDON)


def test_datetime_given_in_utc_is_counted_on_its_london_date():
    # 23:30 UTC on Friday 26 June 2026 is 00:30 on Saturday in London: counted from Monday.
    late_friday_utc = datetime.datetime(2026, 6, 26, 23, 30, tzinfo=UTC)
    assert add_working_days(late_friday_utc, 1) == datetime.datetime(2026, 6, 30, 0, 0, tzinfo=LONDON)


def test_working_days_between_is_negative_backwards():
    assert working_days_between(datetime.date(2026, 3, 13), datetime.date(2026, 3, 6)) == -5


def test_counting_backwards_is_refused():
    with pytest.raises(CalendarError):
        add_working_days(datetime.date(2026, 3, 6), -1)


def test_naive_datetime_is_refused():
    with pytest.raises(CalendarError, match="aware"):
        add_working_days(datetime.datetime(2026, 3, 6, 9, 0), 1)


def test_dates_outside_the_known_years_are_refused():
    with pytest.raises(CalendarError, match="1995 to 2060"):
        is_working_day(datetime.date(2061, 1, 3))


def test_a_wall_clock_time_in_the_hour_the_clocks_go_forward_is_refused():
    from safehub.timescales.calendar import SkippedTime, london_wall_clock

    with pytest.raises(SkippedTime, match="clocks went forward"):
        london_wall_clock(datetime.date(2027, 3, 28), datetime.time(1, 30))
    assert london_wall_clock(datetime.date(2027, 3, 28), datetime.time(2, 30)).utcoffset() == datetime.timedelta(
        hours=1
    )
    # In the hour the clocks go back, the first (summer time) is meant.
    assert london_wall_clock(datetime.date(2026, 10, 25), datetime.time(1, 30)).utcoffset() == datetime.timedelta(
        hours=1
    )
