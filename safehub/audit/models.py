"""The audit log: an append-only, hash-chained record of who did what to which record.

Each event holds the HMAC-SHA256 of its own canonical form, which includes the hash of
the event before it, keyed with a secret kept outside the database (see `chain.py`). The
database refuses UPDATE and DELETE on events (triggers, see the migrations). `AuditHead`
holds the last sequence and hash with a keyed signature, so a cut tail is detected too.
"""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    sequence = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True, help_text="As typed, for failed sign-ins too.")
    organisation = models.ForeignKey(
        "partnership.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True)
    purpose = models.CharField(max_length=500, blank=True)
    outcome = models.CharField(max_length=20, default="allowed")
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["object_type", "object_id", "sequence"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action}"

    @property
    def action_label(self) -> str:
        from safehub.audit.actions import action_label

        return action_label(self.action)


class AuditHead(models.Model):
    """The end of the chain, signed: one row."""

    sequence = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    signature = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"Audit head at #{self.sequence}"
