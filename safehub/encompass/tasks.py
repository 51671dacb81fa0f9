"""The worker's jobs for Operation Encompass: thin wrappers over the services."""

from safehub.encompass.services.notices import escalate_unacknowledged


def escalate_unacknowledged_notices() -> int:
    return escalate_unacknowledged()
