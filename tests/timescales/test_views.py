"""The calendar pages: timescales in force, bank holidays, authorities' terms and a school's calendar."""

import datetime

import pytest
from django.urls import reverse

from safehub.partnership.roles import Role
from safehub.timescales.calendar import LONDON
from safehub.timescales.models import ClosureKind, SchoolClosure, TimescaleSetting
from tests.factories import OrganisationFactory, PartnershipFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def thursday_26_november_2026(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 26, 10, 0, tzinfo=LONDON), tick=False)


@pytest.fixture
def signed_in(client, social_worker):
    client.force_login(social_worker)
    return client


def test_calendars_page_shows_timescales_with_local_overrides(signed_in):
    TimescaleSetting.objects.create(partnership=PartnershipFactory(), key="core_group_first", value=8)
    page = signed_in.get(reverse("timescales:calendars")).content.decode()
    assert "First core group meeting after the initial conference" in page
    assert "8 working days" in page
    assert "Set locally" in page
    assert "Law (cannot be changed)" in page
    assert "Working Together to Safeguard Children 2023" in page
    assert "10:00" in page  # Operation Encompass acknowledgement, a clock time


def test_calendars_page_lists_bank_holidays_for_this_year_and_next(signed_in):
    page = signed_in.get(reverse("timescales:calendars")).content.decode()
    assert "Bank holidays in 2026" in page
    assert "Bank holidays in 2027" in page
    assert 'datetime="2026-12-28"' in page  # Boxing Day substitute
    assert 'datetime="2027-12-27"' in page  # Christmas Day substitute
    assert 'datetime="2028-01-03"' not in page


def test_calendars_page_lists_each_authority_terms_for_this_academic_year_and_next(signed_in, authority):
    page = signed_in.get(reverse("timescales:calendars")).content.decode()
    assert "Millbrook Council: academic year 2026 to 2027" in page
    assert "Autumn 2 2026" in page
    assert "Spring 2 2026" not in page  # last academic year
    assert "No term dates are recorded for the academic year 2027 to 2028" in page


def test_calendars_page_needs_the_calendar_capability(client):
    client.force_login(UserFactory(roles=[Role.PRIVACY_OFFICER]))
    assert client.get(reverse("timescales:calendars")).status_code == 403


def test_calendars_page_needs_sign_in(client):
    response = client.get(reverse("timescales:calendars"))
    assert response.status_code == 302
    assert reverse("core:sign-in") in response["Location"]


def test_school_calendar_shows_the_authority_terms_closures_and_next_school_days(signed_in, community_school):
    SchoolClosure.objects.create(
        school=community_school, date=datetime.date(2026, 11, 27), kind=ClosureKind.INSET, reason="Staff training"
    )
    response = signed_in.get(reverse("timescales:school-calendar", args=[community_school.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Millbrook Council's term dates" in page
    assert "Autumn 2 2026" in page
    assert "Staff training" in page
    # Thursday 26 November 10:00: the next five starts skip Friday's INSET day and the weekend.
    assert "Monday 30 November 2026, 08:45" in page
    assert "Friday 27 November 2026" not in page
    assert "Friday 4 December 2026, 08:45" in page


def test_school_calendar_says_when_the_school_sets_its_own_terms(signed_in, academy):
    page = signed_in.get(reverse("timescales:school-calendar", args=[academy.pk])).content.decode()
    assert "The school's own term dates" in page
    assert "Autumn 2 2026" in page
    assert "Spring 1 2027" not in page  # the authority's


def test_school_calendar_without_term_dates_says_working_days_count(signed_in):
    school = SchoolFactory(local_authority=None)
    page = signed_in.get(reverse("timescales:school-calendar", args=[school.pk])).content.decode()
    assert "None recorded: every working day counts as a school day" in page


def test_school_calendar_of_an_organisation_that_is_not_a_school_is_not_found(signed_in):
    police = OrganisationFactory()
    assert signed_in.get(reverse("timescales:school-calendar", args=[police.pk])).status_code == 404
