"""The audit log: a dense, keyed hash chain that the database will not let anyone rewrite,
and a verifier that catches every kind of tampering an attacker with database access
could try once the triggers are out of the way."""

import hashlib
import itertools
import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from safehub.audit import chain, triggers
from safehub.audit.models import AuditEvent, AuditHead
from safehub.audit.services import record
from safehub.audit.verify import verify_chain
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(social_worker):
    person = PersonFactory()
    for number in range(6):
        record(action="person.viewed", actor=social_worker, target=person, purpose=f"visit {number}")
    return list(AuditEvent.objects.order_by("sequence"))


def disable_triggers() -> None:
    """What an attacker with database access does first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # settle deferred foreign-key checks first
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_audithead DISABLE TRIGGER USER")
        else:
            for statement in triggers.SQLITE_DROP:
                cursor.execute(statement)


def verify_exit_code(capsys) -> tuple[int, str]:
    try:
        call_command("audit", "verify")
    except SystemExit as exit_:
        return int(exit_.code or 0), capsys.readouterr().err
    return 0, capsys.readouterr().out


def test_events_form_a_dense_chain_each_linked_to_the_one_before(events):
    assert [e.sequence for e in events] == [1, 2, 3, 4, 5, 6]
    assert events[0].previous_hash == chain.GENESIS_HASH
    for before, after in itertools.pairwise(events):
        assert after.previous_hash == before.hash
    head = AuditHead.objects.get()
    assert (head.sequence, head.hash) == (6, events[-1].hash)


def test_an_event_records_who_what_which_record_and_why(events, social_worker):
    event = events[0]
    assert event.actor == social_worker
    assert event.organisation_id == social_worker.organisation_id
    assert event.action == "person.viewed"
    assert event.object_type == "people.person"
    assert event.purpose == "visit 0"
    assert event.occurred_at.utcoffset().total_seconds() == 0


def test_verify_passes_on_an_intact_log(events, capsys):
    code, output = verify_exit_code(capsys)
    assert code == 0
    assert "6 events verified" in output


def test_the_database_refuses_to_update_an_event(events):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(sequence=2).update(purpose="nothing to see")
    assert AuditEvent.objects.get(sequence=2).purpose == "visit 1"


def test_the_database_refuses_to_delete_an_event(events):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(sequence=2).delete()
    assert AuditEvent.objects.count() == 6


def test_the_database_refuses_to_delete_the_signed_head(events):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditHead.objects.all().delete()
    assert AuditHead.objects.exists()


def test_verify_catches_an_edited_event(events, capsys):
    disable_triggers()
    AuditEvent.objects.filter(sequence=3).update(purpose="edited afterwards")
    code, message = verify_exit_code(capsys)
    assert code == 1
    assert "#3" in message
    assert "altered" in message


def test_verify_catches_an_edit_rehashed_without_the_key(events):
    disable_triggers()
    event = AuditEvent.objects.get(sequence=3)
    fields = chain.event_fields(
        sequence=3,
        occurred_at=event.occurred_at.isoformat(),
        actor_id=None,
        actor_username="someone else",
        organisation_id=None,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        purpose=event.purpose,
        outcome=event.outcome,
        request_id=event.request_id,
        ip_address=event.ip_address,
        detail=event.detail,
        previous_hash=event.previous_hash,
    )
    forged = hashlib.sha256(chain.canonical(fields)).hexdigest()
    AuditEvent.objects.filter(sequence=3).update(actor=None, actor_username="someone else", hash=forged)
    result = verify_chain()
    assert not result.ok
    assert result.first_bad_sequence == 3


def test_verify_catches_a_deleted_event(events, capsys):
    disable_triggers()
    AuditEvent.objects.filter(sequence=4).delete()
    code, message = verify_exit_code(capsys)
    assert code == 1
    assert "#4" in message
    assert "missing" in message


def test_verify_catches_two_swapped_events(events):
    disable_triggers()
    AuditEvent.objects.filter(sequence=2).update(sequence=-2)
    AuditEvent.objects.filter(sequence=3).update(sequence=2)
    AuditEvent.objects.filter(sequence=-2).update(sequence=3)
    result = verify_chain()
    assert not result.ok
    assert result.first_bad_sequence == 2


def test_verify_catches_events_renumbered_to_hide_a_deletion(events):
    disable_triggers()
    AuditEvent.objects.filter(sequence=3).delete()
    for sequence in range(4, 7):
        AuditEvent.objects.filter(sequence=sequence).update(sequence=sequence - 1)
    AuditHead.objects.update(sequence=5)
    result = verify_chain()
    assert not result.ok
    assert result.first_bad_sequence == 3


def test_verify_catches_a_cut_tail(events, capsys):
    disable_triggers()
    AuditEvent.objects.filter(sequence__gte=5).delete()
    code, message = verify_exit_code(capsys)
    assert code == 1
    assert "removed" in message


def test_verify_catches_a_cut_tail_with_the_head_moved_back_without_the_key(events):
    disable_triggers()
    AuditEvent.objects.filter(sequence__gte=5).delete()
    last = AuditEvent.objects.get(sequence=4)
    AuditHead.objects.update(sequence=4, hash=last.hash)
    result = verify_chain()
    assert not result.ok
    assert "signed end" in result.problem


def test_an_event_rolls_back_with_the_change_it_records(social_worker):
    def change_that_fails() -> None:
        with transaction.atomic():
            record(action="person.updated", actor=social_worker, object_type="people.person", object_id="1")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert not AuditEvent.objects.exists()
    assert verify_chain().ok


def test_recording_fails_closed(social_worker, monkeypatch):
    def broken(payload: bytes) -> str:
        raise OSError("audit key unavailable")

    monkeypatch.setattr(chain, "sign", broken)
    with pytest.raises(OSError, match="audit key unavailable"):
        record(action="person.viewed", actor=social_worker, object_type="people.person", object_id="1")
    assert not AuditEvent.objects.exists()


def test_a_failed_sign_in_is_recorded_by_the_name_typed():
    event = record(action="auth.sign_in_failed", actor=None, actor_username="no.such.user", outcome="refused")
    assert event.actor is None
    assert event.actor_username == "no.such.user"
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_the_chain_dense():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; tests/audit/test_sqlite_processes.py covers it")
    user = UserFactory()
    errors: list[BaseException] = []

    def append(count: int) -> None:
        try:
            for _ in range(count):
                record(action="person.viewed", actor=user, object_type="people.person", object_id="1")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(15,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEvent.objects.count() == 60
    assert verify_chain().ok
