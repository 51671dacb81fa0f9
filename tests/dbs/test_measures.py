"""The disclosure unit's figures: within 14 and 60 days by month, average and median days (the
report's "8 days"), the backlog and its age, the forecast on a known series, and each figure
equal to the checks its link lists."""

import datetime
import re

import pytest
import time_machine

from safehub.dbs import measures, services
from safehub.dbs.models import LocalCheck
from tests.conftest import SignedInClient
from tests.dbs.world import build_world, london, receive

TODAY = datetime.date(2026, 11, 30)
NOW = london(2026, 11, 30, 12, 0)


def returned_after(w, reference: str, received: datetime.date, days: int) -> LocalCheck:
    check = receive(w, reference=reference, received_on=received)
    back = received + datetime.timedelta(days=days)
    check = services.record_search(
        check=check, by=w.officer, records_found=False, now=london(*back.timetuple()[:3], 10)
    )
    return services.return_to_dbs(check=check, by=w.officer, now=london(*back.timetuple()[:3], 15))


@pytest.fixture
def w(db):
    with time_machine.travel(NOW, tick=False):
        world = build_world()
        # October: returned after 3, 8, 13, 20 and 70 days (received in August to October).
        for number, (received, days) in enumerate(
            [((2026, 10, 1), 3), ((2026, 10, 2), 8), ((2026, 10, 10), 13), ((2026, 10, 1), 20), ((2026, 8, 15), 70)]
        ):
            returned_after(world, f"E10{number}", datetime.date(*received), days)
        # Open today: received 5, 20, 40 and 75 days ago.
        for number, age in enumerate((5, 20, 40, 75)):
            receive(world, reference=f"E20{number}", received_on=TODAY - datetime.timedelta(days=age))
        yield world


def test_october_by_the_standards_with_the_average_and_median_days(w):
    october = measures.Period(datetime.date(2026, 10, 1), datetime.date(2026, 10, 1))
    figures = measures.dbs_figures(w.force.pk, october, today=TODAY)
    assert figures.counts["returned"] == 5
    assert (figures.counts["within_standard"], figures.counts["within_limit"], figures.counts["past_limit"]) == (
        3,
        4,
        1,
    )
    assert (figures.standard_rate, figures.limit_rate) == (60, 80)
    assert (figures.average_days, figures.median_days) == (22.8, 13.0)


def test_the_backlog_is_the_open_checks_past_their_standard_and_aged_by_receipt(w):
    assert measures.backlog_on(w.force.pk, TODAY).count() == 3
    ages = dict(measures.dbs_figures(w.force.pk, measures.default_period(TODAY), today=TODAY).ages)
    assert ages == {"0 to 14 days": 1, "15 to 30 days": 1, "31 to 60 days": 1, "Over 60 days": 1}
    # On 1 October the checks received on 15 August and 16 September were open past their standard.
    backlog = measures.backlog_on(w.force.pk, datetime.date(2026, 10, 1))
    assert list(backlog.values_list("dbs_reference", flat=True)) == ["E104", "E203"]


def test_the_forecast_is_this_queue_plus_four_weeks_of_intake_less_throughput():
    forecast = measures.Forecast(open_now=40, intake_per_week=12.0, returned_per_week=9.5, weeks=4)
    assert forecast.open_then == 50
    assert "grows by 2.5 a week: from 40 today to about 50 in 4 weeks" in forecast.explanation
    assert measures.Forecast(open_now=5, intake_per_week=1, returned_per_week=4, weeks=4).open_then == 0


def test_the_forecast_from_the_last_eight_weeks(w):
    forecast = measures.forecast(w.force.pk, TODAY)
    # Since 5 October: received E102 and the open 5-, 20- and 40-day-old ones; returned E101 to E104.
    assert forecast.open_now == 4
    assert (forecast.intake_per_week, forecast.returned_per_week) == (4 / 8, 4 / 8)
    assert forecast.open_then == 4


def test_each_figure_equals_the_checks_its_link_lists(w):
    client = SignedInClient()
    client.force_login(w.supervisor)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/dbs/performance/?start=2026-08&end=2026-11").content.decode()
        links = re.findall(r'href="(/dbs/performance/records/\?[^"]+)">(\d+)', page)
        assert len(links) > 20
        for url, number in links:
            listed = client.get(url.replace("&amp;", "&"))
            assert listed.status_code == 200, url
            body = listed.content.decode()
            expected = f"{number} check{'s' if number != '1' else ''}" if number != "0" else "No checks"
            assert expected in body, (url, number)


def test_only_the_unit_sees_the_figures(w):
    for outsider in (w.detective, w.analyst):
        client = SignedInClient()
        client.force_login(outsider)
        assert client.get("/dbs/performance/").status_code == 403
        assert client.get("/dbs/performance/records/?figure=returned").status_code == 403
    other = SignedInClient()
    other.force_login(w.other_officer)
    with time_machine.travel(NOW, tick=False):
        page = other.get("/dbs/performance/?start=2026-08&end=2026-11").content.decode()
    assert "E104" not in page
    assert measures.backlog_on(w.other_force.pk, TODAY).count() == 0
