"""The investigations API: opening with an Idempotency-Key, the closure refused with an
outstanding opportunity, sign-off, the council's challenge, and 404 for outsiders."""

import pytest
import time_machine
from rest_framework.test import APIClient

from safehub.investigations.models import Investigation
from tests.investigations.conftest import london

pytestmark = pytest.mark.django_db

RATIONALE = "The child's account was not supported by the medical evidence and there are no witnesses."


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _open(w, api, key="CR-1"):
    body = {
        "crime_reference": "RP/777/26",
        "offence_category": "neglect",
        "subjects": [{"person": w.child.pk, "role": "victim"}, {"person": w.suspect.pk, "role": "suspect"}],
        "allocated_officer": w.officer.pk,
        "supervising_officer": w.supervisor.pk,
    }
    return api.post("/api/v1/investigations/", body, format="json", HTTP_IDEMPOTENCY_KEY=key), body


def test_a_force_opens_an_investigation_once_per_key_and_works_it_to_a_challenge(w):
    officer = _api(w.officer)
    with time_machine.travel(london(2026, 11, 10, 9, 0), tick=False):
        first, body = _open(w, officer)
        assert first.status_code == 201, first.json()
        again, _ = _open(w, officer)
        assert again.status_code == 200
        assert again.json()["id"] == first.json()["id"]
        changed = officer.post(
            "/api/v1/investigations/",
            {**body, "crime_reference": "RP/1/26"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="CR-1",
        )
        assert changed.status_code == 409
        assert Investigation.objects.count() == 1
        detail = first.json()
        pk = detail["id"]
        refused = officer.post(
            f"/api/v1/investigations/{pk}/closure/",
            {"outcome": "nfa_evidential", "rationale": RATIONALE},
            format="json",
        )
        assert refused.status_code == 400
        assert "Medical or paediatric assessment" in str(refused.json())
        for opportunity in detail["opportunities"]:
            settled = officer.post(
                f"/api/v1/investigation-opportunities/{opportunity['id']}/settle/",
                {"done": True, "outcome": "Done: nothing found."},
                format="json",
            )
            assert settled.status_code == 200, settled.json()
        closure = officer.post(
            f"/api/v1/investigations/{pk}/closure/",
            {"outcome": "nfa_evidential", "rationale": RATIONALE},
            format="json",
        )
        assert closure.status_code == 201
        closure_id = closure.json()["id"]
        assert (
            officer.post(
                f"/api/v1/investigation-closures/{closure_id}/sign-off/",
                {"sign_off": True, "rationale": RATIONALE},
                format="json",
            ).status_code
            == 403
        )
        signed = _api(w.supervisor).post(
            f"/api/v1/investigation-closures/{closure_id}/sign-off/",
            {"sign_off": True, "rationale": RATIONALE},
            format="json",
        )
        assert signed.status_code == 200, signed.json()
        assert signed.json()["challenge_window_ends"].startswith("2026-11-12T09:00")
    with time_machine.travel(london(2026, 11, 11, 9, 0), tick=False):
        council = _api(w.social_worker)
        seen = council.get(f"/api/v1/investigations/{pk}/").json()
        assert seen["crime_reference"] is None
        challenged = council.post(
            f"/api/v1/investigation-closures/{closure_id}/challenge/",
            {"reasons": "The sibling who saw the injury was never interviewed."},
            format="json",
        )
        assert challenged.status_code == 201, challenged.json()
        assert challenged.json()["stages"][0]["number"] == 1


def test_health_and_schools_get_nothing_and_another_force_gets_404(w):
    first, _ = _open(w, _api(w.officer))
    pk = first.json()["id"]
    assert _api(w.nurse).get(f"/api/v1/investigations/{pk}/").status_code in (403, 404)
    assert _api(w.nurse).get("/api/v1/investigations/").status_code == 403
    assert _api(w.other_force_officer).get(f"/api/v1/investigations/{pk}/").status_code == 404
    assert _api(w.other_force_officer).get("/api/v1/investigations/").json()["count"] == 0


def test_opening_without_a_key_or_with_unknown_people_changes_nothing(w):
    api = _api(w.officer)
    body = {
        "crime_reference": "RP/777/26",
        "offence_category": "neglect",
        "subjects": [{"person": 999999, "role": "victim"}],
        "allocated_officer": w.officer.pk,
        "supervising_officer": w.supervisor.pk,
    }
    assert api.post("/api/v1/investigations/", body, format="json").status_code == 400
    assert api.post("/api/v1/investigations/", body, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    assert not Investigation.objects.exists()
