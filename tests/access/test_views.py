"""Scope that changes between requests, emergency access, the audit of reads, and the privacy officer's review."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.utils import timezone

from safehub.access.models import BreakGlassGrant, ReviewOutcome
from safehub.audit.models import AuditEvent
from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from safehub.timescales.models import TimescaleSetting
from tests.access.factories import BreakGlassGrantFactory, LegitimateRelationshipFactory, allocate, allocate_to_team
from tests.conftest import SignedInClient
from tests.factories import (
    LocalAuthorityFactory,
    OrganisationFactory,
    PartnershipFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REASON = "Child reported missing overnight; checking for known addresses and contacts"
START = datetime.datetime(2026, 3, 10, 14, 30, tzinfo=datetime.UTC)


@pytest.fixture
def officer(db):
    force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Riverside Police")
    return UserFactory(organisation=force, roles=[Role.POLICE_OFFICER])


@pytest.fixture
def officer_client(officer):
    client = SignedInClient()
    client.force_login(officer)
    return client


@pytest.fixture
def privacy_officer(db):
    return UserFactory(organisation=LocalAuthorityFactory(), roles=[Role.PRIVACY_OFFICER])


@pytest.fixture
def privacy_client(privacy_officer):
    client = SignedInClient()
    client.force_login(privacy_officer)
    return client


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


# Scope is judged on every request ---------------------------------------------------------------


def test_revoking_an_allocation_takes_effect_on_the_next_request(officer_client, officer):
    child = PersonFactory()
    (relationship,) = allocate(officer, child)
    assert officer_client.get(f"/people/{child.pk}/").status_code == 200

    relationship.revoked_at = timezone.now()
    relationship.save()

    assert officer_client.get(f"/people/{child.pk}/").status_code == 404


def test_leaving_a_team_ends_the_teams_access_on_the_next_request(officer_client, officer):
    team = TeamFactory(organisation=officer.organisation)
    officer.teams.add(team)
    child = PersonFactory()
    allocate_to_team(team, child)
    assert officer_client.get(f"/people/{child.pk}/").status_code == 200

    officer.teams.remove(team)

    assert officer_client.get(f"/people/{child.pk}/").status_code == 404


def test_an_allocation_ends_when_it_expires(officer_client, officer):
    child = PersonFactory()
    with time_machine.travel(START, tick=False):
        LegitimateRelationshipFactory(user=officer, person=child, expires_at=START + datetime.timedelta(days=7))
        assert officer_client.get(f"/people/{child.pk}/").status_code == 200
    with time_machine.travel(START + datetime.timedelta(days=7), tick=False):
        officer_client.force_login(officer)  # a week on, a new session
        assert officer_client.get(f"/people/{child.pk}/").status_code == 404


# The audit of reads -------------------------------------------------------------------------------


def test_opening_a_record_is_audited_with_the_basis_of_access(officer_client, officer):
    child = PersonFactory()
    allocate(officer, child)

    officer_client.get(f"/people/{child.pk}/")

    (event,) = events("person.viewed")
    assert (event.actor, event.object_type, event.object_id) == (officer, "people.person", str(child.pk))
    assert event.organisation == officer.organisation
    assert event.purpose == "allocation (own)"


def test_a_search_is_audited_with_its_terms_and_result_count(officer_client, officer):
    allocate(officer, PersonFactory(family_name="Hartley"), PersonFactory(family_name="Hartley"))
    PersonFactory(family_name="Hartley")  # not the officer's: not found, not counted

    location = officer_client.post("/people/", {"name": "Hartley"})["Location"]
    officer_client.get(location)

    (event,) = events("person.searched")
    assert event.detail == {"criteria": {"name": "Hartley"}, "result_count": 2}
    assert "Hartley" not in location


def test_asking_for_a_record_outside_ones_scope_is_refused_audited_and_answered_not_found(officer_client, officer):
    hidden = PersonFactory(family_name="Hidden")

    response = officer_client.get(f"/people/{hidden.pk}/")
    officer_client.get("/people/99999999/")  # does not exist: nothing to record

    assert response.status_code == 404
    assert "Hidden" not in response.content.decode()
    (event,) = events("access.refused")
    assert (event.actor, event.object_id, event.outcome) == (officer, str(hidden.pk), "refused")
    assert events("person.viewed") == []


def test_the_api_records_views_and_refusals_too(officer):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(officer)
    mine, hidden = PersonFactory(), PersonFactory()
    allocate(officer, mine)

    assert client.get(f"/api/v1/people/{mine.pk}/").status_code == 200
    assert client.get(f"/api/v1/people/{hidden.pk}/chronology/").status_code == 404

    assert [e.object_id for e in events("person.viewed")] == [str(mine.pk)]
    assert [(e.object_id, e.detail["part"]) for e in events("access.refused")] == [(str(hidden.pk), "chronology")]


# Emergency access -----------------------------------------------------------------------------


def ask_for_emergency_access(client, *, reason=REASON, password, **terms):
    data = {"reason": reason, "password": password, "name": "", "date_of_birth": "", "identifier": "", "postcode": ""}
    return client.post("/access/emergency/", data | terms)


def test_emergency_access_needs_a_reason_of_twenty_characters(officer_client, password):
    PersonFactory(family_name="Okafor")

    response = ask_for_emergency_access(officer_client, reason="Urgent, need it now", password=password, name="Okafor")

    assert response.status_code == 200
    assert "Give a reason of at least 20 characters" in response.content.decode()
    assert not BreakGlassGrant.objects.exists()


def test_privacy_officers_are_alerted_to_an_emergency_access_without_personal_data(
    officer_client, password, privacy_officer, mailoutbox
):
    from safehub.notifications.models import Notification
    from safehub.notifications.services import dispatch_due
    from safehub.people.models import Person

    PersonFactory(given_names="Amelia", family_name="Okafor")
    location = ask_for_emergency_access(officer_client, password=password, name="Okafor")["Location"]
    key = parse_qs(urlsplit(location).query)["q"][0]
    person = Person.objects.get(family_name="Okafor")
    officer_client.post(f"/access/emergency/open/?q={key}", {"person": person.pk})

    alerts = Notification.objects.filter(recipient=privacy_officer, kind="break_glass.alert")
    assert {n.channel for n in alerts} == {"inbox", "email"}
    dispatch_due()
    (email,) = [m for m in mailoutbox if privacy_officer.email in m.to]
    assert "Okafor" not in email.subject + email.body
    assert "Amelia" not in email.subject + email.body


def test_a_wrong_password_is_refused_and_audited(officer_client, officer):
    PersonFactory(family_name="Okafor")

    response = ask_for_emergency_access(officer_client, password="not-my-password", name="Okafor")

    assert response.status_code == 200
    assert "The password is not right" in response.content.decode()
    (event,) = events("break_glass.refused")
    assert (event.actor, event.outcome) == (officer, "refused")
    assert not BreakGlassGrant.objects.exists()


def test_repeated_wrong_passwords_are_throttled_even_when_the_right_one_follows(officer_client, password):
    PersonFactory(family_name="Okafor")
    for _ in range(5):
        ask_for_emergency_access(officer_client, password="not-my-password", name="Okafor")

    response = ask_for_emergency_access(officer_client, password=password, name="Okafor")

    assert response.status_code == 200
    assert "Too many attempts. Try again in 5 minutes." in response.content.decode()
    assert not BreakGlassGrant.objects.exists()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=6)):
        assert ask_for_emergency_access(officer_client, password=password, name="Okafor").status_code == 302


def test_emergency_access_lists_records_outside_scope_and_opens_one_for_the_configured_hours(
    officer_client, officer, password
):
    PartnershipFactory()
    TimescaleSetting.objects.create(partnership=PartnershipFactory(), key="break_glass_duration", value=2)
    outside = PersonFactory(given_names="Amelia", family_name="Okafor")
    already_mine = PersonFactory(given_names="Noah", family_name="Okafor")

    with time_machine.travel(START, tick=False):
        allocate(officer, already_mine)
        asked = ask_for_emergency_access(officer_client, password=password, name="Okafor")
        assert asked.status_code == 302
        assert set(parse_qs(urlsplit(asked["Location"]).query)) == {"q"}
        assert "Okafor" not in asked["Location"]
        results = officer_client.get(asked["Location"])
        assert [p.pk for p in results.context["people"]] == [outside.pk]
        opened = officer_client.post(
            f"/access/emergency/open/?q={parse_qs(urlsplit(asked['Location']).query)['q'][0]}", {"person": outside.pk}
        )
        assert opened.status_code == 302
        assert opened["Location"] == f"/people/{outside.pk}/"
        page = officer_client.get(opened["Location"])
        assert page.status_code == 200
        html = page.content.decode()
        assert "You are viewing this record under emergency access until 16:30" in html  # 14:30 UTC + 2h, GMT in March
        assert REASON in html

    grant = BreakGlassGrant.objects.get()
    assert (grant.user, grant.person, grant.reason) == (officer, outside, REASON)
    assert grant.expires_at == START + datetime.timedelta(hours=2)
    (opened_event,) = events("break_glass.opened")
    assert opened_event.object_id == str(outside.pk)
    (viewed,) = events("person.viewed")
    assert viewed.purpose == f"break-glass: {REASON}"
    searched = events("person.searched")
    assert searched[-1].purpose == "emergency access search"
    assert searched[-1].detail["criteria"] == {"name": "Okafor"}

    with time_machine.travel(START + datetime.timedelta(hours=2), tick=False):
        officer_client.force_login(officer)  # past the idle timeout: a new session
        assert officer_client.get(f"/people/{outside.pk}/").status_code == 404
    with time_machine.travel(START + datetime.timedelta(hours=2) - datetime.timedelta(seconds=1), tick=False):
        officer_client.force_login(officer)
        assert officer_client.get(f"/people/{outside.pk}/").status_code == 200


def test_emergency_access_opens_only_a_record_from_the_search_it_was_asked_for(officer_client, password):
    PersonFactory(family_name="Okafor")
    unrelated = PersonFactory(family_name="Pemberton")
    location = ask_for_emergency_access(officer_client, password=password, name="Okafor")["Location"]
    key = parse_qs(urlsplit(location).query)["q"][0]

    response = officer_client.post(f"/access/emergency/open/?q={key}", {"person": unrelated.pk})

    assert response.status_code == 404
    assert not BreakGlassGrant.objects.exists()


def test_roles_without_break_glass_cannot_ask_for_it(db):
    for role in (Role.DESIGNATED_SAFEGUARDING_LEAD, Role.PARTNERSHIP_ANALYST, Role.PRIVACY_OFFICER, Role.SYSTEM_ADMIN):
        client = SignedInClient()
        client.force_login(UserFactory(roles=[role]))
        assert client.get("/access/emergency/").status_code == 403, role


def test_the_search_page_offers_emergency_access_to_those_allowed_it(officer_client):
    assert "Emergency access" in officer_client.get("/people/").content.decode()


# The privacy officer --------------------------------------------------------------------------


def test_privacy_officer_sees_unreviewed_grants_on_the_home_page_and_in_the_queue(privacy_client, officer):
    grant = BreakGlassGrantFactory(user=officer, reason=REASON)
    BreakGlassGrantFactory(user=officer, reviewed_at=timezone.now(), outcome=ReviewOutcome.APPROPRIATE)

    home = privacy_client.get("/").content.decode()
    queue = privacy_client.get("/access/reviews/")

    assert "/access/reviews/" in home
    assert privacy_client.get("/").context["grants_to_review"] == 1
    assert list(queue.context["grants"]) == [grant]
    html = queue.content.decode()
    assert grant.person.reference in html
    assert REASON in html
    assert "Riverside Police" in html
    assert grant.person.full_name not in html  # the reference, never the name


def test_privacy_officer_records_a_review_which_is_audited(privacy_client, privacy_officer, officer):
    grant = BreakGlassGrantFactory(user=officer)

    missing_notes = privacy_client.post(
        f"/access/reviews/{grant.pk}/", {"outcome": "inappropriate", "review_notes": ""}
    )
    done = privacy_client.post(
        f"/access/reviews/{grant.pk}/", {"outcome": "needs_follow_up", "review_notes": "Ask the officer's sergeant."}
    )

    assert "Say what was wrong or what needs following up." in missing_notes.content.decode()
    assert done.status_code == 302
    grant.refresh_from_db()
    assert (grant.outcome, grant.reviewed_by, grant.review_notes) == (
        "needs_follow_up",
        privacy_officer,
        "Ask the officer's sergeant.",
    )
    (event,) = events("break_glass.reviewed")
    assert event.detail == {"grant": grant.pk, "outcome": "needs_follow_up"}
    assert privacy_client.get("/access/reviews/").context["grants"] == []


def test_access_history_shows_who_looked_when_and_why_newest_first(privacy_client, officer_client, officer):
    child = PersonFactory()
    allocate(officer, child)
    officer_client.get(f"/people/{child.pk}/")
    BreakGlassGrantFactory(person=child, reason=REASON)

    found = privacy_client.post("/access/history/", {"reference": child.reference})
    page = privacy_client.get(found["Location"])

    assert found["Location"] == f"/access/history/{child.pk}/"
    html = page.content.decode()
    assert "Emergency access used" in html
    assert REASON in html
    actions = [e.action for e in page.context["events"]]
    assert actions[-1] == "person.viewed"
    assert actions[0] == "access_history.viewed"  # looking at the history is itself recorded
    assert child.full_name not in html


def test_an_unknown_person_reference_says_so(privacy_client):
    response = privacy_client.post("/access/history/", {"reference": "P-9999999"})

    assert "There is no record with that reference" in response.content.decode()


def test_practitioners_cannot_see_the_review_queue_or_access_history(officer_client):
    child = PersonFactory()

    assert officer_client.get("/access/reviews/").status_code == 403
    assert officer_client.get(f"/access/history/{child.pk}/").status_code == 403


def test_the_privacy_officer_reads_no_person_record(privacy_client):
    child = PersonFactory()

    assert privacy_client.get(f"/people/{child.pk}/").status_code == 403
