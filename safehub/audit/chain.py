"""The audit chain's cryptography: the key, the canonical form of an event, its HMAC.

The key lives outside the database (SAFEHUB_AUDIT_KEY, or a key file under the data
directory created on first use), so someone who can write to the database still cannot
forge a consistent chain.
"""

import hashlib
import hmac
import json
import os
import secrets
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

GENESIS_HASH = "0" * 64


@cache
def audit_key() -> bytes:
    configured: str = getattr(settings, "SAFEHUB_AUDIT_KEY", "")
    if configured:
        return configured.encode()
    key_file = Path(getattr(settings, "SAFEHUB_AUDIT_KEY_FILE", "") or settings.DATA_DIR / "audit.key")
    if not key_file.exists():
        if not getattr(settings, "SAFEHUB_AUDIT_KEY_CREATE", True):
            raise ImproperlyConfigured(
                f"The audit key file {key_file} does not exist. Set SAFEHUB_AUDIT_KEY or SAFEHUB_AUDIT_KEY_FILE."
            )
        key_file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return key_file.read_text().strip().encode()


def canonical(fields: dict[str, Any]) -> bytes:
    """A byte-exact serialisation: sorted keys, no whitespace, UTF-8."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def event_fields(
    *,
    sequence: int,
    occurred_at: str,
    actor_id: int | None,
    actor_username: str,
    organisation_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    purpose: str,
    outcome: str,
    request_id: str,
    ip_address: str | None,
    detail: dict[str, Any],
    previous_hash: str,
) -> dict[str, Any]:
    return {
        "sequence": sequence,
        "occurred_at": occurred_at,
        "actor_id": actor_id,
        "actor_username": actor_username,
        "organisation_id": organisation_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "purpose": purpose,
        "outcome": outcome,
        "request_id": request_id,
        "ip_address": ip_address,
        "detail": detail,
        "previous_hash": previous_hash,
    }


def sign(payload: bytes) -> str:
    return hmac.new(audit_key(), payload, hashlib.sha256).hexdigest()


def head_signature(sequence: int, last_hash: str) -> str:
    return sign(f"head:{sequence}:{last_hash}".encode())
