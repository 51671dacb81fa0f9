"""Changes made in the Django admin join the audit chain.

The admin writes a LogEntry for every addition, change and deletion, inside the same
transaction as the change; recording our event when that row is saved puts the change in
the tamper-evident log too, with the same transaction.
"""

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models.signals import post_save

from safehub.audit.services import record

ADMIN_ACTIONS = {ADDITION: "admin.added", CHANGE: "admin.changed", DELETION: "admin.deleted"}


def _record_admin_change(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    content_type = instance.content_type
    record(
        action=ADMIN_ACTIONS.get(instance.action_flag, "admin.changed"),
        actor=instance.user,
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        object_id=str(instance.object_id or ""),
        detail={"change": instance.get_change_message()},
    )


def connect() -> None:
    post_save.connect(_record_admin_change, sender=LogEntry, dispatch_uid="safehub_audit_admin_changes")
