"""The investigation pages, for the officer, the supervisor and the social worker; health and
schools get 404 for an investigation, as for one that does not exist."""

import html
import re

import pytest
import time_machine

from safehub.investigations import services
from safehub.investigations.models import Closure, ClosureOutcome, InvestigationState, OpportunityState
from tests.conftest import SignedInClient
from tests.investigations.conftest import london, open_case

pytestmark = pytest.mark.django_db

RATIONALE = "The child's account was not supported by the medical evidence and there are no witnesses."


def _client(user):
    client = SignedInClient()
    client.force_login(user)
    return client


def _text(response) -> str:
    page = response.content.decode()
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[page.find("<main") :])))


def test_the_officer_opens_an_investigation_through_the_form(w):
    client = _client(w.officer)
    form = {
        "crime_reference": "RP/555/26",
        "offence_category": "physical_abuse",
        "victims": w.child.reference,
        "suspects": w.suspect.reference,
        "witnesses": "",
        "allocated_officer": w.officer.pk,
        "supervising_officer": w.supervisor.pk,
    }
    bad = client.post("/investigations/open/", {**form, "victims": "P-9999999"})
    assert bad.status_code == 200
    assert "No record P-9999999" in _text(bad)
    response = client.post("/investigations/open/", form)
    assert response.status_code == 302
    page = _text(client.get(response["Location"]))
    assert "ABE interview of the child" in page
    assert "RP/555/26" in page


def test_the_closure_page_refuses_and_names_the_outstanding_opportunities(w):
    investigation = open_case(w)
    client = _client(w.officer)
    page = _text(client.get(f"/investigations/{investigation.pk}/close/"))
    assert "It cannot be closed yet" in page
    assert "ABE interview of the child" in page
    assert "Medical or paediatric assessment" in page
    response = client.post(
        f"/investigations/{investigation.pk}/close/", {"outcome": ClosureOutcome.NFA_EVIDENTIAL, "rationale": RATIONALE}
    )
    assert response.status_code == 200
    assert not Closure.objects.exists()


def _in_window(w):
    with time_machine.travel(london(2026, 11, 10, 9, 0), tick=False):
        investigation = open_case(w)
        for opportunity in investigation.opportunities.filter(state=OpportunityState.OUTSTANDING):
            services.settle_opportunity(opportunity=opportunity, by=w.officer, done=True, outcome="Done.")
        closure = services.propose_closure(
            investigation=investigation, by=w.officer, outcome=ClosureOutcome.NFA_EVIDENTIAL, rationale=RATIONALE
        )
    return investigation, closure


def test_the_supervisor_signs_off_and_the_social_worker_challenges_through_the_pages(w):
    investigation, closure = _in_window(w)
    with time_machine.travel(london(2026, 11, 10, 11, 0), tick=False):
        supervisor = _client(w.supervisor)
        listing = _text(supervisor.get("/investigations/"))
        assert "Closures to sign off" in listing
        response = supervisor.post(
            f"/investigations/closures/{closure.pk}/sign-off/",
            {"decision": "sign_off", "sign_off_rationale": RATIONALE},
        )
        assert response.status_code == 302
    with time_machine.travel(london(2026, 11, 11, 9, 0), tick=False):
        social_worker = _client(w.social_worker)
        listing = _text(social_worker.get("/investigations/"))
        assert "Closures you may challenge" in listing
        page = _text(social_worker.get(f"/investigations/{investigation.pk}/"))
        assert "It takes effect at 11:00 on Thursday 12 November 2026 unless the council challenges it" in page
        assert "RP/12345/26" not in page  # the crime reference is the police's
        response = social_worker.post(
            f"/investigations/closures/{closure.pk}/challenge/",
            {"reasons": "The sibling who saw the injury was never interviewed."},
        )
        assert response.status_code == 302
    investigation.refresh_from_db()
    assert investigation.state == InvestigationState.CHALLENGED


def test_health_and_a_school_get_404_for_the_investigation_and_its_closure(w):
    investigation, closure = _in_window(w)
    for user in (w.nurse, w.dsl):
        client = _client(user)
        assert client.get(f"/investigations/{investigation.pk}/").status_code in (403, 404)
        assert client.get(f"/investigations/closures/{closure.pk}/challenge/").status_code in (403, 404)
    assert _client(w.other_force_officer).get(f"/investigations/{investigation.pk}/").status_code == 404


def test_reading_an_investigation_is_audited_and_so_is_a_refused_one(w):
    from safehub.audit.models import AuditEvent

    investigation = open_case(w)
    assert _client(w.social_worker).get(f"/investigations/{investigation.pk}/").status_code == 200
    assert AuditEvent.objects.filter(
        action="investigation.viewed", actor=w.social_worker, object_id=str(investigation.pk)
    ).exists()
    assert _client(w.other_force_officer).get(f"/investigations/{investigation.pk}/").status_code == 404
    assert AuditEvent.objects.filter(
        action="access.refused", actor=w.other_force_officer, object_type="investigations.investigation"
    ).exists()


def test_opening_the_challenge_page_is_an_audited_read(w):
    from safehub.audit.models import AuditEvent

    investigation, closure = _in_window(w)
    with time_machine.travel(london(2026, 11, 10, 11, 0), tick=False):
        services.sign_off_closure(closure=closure, by=w.supervisor, rationale=RATIONALE)
        assert _client(w.social_worker).get(f"/investigations/closures/{closure.pk}/challenge/").status_code == 200
    assert AuditEvent.objects.filter(
        action="investigation.viewed", actor=w.social_worker, object_id=str(investigation.pk)
    ).exists()
