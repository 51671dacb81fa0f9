"""Writing notifications to the outbox and delivering them.

The guarantee
-------------
*Never lost.* `notify` writes the outbox row inside the caller's transaction, so the
notification exists if and only if the change that caused it committed. The dispatcher
then delivers each row at least once: it claims due rows with a lease (committed before
it sends), sends, and marks the row sent in a second transaction. If the worker dies
anywhere in between, the row stays claimed only until the lease runs out
(`LEASE_SECONDS`), then any worker claims it again. A failed send is retried with
exponential backoff (`BACKOFF_SECONDS` doubling per attempt, at most `MAX_BACKOFF_SECONDS`)
until `MAX_ATTEMPTS` attempts, then the row is `failed`, audited, and listed for admins.

*Never doubled.* A key names what, to whom and why; with the channel it is unique in the
database, so writing the same notification twice (a retried request, a job run twice)
leaves one row. Two dispatchers never hold the same row at once: the claim is one UPDATE
guarded by the row's state (PostgreSQL also skips rows another claim has locked, and
SQLite has one writer at a time), and marking a row sent needs the claim's own token.

*The one gap, closed where the channel can close it.* No system can atomically both
hand an email to an SMTP server and record that it did: if the worker dies after the
server accepted the message but before the row is marked sent, the message is sent again
when the lease runs out. Every attempt for a notification carries the same Message-ID
(derived from its key, stored on the row when it is written), so the receiving side drops
the duplicate: exactly one message per notification *by Message-ID*; at most one extra raw
delivery per crash inside that window. The inbox channel has no such gap: its delivery is
the database write itself. `notification.sent` is audited once per row, in the same
transaction that marks it sent.
"""

import contextlib
import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import mailers
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from safehub.audit.services import record
from safehub.notifications.channels import build_email, message_id_for
from safehub.notifications.models import Channel, Notification, State

# Defaults; each can be set in settings as SAFEHUB_NOTIFICATION_<NAME>.
LEASE_SECONDS = 300
MAX_ATTEMPTS = 8
BACKOFF_SECONDS = 60
MAX_BACKOFF_SECONDS = 6 * 60 * 60
BATCH_SIZE = 20

NOT_IN_TRANSACTION = (
    "notify() must be called inside the transaction of the change that causes the notification "
    "(wrap the change and the call in transaction.atomic), so that one never exists without the other."
)
NO_EMAIL_ADDRESS = "The recipient has no email address: add one to their account, then resend."
NO_MAILBOX = "The team has no shared mailbox: add its address to the team, then resend."
ONE_ADDRESSEE = "Give a notification one addressee: a person, or (by email only) a team's shared mailbox."
ACCOUNT_DISABLED = "The recipient's account is disabled."


def _lease_seconds() -> int:
    return int(getattr(settings, "SAFEHUB_NOTIFICATION_LEASE_SECONDS", LEASE_SECONDS))


def _max_attempts() -> int:
    return int(getattr(settings, "SAFEHUB_NOTIFICATION_MAX_ATTEMPTS", MAX_ATTEMPTS))


def backoff_after(attempts: int) -> datetime.timedelta:
    """How long to wait before the next try after `attempts` failed ones: 1, 2, 4, 8... minutes."""
    base = int(getattr(settings, "SAFEHUB_NOTIFICATION_BACKOFF_SECONDS", BACKOFF_SECONDS))
    seconds = base * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, MAX_BACKOFF_SECONDS))


def notify(
    *,
    key: str,
    recipient: Any = None,
    mailbox: Any = None,
    kind: str,
    reference: str,
    link: str,
    channels: Iterable[str] = (Channel.INBOX, Channel.EMAIL),
    due_at: datetime.datetime | None = None,
    calendar: str = "",
    reply_to: str = "",
) -> list[Notification]:
    """Put a notification in the outbox, one row per channel. Call it inside the transaction
    that makes the change; calling it again with the same key changes nothing. `calendar` is
    an iCalendar object that the email carries as its invitation. It goes to `recipient` (a
    user), or by email to the shared mailbox of `mailbox` (a team); `reply_to` is a team
    mailbox that answers to the email reach."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(NOT_IN_TRANSACTION)
    channels = list(channels)
    if (recipient is None) == (mailbox is None) or (mailbox is not None and channels != [Channel.EMAIL]):
        raise ValueError(ONE_ADDRESSEE)
    now = timezone.now()
    due = due_at or now
    rows = []
    for channel in channels:
        fields = {
            "recipient": recipient,
            "mailbox": mailbox,
            "reply_to": reply_to if channel == Channel.EMAIL else "",
            "kind": kind,
            "reference": reference,
            "link": link,
            "created_at": now,
            "due_at": due,
            "next_attempt_at": due,
            "provider_message_id": message_id_for(key=key, channel=channel),
            "calendar": calendar if channel == Channel.EMAIL else "",
        }
        Notification(key=key, channel=channel, **fields).full_clean(validate_unique=False, validate_constraints=False)
        row, created = Notification.objects.get_or_create(key=key, channel=channel, defaults=fields)
        if created and channel == Channel.INBOX and due <= now:
            # Delivery to the inbox is this write: it is in the inbox once the change commits.
            row.state, row.attempts, row.sent_at = State.SENT, 1, now
            row.save(update_fields=["state", "attempts", "sent_at"])
            _record_sent(row)
        rows.append(row)
    return rows


def _record_sent(row: Notification) -> None:
    record(
        action="notification.sent",
        target=row,
        purpose=f"{row.get_channel_display()} notification {row.reference} delivered",
        detail={"channel": row.channel, "kind": row.kind, "reference": row.reference, "attempt": row.attempts},
    )


def _claimable(now: datetime.datetime) -> Q:
    return Q(state=State.PENDING, next_attempt_at__lte=now) | Q(state=State.SENDING, claimed_until__lt=now)


def claim_due(*, limit: int = BATCH_SIZE) -> list[Notification]:
    """Take up to `limit` due rows (and rows whose claim has lapsed) for this worker alone."""
    now = timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        # PostgreSQL: rows another worker is claiming right now are skipped, not waited for.
        # SQLite ignores FOR UPDATE; its transactions here take the write lock at BEGIN.
        candidates = (
            Notification.objects.filter(_claimable(now))
            .order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        ids = list(candidates)
        if not ids:
            return []
        # The state guard makes the claim safe even without the lock: a row someone else
        # claimed in the meantime no longer matches.
        Notification.objects.filter(_claimable(now), pk__in=ids).update(
            state=State.SENDING,
            claimed_until=now + datetime.timedelta(seconds=_lease_seconds()),
            claim_token=token,
            attempts=F("attempts") + 1,
        )
    return list(
        Notification.objects.filter(pk__in=ids, claim_token=token)
        .select_related("recipient", "mailbox")
        .order_by("next_attempt_at", "pk")
    )


@transaction.atomic
def mark_sent(*, notification: Notification) -> bool:
    """Record a delivery, if this worker's claim still stands. False if it was taken over."""
    now = timezone.now()
    updated = Notification.objects.filter(
        pk=notification.pk, state=State.SENDING, claim_token=notification.claim_token
    ).update(state=State.SENT, sent_at=now, claimed_until=None, claim_token="", last_error="")
    if updated:
        notification.state, notification.sent_at = State.SENT, now
        _record_sent(notification)
    return bool(updated)


@transaction.atomic
def mark_attempt_failed(*, notification: Notification, error: str, permanent: bool = False) -> State | None:
    """Record a failed try: retry later with backoff, or give up after the last attempt.
    Returns the row's new state, or None if another worker had taken the row over."""
    now = timezone.now()
    give_up = permanent or notification.attempts >= _max_attempts()
    changes: dict[str, Any] = {"claimed_until": None, "claim_token": "", "last_error": error[:200]}
    if give_up:
        changes["state"] = State.FAILED
    else:
        changes["state"] = State.PENDING
        changes["next_attempt_at"] = now + backoff_after(notification.attempts)
    updated = Notification.objects.filter(
        pk=notification.pk, state=State.SENDING, claim_token=notification.claim_token
    ).update(**changes)
    if updated and give_up:
        record(
            action="notification.failed",
            target=notification,
            purpose=f"{notification.get_channel_display()} notification {notification.reference} not delivered",
            outcome="refused",
            detail={"channel": notification.channel, "attempts": notification.attempts, "error": error[:200]},
        )
    if not updated:
        return None
    return State.FAILED if give_up else State.PENDING


def describe_error(error: Exception) -> str:
    """An error worth keeping on the row, without personal data: SMTP errors can quote the
    recipient's address, so only the error's type and SMTP code are kept."""
    code = getattr(error, "smtp_code", None)
    return f"{type(error).__name__}{f' (SMTP {code})' if code else ''}"


class NotAccepted(Exception):
    """The mailer returned without sending the message."""


@dataclass
class DispatchResult:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def dispatch_due(*, limit: int = 500, batch_size: int = BATCH_SIZE, mailer: Any = None) -> DispatchResult:
    """Send what is due, at most `limit` rows. Safe to run in several workers at once.
    `mailer` is the configured one unless given (the demo delivers its history to one that
    keeps nothing)."""
    result = DispatchResult()
    mailer = mailer if mailer is not None else mailers.default
    try:
        while result.claimed < limit:
            rows = claim_due(limit=min(batch_size, limit - result.claimed))
            if not rows:
                break
            result.claimed += len(rows)
            for row in rows:
                _deliver(row, mailer, result)
    finally:
        with contextlib.suppress(Exception):
            mailer.close()
    return result


def _deliver(row: Notification, mailer: Any, result: DispatchResult) -> None:
    if row.channel == Channel.EMAIL:
        problem = _undeliverable(row)
        if problem:
            mark_attempt_failed(notification=row, error=problem, permanent=True)
            result.failed += 1
            return
        try:
            mailer.open()  # reuses an open connection; a send below reconnects if it was dropped
            if not mailer.send_messages([build_email(row)]):
                raise NotAccepted
        except Exception as error:
            with contextlib.suppress(Exception):
                mailer.close()
            state = mark_attempt_failed(notification=row, error=describe_error(error))
            if state == State.FAILED:
                result.failed += 1
            elif state == State.PENDING:
                result.retrying += 1
            return
    if mark_sent(notification=row):
        result.sent += 1


def _undeliverable(row: Notification) -> str:
    if row.mailbox is not None:
        return "" if row.mailbox.email else NO_MAILBOX
    assert row.recipient is not None
    if not row.recipient.is_active:
        return ACCOUNT_DISABLED
    if not row.recipient.email:
        return NO_EMAIL_ADDRESS
    return ""


@transaction.atomic
def mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


@transaction.atomic
def send_again(*, notification_ids: Iterable[int]) -> int:
    """Put failed notifications back in the queue with a fresh set of attempts (after the
    cause, such as a missing email address, has been put right)."""
    return Notification.objects.filter(pk__in=list(notification_ids), state=State.FAILED).update(
        state=State.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
