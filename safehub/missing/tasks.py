"""The worker's jobs for missing children: thin wrappers over the services."""

from safehub.missing.services import escalate_overdue_interviews, send_digests


def send_missing_digests() -> int:
    return send_digests()


def escalate_overdue_return_interviews() -> int:
    return escalate_overdue_interviews()
