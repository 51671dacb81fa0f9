"""The missing-children journeys over the web: the police record and close an episode, the
council's missing lead reads the digest and the child's flags, the provider records the
interview, and the police open a Philomena record with a reason that is audited."""

import datetime

import pytest
import time_machine

from safehub.audit.models import AuditEvent
from safehub.missing import services
from safehub.missing.models import Episode, Indicator, InterviewState, NrmReferral, ReturnInterview
from safehub.partnership.roles import Role
from tests.access.factories import allocate
from tests.factories import UserFactory
from tests.missing.world import bring_back, build_world, london, member, report

NOW = london(2026, 11, 10, 14, 0)


@pytest.fixture
def w(db):
    return build_world()


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_police_record_a_missing_child_and_her_return_through_the_forms(w, client, at_now):
    client.force_login(w.officer)
    form = client.get("/missing/record/")
    assert form.status_code == 200
    answer = client.post(
        "/missing/record/",
        {
            "police_reference": "MP/77/26",
            "given_names": "Kayla",
            "family_name": "Thorne",
            "date_of_birth": "1 3 2012",
            "reported_on": "10 11 2026",
            "reported_time": "13:15",
            "reported_by": "childrens_home",
            "last_seen_location": "Bus station",
            "risk_grade": "high",
            "local_authority": w.council.pk,
            "indicators": [Indicator.COUNTY_LINES],
        },
    )
    episode = Episode.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == episode.get_absolute_url()
    assert episode.person == w.child
    assert episode.council_told_at is not None  # high risk: at once
    page = client.get(episode.get_absolute_url())
    assert b"Missing episode" in page.content
    assert b"Exploitation flag" in page.content
    back = client.post(
        f"/missing/{episode.pk}/return/",
        {
            "returned_on": "10 11 2026",
            "returned_time": "13:50",
            "found_location": "Railway station, Leeds",
            "found_by": "British Transport Police",
        },
    )
    assert back.status_code == 302
    assert ReturnInterview.objects.get(episode=episode).due_at == london(2026, 11, 13, 13, 50)


def test_the_record_form_says_what_is_wrong_and_records_nothing(w, client, at_now):
    client.force_login(w.officer)
    page = client.post(
        "/missing/record/", {"police_reference": "MP/1", "reported_on": "40 11 2026", "reported_time": "25:00"}
    )
    assert page.status_code == 200
    assert b"There is a problem" in page.content
    assert not Episode.objects.exists()


def test_the_missing_lead_reads_the_list_the_digest_and_the_childs_flags(w, client):
    with time_machine.travel(london(2026, 11, 9, 12, 0), tick=False):
        episode = report(w, at=london(2026, 11, 9, 11, 0))
        bring_back(w, episode, at=london(2026, 11, 9, 11, 30))
    with time_machine.travel(london(2026, 11, 10, 8, 0), tick=False):
        services.send_digests()
    client.force_login(w.coordinator)
    with time_machine.travel(NOW, tick=False):
        listing = client.get("/missing/?state=all")
        assert b"Kayla" in listing.content
        assert b"Today&#x27;s digest" in listing.content or b"Today's digest" in listing.content
        digests = client.get("/missing/digests/")
        assert digests.status_code == 200
        digest = episode.events.first().digests.get()
        page = client.get(digest.get_absolute_url())
        assert b"Kayla" in page.content
        child = client.get(f"/missing/children/{w.child.pk}/")
        assert child.status_code == 200
        assert b"Not repeat missing" in child.content
        home = client.get("/")
        assert b"missing-card" in home.content
        assert client.get("/missing/interviews/").status_code == 200
        assert client.get("/missing/education/").status_code == 200
    assert AuditEvent.objects.filter(action="missing.digest_viewed").exists()


def test_another_councils_lead_and_a_school_see_none_of_it(w, client, at_now):
    episode = report(w, at=london(2026, 11, 10, 11, 0))
    client.force_login(w.other_coordinator)
    assert client.get(episode.get_absolute_url()).status_code == 404
    assert client.get(f"/missing/children/{w.child.pk}/").status_code == 404
    assert b"Kayla" not in client.get("/missing/?state=all").content
    client.force_login(w.nurse)
    assert client.get("/missing/").status_code == 403
    assert client.get(episode.get_absolute_url()).status_code == 403


def test_the_provider_records_the_interview_on_its_page(w, client):
    with time_machine.travel(london(2026, 11, 9, 12, 0), tick=False):
        episode = report(w, at=london(2026, 11, 9, 11, 0))
        bring_back(w, episode, at=london(2026, 11, 9, 11, 30))
    interview = ReturnInterview.objects.get()
    client.force_login(w.worker)
    with time_machine.travel(NOW, tick=False):
        home = client.get("/")
        assert b"Return home interviews" in home.content
        page = client.get(interview.get_absolute_url())
        assert page.status_code == 200
        answer = client.post(
            interview.get_absolute_url(),
            {
                "state": InterviewState.COMPLETED,
                "on": "10 11 2026",
                "at": "10:00",
                "push_factors": "Rows at home about curfew.",
                "indicators": [Indicator.OLDER_ASSOCIATES],
            },
        )
        assert answer.status_code == 302
        # The worker reaches the episode only through the interview.
        assert client.get(episode.get_absolute_url())["Location"] == interview.get_absolute_url()
        assert client.get(f"/missing/children/{w.child.pk}/").status_code == 403
    interview.refresh_from_db()
    assert interview.state == InterviewState.COMPLETED
    assert interview.completed_in_time


def test_the_police_open_the_philomena_record_only_while_the_child_is_missing_with_a_reason(w, client, at_now):
    social_worker = member(w.cp_team, Role.SOCIAL_WORKER)
    allocate(social_worker, w.child, starts_at=london(2026, 1, 5, 9, 0))
    services.keep_philomena(person=w.child, by=social_worker, description="Slight, 5ft 2, dyed red hair.")
    episode = report(w, at=london(2026, 11, 10, 11, 0))
    client.force_login(w.officer)
    url = f"/missing/{episode.pk}/philomena/"
    refused = client.post(url, {"purpose": "search"})
    assert b"There is a problem" in refused.content
    opened = client.post(url, {"purpose": "Searching the town centre for her tonight with the dog unit."})
    assert b"dyed red hair" in opened.content
    event = AuditEvent.objects.get(action="missing.philomena_opened")
    assert "town centre" in event.purpose
    bring_back(w, episode, at=london(2026, 11, 10, 12, 0))
    assert client.get(url).status_code == 403


def test_first_responders_record_an_nrm_referral_and_its_decisions(w, client, at_now):
    report(w, at=london(2026, 11, 10, 11, 0))
    client.force_login(w.coordinator)
    answer = client.post(
        f"/missing/children/{w.child.pk}/nrm/", {"referred_on": "10 11 2026", "exploitation_type": "criminal"}
    )
    assert answer.status_code == 302
    referral = NrmReferral.objects.get()
    decision = client.post(
        f"/missing/nrm/{referral.pk}/decision/",
        {"stage": "conclusive", "decision": "positive", "decided_on": "10 11 2026"},
    )
    assert b"follows a positive reasonable grounds" in decision.content
    client.post(
        f"/missing/nrm/{referral.pk}/decision/",
        {"stage": "reasonable", "decision": "positive", "decided_on": "10 11 2026"},
    )
    referral.refresh_from_db()
    assert referral.reasonable_grounds == "positive"


def test_a_school_tells_the_council_of_a_child_missing_education_after_ten_school_days(w, client):
    from tests.factories import EnrolmentFactory, SchoolFactory

    school = SchoolFactory(name="Millbrook Academy", local_authority=w.council)
    EnrolmentFactory(person=w.child, organisation=school, start_date=datetime.date(2024, 9, 1))
    dsl = UserFactory(organisation=school, roles=[Role.DESIGNATED_SAFEGUARDING_LEAD])
    client.force_login(dsl)
    with time_machine.travel(NOW, tick=False):
        early = client.post(f"/missing/children/{w.child.pk}/education/", {"reason": "absence", "since": "3 11 2026"})
        assert b"consecutive school days" in early.content
        done = client.post(f"/missing/children/{w.child.pk}/education/", {"reason": "absence", "since": "26 10 2026"})
        assert done.status_code == 302
        report(w, at=london(2026, 11, 10, 11, 0))
        client.force_login(w.coordinator)
        page = client.get("/missing/education/")
    assert b"Also missing from home" in page.content


def test_performance_figures_link_to_their_records(w, client):
    with time_machine.travel(london(2026, 11, 9, 12, 0), tick=False):
        report(w, at=london(2026, 11, 9, 11, 0))
    analyst = UserFactory(organisation=w.council, roles=[Role.PARTNERSHIP_ANALYST])
    client.force_login(analyst)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/missing/performance/?start=2026-11&end=2026-11")
        assert page.status_code == 200
        records = client.get("/missing/performance/records/?start=2026-11&end=2026-11&figure=episodes")
        assert b"1 record" in records.content
        assert b"Kayla" not in records.content
        assert client.get("/missing/performance/records/?start=2026-11&end=2026-11&figure=nope").status_code == 404
