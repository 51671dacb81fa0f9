"""Timescales in force: defaults in code, local overrides per partnership, statutory ones fixed."""

import pytest
from django.core.exceptions import ValidationError

from safehub.timescales.models import TimescaleSetting
from safehub.timescales.rules import TIMESCALES, timescale_value
from tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db


def test_default_is_in_force_without_an_override():
    PartnershipFactory()
    assert timescale_value("core_group_first") == TIMESCALES["core_group_first"].default == 10


def test_partnership_override_of_a_local_timescale_is_in_force():
    partnership = PartnershipFactory()
    TimescaleSetting.objects.create(partnership=partnership, key="core_group_first", value=8)
    assert timescale_value("core_group_first") == 8


def test_default_is_in_force_when_there_is_no_partnership():
    assert timescale_value("research_due_red") == 4


def test_statutory_timescale_cannot_be_set_locally():
    setting = TimescaleSetting(partnership=PartnershipFactory(), key="initial_conference", value=20)
    with pytest.raises(ValidationError, match="set in law"):
        setting.full_clean()


def test_statutory_timescale_ignores_a_stored_override():
    # Written past validation (for example by hand in the database): the law still wins.
    TimescaleSetting.objects.create(partnership=PartnershipFactory(), key="initial_conference", value=20)
    assert timescale_value("initial_conference") == 15


def test_unknown_timescale_cannot_be_set():
    setting = TimescaleSetting(partnership=PartnershipFactory(), key="tea_break", value=20)
    with pytest.raises(ValidationError, match="no local timescale"):
        setting.full_clean()


def test_local_timescale_setting_passes_validation():
    TimescaleSetting(partnership=PartnershipFactory(), key="break_glass_duration", value=2).full_clean()


@pytest.mark.django_db
def test_due_after_counts_clock_hours_and_working_days():
    import datetime

    from safehub.timescales.calendar import LONDON
    from safehub.timescales.rules import due_after

    friday_evening = datetime.datetime(2026, 12, 18, 22, 0, tzinfo=LONDON)
    assert due_after(friday_evening, "research_due_red") == datetime.datetime(2026, 12, 19, 2, 0, tzinfo=LONDON)
    assert due_after(friday_evening, "referral_decision") == datetime.datetime(2026, 12, 21, 22, 0, tzinfo=LONDON)
    christmas_eve = datetime.datetime(2026, 12, 24, 15, 0, tzinfo=LONDON)
    assert due_after(christmas_eve, "referral_decision") == datetime.datetime(2026, 12, 29, 15, 0, tzinfo=LONDON)
    with pytest.raises(ValueError, match="not a due time"):
        due_after(friday_evening, "pre_birth_conference_week")


def test_due_after_counts_elapsed_hours_when_the_clocks_change():
    import datetime

    from safehub.timescales.calendar import LONDON
    from safehub.timescales.rules import due_after

    # The clocks go back at 02:00 on 25 October 2026 and forward at 01:00 on 29 March 2026.
    before_autumn = datetime.datetime(2026, 10, 24, 23, 0, tzinfo=LONDON)
    assert due_after(before_autumn, "research_due_red") == datetime.datetime(2026, 10, 25, 2, 0, tzinfo=LONDON)
    before_spring = datetime.datetime(2026, 3, 28, 23, 0, tzinfo=LONDON)
    assert due_after(before_spring, "research_due_red") == datetime.datetime(2026, 3, 29, 4, 0, tzinfo=LONDON)


def test_a_calendar_day_standard_counts_weekends_and_bank_holidays():
    import datetime

    from safehub.timescales.rules import due_on

    # Received on Christmas Eve 2026: 14 calendar days, Christmas and New Year included.
    assert due_on(datetime.date(2026, 12, 24), "dbs_local_check_standard") == datetime.date(2027, 1, 7)
    assert due_on(datetime.date(2026, 12, 24), "dbs_local_check_limit") == datetime.date(2027, 2, 22)
    with pytest.raises(ValueError, match="not calendar days"):
        due_on(datetime.date(2026, 12, 24), "strategy_discussion")
