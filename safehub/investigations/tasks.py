"""The worker's jobs for investigations: thin wrappers over the services."""

from safehub.investigations.services import close_after_windows


def close_unchallenged_closures() -> int:
    return close_after_windows()
