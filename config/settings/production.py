"""Production settings: secrets from the environment, HTTPS only, no demo shortcuts."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_str
from config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_str("SAFEHUB_SECRET_KEY")
if not SECRET_KEY or SECRET_KEY.startswith("insecure"):
    raise ImproperlyConfigured("Set SAFEHUB_SECRET_KEY to a long random value in production.")

# The demo's shortcuts can never be switched on here, whatever the environment says.
SAFEHUB_DEMO_MODE = False
# The audit key must be provided (SAFEHUB_AUDIT_KEY or SAFEHUB_AUDIT_KEY_FILE), never made up.
SAFEHUB_AUDIT_KEY_CREATE = False
SAFEHUB_ALLOW_FLUSH = False

SECURE_SSL_REDIRECT = env_bool("SAFEHUB_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 63072000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# The __Host- prefix makes browsers refuse the cookies unless Secure, host-only and path /.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
STATIC_ROOT = env_str("SAFEHUB_STATIC_ROOT") or str(DATA_DIR / "static")  # noqa: F405
MAILERS = mailers(SMTP_BACKEND)  # noqa: F405
