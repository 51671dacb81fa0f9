"""Jobs for the background worker. Thin: each calls a service."""

from safehub.notifications import services


def dispatch_notifications() -> None:
    services.dispatch_due()
