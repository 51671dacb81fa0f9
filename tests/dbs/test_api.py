"""The DBS local checks API: the force's DBS interface posts requests with an Idempotency-Key
(a resend is the same check, changed details a 409); only the disclosure unit lists and reads
them (another force's unit gets 404, exactly like none); the OpenAPI schema documents it."""

import pytest
import time_machine
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from safehub.audit.models import AuditEvent
from safehub.dbs.models import LocalCheck
from tests.dbs.world import build_world, london

CHECKS = "/api/v1/dbs/checks/"
NOW = london(2026, 11, 26, 10, 0)
BODY = {
    "dbs_reference": "E0012345678",
    "given_names": "Gareth",
    "family_name": "Lowe",
    "date_of_birth": "1984-06-02",
    "workforce": "child",
    "role_applied_for": "Teaching assistant",
    "received_on": "2026-11-24",
}


@pytest.fixture
def w(db):
    with time_machine.travel(NOW, tick=False):
        yield build_world()


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(user, body=None, key="dbs-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    with time_machine.travel(NOW, tick=False):
        return api_as(user).post(CHECKS, body or BODY, format="json", **headers)


def test_the_unit_records_a_check_with_its_clocks_and_a_resend_is_the_same_check(w):
    response = post(w.officer)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["standard_due_on"], data["limit_due_on"], data["state"]) == ("2026-12-08", "2027-01-23", "received")
    assert data["matched_record"] == w.known.pk
    again = post(w.officer)
    assert again.status_code == 200
    assert again.json()["id"] == data["id"]
    changed = post(w.officer, {**BODY, "role_applied_for": "Head teacher"})
    assert changed.status_code == 409
    assert changed.json()["error"]["code"] == "idempotency_conflict"
    assert LocalCheck.objects.count() == 1


def test_bad_input_is_refused_under_its_field_and_nothing_is_recorded(w):
    response = post(w.officer, {**BODY, "workforce": "everyone", "received_on": "2026-12-01"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"workforce"}
    response = post(w.officer, {**BODY, "received_on": "2026-12-01"}, key="dbs-2")
    assert set(response.json()["error"]["fields"]) == {"received_on"}
    assert post(w.officer, key="").status_code == 400
    assert not LocalCheck.objects.exists()


def test_only_the_unit_records_lists_and_reads_checks(w):
    check_id = post(w.officer).json()["id"]
    assert post(w.detective, key="other").status_code == 403
    for outsider in (w.detective, w.analyst, w.other_officer):
        client = api_as(outsider)
        assert client.get(CHECKS).json()["count"] == 0
        response = client.get(f"{CHECKS}{check_id}/")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    reader = api_as(w.supervisor)
    assert reader.get(CHECKS).json()["count"] == 1
    assert reader.get(f"{CHECKS}{check_id}/").json()["family_name"] == "Lowe"
    assert AuditEvent.objects.filter(action="dbs.check_viewed", actor=w.supervisor).exists()


def test_the_openapi_schema_describes_the_dbs_endpoints():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/dbs/checks/"])
    assert "409" in paths["/api/v1/dbs/checks/"]["post"]["responses"]
    assert "404" in paths["/api/v1/dbs/checks/{id}/"]["get"]["responses"]
