"""Reads behind the calendar pages and API."""

import datetime

import pytest
from govuk_bank_holidays.bank_holidays import BankHolidays

from safehub.timescales.models import TimescaleSetting
from safehub.timescales.selectors import academic_year_of, bank_holidays, timescales_in_force
from tests.factories import PartnershipFactory


@pytest.mark.parametrize("year", [2026, 2027])
def test_bank_holidays_of_a_year_are_the_days_govuk_lists(year):
    govuk = BankHolidays(use_cached_holidays=True).get_holidays(division=BankHolidays.ENGLAND_AND_WALES, year=year)
    assert [holiday.date for holiday in bank_holidays(year)] == sorted(holiday["date"] for holiday in govuk)


def test_christmas_on_a_saturday_is_listed_as_its_substitute_monday():
    days = {holiday.date: holiday.name for holiday in bank_holidays(2027)}
    assert datetime.date(2027, 12, 25) not in days
    assert "Christmas" in days[datetime.date(2027, 12, 27)]


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (datetime.date(2026, 8, 31), "2025 to 2026"),
        (datetime.date(2026, 9, 1), "2026 to 2027"),
        (datetime.date(2027, 1, 5), "2026 to 2027"),
    ],
)
def test_academic_year_runs_from_september_to_august(day, label):
    assert academic_year_of(day).label == label


@pytest.mark.django_db
def test_timescales_in_force_agree_with_timescale_value_for_every_key():
    from safehub.timescales.rules import timescale_value

    partnership = PartnershipFactory()
    TimescaleSetting.objects.create(partnership=partnership, key="research_due_red", value=2)
    TimescaleSetting.objects.create(partnership=partnership, key="rapid_review", value=30)  # statutory: ignored
    in_force = {timescale.key: timescale for timescale in timescales_in_force()}
    assert {key: t.value for key, t in in_force.items()} == {key: timescale_value(key) for key in in_force}
    assert in_force["research_due_red"].set_locally
    assert not in_force["rapid_review"].set_locally
