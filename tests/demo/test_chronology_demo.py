"""The demo's chronology entries added by hand: made by the services, read by whom each agency
chose, police intelligence for the police only unless a recorded decision shared it."""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings

from safehub.access import policy
from safehub.audit.models import AuditEvent
from safehub.demo import seed as demo
from safehub.partnership.models import User
from safehub.people.models import ChronologyEntry, EntryCategory, Reach

TODAY = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)
HAND = "people.chronologyentry"

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


def test_every_entry_added_by_hand_was_added_through_the_service(users):
    entries = ChronologyEntry.objects.filter(source_type=HAND)
    assert entries.count() >= 30
    assert AuditEvent.objects.filter(action="chronology.added").count() == entries.count()


def test_police_intelligence_is_police_only_unless_a_decision_shared_it(users):
    intelligence = list(
        ChronologyEntry.objects.filter(category=EntryCategory.POLICE_INTELLIGENCE).prefetch_related("shared_with")
    )
    assert intelligence
    social_worker = users["social.worker"]
    kept = [e for e in intelligence if e.reach == Reach.OWN_AGENCY]
    shared = [e for e in intelligence if e.reach != Reach.OWN_AGENCY]
    assert kept
    assert shared
    for entry in shared:
        assert entry.sharing_decisions.exists()
    for entry in kept:
        assert not entry.sharing_decisions.exists()
        assert not policy.visible_chronology(social_worker, entry.person).filter(pk=entry.pk).exists()
        assert policy.visible_chronology(users["police.officer"], entry.person).filter(pk=entry.pk).exists()


def test_the_school_shared_some_concerns_by_name(users):
    dsl = users["school.dsl"]
    named = ChronologyEntry.objects.filter(source_type=HAND, organisation=dsl.organisation, shared_with__isnull=False)
    assert named.exists()
    assert set(named.values_list("shared_with__kind", flat=True)) <= {"police_force", "local_authority"}
