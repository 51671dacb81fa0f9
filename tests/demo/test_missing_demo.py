"""The demo partnership's year of missing children, made by the services: episodes in every
council, daily digests, interviews due 72 hours after each return, and for the demo users the
repeat-missing girl in care with her exploitation flag and strategy discussion, an interview
due this afternoon and one overdue."""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings

from safehub.demo import seed as demo
from safehub.meetings.models import Meeting, MeetingKind
from safehub.missing import selectors
from safehub.missing.models import (
    FINISHED_STATES,
    Digest,
    Episode,
    EpisodeState,
    ExploitationFlag,
    GroundsDecision,
    Indicator,
    MissingEducation,
    NrmReferral,
    PhilomenaRecord,
    ReturnInterview,
    RiskGrade,
)
from safehub.partnership.models import Organisation, OrganisationKind, User
from safehub.timescales.calendar import LONDON
from tests.conftest import SignedInClient

# 10:00 in London: today's digest has gone.
TODAY = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def users(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(SAFEHUB_DEMO_MODE=True),
        time_machine.travel(TODAY, tick=False),
        transaction.atomic(),
    ):
        demo.seed_demo(size="small", seed=2026)
        yield {user.username: user for user in User.objects.all()}
        transaction.set_rollback(True)


@pytest.fixture
def today(users):
    with time_machine.travel(TODAY, tick=False):
        yield


def _client(user):
    client = SignedInClient()
    client.force_login(user)
    return client


def test_a_year_of_episodes_in_every_council_each_made_as_the_services_make_them(users):
    councils = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY)
    for council in councils:
        assert Episode.objects.filter(local_authority=council).exists(), council.name
    for episode in Episode.objects.filter(state=EpisodeState.RETURNED).select_related("interview"):
        assert episode.reference.startswith("MIS-")
        assert episode.interview.due_at == episode.returned_at + datetime.timedelta(hours=72)
        assert episode.events.filter(kind="reported").count() == 1


def test_every_council_has_had_its_digest_every_day(users):
    today = TODAY.astimezone(LONDON).date()
    for council in Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY):
        days = set(Digest.objects.filter(local_authority=council).values_list("day", flat=True))
        assert today in days
        # Every day for the last four weeks (older history keeps the days with news).
        assert all(today - datetime.timedelta(days=n) in days for n in range(28))
    assert Digest.objects.filter(episode_count=0).exists()  # the quiet days say so


def test_the_repeat_missing_girl_in_care_with_her_flag_strategy_discussion_and_records(users, today):
    (flag,) = [f for f in ExploitationFlag.objects.all() if Indicator.OLDER_ASSOCIATES in f.indicators]
    girl = flag.person
    flags = selectors.flags_for(girl)
    assert flags.repeat
    assert flags.in_care
    assert flags.missing_education
    assert Meeting.objects.filter(subjects=girl, kind=MeetingKind.STRATEGY_DISCUSSION).exists()
    assert PhilomenaRecord.objects.filter(person=girl).exists()
    assert NrmReferral.objects.get(person=girl).reasonable_grounds == GroundsDecision.POSITIVE
    now_missing = Episode.objects.get(person=girl, state=EpisodeState.MISSING)
    assert now_missing.risk_grade == RiskGrade.HIGH
    officer = users["police.officer"]
    page = _client(officer).get(f"/missing/{now_missing.pk}/philomena/")
    assert page.status_code == 200
    assert MissingEducation.objects.filter(person=girl, resolved_on__isnull=True).exists()


def test_an_interview_due_this_afternoon_and_one_overdue_for_the_demo_users(users, today):
    worker = users["rhi.worker"]
    open_ones = ReturnInterview.objects.exclude(state__in=FINISHED_STATES).filter(provider=worker.organisation)
    later_today = [i for i in open_ones if i.due_at.astimezone(LONDON).date() == TODAY.date() and i.due_at > TODAY]
    assert later_today
    overdue = [i for i in open_ones if i.due_at < TODAY]
    assert overdue
    assert all(i.escalated_at is not None for i in overdue)
    assert _client(worker).get(later_today[0].get_absolute_url()).status_code == 200


def test_the_providers_worker_sees_only_the_children_referred_to_it(users, today):
    worker = users["rhi.worker"]
    seen = selectors.interviews_for(user=worker)
    assert seen.exists()
    assert set(seen.values_list("provider_id", flat=True)) == {worker.organisation_id}


def test_the_demo_users_pages_for_missing_children_open(users, today):
    coordinator = _client(users["missing.coordinator"])
    for url in (
        "/",
        "/missing/",
        "/missing/digests/",
        "/missing/interviews/",
        "/missing/education/",
        "/missing/performance/",
    ):
        assert coordinator.get(url).status_code == 200, url
    digest = Digest.objects.filter(local_authority=users["missing.coordinator"].organisation).order_by("-day").first()
    assert coordinator.get(digest.get_absolute_url()).status_code == 200
    flag = ExploitationFlag.objects.first()
    assert coordinator.get(f"/missing/children/{flag.person_id}/").status_code == 200
    assert _client(users["rhi.worker"]).get("/").status_code == 200


def test_the_years_emails_were_sent_by_the_outbox_not_left_for_the_worker_to_pour_out(users):
    from safehub.audit.models import AuditEvent
    from safehub.notifications.models import Channel, Notification, State

    emails = Notification.objects.filter(kind__startswith="missing.", channel=Channel.EMAIL)
    assert emails.filter(state=State.SENT).count() > 100
    assert not emails.filter(state=State.PENDING, next_attempt_at__lte=TODAY).exists()
    # Through the dispatcher: claimed once, delivered, audited like any other email.
    sent = emails.filter(state=State.SENT).first()
    assert sent.attempts == 1
    assert AuditEvent.objects.filter(action="notification.sent", object_id=str(sent.pk)).exists()


def test_each_performance_figure_equals_the_records_its_link_lists(users, today):
    """On a year of the demo's episodes, every figure on the page (by measure, by council and
    risk) is the number of records its link lists, and most of them are not zero."""
    import re

    coordinator = _client(users["missing.coordinator"])
    page = coordinator.get("/missing/performance/?start=2026-01&end=2026-11").content.decode()
    links = re.findall(r'href="(/missing/performance/records/\?[^"]+)">(\d+)</a>', page)
    assert len(links) > 15
    assert sum(number != "0" for _, number in links) > len(links) // 2
    for url, number in links:
        listed = coordinator.get(url.replace("&amp;", "&"))
        assert listed.status_code == 200, url
        body = listed.content.decode()
        if number == "0":
            assert "No records are behind this figure." in body, url
        else:
            assert f"{number} record{'s' if number != '1' else ''}</caption>" in body, (url, number)
