"""The demo's year of Operation Encompass: realistic, current, and exactly what the services
would write; with last night's notice waiting for the demo DSL and one for the coordinator to chase."""

import datetime
import hashlib
import random
import re
from collections import Counter

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safehub.access import policy
from safehub.access.models import LegitimateRelationship, RelationshipSource
from safehub.encompass import selectors
from safehub.encompass.demo import MIN_INCIDENTS, seed_encompass_demo
from safehub.encompass.models import Incident, NoSchoolReason, Notice, RecipientKind
from safehub.encompass.services.incidents import (
    Route,
    chase_time,
    education_team,
    key_adults,
    notice_due,
    route_child,
)
from safehub.notifications.models import Channel, Notification, State
from safehub.partnership.models import OrganisationKind, User
from safehub.partnership.roles import Role
from safehub.people.models import ChronologyEntry, Relationship, RelationshipKind
from safehub.timescales.calendar import LONDON
from tests.demo.conftest import seeded_once

CHILDREN = 800
# A Thursday in term, after the 10:00 chase time.
TODAY = datetime.datetime(2026, 11, 26, 11, 0, tzinfo=datetime.UTC)
CARING = (RelationshipKind.PARENT, RelationshipKind.STEP_PARENT, RelationshipKind.CARER)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker):
    with seeded_once(django_db_blocker, at=TODAY, children=CHILDREN):
        yield


@pytest.fixture(autouse=True)
def _seeded(_demo, time_machine):
    time_machine.move_to(TODAY, tick=False)


def _notices():
    return Notice.objects.select_related("incident", "child", "organisation", "team")


def test_a_year_of_incidents_with_at_least_five_a_month_on_a_small_demo():
    assert Incident.objects.count() >= MIN_INCIDENTS
    first = Incident.objects.order_by("occurred_at").first()
    assert first is not None
    assert TODAY - datetime.timedelta(days=366) <= first.occurred_at < TODAY - datetime.timedelta(days=300)
    months = {i.occurred_at.astimezone(LONDON).strftime("%Y-%m") for i in Incident.objects.all()}
    assert len(months) >= 11
    assert Notice.objects.count() > Incident.objects.count()


def test_most_incidents_happen_in_the_evening_or_at_night():
    hours = Counter(i.occurred_at.astimezone(LONDON).hour for i in Incident.objects.all())
    evening_and_night = sum(count for hour, count in hours.items() if hour >= 17 or hour < 3)
    assert evening_and_night / sum(hours.values()) > 0.6


def test_incident_references_are_numbered_from_one_each_year_in_the_order_recorded():
    by_year: dict[str, list[int]] = {}
    for reference, recorded_at in Incident.objects.order_by("recorded_at", "pk").values_list(
        "reference", "recorded_at"
    ):
        assert re.fullmatch(r"DA-\d{4}-\d{5}", reference)
        assert reference[3:7] == str(recorded_at.astimezone(LONDON).year)
        by_year.setdefault(reference[3:7], []).append(int(reference[-5:]))
    for numbers in by_year.values():
        assert numbers == list(range(1, len(numbers) + 1))


def test_notice_references_are_the_incidents_with_each_childs_number_and_unique():
    references = list(Notice.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references))
    for incident in Incident.objects.prefetch_related("children__notice"):
        children = sorted(incident.children.all(), key=lambda c: c.pk)
        assert [c.notice.reference for c in children] == [
            f"{incident.reference}-{n}" for n in range(1, len(children) + 1)
        ]


def test_every_notice_is_due_when_the_service_says_and_chased_at_its_acknowledge_by_time():
    for notice in _notices():
        route = Route(notice.recipient_kind, notice.organisation, notice.team, notice.no_school_reason)
        incident = notice.incident
        assert notice.due_at == notice_due(route, incident.occurred_at), notice.reference
        assert notice.acknowledge_by == chase_time(route, due_at=notice.due_at, delivered_at=notice.created_at)
        assert notice.created_at == incident.recorded_at


def test_each_child_goes_where_route_child_sends_them():
    for notice in _notices():
        incident = notice.incident
        route = route_child(
            notice.child.person,
            on=incident.occurred_at.astimezone(LONDON).date(),
            council=incident.local_authority,
        )
        assert (route.recipient_kind, route.organisation, route.team, route.no_school_reason) == (
            notice.recipient_kind,
            notice.organisation,
            notice.team,
            notice.no_school_reason,
        ), notice.reference


def test_children_with_no_school_go_to_the_council_education_team_for_each_reason():
    to_councils = _notices().filter(recipient_kind=RecipientKind.LOCAL_AUTHORITY)
    assert set(to_councils.values_list("no_school_reason", flat=True)) == set(NoSchoolReason.values)
    for notice in to_councils:
        assert notice.organisation == notice.incident.local_authority
        assert notice.team == education_team(notice.organisation)
    unmatched = to_councils.filter(no_school_reason=NoSchoolReason.NOT_FOUND)
    assert not unmatched.exclude(child__person=None).exists()
    early_years = to_councils.filter(no_school_reason=NoSchoolReason.OUTSIDE_SCHEME)
    assert early_years.exists()
    assert not early_years.filter(child__person=None).exists()


def test_the_adults_are_parents_or_carers_of_the_children_on_record():
    for incident in Incident.objects.prefetch_related("adults", "children")[:40]:
        adults = {a.person_id for a in incident.adults.all() if a.person_id}
        assert len(incident.adults.all()) == 2
        assert adults
        for child in incident.children.all():
            if child.person_id is None:
                continue
            carers = set(
                Relationship.objects.filter(related_to_id=child.person_id, kind__in=CARING).values_list(
                    "person_id", flat=True
                )
            )
            assert carers & adults, incident.reference


def test_most_notices_are_delivered_before_the_school_day_starts_but_not_all():
    notices = list(Notice.objects.select_related("organisation"))
    delivered = [n for n in notices if n.delivered_at is not None]
    on_time = [n for n in delivered if n.delivered_on_time]
    assert 0.9 <= len(on_time) / len(delivered) < 1
    # A few small schools have no one in SafeHub (safehub.demo.colleagues): theirs reach no one.
    assert 0 < len(notices) - len(delivered) <= 0.05 * len(notices)
    for notice in notices:
        if notice.delivered_at is None:
            # Delivered to no one: the coordinator was alerted at once, and no one acknowledged it.
            assert not key_adults(notice)
            assert notice.escalated_at is not None
            assert notice.escalated_at - notice.created_at < datetime.timedelta(minutes=1)
            assert notice.acknowledged_at is None
        else:
            assert key_adults(notice)
            assert notice.delivered_at == notice.created_at


def test_most_are_acknowledged_by_ten_and_every_one_that_was_not_is_chased():
    now = timezone.now()
    notices = list(Notice.objects.all())
    in_time = [n for n in notices if n.acknowledged_at and n.acknowledged_at <= n.acknowledge_by]
    assert 0.8 <= len(in_time) / len(notices) < 0.97
    for notice in notices:
        assert notice.acknowledged_at is None or notice.created_at < notice.acknowledged_at <= now
        assert notice.escalated_at is None or notice.escalated_at <= now
        late = notice.acknowledged_at is None or notice.acknowledged_at > notice.acknowledge_by
        if late and notice.acknowledge_by < now:
            assert notice.escalated_at is not None, notice.reference
    assert any(n.support for n in notices)


def test_the_demo_dsl_has_last_nights_notice_to_acknowledge_and_in_their_inbox():
    dsl = User.objects.get(username="school.dsl")
    waiting = list(selectors.awaiting_acknowledgement(user=dsl))
    yesterday = (TODAY - datetime.timedelta(days=1)).date()
    [last_night] = [n for n in waiting if n.incident.occurred_at.astimezone(LONDON).date() == yesterday]
    assert last_night.organisation == dsl.organisation
    assert last_night.incident.recorded_by == User.objects.get(username="police.officer")
    inbox = Notification.objects.get(
        recipient=dsl, kind="encompass.notice", channel=Channel.INBOX, reference=last_night.reference
    )
    assert inbox.state == State.SENT
    assert inbox.link == last_night.get_absolute_url()
    assert inbox.read_at is None
    assert policy.can(dsl, "acknowledge", last_night)


def test_the_coordinator_demo_user_sees_a_notice_to_chase_at_another_school():
    coordinator = User.objects.get(username="encompass.coordinator")
    assert coordinator.role_assignments.get().role == Role.ENCOMPASS_COORDINATOR
    [team] = coordinator.teams.all()
    assert team.name == "Education Safeguarding Team"
    assert coordinator.organisation.kind == OrganisationKind.LOCAL_AUTHORITY
    dsl = User.objects.get(username="school.dsl")
    chased = [
        n
        for n in selectors.chase_list(user=coordinator)
        if n.organisation != dsl.organisation and n.due_at.astimezone(LONDON).date() == TODAY.date()
    ]
    assert chased
    notice = chased[0]
    assert policy.visible_notices(coordinator).filter(pk=notice.pk).exists()
    assert notice.acknowledge_by <= timezone.now()
    assert notice.escalated_at is not None
    assert Notification.objects.filter(
        recipient=coordinator, kind="encompass.unacknowledged", reference=notice.reference, state=State.SENT
    ).exists()


def test_a_corrected_incident_is_version_two_and_the_school_had_the_update():
    corrected = Incident.objects.get(version=2)
    assert corrected.corrected_at is not None
    assert corrected.correction_note
    assert set(corrected.notices.values_list("version_notified", flat=True)) == {2}
    dsl = User.objects.get(username="school.dsl")
    notice = corrected.notices.filter(organisation=dsl.organisation).first()
    assert notice is not None
    assert Notification.objects.filter(
        recipient=dsl, kind="encompass.updated", key__endswith=f"notice-{notice.pk}:v2:user-{dsl.pk}"
    ).exists()


def test_the_officer_sees_the_incident_they_recorded_in_their_forces_list():
    officer = User.objects.get(username="police.officer")
    assert policy.visible_incidents(officer).filter(recorded_by=officer, recorded_via="form").exists()


def test_matched_children_have_the_incident_on_their_chronology_and_the_council_may_open_theirs():
    notice = _notices().exclude(child__person=None).first()
    assert notice is not None
    entry = ChronologyEntry.objects.get(person=notice.child.person, source_id=str(notice.incident.pk))
    assert notice.reference in entry.summary
    assert list(entry.shared_with.all()) == [notice.organisation]
    to_council = _notices().filter(recipient_kind=RecipientKind.LOCAL_AUTHORITY).exclude(child__person=None).first()
    assert to_council is not None
    assert LegitimateRelationship.objects.filter(
        person=to_council.child.person, team=to_council.team, source=RelationshipSource.NOTIFICATION
    ).exists()


def _digest() -> str:
    hasher = hashlib.sha256()
    for row in Incident.objects.order_by("reference").values_list(
        "reference", "police_reference", "occurred_at", "recorded_at", "location", "circumstances", "version"
    ):
        hasher.update(repr(row).encode())
    for row in Notice.objects.order_by("reference").values_list(
        "reference",
        "organisation__name",
        "child__given_names",
        "child__person_id",
        "child__voice_of_child",
        "due_at",
        "delivered_at",
        "acknowledged_at",
        "escalated_at",
        "support",
    ):
        hasher.update(repr(row).encode())
    return hasher.hexdigest()


def test_the_same_seed_gives_the_same_incidents_and_notices():
    before = _digest()
    with transaction.atomic():
        Notification.objects.filter(kind__startswith="encompass.").delete()
        ChronologyEntry.objects.filter(source_type="encompass.incident").delete()
        LegitimateRelationship.objects.filter(reason__startswith="Operation Encompass").delete()
        Incident.objects.all().delete()
        seed_encompass_demo(rng=random.Random("encompass-2026"), today=TODAY.date())
        again = _digest()
        transaction.set_rollback(True)
    assert again == before


def test_the_demo_dsl_sees_last_nights_notice_on_their_notices_page_and_can_open_it(client):
    dsl = User.objects.get(username="school.dsl")
    notice = selectors.awaiting_acknowledgement(user=dsl).order_by("-created_at").first()
    assert notice is not None
    client.force_login(dsl)
    assert notice.reference in client.get(reverse("encompass:notices")).content.decode()
    assert client.get(notice.get_absolute_url()).status_code == 200


def test_the_coordinator_sees_the_notice_to_chase_on_their_notices_page_and_the_figures(client):
    coordinator = User.objects.get(username="encompass.coordinator")
    notice = selectors.chase_list(user=coordinator).order_by("-due_at").first()
    assert notice is not None
    client.force_login(coordinator)
    assert notice.reference in client.get(reverse("encompass:notices")).content.decode()
    assert client.get(notice.get_absolute_url()).status_code == 200
    assert client.get(reverse("encompass:performance")).status_code == 200


def test_the_officer_sees_the_forces_incidents_and_can_open_the_corrected_one(client):
    officer = User.objects.get(username="police.officer")
    corrected = Incident.objects.get(version=2)
    client.force_login(officer)
    assert corrected.reference in client.get(reverse("encompass:incidents")).content.decode()
    assert client.get(corrected.get_absolute_url()).status_code == 200
