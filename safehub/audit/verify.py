"""Checking the audit chain end to end."""

from dataclasses import dataclass

from safehub.audit import chain
from safehub.audit.models import AuditEvent, AuditHead


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    events: int
    problem: str = ""
    first_bad_sequence: int | None = None


def verify_chain(*, chunk_size: int = 5000) -> VerifyResult:
    """Walk every event in order: sequences dense from 1, each linked to the one before, each
    hash the keyed hash of its content, and the signed head pointing at the last event."""
    expected_sequence = 1
    previous_hash = chain.GENESIS_HASH
    count = 0
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=chunk_size):
        if event.sequence != expected_sequence:
            problem = f"event #{expected_sequence} is missing (the next is #{event.sequence})"
            return VerifyResult(False, count, problem, expected_sequence)
        if event.previous_hash != previous_hash:
            problem = f"event #{event.sequence} does not follow the event before it"
            return VerifyResult(False, count, problem, event.sequence)
        fields = chain.event_fields(
            sequence=event.sequence,
            occurred_at=event.occurred_at.isoformat(),
            actor_id=event.actor_id,
            actor_username=event.actor_username,
            organisation_id=event.organisation_id,
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
        if chain.sign(chain.canonical(fields)) != event.hash:
            return VerifyResult(False, count, f"event #{event.sequence} has been altered", event.sequence)
        previous_hash = event.hash
        expected_sequence += 1
        count += 1
    head = AuditHead.objects.filter(pk=1).first()
    last_sequence = expected_sequence - 1
    if head is None:
        if count:
            return VerifyResult(False, count, "the signed end of the log is missing", last_sequence)
        return VerifyResult(True, 0)
    if head.signature != chain.head_signature(head.sequence, head.hash):
        return VerifyResult(False, count, "the signed end of the log has been altered", head.sequence)
    if head.sequence != last_sequence or head.hash != previous_hash:
        return VerifyResult(
            False,
            count,
            f"the log ends at #{last_sequence} but was signed as ending at #{head.sequence}: events have been removed",
            last_sequence + 1,
        )
    return VerifyResult(True, count)
