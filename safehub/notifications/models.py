"""The outbox: one row per notification per channel, written in the same transaction as the
change that causes it, and the in-app inbox that shows a user their delivered ones."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

# Keys, references and links carry identifiers only, never names: these patterns keep
# spaces (and so "Jane Smith") out of them, and query strings out of links.
KEY_PATTERN = r"^[a-z0-9_.:\-]{1,200}$"
REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9\-_/.]{0,39}$"
LINK_PATTERN = r"^/(?!/)[A-Za-z0-9/_\-]*$"

validate_key = RegexValidator(
    KEY_PATTERN, "A notification key is lower-case letters, digits and . _ : - only, made of ids, never names."
)
validate_reference = RegexValidator(
    REFERENCE_PATTERN, "A notification reference is up to 40 letters, digits and - _ / . with no spaces or names."
)
validate_link = RegexValidator(
    LINK_PATTERN, "A notification link is a path inside SafeHub made of ids, without a query string."
)


class Channel(models.TextChoices):
    INBOX = "inbox", "Inbox"
    EMAIL = "email", "Email"


class State(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Notification(models.Model):
    """One notification to one user on one channel, or an email to a team's shared mailbox
    (a duty team or a school with no SafeHub users). `key` says what, to whom and why
    (e.g. "break_glass.alert:grant-12:user-5"); with the channel it is unique, so writing
    the same notification twice leaves one row."""

    key = models.CharField(max_length=200, validators=[validate_key])
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    # Instead of a person: the team whose shared mailbox (`Team.email`, read when it is sent)
    # receives the email. Email only: a mailbox has no inbox in SafeHub.
    mailbox = models.ForeignKey(
        "partnership.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="mailbox_notifications"
    )
    # Where a reply to the email goes: the sending team's shared mailbox (never a person's).
    reply_to = models.EmailField(blank=True)
    kind = models.CharField(max_length=64, validators=[validate_key])
    reference = models.CharField(max_length=40, validators=[validate_reference])
    link = models.CharField(max_length=200, validators=[validate_link])
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A claim is a lease: a worker that dies holding it loses it when it runs out.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # An iCalendar (RFC 5545) object sent with the email: a meeting invitation, update or
    # cancellation. Like the rest of the row it holds references and times, never names.
    calendar = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["key", "channel"], name="notification_key_channel_unique"),
            models.CheckConstraint(
                condition=(
                    models.Q(recipient__isnull=False, mailbox__isnull=True)
                    | models.Q(recipient__isnull=True, mailbox__isnull=False, channel="email")
                ),
                name="notification_to_a_person_or_a_mailbox",
                violation_error_message="A notification goes to one person, or by email to one team's mailbox.",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["recipient", "channel", "state"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.reference} ({self.get_state_display()})"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def kind_label(self) -> str:
        from safehub.notifications.kinds import label_for

        return label_for(self.kind)
