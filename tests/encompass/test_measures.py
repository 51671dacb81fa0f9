"""Operation Encompass performance: notices counted in the month they were due, delivered before
the school day, acknowledged (and by the acknowledge-by time), the median time from incident to
delivery, children with no school found, per school, the notices behind each figure, and who
may see them."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from safehub.audit.models import AuditEvent
from safehub.encompass import measures
from safehub.encompass.models import NoSchoolReason, Notice, RecipientKind
from safehub.encompass.services.incidents import ChildInput
from safehub.encompass.services.notices import acknowledge
from safehub.partnership.roles import Role
from tests.encompass.conftest import child_of, london, record
from tests.factories import EnrolmentFactory, OrganisationFactory, PersonFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

AUTUMN = measures.Period(datetime.date(2026, 9, 1), datetime.date(2026, 11, 1))
NOVEMBER = measures.Period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 1))


def travel(moment):
    return time_machine.travel(moment, tick=False)


def incident_at(world, recorded_at, *, occurred_at=None, children=None):
    """An incident recorded at `recorded_at` (by default 30 minutes after it happened)."""
    with travel(recorded_at):
        return record(world, occurred_at=occurred_at or recorded_at - datetime.timedelta(minutes=30), children=children)


def notice_of(incident) -> Notice:
    return Notice.objects.get(incident=incident)


def acknowledged_at(world, notice, moment, *, by=None):
    with travel(moment):
        acknowledge(notice=notice, by=by or world.key_adult)


@pytest.fixture
def analyst(db):
    return UserFactory(organisation=OrganisationFactory(name="Business Unit"), roles=[Role.PARTNERSHIP_ANALYST])


@pytest.fixture
def after_autumn(time_machine):
    time_machine.move_to(london(2026, 12, 1, 12, 0), tick=False)


# The period and the figures ---------------------------------------------------------------------


def test_a_notice_counts_in_the_month_it_was_due_not_the_month_of_the_incident(world):
    incident_at(world, london(2026, 10, 23, 19, 0))  # Friday before half-term: due Monday 2 November
    figures = measures.encompass_figures(AUTUMN)
    october, november = figures.by_month[1], figures.by_month[2]
    assert (october.month, october.sent) == (datetime.date(2026, 10, 1), 0)
    assert (november.month, november.sent) == (datetime.date(2026, 11, 1), 1)
    assert figures.total.sent == 1


def test_a_notice_due_at_midnight_on_the_first_of_the_month_in_summer_time_counts_in_that_month(world):
    incident = incident_at(world, london(2026, 9, 29, 19, 0))
    Notice.objects.filter(incident=incident).update(due_at=london(2026, 10, 1, 0, 0))  # 23:00 UTC on 30 Sept
    assert [row.sent for row in measures.encompass_figures(AUTUMN).by_month] == [0, 1, 0]


def test_a_notice_delivered_before_the_school_day_started_is_on_time_and_one_after_is_late(world):
    on_time = incident_at(world, london(2026, 11, 25, 7, 59))
    late = incident_at(world, london(2026, 11, 26, 19, 0))
    notice = notice_of(late)
    Notice.objects.filter(pk=notice.pk).update(delivered_at=notice.due_at + datetime.timedelta(minutes=1))
    total = measures.encompass_figures(NOVEMBER).total
    assert (total.sent, total.on_time, total.late, total.percent_on_time) == (2, 1, 1, 50)
    assert notice_of(on_time).delivered_at == notice_of(on_time).due_at - datetime.timedelta(minutes=46)


def test_a_notice_that_reached_no_key_adult_is_not_on_time(world):
    school = SchoolFactory(name="Hillside School", urn=993102, local_authority=world.council)
    pupil = PersonFactory(given_names="Oscar", family_name="Pryce", date_of_birth=datetime.date(2016, 3, 3))
    EnrolmentFactory(person=pupil, organisation=school, start_date=datetime.date(2022, 9, 1))
    incident_at(world, london(2026, 11, 25, 19, 0), children=[child_of(pupil)])
    total = measures.encompass_figures(NOVEMBER).total
    assert (total.sent, total.delivered, total.on_time, total.percent_on_time) == (1, 0, 0, 0)


def test_acknowledged_and_acknowledged_by_the_acknowledge_by_time_are_shares_of_the_notices_sent(world):
    first = notice_of(incident_at(world, london(2026, 11, 24, 19, 0)))  # due 25 Nov 08:45, chase at 10:00
    second = notice_of(incident_at(world, london(2026, 11, 25, 19, 0)))
    incident_at(world, london(2026, 11, 26, 19, 0))
    acknowledged_at(world, first, london(2026, 11, 25, 9, 30))
    acknowledged_at(world, second, london(2026, 11, 26, 10, 1))
    total = measures.encompass_figures(NOVEMBER).total
    assert (total.sent, total.acknowledged, total.acknowledged_in_time) == (3, 2, 1)
    assert (total.percent_acknowledged, total.percent_acknowledged_in_time) == (67, 33)
    assert total.not_acknowledged == 1


def test_no_percentage_is_shown_for_a_month_with_no_notices(world):
    empty = measures.encompass_figures(NOVEMBER).total
    assert (empty.sent, empty.percent_on_time, empty.percent_acknowledged, empty.median_to_delivery) == (
        0,
        None,
        None,
        None,
    )


def test_the_median_time_from_incident_to_delivery_is_the_middle_of_the_months_notices(world):
    for hours in (1, 10, 2):
        incident_at(world, london(2026, 11, 24, 20, 0), occurred_at=london(2026, 11, 24, 20 - hours, 0))
    assert measures.encompass_figures(NOVEMBER).total.median_to_delivery == datetime.timedelta(hours=2)


def test_the_median_of_an_even_number_of_notices_is_halfway_between_the_middle_two(world):
    for hours in (1, 4):
        incident_at(world, london(2026, 11, 24, 20, 0), occurred_at=london(2026, 11, 24, 20 - hours, 0))
    total = measures.encompass_figures(NOVEMBER).total
    assert total.median_to_delivery == datetime.timedelta(hours=2, minutes=30)
    assert total.median_text == "2 h 30 min"


def test_the_median_leaves_out_notices_never_delivered(world):
    incident_at(world, london(2026, 11, 24, 20, 0), occurred_at=london(2026, 11, 24, 19, 0))
    undelivered = incident_at(world, london(2026, 11, 24, 20, 0), occurred_at=london(2026, 11, 20, 19, 0))
    Notice.objects.filter(incident=undelivered).update(delivered_at=None)
    assert measures.encompass_figures(NOVEMBER).total.median_to_delivery == datetime.timedelta(hours=1)


def test_durations_read_as_minutes_hours_or_days():
    assert measures.duration_text(datetime.timedelta(minutes=45)) == "45 min"
    assert measures.duration_text(datetime.timedelta(hours=3, minutes=20)) == "3 h 20 min"
    assert measures.duration_text(datetime.timedelta(days=2, hours=4, minutes=10)) == "2 days 4 h"
    assert measures.duration_text(None) == ""


def test_children_with_no_school_found_are_counted_by_reason(world):
    unknown = ChildInput(given_names="Zara", family_name="Quill", present=False)
    incident_at(
        world,
        london(2026, 11, 24, 20, 0),
        children=[child_of(world.child), child_of(world.home_educated), child_of(world.toddler), unknown],
    )
    figures = measures.encompass_figures(NOVEMBER)
    by_reason = {row.value: row.count for row in figures.no_school}
    assert by_reason == {
        NoSchoolReason.NOT_FOUND: 1,
        NoSchoolReason.NO_ENROLMENT: 1,
        NoSchoolReason.OUTSIDE_SCHEME: 1,
    }
    assert (figures.total.sent, figures.total.no_school) == (4, 3)


def test_each_school_has_its_own_row_and_the_council_is_not_a_school(world):
    pupil = PersonFactory(given_names="Leo", family_name="Marsh", date_of_birth=datetime.date(2018, 1, 9))
    EnrolmentFactory(person=pupil, organisation=world.other_school, start_date=datetime.date(2023, 9, 1))
    incident_at(world, london(2026, 11, 24, 20, 0), children=[child_of(world.child), child_of(world.home_educated)])
    incident_at(world, london(2026, 11, 25, 20, 0), children=[child_of(pupil)])
    rows = {row.name: row.tally.sent for row in measures.encompass_figures(NOVEMBER).by_school}
    assert rows == {"Millbrook Primary School": 1, "Riverside Primary School": 1}


def test_one_schools_figures_count_only_its_notices(world):
    pupil = PersonFactory(given_names="Leo", family_name="Marsh", date_of_birth=datetime.date(2018, 1, 9))
    EnrolmentFactory(person=pupil, organisation=world.other_school, start_date=datetime.date(2023, 9, 1))
    incident_at(world, london(2026, 11, 24, 20, 0), children=[child_of(world.child), child_of(world.home_educated)])
    incident_at(world, london(2026, 11, 25, 20, 0), children=[child_of(pupil)])
    figures = measures.encompass_figures(NOVEMBER, school=world.other_school)
    assert (figures.total.sent, figures.total.no_school) == (1, 0)
    assert figures.total.link("sent") == f"figure=sent&school={world.other_school.pk}"


def test_the_figures_take_one_query_however_many_notices(world, django_assert_num_queries):
    for day in (23, 24, 25):
        incident_at(world, london(2026, 11, day, 20, 0), children=[child_of(world.child), child_of(world.toddler)])
    with django_assert_num_queries(1):
        figures = measures.encompass_figures(AUTUMN)
    assert figures.total.sent == 6


# The notices behind a figure --------------------------------------------------------------------


def test_the_notices_behind_a_figure_are_the_ones_it_counts(world):
    first = notice_of(incident_at(world, london(2026, 11, 24, 19, 0)))
    second = notice_of(incident_at(world, london(2026, 11, 25, 19, 0)))
    acknowledged_at(world, first, london(2026, 11, 25, 9, 30))
    assert list(measures.notices_behind(NOVEMBER, "acknowledged")) == [first]
    assert list(measures.notices_behind(NOVEMBER, "not_acknowledged")) == [second]
    assert list(measures.notices_behind(NOVEMBER, "sent")) == [first, second]


def test_the_no_school_figure_can_be_narrowed_to_one_reason(world):
    unknown = ChildInput(given_names="Zara", family_name="Quill", present=False)
    incident = incident_at(world, london(2026, 11, 24, 20, 0), children=[child_of(world.home_educated), unknown])
    behind = measures.notices_behind(NOVEMBER, "no_school", NoSchoolReason.NOT_FOUND)
    assert [n.child.given_names for n in behind] == ["Zara"]
    assert measures.notices_behind(NOVEMBER, "no_school").count() == incident.notices.count() == 2


def test_a_figure_that_does_not_exist_is_refused():
    with pytest.raises(measures.FigureError):
        measures.figure_title("children_names")
    with pytest.raises(measures.FigureError):
        measures.figure_title("sent", "not_found")


def test_the_records_page_shows_references_and_times_never_the_child_or_the_address(
    client, world, analyst, after_autumn
):
    incident = incident_at(world, london(2026, 10, 23, 19, 0))
    client.force_login(analyst)
    response = client.get(
        reverse("encompass:performance-records"), {"start": "2026-09", "end": "2026-11", "figure": "sent"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{incident.reference}-1" in page
    assert "Millbrook Primary School" in page
    assert "Mon 2 Nov 2026, 08:45" in page
    for personal in ("Amelia", "Hartley", "Orchard", "shouting"):
        assert personal not in page


def test_a_notice_behind_a_figure_links_to_it_only_for_someone_who_may_open_it(client, world, analyst, after_autumn):
    notice = notice_of(incident_at(world, london(2026, 11, 24, 19, 0)))
    link = f'href="{reverse("encompass:notice", args=[notice.pk])}"'
    query = {"start": "2026-11", "end": "2026-11", "figure": "sent"}
    client.force_login(world.coordinator)
    assert link in client.get(reverse("encompass:performance-records"), query).content.decode()
    client.force_login(analyst)
    assert link not in client.get(reverse("encompass:performance-records"), query).content.decode()


def test_a_months_records_are_only_that_months(client, world, analyst, after_autumn):
    incident_at(world, london(2026, 10, 21, 19, 0))  # due 22 October
    november = incident_at(world, london(2026, 11, 24, 19, 0))
    client.force_login(analyst)
    response = client.get(
        reverse("encompass:performance-records"),
        {"start": "2026-09", "end": "2026-11", "figure": "sent", "month": "2026-11"},
    )
    assert [record.reference for record in response.context["records"]] == [f"{november.reference}-1"]


def test_the_records_of_an_unknown_figure_school_or_month_are_not_found(client, world, analyst, after_autumn):
    client.force_login(analyst)
    url = reverse("encompass:performance-records")
    assert client.get(url, {"figure": "names"}).status_code == 404
    assert client.get(url, {"figure": "sent", "school": world.force.pk}).status_code == 404
    assert (
        client.get(url, {"start": "2026-09", "end": "2026-10", "figure": "sent", "month": "2026-11"}).status_code == 404
    )
    assert client.get(url, {"start": "2026-13", "figure": "sent"}).status_code == 404


# The page ---------------------------------------------------------------------------------------


def test_the_page_shows_the_figures_with_links_to_their_records(client, world, analyst, after_autumn):
    incident_at(world, london(2026, 10, 23, 19, 0))
    client.force_login(analyst)
    response = client.get(reverse("encompass:performance"), {"start": "2026-10", "end": "2026-11"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "/encompass/performance/records/?start=2026-10&amp;end=2026-11&amp;figure=on_time&amp;month=2026-11" in page
    assert response.context["figures"].total.percent_on_time == 100
    assert "Amelia" not in page


def test_a_period_that_cannot_be_shown_says_why_and_shows_the_last_twelve_months(client, world, analyst, after_autumn):
    client.force_login(analyst)
    response = client.get(reverse("encompass:performance"), {"start": "2026-11", "end": "2026-09"})
    assert response.status_code == 200
    assert "The last month must be the same as or after the first month." in response.content.decode()
    assert response.context["period"] == measures.default_period(datetime.date(2026, 12, 1))


def test_a_school_that_was_never_notified_cannot_be_chosen(client, world, analyst, after_autumn):
    client.force_login(analyst)
    response = client.get(reverse("encompass:performance"), {"school": world.force.pk})
    assert measures.NO_SUCH_SCHOOL in response.content.decode()
    assert response.context["figures"].school is None


def test_one_schools_page_shows_its_name_and_only_its_figures(client, world, analyst, after_autumn):
    incident_at(world, london(2026, 11, 24, 20, 0), children=[child_of(world.child), child_of(world.home_educated)])
    client.force_login(analyst)
    response = client.get(reverse("encompass:performance"), {"school": world.school.pk})
    assert response.context["figures"].total.sent == 1
    option = f'<option value="{world.school.pk}" selected>Millbrook Primary School</option>'
    assert option in response.content.decode()


def test_the_coordinator_and_the_analyst_may_see_the_page_a_key_adult_and_an_officer_may_not(
    client, world, analyst, after_autumn
):
    for allowed in (analyst, world.coordinator):
        client.force_login(allowed)
        assert client.get(reverse("encompass:performance")).status_code == 200
    for refused in (world.key_adult, world.officer):
        client.force_login(refused)
        assert client.get(reverse("encompass:performance")).status_code == 403
        assert client.get(reverse("encompass:performance-records"), {"figure": "sent"}).status_code == 403


def test_someone_signed_out_is_sent_to_sign_in(client, world):
    response = client.get(reverse("encompass:performance"))
    assert response.status_code == 302


def test_looking_at_the_figures_and_their_records_is_audited(client, world, analyst, after_autumn):
    client.force_login(analyst)
    client.get(reverse("encompass:performance"), {"start": "2026-10", "end": "2026-11"})
    client.get(reverse("encompass:performance-records"), {"start": "2026-10", "end": "2026-11", "figure": "late"})
    events = AuditEvent.objects.filter(action="encompass.measures_viewed", actor=analyst).order_by("pk")
    assert [event.detail.get("figure") for event in events] == [None, "late"]
    assert events[0].detail["start"] == "2026-10"


def test_a_notice_to_the_council_is_shown_as_its_education_team(client, world, analyst, after_autumn):
    incident_at(world, london(2026, 11, 24, 20, 0), children=[child_of(world.home_educated)])
    assert Notice.objects.get().recipient_kind == RecipientKind.LOCAL_AUTHORITY
    client.force_login(analyst)
    response = client.get(
        reverse("encompass:performance-records"), {"start": "2026-11", "end": "2026-11", "figure": "no_school"}
    )
    assert "Millbrook Council (education team)" in response.content.decode()
