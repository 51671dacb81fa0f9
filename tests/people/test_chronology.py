"""Agencies add to a person's chronology and choose who reads each entry: the statutory
partners, agencies they name, or their own agency only. Police intelligence is read by the
police only until a recorded sharing decision widens it; every change of reach is a
decision with its reason, audited; only the recording agency makes it."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from safehub.access import policy
from safehub.audit.models import AuditEvent
from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from safehub.people import services
from safehub.people.models import ChronologyEntry, ChronologySharingDecision, EntryCategory, Reach
from tests.access.factories import allocate
from tests.conftest import SignedInClient
from tests.factories import EnrolmentFactory, OrganisationFactory, PersonFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

REASON = "The social worker needs it for the section 47 enquiry: shared under the Children Act 1989."


@pytest.fixture
def w():
    council = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, name="Riverside Council")
    force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Riverside Police")
    trust = OrganisationFactory(kind=OrganisationKind.HEALTH_TRUST, name="Riverside NHS Trust")
    school = SchoolFactory(name="Millbrook Primary School")
    elsewhere = SchoolFactory(name="Hillside Academy")
    child = PersonFactory(given_names="Ada", family_name="Lovelace")
    EnrolmentFactory(person=child, organisation=school, start_date=datetime.date(2022, 9, 1))
    w = SimpleNamespace(council=council, force=force, trust=trust, school=school, elsewhere=elsewhere, child=child)
    w.social_worker = UserFactory(organisation=council, roles=[Role.SOCIAL_WORKER])
    w.officer = UserFactory(organisation=force, roles=[Role.POLICE_OFFICER])
    w.colleague = UserFactory(organisation=force, roles=[Role.POLICE_OFFICER])
    w.nurse = UserFactory(organisation=trust, roles=[Role.HEALTH_PRACTITIONER])
    w.dsl = UserFactory(organisation=school, roles=[Role.DESIGNATED_SAFEGUARDING_LEAD, Role.PARTNERSHIP_ANALYST])
    w.other_dsl = UserFactory(organisation=elsewhere, roles=[Role.DESIGNATED_SAFEGUARDING_LEAD])
    for user in (w.social_worker, w.officer, w.colleague, w.nurse):
        allocate(user, child)
    return w


def _readers(w, entry) -> set[str]:
    people = {
        "social_worker": w.social_worker,
        "officer": w.officer,
        "colleague": w.colleague,
        "nurse": w.nurse,
        "dsl": w.dsl,
    }
    return {name for name, user in people.items() if policy.visible_chronology(user, w.child).filter(pk=entry.pk)}


def _add(w, by, **extra):
    defaults = {
        "person": w.child,
        "by": by,
        "occurred_at": timezone.now() - datetime.timedelta(hours=2),
        "category": EntryCategory.NOTE,
        "summary": "Seen at home with both parents; the home was warm and there was food.",
        "reach": Reach.PARTNERSHIP,
    }
    return services.add_chronology_entry(**{**defaults, **extra})


def test_police_intelligence_is_read_by_the_police_only_until_a_sharing_decision(w):
    entry = _add(
        w,
        w.officer,
        category=EntryCategory.POLICE_INTELLIGENCE,
        summary="Intelligence that the mother's partner is carrying a knife.",
        reach=Reach.OWN_AGENCY,
    )
    assert entry.intelligence
    assert _readers(w, entry) == {"officer", "colleague"}

    decision = services.change_reach(entry=entry, by=w.officer, reach=Reach.PARTNERSHIP, reason=REASON)
    assert (decision.reach_before, decision.reach_after) == (Reach.OWN_AGENCY, Reach.PARTNERSHIP)
    assert decision.decided_by == w.officer
    assert _readers(w, entry) == {"officer", "colleague", "social_worker", "nurse"}
    event = AuditEvent.objects.get(action="chronology.reach_changed")
    assert event.detail["from"] == Reach.OWN_AGENCY
    assert event.detail["to"] == Reach.PARTNERSHIP
    assert "knife" not in str(event.detail)


def test_sharing_police_intelligence_at_once_needs_the_reason_and_records_the_decision(w):
    with pytest.raises(ValidationError, match="sharing decision"):
        _add(w, w.officer, category=EntryCategory.POLICE_INTELLIGENCE, reach=Reach.PARTNERSHIP, reason="Needed.")
    assert not ChronologyEntry.objects.exists()
    entry = _add(w, w.officer, category=EntryCategory.POLICE_INTELLIGENCE, reach=Reach.PARTNERSHIP, reason=REASON)
    [decision] = entry.sharing_decisions.all()
    assert (decision.reach_before, decision.reach_after, decision.reason) == (
        Reach.OWN_AGENCY,
        Reach.PARTNERSHIP,
        REASON,
    )


def test_only_the_police_record_police_intelligence(w):
    with pytest.raises(ValidationError, match="Only the police"):
        _add(w, w.social_worker, category=EntryCategory.POLICE_INTELLIGENCE)


def test_an_entry_shared_with_named_agencies_is_read_by_them_and_the_recorder_only(w):
    entry = _add(w, w.dsl, reach=Reach.NAMED_AGENCIES, agencies=[w.force])
    assert entry.reach == Reach.NAMED_AGENCIES
    assert _readers(w, entry) == {"dsl", "officer", "colleague"}
    with pytest.raises(ValidationError, match="working with the child"):
        _add(w, w.dsl, reach=Reach.NAMED_AGENCIES, agencies=[w.elsewhere])
    with pytest.raises(ValidationError, match="Choose the agencies"):
        _add(w, w.dsl, reach=Reach.NAMED_AGENCIES, agencies=[])


def test_a_schools_partnership_entry_reaches_the_statutory_partners_and_no_other_school(w):
    entry = _add(w, w.dsl, reach=Reach.PARTNERSHIP)
    assert _readers(w, entry) == {"dsl", "officer", "colleague", "social_worker", "nurse"}
    EnrolmentFactory(person=w.child, organisation=w.elsewhere, start_date=datetime.date(2020, 9, 1))
    assert not policy.visible_chronology(w.other_dsl, w.child).filter(pk=entry.pk).exists()


def test_an_own_agency_entry_can_be_narrowed_and_only_its_agency_decides(w):
    entry = _add(w, w.social_worker, reach=Reach.PARTNERSHIP)
    with pytest.raises(PermissionDenied):
        services.change_reach(entry=entry, by=w.officer, reach=Reach.OWN_AGENCY, reason=REASON)
    with pytest.raises(ValidationError, match="sentence"):
        services.change_reach(entry=entry, by=w.social_worker, reach=Reach.OWN_AGENCY, reason="Sensitive.")
    with pytest.raises(ValidationError, match="already"):
        services.change_reach(entry=entry, by=w.social_worker, reach=Reach.PARTNERSHIP, reason=REASON)
    services.change_reach(entry=entry, by=w.social_worker, reach=Reach.OWN_AGENCY, reason=REASON)
    assert _readers(w, entry) == {"social_worker"}
    assert ChronologySharingDecision.objects.filter(entry=entry).count() == 1


def test_bad_input_changes_nothing(w):
    with pytest.raises(ValidationError, match="future"):
        _add(w, w.social_worker, occurred_at=timezone.now() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        _add(w, w.social_worker, category="gossip")
    with pytest.raises(ValidationError):
        _add(w, w.social_worker, summary="")
    with pytest.raises(PermissionDenied):
        _add(w, w.other_dsl)  # cannot see the child
    assert not ChronologyEntry.objects.exists()
    assert not AuditEvent.objects.filter(action="chronology.added").exists()


def test_adding_is_audited_without_what_was_written(w):
    entry = _add(w, w.nurse, summary="Missed two health visitor appointments.")
    event = AuditEvent.objects.get(action="chronology.added")
    assert event.detail["entry"] == entry.pk
    assert "appointments" not in str(event.detail)


# The pages -------------------------------------------------------------------------------------


def _client(user):
    client = SignedInClient()
    client.force_login(user)
    return client


def test_an_officer_adds_intelligence_through_the_page_and_shares_it_later(w):
    client = _client(w.officer)
    page = client.get(f"/people/{w.child.pk}/chronology/add/")
    assert page.status_code == 200
    assert "Police intelligence" in page.content.decode()
    form = {
        "category": EntryCategory.POLICE_INTELLIGENCE,
        "date": "1 12 2026",
        "time": "21:15",
        "summary": "Partner seen at the address despite bail conditions.",
        "reach": Reach.OWN_AGENCY,
    }
    with_error = client.post(f"/people/{w.child.pk}/chronology/add/", {**form, "time": "25:00"})
    assert with_error.status_code == 200
    assert "real time" in with_error.content.decode()
    assert not ChronologyEntry.objects.exists()
    response = client.post(f"/people/{w.child.pk}/chronology/add/", form)
    assert response.status_code == 302
    entry = ChronologyEntry.objects.get()
    record = client.get(f"/people/{w.child.pk}/").content.decode()
    assert "Riverside Police only" in record
    assert f"/people/chronology/{entry.pk}/reach/" in record
    assert "Partner seen at the address" not in _client(w.social_worker).get(f"/people/{w.child.pk}/").content.decode()

    reach = client.post(f"/people/chronology/{entry.pk}/reach/", {"reach": Reach.PARTNERSHIP, "reason": REASON})
    assert reach.status_code == 302
    assert "Partner seen at the address" in _client(w.social_worker).get(f"/people/{w.child.pk}/").content.decode()
    history = client.get(f"/people/chronology/{entry.pk}/reach/").content.decode()
    assert REASON in history


def test_another_agencys_entry_has_no_reach_page_for_you(w):
    entry = _add(w, w.officer)
    assert _client(w.social_worker).get(f"/people/chronology/{entry.pk}/reach/").status_code == 404


def test_a_role_that_adds_nothing_sees_no_add_button(w):
    analyst = UserFactory(organisation=w.council, roles=[Role.PARTNERSHIP_ANALYST])
    assert _client(analyst).get(f"/people/{w.child.pk}/chronology/add/").status_code == 403


# The API -----------------------------------------------------------------------------------------


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_adds_an_entry_once_per_idempotency_key(w):
    api = _api(w.officer)
    body = {
        "occurred_at": "2026-12-01T21:15:00Z",
        "category": "police_intelligence",
        "summary": "Partner seen at the address.",
        "reach": "own",
    }
    url = f"/api/v1/people/{w.child.pk}/chronology/"
    assert api.post(url, body, format="json").status_code == 400  # no key
    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="PNC-123")
    assert first.status_code == 201, first.json()
    assert first.json()["reach"] == "own"
    assert first.json()["intelligence"] is True
    again = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="PNC-123")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    changed = api.post(url, {**body, "summary": "Something else."}, format="json", HTTP_IDEMPOTENCY_KEY="PNC-123")
    assert changed.status_code == 409
    assert ChronologyEntry.objects.count() == 1

    widened = api.post(
        f"/api/v1/chronology/{first.json()['id']}/reach/",
        {"reach": "named", "agencies": [w.council.pk], "reason": REASON},
        format="json",
    )
    assert widened.status_code == 200, widened.json()
    assert widened.json()["agencies_after"] == [w.council.pk]
    refused = _api(w.social_worker).post(
        f"/api/v1/chronology/{first.json()['id']}/reach/", {"reach": "own", "reason": REASON}, format="json"
    )
    assert refused.status_code == 404


def test_the_api_refuses_a_bad_entry_with_the_field_named(w):
    response = _api(w.officer).post(
        f"/api/v1/people/{w.child.pk}/chronology/",
        {"occurred_at": "2030-01-01T00:00:00Z", "category": "note", "summary": "Later.", "reach": "partnership"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert response.status_code == 400
    assert "occurred_at" in response.json()["error"]["fields"]
    assert not ChronologyEntry.objects.exists()
