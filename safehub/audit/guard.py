"""Lets the database's append-only triggers tell SafeHub's own maintenance from tampering.

On SQLite the triggers call `safehub_audit_guard()`, a function SafeHub registers on each
of its connections: it answers 1 (refuse) unless `maintenance()` is active. A connection
SafeHub did not open (the sqlite3 shell, say) has no such function, so its UPDATE or
DELETE fails too. On PostgreSQL the triggers refuse every row UPDATE and DELETE; Django's
flush there uses TRUNCATE, which row triggers do not see.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.backends.signals import connection_created

_state = threading.local()


def _guard() -> int:
    return 0 if getattr(_state, "maintenance", False) else 1


def _register(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("safehub_audit_guard", 0, _guard)


def connect() -> None:
    connection_created.connect(_register, dispatch_uid="safehub_audit_guard")


@contextmanager
def maintenance() -> Iterator[None]:
    """Allow deleting audit rows for the length of the block: only for emptying a whole
    database (flush in tests and `safehub demo --reset`), never in production."""
    _state.maintenance = True
    try:
        yield
    finally:
        _state.maintenance = False
