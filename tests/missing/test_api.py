"""The missing children API: a force's system posts episodes with an Idempotency-Key (a resend
is the same episode, a changed body a 409); each caller lists and reads only the episodes it
may see (another council's is 404, exactly like none); the OpenAPI schema documents it."""

from datetime import timedelta

import pytest
import time_machine
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from safehub.audit.models import AuditEvent
from safehub.missing.models import Episode, EpisodeEvent, ReturnInterview
from safehub.partnership.models import OrganisationKind
from safehub.partnership.roles import Role
from tests.factories import OrganisationFactory, UserFactory
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
    assert {"201", "200", "409"} <= set(paths["/api/v1/missing/episodes/{id}/return/"]["post"]["responses"])


def returned_body(**changes):
    data = {
        "returned_at": "2026-11-02T20:50:00+00:00",
        "found_location": "A flat in Luton",
        "found_postcode": "lu1 1aa",
        "found_by": "Police",
        "where_had_been": "With older friends",
        "indicators": ["out_of_area"],
    }
    data.update(changes)
    return data


def post_return(client, episode, data):
    with time_machine.travel(NOW, tick=False):
        return client.post(f"{EPISODES}{episode.pk}/return/", data, format="json")


def test_the_force_records_the_return_and_the_interview_falls_due_72_hours_later(w, recorded):
    response = post_return(api_as(w.officer), recorded, returned_body())
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["state"], data["found_location"]) == ("returned", "A flat in Luton")
    recorded.refresh_from_db()
    assert recorded.found_postcode == "LU1 1AA"
    assert set(recorded.indicators) == {"older_associates", "out_of_area"}
    interview = recorded.interview
    assert interview.due_at == recorded.returned_at + timedelta(hours=72)
    assert EpisodeEvent.objects.filter(episode=recorded, kind="returned").count() == 1


def test_resending_the_same_return_changes_nothing_and_a_different_one_is_a_conflict(w, recorded):
    client = api_as(w.officer)
    assert post_return(client, recorded, returned_body()).status_code == 201
    again = post_return(client, recorded, returned_body())
    assert again.status_code == 200
    assert again.json()["id"] == recorded.pk
    other = post_return(client, recorded, returned_body(found_location="Home"))
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_conflict"
    assert ReturnInterview.objects.filter(episode=recorded).count() == 1
    assert EpisodeEvent.objects.filter(episode=recorded, kind="returned").count() == 1
    recorded.refresh_from_db()
    assert recorded.found_location == "A flat in Luton"


def test_a_bad_return_is_refused_under_its_field_and_changes_nothing(w, recorded):
    client = api_as(w.officer)
    response = post_return(client, recorded, returned_body(returned_at="2026-11-02T19:00:00+00:00", found_by=""))
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"found_by"}
    response = post_return(client, recorded, returned_body(returned_at="2026-11-02T19:00:00+00:00"))
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"returned_at"}
    recorded.refresh_from_db()
    assert recorded.state == "missing"
    assert not ReturnInterview.objects.filter(episode=recorded).exists()


def test_the_council_may_read_but_not_record_a_return_and_another_force_gets_404(w, recorded):
    response = post_return(api_as(w.coordinator), recorded, returned_body())
    assert response.status_code == 403
    stranger = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Wolds Police"),
        roles=[Role.POLICE_OFFICER],
    )
    response = post_return(api_as(stranger), recorded, returned_body())
    assert response.status_code == 404
    recorded.refresh_from_db()
    assert recorded.state == "missing"
