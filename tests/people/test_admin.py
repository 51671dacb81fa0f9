"""The people admin: pages load with every inline, and links to people are raw ids."""

import pytest

from safehub.people.models import Person
from tests.factories import (
    EnrolmentFactory,
    IdentifierFactory,
    PersonAddressFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
)


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_person_page_shows_every_inline_with_raw_id_links_to_people(admin_client):
    child = PersonFactory()
    IdentifierFactory(person=child)
    PersonAddressFactory(person=child)
    EnrolmentFactory(person=child)
    RelationshipFactory(related_to=child)

    response = admin_client.get(f"/admin/people/person/{child.pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    for prefix in ("identifiers", "other_names", "addresses", "relationships_from", "relationships_to", "enrolments"):
        assert f'name="{prefix}-TOTAL_FORMS"' in html
    # Raw id widgets are text inputs, never a <select> listing every person.
    assert 'name="relationships_to-0-person"' in html
    assert '<select name="relationships_to-0-person"' not in html
    assert '<select name="mother"' not in html


def test_person_search_by_name_and_identifier(admin_client):
    amelia = PersonFactory(given_names="Amelia", family_name="Hartley")
    PersonFactory(given_names="Noah", family_name="Brook")
    nhs = IdentifierFactory(person__family_name="Other").value

    by_name = admin_client.get("/admin/people/person/", {"q": "Amelia Hart"})
    by_nhs = admin_client.get("/admin/people/person/", {"q": nhs})

    assert list(by_name.context["cl"].queryset) == [amelia]
    assert [p.family_name for p in by_nhs.context["cl"].queryset] == ["Other"]
    assert Person.objects.count() == 3
