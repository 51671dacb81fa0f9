"""Jobs for the background worker. Thin: each calls a service."""

from safehub.hub.services import workflow


def escalate_overdue_research() -> None:
    workflow.escalate_overdue_research()
