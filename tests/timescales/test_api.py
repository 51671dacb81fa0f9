"""The calendar API: working days, a school's next school day and the timescales in force."""

import datetime

import pytest
from django.utils.dateparse import parse_datetime
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from safehub.partnership.roles import Role
from safehub.timescales.models import TimescaleSetting
from safehub.timescales.rules import TIMESCALES
from tests.factories import OrganisationFactory, PartnershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(social_worker):
    client = APIClient()
    client.force_authenticate(social_worker)
    return client


def test_working_days_skips_the_christmas_bank_holidays(api):
    response = api.get("/api/v1/calendar/working-days/", {"start": "2026-12-24", "days": 1})
    assert response.status_code == 200
    assert response.json() == {"start": "2026-12-24", "days": 1, "due": "2026-12-29"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "24/12/2026", "days": 1}, "start"),
        ({"start": "2026-12-24", "days": -1}, "days"),
        ({"start": "2026-12-24", "days": "many"}, "days"),
        ({"days": 1}, "start"),
        ({"start": "2070-01-01", "days": 1}, "start"),
    ],
)
def test_working_days_bad_input_gives_400_in_the_project_error_shape(api, params, field):
    response = api.get("/api/v1/calendar/working-days/", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400
    assert error["message"]
    assert list(error["fields"]) == [field]


def test_next_school_day_after_friday_evening_before_half_term(api, community_school):
    response = api.get(
        f"/api/v1/schools/{community_school.pk}/next-school-day/", {"after": "2026-10-23T18:00:00+01:00"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["school"] == community_school.pk
    assert parse_datetime(body["after"]) == datetime.datetime(2026, 10, 23, 17, 0, tzinfo=datetime.UTC)
    start = parse_datetime(body["next_school_day_start"])
    assert start == datetime.datetime(2026, 11, 2, 8, 45, tzinfo=datetime.UTC)  # 08:45 GMT


def test_next_school_day_reads_a_time_without_offset_as_uk_time(api, community_school):
    response = api.get(f"/api/v1/schools/{community_school.pk}/next-school-day/", {"after": "2026-09-15T08:00:00"})
    start = parse_datetime(response.json()["next_school_day_start"])
    assert start.utcoffset() == datetime.timedelta(hours=1)
    assert (start.date(), start.time()) == (datetime.date(2026, 9, 15), datetime.time(8, 45))


def test_next_school_day_defaults_to_now(api, community_school, time_machine):
    time_machine.move_to(datetime.datetime(2026, 9, 15, 7, 0, tzinfo=datetime.UTC), tick=False)
    response = api.get(f"/api/v1/schools/{community_school.pk}/next-school-day/")
    assert parse_datetime(response.json()["next_school_day_start"]) == datetime.datetime(
        2026, 9, 15, 7, 45, tzinfo=datetime.UTC
    )


def test_next_school_day_with_a_bad_date_gives_400(api, community_school):
    response = api.get(f"/api/v1/schools/{community_school.pk}/next-school-day/", {"after": "last Tuesday"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["after"]


def test_next_school_day_of_an_organisation_that_is_not_a_school_is_404(api):
    response = api.get(f"/api/v1/schools/{OrganisationFactory().pk}/next-school-day/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_timescales_list_shows_the_values_in_force(api):
    TimescaleSetting.objects.create(partnership=PartnershipFactory(), key="core_group_first", value=8)
    response = api.get("/api/v1/timescales/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(TIMESCALES)
    by_key = {item["key"]: item for item in body["results"]}
    assert by_key["core_group_first"]["value"] == 8
    assert by_key["core_group_first"]["default"] == 10
    assert by_key["core_group_first"]["set_locally"] is True
    assert by_key["initial_conference"] == {
        "key": "initial_conference",
        "label": "Initial child protection conference after the strategy discussion",
        "value": 15,
        "unit": "working days",
        "default": 15,
        "configurable": False,
        "set_locally": False,
        "source": "Working Together to Safeguard Children 2023",
    }


def test_api_needs_authentication():
    response = APIClient().get("/api/v1/timescales/")
    assert response.status_code == 401
    assert response.json()["error"]["status"] == response.status_code


def test_api_needs_the_api_capability():
    client = APIClient()
    client.force_authenticate(UserFactory(roles=[Role.PRIVACY_OFFICER]))
    response = client.get("/api/v1/calendar/working-days/", {"start": "2026-12-24", "days": 1})
    assert response.status_code == 403
    assert "Your roles in SafeHub do not allow this" in response.json()["error"]["message"]


def test_openapi_document_describes_the_calendar_endpoints():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    working_days = schema["paths"]["/api/v1/calendar/working-days/"]["get"]
    assert {p["name"] for p in working_days["parameters"]} == {"start", "days"}
    next_day = schema["paths"]["/api/v1/schools/{id}/next-school-day/"]["get"]
    assert {p["name"] for p in next_day["parameters"]} == {"id", "after"}
    timescales = schema["paths"]["/api/v1/timescales/"]["get"]
    assert "200" in timescales["responses"]
