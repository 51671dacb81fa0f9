"""Writing to the audit log. Every service that changes or reveals personal data calls
`record` inside its own transaction, so the event and the change stand or fall together.

If the event cannot be written the exception propagates: the caller's transaction rolls
back and the user gets an error, never the data (the log fails closed).
"""

import json
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from safehub.audit import chain
from safehub.audit.context import current
from safehub.audit.models import AuditEvent, AuditHead

# A fixed key for PostgreSQL's transaction-level advisory lock that serialises appends.
_APPEND_LOCK = 7_270_001


def object_label(obj: Model) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


def record(
    *,
    action: str,
    actor: Any = None,
    target: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    purpose: str = "",
    outcome: str = "allowed",
    detail: dict[str, Any] | None = None,
    actor_username: str = "",
) -> AuditEvent:
    """Append one event. `actor` is a User (or None for the system or an unknown user);
    `target` the record acted on. Runs in the caller's transaction, or its own."""
    if target is not None:
        object_type, object_id = object_label(target)
    # Stored as JSON and hashed as JSON: make it JSON-native now so both agree forever.
    detail = json.loads(json.dumps(detail or {}, default=str))
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    request = current()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_APPEND_LOCK])
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        sequence = head.sequence + 1 if head else 1
        previous_hash = head.hash if head else chain.GENESIS_HASH
        occurred_at = timezone.now()
        fields = chain.event_fields(
            sequence=sequence,
            occurred_at=occurred_at.isoformat(),
            actor_id=user.pk if user else None,
            actor_username=(user.get_username() if user else actor_username)[:150],
            organisation_id=getattr(user, "organisation_id", None) if user else None,
            action=action,
            object_type=object_type,
            object_id=object_id,
            purpose=purpose[:500],
            outcome=outcome,
            request_id=request.request_id if request else "",
            ip_address=request.ip_address if request else None,
            detail=detail,
            previous_hash=previous_hash,
        )
        event_hash = chain.sign(chain.canonical(fields))
        event = AuditEvent.objects.create(
            sequence=sequence,
            occurred_at=occurred_at,
            actor=user,
            actor_username=fields["actor_username"],
            organisation_id=fields["organisation_id"],
            action=action,
            object_type=object_type,
            object_id=object_id,
            purpose=fields["purpose"],
            outcome=outcome,
            request_id=fields["request_id"],
            ip_address=fields["ip_address"],
            detail=fields["detail"],
            previous_hash=previous_hash,
            hash=event_hash,
        )
        AuditHead.objects.update_or_create(
            pk=1,
            defaults={
                "sequence": sequence,
                "hash": event_hash,
                "signature": chain.head_signature(sequence, event_hash),
            },
        )
    return event
