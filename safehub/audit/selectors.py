"""Reads of the audit log. Only the privacy officer's pages use these (access is checked by the caller)."""

from django.db.models import QuerySet

from safehub.audit.models import AuditEvent


def events_for_object(object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    """Every event about one record, newest first."""
    return (
        AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id))
        .select_related("actor", "organisation")
        .order_by("-sequence")
    )
