"""The worker's jobs for meetings: thin wrappers over the services, so the runner is replaceable."""

from safehub.meetings.services.convening import escalate_unanswered


def escalate_unanswered_invitations() -> int:
    return escalate_unanswered()
