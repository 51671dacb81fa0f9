"""Jobs for the background worker. Thin: each calls a service."""

from safehub.measures import services


def run_nightly() -> None:
    services.run_nightly()


def make_evidence_pack(pack_id: int) -> None:
    services.make_evidence_pack(pack_id)
