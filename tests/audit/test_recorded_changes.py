"""Changes made outside the web pages are audited too."""

import pytest
from django.core.management import call_command

from safehub.audit.models import AuditEvent
from tests.factories import LocalAuthorityFactory

pytestmark = pytest.mark.django_db

SCHOOLS = (
    "URN,EstablishmentName,LA (code),LA (name),TypeOfEstablishment (name),PhaseOfEducation (name),"
    "Postcode,EstablishmentStatus (name)\n"
    "990500,Kestrel Primary School,990,Riverside,Community school,Primary,RV1 2AB,Open\n"
)


def test_an_import_is_audited_with_its_file_and_counts(tmp_path):
    LocalAuthorityFactory(la_code="990", name="Riverside")
    path = tmp_path / "schools.csv"
    path.write_text(SCHOOLS)
    call_command("import", "schools", str(path))
    event = AuditEvent.objects.get(action="data.imported")
    assert event.object_type == "schools"
    assert event.detail == {"file": "schools.csv", "created": 1, "updated": 0, "unchanged": 0}


def test_a_rejected_import_leaves_no_audit_event(tmp_path):
    path = tmp_path / "schools.csv"
    path.write_text(SCHOOLS.replace("990500", "not-a-urn"))
    with pytest.raises(Exception, match="Line 2"):
        call_command("import", "schools", str(path))
    assert not AuditEvent.objects.exists()


def test_a_change_in_the_admin_site_is_audited(client):
    from tests.factories import UserFactory

    admin_user = UserFactory(is_staff=True, is_superuser=True)
    council = LocalAuthorityFactory(la_code="991", name="Wolds Council")
    client.force_login(admin_user)
    response = client.post(
        f"/admin/partnership/organisation/{council.pk}/change/",
        {
            "kind": "local_authority",
            "name": "Wolds District Council",
            "is_open": "on",
            "la_code": "991",
            "school_day_starts": "08:45",
            "teams-TOTAL_FORMS": "0",
            "teams-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="admin.changed")
    assert event.actor == admin_user
    assert (event.object_type, event.object_id) == ("partnership.organisation", str(council.pk))
    assert "Name" in event.detail["change"]
