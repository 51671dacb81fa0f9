"""Jobs for the background worker. Thin: each calls a service."""

from safehub.core import services


def record_worker_heartbeat() -> None:
    services.record_worker_heartbeat()
