"""`safehub import police-referrals`: idempotent, atomic, line-numbered errors, children matched."""

import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from safehub.core.imports import ImportFailed
from safehub.hub.imports import COLUMNS, import_police_referrals
from safehub.hub.models import Contact, ContactSource, LawfulBasis
from tests.factories import IdentifierFactory, PersonFactory, valid_nhs_number
from tests.hub.test_contacts import hub_setup

EXAMPLE = Path(__file__).resolve().parents[2] / "safehub" / "hub" / "examples" / "police-referrals-example.csv"
HEADER = ",".join(COLUMNS)


@pytest.fixture
def hub(db):
    return hub_setup()


def write(tmp_path, *rows: str) -> Path:
    path = tmp_path / "referrals.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def row(occurrence="RV-1", nhs="", given="Noah", dob="2016-05-04", aware="no", consent="not sought") -> str:
    return (
        f"{occurrence},2025-03-14 22:40,PC Dale,dale@police.example,{given},Ashworth,{dob},{nhs},RV1 2AB,"
        f"Kelly Ashworth (1990-02-11),Domestic incident; child present.,{aware},{consent}"
    )


def test_the_example_file_imports(hub):
    result = import_police_referrals(EXAMPLE)
    assert result.created == 2
    contact = Contact.objects.get(external_reference="RV-2025-004211")
    assert (contact.source, contact.lawful_basis) == (ContactSource.POLICE, LawfulBasis.SIGNIFICANT_HARM)
    assert contact.subjects.count() == 3


def test_re_importing_a_batch_creates_nothing_twice(hub, tmp_path):
    path = write(tmp_path, row("RV-1"), row("RV-2", given="Isla"))
    assert import_police_referrals(path).created == 2
    again = import_police_referrals(path)
    assert (again.created, again.unchanged) == (0, 2)
    assert Contact.objects.count() == 2


def test_a_changed_row_with_an_imported_reference_is_rejected(hub, tmp_path):
    import_police_referrals(write(tmp_path, row("RV-1")))
    with pytest.raises(ImportFailed, match="Line 2: Occurrence reference RV-1 was imported before"):
        import_police_referrals(write(tmp_path, row("RV-1", given="Isla")))


def test_a_bad_file_is_rejected_with_line_numbers_and_nothing_is_written(hub, tmp_path):
    path = write(tmp_path, row("RV-1"), row("RV-2", nhs="999 000 0001"), row("RV-3", aware="maybe"))
    with pytest.raises(CommandError) as error:
        call_command("import", "police-referrals", str(path))
    message = str(error.value)
    assert "Line 3:" in message
    assert "check digit" in message
    assert "Line 4: 'Family aware' is 'maybe'" in message
    assert "Line 2" not in message
    assert not Contact.objects.exists()


def test_a_child_with_a_known_nhs_number_is_linked_and_others_wait_for_the_hub(hub, tmp_path):
    nhs = valid_nhs_number(12)
    # The record agrees with the referral (an NHS number on a record that contradicts the
    # referral's date of birth or sex is left for the hub: tests/hub/test_automatic_linking.py).
    child = PersonFactory(given_names="Noah", family_name="Ashworth", date_of_birth=datetime.date(2016, 5, 4))
    known = IdentifierFactory(value=nhs, person=child).person
    import_police_referrals(write(tmp_path, row("RV-1", nhs=nhs), row("RV-2", given="Isla")))
    linked = Contact.objects.get(external_reference="RV-1").subjects.get(role="child")
    unlinked = Contact.objects.get(external_reference="RV-2").subjects.get(role="child")
    assert (linked.person, unlinked.person) == (known, None)


def test_the_command_reports_what_it_imported(hub, tmp_path, capsys):
    call_command("import", "police-referrals", str(write(tmp_path, row("RV-1"))))
    assert "1 new" in capsys.readouterr().out


def test_a_child_without_an_nhs_number_is_linked_when_one_record_is_a_sure_match(hub, tmp_path):
    import datetime

    from safehub.audit.models import AuditEvent
    from tests.factories import AddressFactory, PersonAddressFactory

    sure = PersonFactory(given_names="Noah", family_name="Ashworth", date_of_birth=datetime.date(2016, 5, 4))
    PersonAddressFactory(person=sure, address=AddressFactory(postcode="RV1 2AB"))
    PersonFactory(given_names="Isla", family_name="Pemberton", date_of_birth=datetime.date(2016, 5, 4))

    import_police_referrals(write(tmp_path, row("RV-1")))

    subject = Contact.objects.get(external_reference="RV-1").subjects.get(role="child")
    assert subject.person == sure
    event = AuditEvent.objects.get(action="person.matched")
    assert event.actor is None
    assert event.actor_username == "safehub import"


def test_a_child_with_two_equally_likely_records_waits_for_the_hub(hub, tmp_path):
    import datetime

    for _ in range(2):
        PersonFactory(given_names="Noah", family_name="Ashworth", date_of_birth=datetime.date(2016, 5, 4))

    import_police_referrals(write(tmp_path, row("RV-1")))

    assert Contact.objects.get(external_reference="RV-1").subjects.get(role="child").person is None
