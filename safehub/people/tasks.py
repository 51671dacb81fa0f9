"""Jobs for the background worker. Thin: each calls a service."""

from safehub.people import duplicates


def find_duplicates_nightly() -> None:
    duplicates.run_nightly()
