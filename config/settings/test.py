"""Settings for the test suite: fast hashing, in-memory mail, synchronous jobs."""

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, Q_CLUSTER

SECRET_KEY = "test-secret-key"  # noqa: S105 (tests only)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ""}  # in memory
SAFEHUB_AUDIT_KEY = "test-audit-key"
