"""Settings for the dispatcher run as a separate process by the crash test: the database
comes from DATABASE_URL (a file or a PostgreSQL database of the test's own), mail goes to
the test's SMTP server, and a claim lapses after one second so a killed worker's rows come
back quickly."""

import os

from config.settings.base import *  # noqa: F403

SECRET_KEY = "crash-test-secret-key"
SAFEHUB_AUDIT_KEY = "crash-test-audit-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": int(os.environ.get("SAFEHUB_TEST_SMTP_PORT", "8025")), "timeout": 10},
    }
}
SAFEHUB_NOTIFICATION_LEASE_SECONDS = int(os.environ.get("SAFEHUB_TEST_LEASE_SECONDS", "1"))
LOGGING = {"version": 1, "disable_existing_loggers": False}
