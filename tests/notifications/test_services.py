"""The outbox: one row per key, only when the change commits, retried with backoff,
handed to one worker at a time, and emails that say nothing about anyone."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from safehub.audit.models import AuditEvent
from safehub.notifications.channels import message_id_for
from safehub.notifications.models import Channel, Notification, State
from safehub.notifications.services import (
    MAX_ATTEMPTS,
    backoff_after,
    claim_due,
    dispatch_due,
    mark_sent,
    notify,
    send_again,
)
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _notify(recipient, key="break_glass.alert:grant-12:user-5", **kwargs):
    with transaction.atomic():
        return notify(
            key=key,
            recipient=recipient,
            kind="break_glass.alert",
            reference="BG-000012",
            link="/people/12/",
            **kwargs,
        )


class BrokenMailer:
    """Stands in for the mail server being down."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        raise ConnectionRefusedError("connection refused by rosalind@example.invalid")

    def close(self):
        pass

    def send_messages(self, messages):
        raise AssertionError("never reached")


@pytest.fixture
def mail_server_down(settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.notifications.test_services.BrokenMailer"}}


def test_notifying_twice_with_the_same_key_leaves_one_row_per_channel(recipient):
    _notify(recipient)
    _notify(recipient)
    assert Notification.objects.filter(key="break_glass.alert:grant-12:user-5").count() == 2
    assert set(Notification.objects.values_list("channel", flat=True)) == {Channel.INBOX, Channel.EMAIL}


def test_a_rolled_back_change_leaves_no_notification(recipient):
    class ChangeFailed(Exception):
        pass

    def change_that_fails():
        with transaction.atomic():
            notify(
                key="access.granted:rel-1:user-1", recipient=recipient, kind="access.granted", reference="R-1", link="/"
            )
            raise ChangeFailed

    with pytest.raises(ChangeFailed):
        change_that_fails()
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_notify_refuses_to_run_outside_the_callers_transaction(recipient):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        notify(key="access.granted:rel-1:user-1", recipient=recipient, kind="access.granted", reference="R-1", link="/")
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reference", "Rosalind Featherstonehaugh"),
        ("link", "/people/?name=Rosalind"),
        ("link", "https://elsewhere.example/"),
        ("key", "alert for Rosalind"),
    ],
)
def test_names_and_query_strings_are_refused_in_keys_references_and_links(recipient, field, value):
    from django.core.exceptions import ValidationError

    values = {"key": "access.granted:rel-1:user-1", "reference": "R-1", "link": "/people/1/", field: value}
    with pytest.raises(ValidationError), transaction.atomic():
        notify(recipient=recipient, kind="access.granted", **values)


def test_an_inbox_notification_due_now_is_in_the_inbox_when_the_change_commits_and_is_audited(recipient):
    inbox, email = _notify(recipient)
    assert inbox.state == State.SENT
    assert email.state == State.PENDING
    events = AuditEvent.objects.filter(action="notification.sent")
    assert [(e.object_type, e.object_id) for e in events] == [("notifications.notification", str(inbox.pk))]


def test_a_later_inbox_notification_waits_until_it_is_due(recipient):
    with time_machine.travel(START, tick=False):
        (inbox,) = _notify(recipient, channels=[Channel.INBOX], due_at=START + datetime.timedelta(hours=2))
        dispatch_due()
        assert Notification.objects.get(pk=inbox.pk).state == State.PENDING
    with time_machine.travel(START + datetime.timedelta(hours=2), tick=False):
        dispatch_due()
    assert Notification.objects.get(pk=inbox.pk).state == State.SENT


def test_the_dispatcher_sends_each_email_once_with_a_message_id_derived_from_its_key(recipient):
    _notify(recipient)
    first = dispatch_due()
    second = dispatch_due()
    assert (first.sent, second.claimed) == (1, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0].message()
    assert message["Message-ID"] == message_id_for(key="break_glass.alert:grant-12:user-5", channel="email")
    assert message["Message-ID"].endswith("@safehub.invalid>")
    email = Notification.objects.get(channel=Channel.EMAIL)
    assert (email.state, email.attempts, email.sent_at is not None) == (State.SENT, 1, True)
    assert AuditEvent.objects.filter(action="notification.sent", object_id=str(email.pk)).count() == 1


def test_email_subject_and_body_hold_a_reference_and_no_personal_data(recipient, settings):
    settings.SAFEHUB_BASE_URL = "https://safehub.example.org"
    child = PersonFactory(given_names="Perpetua", family_name="Quillfeather")
    with transaction.atomic():
        notify(
            key=f"break_glass.alert:person-{child.pk}:user-{recipient.pk}",
            recipient=recipient,
            kind="break_glass.alert",
            reference="BG-000012",
            link=f"/people/{child.pk}/",
            channels=[Channel.EMAIL],
        )
    dispatch_due()
    (sent,) = mail.outbox
    raw = sent.message().as_string()
    assert sent.subject == "SafeHub notification BG-000012"
    assert "You have a new safeguarding notification from SafeHub. Sign in to read it." in sent.body
    assert "Reference: BG-000012" in sent.body
    assert "https://safehub.example.org/sign-in/" in sent.body
    for personal in ("Rosalind", "Featherstonehaugh", "Perpetua", "Quillfeather"):
        assert personal not in sent.subject
        assert personal not in sent.body
        assert personal not in raw
    assert sent.to == ["rosalind@example.invalid"]


def test_a_failed_send_is_retried_with_doubling_backoff_then_marked_failed(recipient, mail_server_down):
    with time_machine.travel(START, tick=False):
        (email,) = _notify(recipient, channels=[Channel.EMAIL])
    now = START
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with time_machine.travel(now, tick=False):
            result = dispatch_due()
        email.refresh_from_db()
        assert result.claimed == 1
        assert email.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert email.state == State.PENDING
            waits.append(email.next_attempt_at - now)
            # Nothing is retried before its time...
            with time_machine.travel(email.next_attempt_at - datetime.timedelta(seconds=1), tick=False):
                assert dispatch_due().claimed == 0
            now = email.next_attempt_at
    assert waits[:4] == [datetime.timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert email.state == State.FAILED
    assert email.last_error == "ConnectionRefusedError"
    assert "rosalind" not in email.last_error
    assert AuditEvent.objects.filter(action="notification.failed", object_id=str(email.pk)).exists()


def test_backoff_is_capped_at_six_hours():
    assert backoff_after(30) == datetime.timedelta(hours=6)


def test_a_failed_notification_can_be_sent_again_once_the_cause_is_fixed(recipient, settings):
    recipient.email = ""
    recipient.save()
    (email,) = _notify(recipient, channels=[Channel.EMAIL])
    dispatch_due()
    email.refresh_from_db()
    assert (email.state, email.last_error) == (
        State.FAILED,
        "The recipient has no email address: add one to their account, then resend.",
    )
    recipient.email = "rosalind@example.invalid"
    recipient.save()
    assert send_again(notification_ids=[email.pk]) == 1
    assert dispatch_due().sent == 1
    assert len(mail.outbox) == 1


def test_a_claim_held_by_a_dead_worker_lapses_and_the_row_is_sent_with_the_same_message_id(recipient):
    with time_machine.travel(START, tick=False):
        (email,) = _notify(recipient, channels=[Channel.EMAIL])
        (claimed,) = claim_due()
        # The worker dies here, perhaps after the mail server accepted the message.
        assert claim_due() == []
        assert dispatch_due().claimed == 0
    with time_machine.travel(START + datetime.timedelta(minutes=6), tick=False):
        result = dispatch_due()
    assert result.sent == 1
    email.refresh_from_db()
    assert (email.state, email.attempts) == (State.SENT, 2)
    assert mail.outbox[0].message()["Message-ID"] == claimed.provider_message_id


def test_a_worker_whose_claim_was_taken_over_cannot_mark_the_row_a_second_time(recipient):
    with time_machine.travel(START, tick=False):
        _notify(recipient, channels=[Channel.EMAIL])
        (slow,) = claim_due()
    with time_machine.travel(START + datetime.timedelta(minutes=6), tick=False):
        assert dispatch_due().sent == 1
        assert mark_sent(notification=slow) is False
    assert AuditEvent.objects.filter(action="notification.sent").count() == 1


def test_two_claims_never_hand_out_the_same_row(recipient):
    for n in range(5):
        _notify(recipient, key=f"access.granted:rel-{n}:user-1", channels=[Channel.EMAIL])
    first = claim_due(limit=3)
    second = claim_due(limit=3)
    assert len(first) == 3
    assert len(second) == 2
    assert not {n.pk for n in first} & {n.pk for n in second}


def test_an_email_to_a_disabled_account_fails_at_once_without_sending(recipient):
    recipient.is_active = False
    recipient.save()
    _notify(recipient, channels=[Channel.EMAIL])
    result = dispatch_due()
    assert (result.failed, len(mail.outbox)) == (1, 0)


def test_the_worker_schedule_sends_notifications_every_minute():
    from django_q.models import Schedule

    from safehub.core.services import NOTIFICATIONS_SCHEDULE_NAME, ensure_schedules

    ensure_schedules()
    ensure_schedules()
    schedule = Schedule.objects.get(name=NOTIFICATIONS_SCHEDULE_NAME)
    assert (schedule.func, schedule.minutes) == ("safehub.notifications.tasks.dispatch_notifications", 1)


def test_the_dispatch_command_sends_what_is_due(recipient):
    from io import StringIO

    from django.core.management import call_command

    _notify(recipient)
    output = StringIO()
    call_command("notifications", "dispatch", stdout=output)
    assert output.getvalue() == "Notifications: 1 sent, 0 to retry, 0 failed.\n"
    assert len(mail.outbox) == 1
    assert set(Notification.objects.values_list("state", flat=True)) == {State.SENT}
