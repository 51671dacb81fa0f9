"""The missing children API: a force's system posts episodes with an Idempotency-Key (a resend
is the same episode, a changed body a 409); each caller lists and reads only the episodes it
may see (another council's is 404, exactly like none); the OpenAPI schema documents it."""

import pytest
import time_machine
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from safehub.audit.models import AuditEvent
from safehub.missing.models import Episode, EpisodeEvent
from tests.missing.world import build_world, london

EPISODES = "/api/v1/missing/episodes/"
NOW = london(2026, 11, 2, 21, 0)


@pytest.fixture
def w(db):
    return build_world()


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(w, **changes):
    data = {
        "police_reference": "MP/1/26",
        "child": {"given_names": "Kayla", "family_name": "Thorne", "date_of_birth": "2012-03-01"},
        "reported_at": "2026-11-02T20:30:00+00:00",
        "reported_by": "childrens_home",
        "last_seen_at": "2026-11-02T18:00:00+00:00",
        "last_seen_location": "Outside the children's home",
        "risk_grade": "medium",
        "local_authority": w.council.la_code,
        "in_care": True,
        "circumstances": "Left after an argument with staff.",
        "indicators": ["older_associates"],
    }
    data.update(changes)
    return data


def post(client, data, *, key="force-system-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    with time_machine.travel(NOW, tick=False):
        return client.post(EPISODES, data, format="json", **headers)


@pytest.fixture
def recorded(w):
    response = post(api_as(w.officer), body(w))
    assert response.status_code == 201, response.json()
    return Episode.objects.get(pk=response.json()["id"])


def test_a_force_records_an_episode_matched_to_the_child(w, recorded):
    assert (recorded.person, recorded.force, recorded.recorded_by) == (w.child, w.force, w.officer)
    assert recorded.recorded_via == "api"
    assert recorded.indicators == ["older_associates"]
    data = api_as(w.officer).get(f"{EPISODES}{recorded.pk}/").json()
    assert data["reference"] == recorded.reference
    assert data["child"]["id"] == w.child.pk
    assert (data["local_authority"], data["placing_authority"], data["state"]) == ("990", None, "missing")


def test_resending_the_same_body_with_the_same_key_returns_the_same_episode(w, recorded):
    again = post(api_as(w.officer), body(w))
    assert again.status_code == 200
    assert again.json()["id"] == recorded.pk
    assert Episode.objects.count() == 1
    assert EpisodeEvent.objects.count() == 1


def test_a_changed_body_with_the_same_key_is_a_conflict_and_changes_nothing(w, recorded):
    response = post(api_as(w.officer), body(w, risk_grade="high"))
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "idempotency_conflict"
    assert recorded.reference in error["message"]
    assert Episode.objects.get().risk_grade == "medium"


def test_the_same_police_reference_under_a_new_key_is_a_conflict(w, recorded):
    response = post(api_as(w.officer), body(w), key="force-system-2")
    assert response.status_code == 409
    assert Episode.objects.count() == 1


def test_without_an_idempotency_key_nothing_is_recorded(w):
    response = post(api_as(w.officer), body(w), key="")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert not Episode.objects.exists()


def test_problems_come_back_under_their_paths_in_the_request(w):
    response = post(
        api_as(w.officer),
        body(w, risk_grade="severe", local_authority="123", child={"given_names": "Kayla", "family_name": ""}),
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {"risk_grade", "local_authority"} <= set(fields)
    response = post(api_as(w.officer), body(w, reported_at="2026-11-03T09:00:00+00:00"), key="k-2")
    assert response.status_code == 400
    assert "reported_at" in response.json()["error"]["fields"]
    response = post(api_as(w.officer), body(w, child={"given_names": "Kayla", "family_name": ""}), key="k-3")
    assert set(response.json()["error"]["fields"]) == {"child.family_name", "child.date_of_birth"}
    assert not Episode.objects.exists()


def test_only_the_police_record_episodes(w):
    response = post(api_as(w.coordinator), body(w))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Episode.objects.exists()


def test_the_council_lists_and_reads_its_childs_episode_and_reading_is_audited(w, recorded):
    client = api_as(w.coordinator)
    listed = client.get(EPISODES).json()
    assert listed["count"] == 1
    assert listed["results"][0]["reference"] == recorded.reference
    assert "child" not in listed["results"][0]
    assert client.get(f"{EPISODES}{recorded.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="missing.episode_viewed", actor=w.coordinator).exists()


def test_another_councils_coordinator_gets_404_as_for_no_episode(w, recorded):
    client = api_as(w.other_coordinator)
    assert client.get(EPISODES).json()["count"] == 0
    response = client.get(f"{EPISODES}{recorded.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.get(f"{EPISODES}{recorded.pk + 1000}/").status_code == 404


def test_a_health_practitioner_lists_nothing(w, recorded):
    client = api_as(w.nurse)
    response = client.get(EPISODES)
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert client.get(f"{EPISODES}{recorded.pk}/").status_code == 404


def test_an_anonymous_caller_gets_401(db):
    assert APIClient().get(EPISODES).status_code == 401


def test_the_openapi_schema_describes_the_missing_endpoints():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/missing/episodes/"])
    assert "409" in paths["/api/v1/missing/episodes/"]["post"]["responses"]
    assert "404" in paths["/api/v1/missing/episodes/{id}/"]["get"]["responses"]
