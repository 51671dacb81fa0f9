"""Commitments on known figures: the status of each month and of the commitment, the raise to
the business manager after two months running not met (once), the before/after with its
interrupted time series on a series with a known step, refusals that change nothing, and
the nightly job's timing. The figures are written straight into the measures table: a
commitment reads only that table."""

import datetime

import pytest

from safehub.measures import services
from safehub.measures.models import Commitment, CommitmentEscalation, CommitmentStatus, MeasureValue
from safehub.meetings.models import Agency
from safehub.notifications.models import Notification
from safehub.partnership.models import OrganisationKind, RoleAssignment
from safehub.partnership.roles import Role
from safehub.timescales.calendar import LONDON
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
MEASURE = "meetings-strategy-attendance"


@pytest.fixture
def manager():
    user = UserFactory(username="board.manager")
    RoleAssignment.objects.create(user=user, role=Role.PARTNERSHIP_MANAGER)
    return user


@pytest.fixture
def police():
    return OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Wolds Police")


def figures(by_month: dict[datetime.date, tuple[int, int]], *, agency: str = Agency.POLICE) -> None:
    MeasureValue.objects.bulk_create(
        MeasureValue(
            measure=MEASURE,
            month=month,
            local_authority=None,
            agency=agency,
            numerator=numerator,
            denominator=denominator,
            computed_at=datetime.datetime(2026, 11, 20, 2, tzinfo=LONDON),
        )
        for month, (numerator, denominator) in by_month.items()
    )


def commit(manager, police, *, applies_from=datetime.date(2026, 6, 1), target=95) -> Commitment:
    return services.record_commitment(
        by=manager,
        wording="The police will attend at least 95% of strategy discussions.",
        made_by=police,
        made_on=datetime.date(2026, 5, 12),
        made_where="Board minutes, 12 May 2026",
        applies_from=applies_from,
        review_on=datetime.date(2027, 5, 31),
        targets=[(MEASURE, Agency.POLICE, target)],
    )


def month(m: int) -> datetime.date:
    return datetime.date(2026, m, 1)


def test_each_whole_month_is_met_or_not_against_the_target_and_the_last_sets_the_status(manager, police):
    figures({month(6): (19, 20), month(7): (18, 20), month(8): (0, 0), month(9): (20, 20), month(10): (38, 40)})
    commitment = services.evaluate_commitment(commit(manager, police), today=TODAY)
    rows = {row.month: row.met for row in commitment.targets.get().months.all()}
    # 95% exactly meets it; 90% does not; a month with nothing held is neither.
    assert rows == {month(6): True, month(7): False, month(8): None, month(9): True, month(10): True}
    assert commitment.status == CommitmentStatus.MET
    assert commitment.evaluated_month == month(10)
    assert not CommitmentEscalation.objects.exists()


def test_a_commitment_not_yet_applying_is_not_yet_due(manager, police):
    figures({month(10): (1, 20)})
    commitment = services.evaluate_commitment(commit(manager, police, applies_from=month(12)), today=TODAY)
    assert commitment.status == CommitmentStatus.NOT_YET_DUE
    assert not commitment.targets.get().months.exists()


def test_two_months_running_not_met_is_raised_to_the_business_manager_once(manager, police):
    figures({month(9): (20, 20), month(10): (15, 20)})
    commitment = services.evaluate_commitment(commit(manager, police), today=TODAY)
    assert commitment.status == CommitmentStatus.NOT_MET
    assert not CommitmentEscalation.objects.exists(), "one month not met is not yet raised"

    figures({month(11): (10, 20)})
    later = datetime.date(2026, 12, 3)
    services.evaluate_commitment(commitment, today=later)
    services.evaluate_commitment(commitment, today=later)
    assert list(CommitmentEscalation.objects.values_list("month", flat=True)) == [month(11)]
    raised = Notification.objects.filter(kind="measures.commitment_not_met")
    assert {row.recipient_id for row in raised} == {manager.pk}
    assert raised.count() == raised.values("channel").distinct().count()
    assert all(commitment.reference in row.reference for row in raised)

    # Still not met in December: the same run of months, not raised again.
    figures({month(12): (5, 20)})
    services.evaluate_commitment(commitment, today=datetime.date(2027, 1, 4))
    assert Notification.objects.filter(kind="measures.commitment_not_met").count() == raised.count()


def test_a_commitment_that_cannot_be_recorded_says_why_and_records_nothing(manager, police):
    cases = [
        ({"targets": []}, "at least one target"),
        ({"targets": [("no-such-measure", Agency.POLICE, 95)]}, "Choose a measure"),
        ({"targets": [(MEASURE, "family", 95)]}, "not measured for that agency"),
        ({"targets": [(MEASURE, Agency.POLICE, 101)]}, "1 to 100"),
        ({"made_where": "  "}, "where the commitment was made"),
        ({"review_on": datetime.date(2026, 1, 1)}, "review date"),
        ({"applies_from": datetime.date(2019, 1, 1)}, "figures are kept for 36 months"),
        ({"applies_from": datetime.date(2099, 1, 1), "review_on": datetime.date(2100, 1, 1)}, "between"),
        (
            {
                "targets": [("dbs-within-standard", Agency.POLICE, 85)],
                "local_authority": OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, name="Riverside"),
            },
            "kept for the force, not by council",
        ),
    ]
    for change, message in cases:
        arguments = {
            "by": manager,
            "wording": "The police will attend at least 95% of strategy discussions.",
            "made_by": police,
            "made_on": datetime.date(2026, 5, 12),
            "made_where": "Board minutes",
            "applies_from": datetime.date(2026, 6, 1),
            "review_on": datetime.date(2027, 5, 31),
            "targets": [(MEASURE, Agency.POLICE, 95)],
            **change,
        }
        with pytest.raises(services.CommitmentError, match=message):
            services.record_commitment(**arguments)
    assert not Commitment.objects.exists()


def test_the_interrupted_time_series_finds_a_known_step_and_no_step_where_there_is_none():
    before = [50 + 2 * t + (0.5 if t % 2 else -0.5) for t in range(6)]
    after = [50 + 2 * t + 18 + (0.5 if t % 2 else -0.5) for t in range(6, 12)]
    change = services.interrupted_time_series(before, after)
    assert change is not None
    assert change.low < 18 < change.high
    assert abs(change.step - 18) < 2
    assert change.clear

    steady = [70 + (1 if t % 3 == 0 else -1) for t in range(12)]
    none = services.interrupted_time_series(steady[:6], steady[6:])
    assert none is not None
    assert none.low < 0 < none.high
    assert not none.clear

    assert services.interrupted_time_series([50, 60], [70, 80, 90]) is None
    # Months without records keep their place in time and do not count as measured.
    gappy = services.interrupted_time_series([50, None, 54, 56, None], [None, 80, 82, 84])
    assert gappy is not None
    assert (gappy.months_before, gappy.months_after) == (3, 3)
    assert services.interrupted_time_series([50, None, 54, None], [80, 82, 84]) is None


def test_before_and_after_compare_equal_periods_around_the_start(manager, police):
    # Four months before June (Feb-May) at about 60%, four since (Jun-Sep... to October) at 100%.
    figures({month(m): (12 + m % 2, 20) for m in range(2, 6)})
    figures({month(m): (20, 20) for m in range(6, 11)})
    commitment = commit(manager, police)
    comparison = services.before_after(commitment.targets.get(), commitment, today=TODAY)
    assert (comparison.before_first, comparison.before_last) == (month(1), month(5))
    assert comparison.after == (100, 100)
    assert comparison.before == (50, 80)
    assert comparison.change is not None
    assert comparison.change.low > 0


def test_the_nightly_job_runs_once_a_day_after_two_in_the_morning(manager, police):
    commit(manager, police)
    at_one = datetime.datetime(2026, 11, 20, 1, 0, tzinfo=LONDON)
    assert services.run_nightly(now=at_one) is False
    at_three = datetime.datetime(2026, 11, 20, 3, 0, tzinfo=LONDON)
    assert services.run_nightly(now=at_three) is True
    assert Commitment.objects.get().evaluated_month == month(10)
    assert services.run_nightly(now=at_three + datetime.timedelta(hours=1)) is False
    assert services.run_nightly(now=at_three + datetime.timedelta(days=1)) is True


def _form(police, **change):
    return {
        "wording": "The police will attend at least 95% of strategy discussions.",
        "made_by": str(police.pk),
        "made_on": "12 5 2026",
        "made_where": "Board minutes, 12 May 2026, item 4",
        "applies_from": "2026-06",
        "review_on": "31 5 2027",
        "local_authority": "",
        "target_1": f"{MEASURE}:{Agency.POLICE}",
        "percent_1": "95",
        "target_2": "",
        "percent_2": "",
        "target_3": "",
        "percent_3": "",
        **change,
    }


def test_the_business_manager_records_a_commitment_through_the_form(client, manager, police):
    client.force_login(manager)
    page = client.get("/partnership/dashboard/commitments/new/")
    assert page.status_code == 200
    response = client.post("/partnership/dashboard/commitments/new/", _form(police))
    commitment = Commitment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/partnership/dashboard/commitments/{commitment.pk}/"
    assert commitment.applies_from == month(6)
    assert list(commitment.targets.values_list("measure", "agency", "target_percent")) == [(MEASURE, Agency.POLICE, 95)]
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"applies_from": "June"}, "year and month"),
        ({"made_on": "31 2 2026"}, "day it was made"),
        ({"percent_1": ""}, "share the measure must reach"),
        ({"percent_1": "150"}, "1 to 100"),
        ({"target_1": f"{MEASURE}:family"}, "Select a valid choice"),
        ({"review_on": "1 1 2026"}, "review date must be after"),
        ({"target_2": f"{MEASURE}:{Agency.POLICE}", "percent_2": "90"}, "only one target"),
    ],
)
def test_a_bad_commitment_form_says_what_to_change_and_records_nothing(client, manager, police, change, message):
    client.force_login(manager)
    response = client.post("/partnership/dashboard/commitments/new/", _form(police, **change))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Commitment.objects.exists()


def test_only_the_business_manager_records_commitments(client, police):
    analyst = UserFactory(username="analyst")
    RoleAssignment.objects.create(user=analyst, role=Role.PARTNERSHIP_ANALYST)
    client.force_login(analyst)
    assert client.get("/partnership/dashboard/commitments/new/").status_code == 403
    assert client.post("/partnership/dashboard/commitments/new/", _form(police)).status_code == 403
    assert not Commitment.objects.exists()
