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
