"""What every API endpoint shares: authentication, the one error shape, the docs page."""

import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_anonymous_call_gets_401_in_the_one_error_shape(client):
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code in (401, 403)
    error = json.loads(response.content)["error"]
    assert error["status"] == response.status_code
    assert error["code"] == "not_authenticated"
    assert error["message"]
    assert error["fields"] == {}


def test_the_reference_docs_page_keeps_scripts_to_self(client, social_worker):
    client.force_login(social_worker)
    response = client.get(reverse("api-redoc"))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy + ";"
    assert "worker-src 'self' blob:" in policy
    assert b"fonts.googleapis.com" not in response.content


def test_api_responses_are_never_cached(client, social_worker):
    client.force_login(social_worker)
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content)["openapi"].startswith("3.1")
