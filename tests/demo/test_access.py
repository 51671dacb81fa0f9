"""The demo's access: each demo practitioner works with about thirty whole families, and the
privacy officer has one emergency access to review."""

import datetime

import pytest

from safehub.access import policy
from safehub.access.demo import FAMILIES_EACH, household_of_child
from safehub.access.models import BreakGlassGrant, LegitimateRelationship, RelationshipSource
from safehub.audit.models import AuditEvent
from safehub.partnership.models import User
from safehub.people.models import Person, PersonKind
from tests.demo.conftest import seeded_once

TODAY = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker):
    with seeded_once(django_db_blocker, at=TODAY, children=400):
        yield


@pytest.fixture(autouse=True)
def _seeded(_demo, time_machine):
    time_machine.move_to(TODAY, tick=False)


@pytest.mark.parametrize("username", ["social.worker", "police.officer", "health.practitioner"])
def test_each_demo_practitioner_sees_about_thirty_whole_families(username):
    user = User.objects.get(username=username)
    visible = set(policy.visible_persons(user).values_list("pk", flat=True))
    children = Person.objects.filter(pk__in=visible, kind=PersonKind.CHILD)

    assert FAMILIES_EACH <= children.count() < Person.objects.filter(kind=PersonKind.CHILD).count() // 2
    # A meeting invitation opens only the children the meeting is about; the families come from allocations.
    invited = LegitimateRelationship.objects.filter(source=RelationshipSource.MEETING_INVITATION).values("person_id")
    for child in children.exclude(pk__in=invited)[:10]:
        assert household_of_child(child.pk) <= visible


def test_the_police_officers_families_come_through_the_team():
    officer = User.objects.get(username="police.officer")
    supervisor = User.objects.get(username="police.supervisor")

    # Apart from the children of meetings one of them is invited to by name.
    named = LegitimateRelationship.objects.filter(
        source=RelationshipSource.MEETING_INVITATION, user__isnull=False
    ).values("person_id")
    officers = set(policy.visible_persons(officer).exclude(pk__in=named))
    assert officers == set(policy.visible_persons(supervisor).exclude(pk__in=named)) != set()


def test_the_privacy_officer_has_one_unreviewed_emergency_access_with_its_audit_events():
    privacy_officer = User.objects.get(username="privacy.officer")
    from safehub.access.selectors import grants_to_review

    (grant,) = grants_to_review(user=privacy_officer)
    assert grant.user.username == "police.officer"
    assert len(grant.reason) >= 20
    assert grant.expires_at < TODAY
    assert not policy.visible_persons(grant.user).filter(pk=grant.person_id).exists()
    opened = AuditEvent.objects.get(action="break_glass.opened")
    assert (opened.object_id, opened.actor) == (str(grant.person_id), grant.user)
    assert BreakGlassGrant.objects.count() == 1


def test_the_privacy_officers_inbox_holds_the_alert_for_the_demo_emergency_access():
    from safehub.notifications.models import Notification

    officer = User.objects.get(username="privacy.officer")
    alert = Notification.objects.get(recipient=officer, kind="break_glass.alert", channel="inbox")
    grant = BreakGlassGrant.objects.get()
    assert alert.reference == f"BG-{grant.pk:06d}"
