"""The disclosure unit's pages as an officer and a supervisor use them: record a check, search,
assess, a supervisor's review, return; the queue's order and filters; and nobody outside the
unit reads a check (another force's unit gets 404, exactly like none; others 403)."""

import datetime

import pytest
import time_machine

from safehub.dbs.models import CheckState, LocalCheck
from safehub.dbs.services import record_search
from tests.conftest import SignedInClient
from tests.dbs.world import build_world, london, receive

NOW = london(2026, 11, 20, 10, 0)


@pytest.fixture
def w(db):
    with time_machine.travel(NOW, tick=False):
        yield build_world()


def signed_in(user) -> SignedInClient:
    client = SignedInClient()
    client.force_login(user)
    return client


def test_an_officer_records_searches_assesses_and_a_supervisor_reviews_then_it_is_returned(w):
    officer, supervisor = signed_in(w.officer), signed_in(w.supervisor)
    response = officer.post(
        "/dbs/record/",
        {
            "dbs_reference": "e0012345678",
            "given_names": "Gareth",
            "family_name": "Lowe",
            "date_of_birth": "2/6/1984",
            "workforce": "child",
            "role_applied_for": "Teaching assistant",
            "received_on": "6/11/2026",
        },
    )
    check = LocalCheck.objects.get()
    assert response.status_code == 302
    assert response.url == f"/dbs/checks/{check.pk}/"
    assert (check.dbs_reference, check.standard_due_on) == ("E0012345678", datetime.date(2026, 11, 20))
    page = officer.get(f"/dbs/checks/{check.pk}/").content.decode()
    assert "Record the search" in page
    assert f"Matched surely to record {w.known.reference}" in page
    assert "0 days left" in page

    officer.post(f"/dbs/checks/{check.pk}/search/", {"records_found": "yes", "summary": "A caution for assault, 2019."})
    officer.post(
        f"/dbs/checks/{check.pk}/assess/",
        {
            "decision": "disclose",
            "relevance": "Violence towards a child is relevant to a role with children.",
            "disclosure_text": "Cautioned on 3 May 2019 for assaulting a 12-year-old boy.",
            "representations_invited_on": "10/11/2026",
            "representations": "None received by the date given.",
        },
    )
    check.refresh_from_db()
    assert check.state == CheckState.REVIEW
    assert "Awaiting quality review" in officer.get(f"/dbs/checks/{check.pk}/").content.decode()
    assert officer.get(f"/dbs/checks/{check.pk}/review/").status_code == 403
    assert check.reference in supervisor.get("/dbs/").content.decode()
    supervisor.post(f"/dbs/checks/{check.pk}/review/", {"approved": "yes", "rationale": "Accurate and proportionate."})
    officer.post(f"/dbs/checks/{check.pk}/return/")
    check.refresh_from_db()
    assert (check.state, check.days_to_return) == (CheckState.RETURNED, 14)
    timeline = officer.get(f"/dbs/checks/{check.pk}/").content.decode()
    for step in ("Received from DBS", "Records searched", "Assessed", "Quality review", "Returned to DBS"):
        assert step in timeline


def test_the_form_says_what_is_wrong_and_records_nothing(w):
    response = signed_in(w.officer).post(
        "/dbs/record/", {"dbs_reference": "E1", "date_of_birth": "31/2/1990", "received_on": "1/12/2026"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose the workforce." in page
    assert "Enter the role applied for" in page
    assert not LocalCheck.objects.exists()


def test_the_queue_is_soonest_due_first_and_filters_by_stage_and_lateness(w):
    late = receive(w, reference="E1", received_on=datetime.date(2026, 11, 1))
    soon = receive(w, reference="E2", received_on=datetime.date(2026, 11, 15))
    searched = record_search(
        check=receive(w, reference="E3", received_on=datetime.date(2026, 11, 10)),
        by=w.officer,
        records_found=True,
        summary="An intelligence report from 2024.",
    )
    client = signed_in(w.officer)
    page = client.get("/dbs/").content.decode()
    assert page.index(late.reference) < page.index(searched.reference) < page.index(soon.reference)
    overdue = client.get("/dbs/?overdue=1").content.decode()
    assert late.reference in overdue
    assert soon.reference not in overdue
    assessing = client.get("/dbs/?state=assessment").content.decode()
    assert searched.reference in assessing
    assert late.reference not in assessing


def test_nobody_outside_the_unit_reads_a_check(w):
    check = receive(w)
    assert signed_in(w.other_officer).get(f"/dbs/checks/{check.pk}/").status_code == 404
    assert signed_in(w.other_officer).get(f"/dbs/checks/{check.pk + 999}/").status_code == 404
    for outsider in (w.detective, w.analyst):
        client = signed_in(outsider)
        assert client.get("/dbs/").status_code == 403
        # A check is 404 to anyone outside the unit, exactly like none, and the refusal is audited.
        assert client.get(f"/dbs/checks/{check.pk}/").status_code == 404
        assert client.get(f"/dbs/checks/{check.pk}/search/").status_code == 404
        assert "DBS checks" not in client.get("/").content.decode()
    assert check.reference not in signed_in(w.other_officer).get("/dbs/").content.decode()


def test_odd_query_strings_and_dates_are_refused_clearly_not_a_crash(w):
    client = signed_in(w.officer)
    assert client.get("/dbs/?officer=²&state=nonsense&page=abc").status_code == 200
    response = client.post(
        "/dbs/record/", {"dbs_reference": "E1", "date_of_birth": "²/1/1990", "received_on": "1/1/99999999"}
    )
    assert response.status_code == 200
    assert "Enter the date" in response.content.decode() or "day, month and year" in response.content.decode()
    assert client.get("/dbs/performance/?end=9999-12").status_code == 200
    assert client.get("/dbs/performance/records/?end=9999-12&figure=returned").status_code == 404
    assert not LocalCheck.objects.exists()
