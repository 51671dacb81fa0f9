"""The contacts API: POST with an Idempotency-Key, GET through the hub's selectors."""

import datetime

import pytest
from rest_framework.test import APIClient

from safehub.hub.models import Contact, ContactSubject
from safehub.partnership.roles import Role
from tests.factories import OrganisationFactory, UserFactory, valid_nhs_number
from tests.hub.test_contacts import hub_setup

BODY = {
    "referrer_name": "PC Dale",
    "referrer_contact": "dale@police.example",
    "what_happened": "Domestic incident; child present.",
    "family_awareness": "not_aware",
    "consent": "not_sought",
    "lawful_basis": "significant_harm",
    "external_reference": "RV-9",
    "subjects": [{"role": "child", "given_names": "Noah", "family_name": "Ashworth", "date_of_birth": "2016-05-04"}],
}


@pytest.fixture
def hub(db):
    return hub_setup()


@pytest.fixture
def api(hub):
    client = APIClient()
    client.force_authenticate(hub[4])
    return client


def post(client, body=None, key="rv-9"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/v1/contacts/", body or BODY, format="json", **headers)


def test_posting_a_contact_creates_it_and_answers_with_its_reference(api, hub):
    response = post(api)
    assert response.status_code == 201
    contact = Contact.objects.get()
    assert response.json()["reference"] == contact.reference
    assert contact.referrer_user == hub[4]


def test_the_same_key_twice_returns_the_first_contact(api):
    first = post(api)
    again = post(api)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Contact.objects.count() == 1


def test_the_same_key_with_a_different_body_is_a_conflict(api):
    post(api)
    response = post(api, BODY | {"what_happened": "Something else."})
    assert response.status_code == 409
    assert "already used for a different contact" in response.json()["error"]["message"]


def test_the_idempotency_key_is_required(api):
    response = post(api, key="")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert not Contact.objects.exists()


def test_invalid_input_has_the_api_s_error_shape(api):
    response = post(api, BODY | {"subjects": [{"role": "adult", "given_names": "Kelly"}]})
    assert response.status_code == 400
    assert "at least one child" in str(response.json()["error"]["fields"])
    bad = post(api, BODY | {"consent": "refused", "lawful_basis": "consent"}, key="rv-10")
    assert "only when consent was given" in str(bad.json()["error"]["fields"])
    nhs = post(api, BODY | {"subjects": [{"role": "child", "family_name": "A", "nhs_number": "999 000 0001"}]}, key="x")
    assert nhs.status_code == 400
    assert not Contact.objects.exists()


def test_a_known_nhs_number_links_the_child(api):
    from tests.factories import IdentifierFactory, PersonFactory

    child = PersonFactory(given_names="Noah", family_name="Ashworth", date_of_birth=datetime.date(2016, 5, 4))
    identifier = IdentifierFactory(person=child, value=valid_nhs_number(3))
    subject = BODY["subjects"][0] | {"nhs_number": valid_nhs_number(3)}
    post(api, BODY | {"subjects": [subject]})
    assert Contact.objects.get().subjects.get().person == identifier.person


def test_a_known_nhs_number_on_a_record_with_another_date_of_birth_or_sex_is_left_for_the_hub(api):
    from tests.factories import IdentifierFactory, PersonFactory

    child = PersonFactory(
        given_names="Noah", family_name="Ashworth", date_of_birth=datetime.date(2016, 5, 4), sex="male"
    )
    IdentifierFactory(person=child, value=valid_nhs_number(3))
    wrong_birthday = BODY["subjects"][0] | {"nhs_number": valid_nhs_number(3), "date_of_birth": "2017-05-04"}
    post(api, BODY | {"subjects": [wrong_birthday]})
    wrong_sex = BODY["subjects"][0] | {"nhs_number": valid_nhs_number(3), "sex": "female"}
    post(api, BODY | {"subjects": [wrong_sex]}, key="rv-10")
    assert [s.person for s in ContactSubject.objects.order_by("pk")] == [None, None]


def test_the_referrer_and_the_hub_can_read_the_contact_others_get_404(api, hub):
    contact_id = post(api).json()["id"]
    as_referrer = api.get(f"/api/v1/contacts/{contact_id}/")
    assert as_referrer.status_code == 200
    assert as_referrer.json()["what_happened"] is None  # the referrer sees the outcome only
    hub_client = APIClient()
    hub_client.force_authenticate(hub[2][0])
    read = hub_client.get(f"/api/v1/contacts/{contact_id}/")
    assert read.status_code == 200
    assert read.json()["subjects"][0]["given_names"] == "Noah"
    assert read.json()["what_happened"] == "Domestic incident; child present."
    stranger = APIClient()
    stranger.force_authenticate(UserFactory(organisation=OrganisationFactory(), roles=[Role.POLICE_OFFICER]))
    assert stranger.get(f"/api/v1/contacts/{contact_id}/").status_code == 404


def test_no_personal_data_in_the_api_s_urls(api):
    response = post(api)
    assert "Noah" not in response.wsgi_request.get_full_path()
