"""Settings shared by every environment. `test` and `production` build on these."""

import dj_database_url

from config.env import BASE_DIR, data_dir, env_bool, env_int, env_str

SECRET_KEY = env_str("SAFEHUB_SECRET_KEY", "insecure-development-key-do-not-use-in-production")
DEBUG = env_bool("SAFEHUB_DEBUG", False)
ALLOWED_HOSTS = [h for h in env_str("SAFEHUB_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "safehub.core",
    "safehub.audit",
    "safehub.access",
    "safehub.notifications",
    "safehub.hub",
    "safehub.meetings",
    "safehub.encompass",
    "safehub.investigations",
    "safehub.missing",
    "safehub.dbs",
    "safehub.measures",
    "safehub.partnership",
    "safehub.people",
    "safehub.timescales",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "safehub.audit.context.AuditContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "safehub.core.middleware.SessionLifetimeMiddleware",
    "safehub.core.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "safehub.core.middleware.PersonalDataCacheControlMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "safehub" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safehub.core.context_processors.service",
            ],
        },
    }
]

DATA_DIR = data_dir()
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'safehub.sqlite3'}"),
        conn_max_age=env_int("SAFEHUB_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # The web server and the worker share one SQLite file: WAL lets readers work while
    # one writer writes, and IMMEDIATE transactions queue writers instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "partnership.User"
LOGIN_URL = "core:sign-in"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:sign-in"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
# `safehub/` is a package, not an app, so its static directory is named here.
STATICFILES_DIRS = [BASE_DIR / "safehub" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from the app directories, so `safehub demo` needs no
# collectstatic step; production collects them (see production.py).
WHITENOISE_USE_FINDERS = True

# Sessions: signed out after SAFEHUB_SESSION_IDLE_MINUTES without a request, and after
# SAFEHUB_SESSION_ABSOLUTE_HOURS whatever happens (safehub.core.middleware.SessionLifetimeMiddleware).
SAFEHUB_SESSION_IDLE_MINUTES = env_int("SAFEHUB_SESSION_IDLE_MINUTES", 15)
SAFEHUB_SESSION_ABSOLUTE_HOURS = env_int("SAFEHUB_SESSION_ABSOLUTE_HOURS", 12)
SESSION_COOKIE_AGE = SAFEHUB_SESSION_ABSOLUTE_HOURS * 60 * 60
SESSION_COOKIE_HTTPONLY = True
# Lax, not Strict: a link in a notification email must arrive signed in.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Failed passwords and second-factor codes slow down per account and per address without
# locking a real user out; see safehub/core/throttling.py for the rules.
SAFEHUB_SIGN_IN_THROTTLE = {
    "WINDOW_MINUTES": env_int("SAFEHUB_THROTTLE_WINDOW_MINUTES", 15),
    "LOCKOUT_MINUTES": env_int("SAFEHUB_THROTTLE_LOCKOUT_MINUTES", 5),
    "PAIR_FAILURES": env_int("SAFEHUB_THROTTLE_PAIR_FAILURES", 5),
    "ACCOUNT_FAILURES": env_int("SAFEHUB_THROTTLE_ACCOUNT_FAILURES", 10),
    "ADDRESS_FAILURES": env_int("SAFEHUB_THROTTLE_ADDRESS_FAILURES", 20),
}
# django-otp: the authenticator app's label, and its own per-device throttling switched off,
# because it counts failures per device from every address, which would let anyone who
# knows a password lock the real user out; SafeHub's throttling above covers codes too.
OTP_TOTP_ISSUER = "SafeHub"
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Django 6.1's MAILERS. Outside production, mail goes to the console unless told otherwise.
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def smtp_options() -> dict[str, object]:
    """The SMTP server from SAFEHUB_SMTP_*; a timeout so a hung server cannot hold a send."""
    return {
        "host": env_str("SAFEHUB_SMTP_HOST", "localhost"),
        "port": env_int("SAFEHUB_SMTP_PORT", 587),
        "username": env_str("SAFEHUB_SMTP_USERNAME"),
        "password": env_str("SAFEHUB_SMTP_PASSWORD"),
        "use_tls": env_bool("SAFEHUB_SMTP_TLS", True),
        "timeout": env_int("SAFEHUB_SMTP_TIMEOUT", 30),
    }


def mailers(default_backend: str) -> dict[str, dict[str, object]]:
    backend = env_str("SAFEHUB_EMAIL_BACKEND", default_backend)
    options = {"OPTIONS": smtp_options()} if backend == SMTP_BACKEND else {}
    return {"default": {"BACKEND": backend, **options}}


MAILERS = mailers("django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("SAFEHUB_FROM_EMAIL", "SafeHub <no-reply@safehub.invalid>")

REST_FRAMEWORK = {
    # Token first, so that a call without credentials gets 401 with `WWW-Authenticate`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "safehub.core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "safehub.core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "SafeHub API",
    "DESCRIPTION": "The REST API of SafeHub, a child-safeguarding partnership's shared system.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Record ids in paths (safehub.core.converters): positive 64-bit integers.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}},
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "safehub.partnership.models.OrganisationKind",
        "PersonKindEnum": "safehub.people.models.PersonKind",
        "NameKindEnum": "safehub.people.models.NameKind",
        "MeetingAgencyEnum": "safehub.meetings.models.Agency",
        "MeetingKindEnum": "safehub.meetings.models.MeetingKind",
        "MeetingStateEnum": "safehub.meetings.models.MeetingState",
        "ContactStateEnum": "safehub.hub.models.ContactState",
        "QueueStateEnum": "safehub.hub.api_workflow.QUEUE_STATE_CHOICES",
        # Two choice sets share the field name "role": the hub's subjects keep the name they had.
        "RoleEnum": "safehub.hub.models.SubjectRole",
        "AdultRoleEnum": "safehub.encompass.models.AdultRole",
        # Two choice sets share the field name "status": a meeting attendance's, a notice's.
        "AttendanceStatusEnum": "safehub.meetings.models.AttendanceStatus",
        "NoticeStatusEnum": "safehub.encompass.api.NoticeStatus.CHOICES",
        # Two choice sets share the field name "sex": a record's, and what a referrer says.
        "SexEnum": "safehub.people.models.Sex",
        "SexGivenEnum": "safehub.people.models.SEX_GIVEN_CHOICES",
        # Who may read a chronology entry, and what a practitioner records on one by hand.
        "ChronologyReachEnum": "safehub.people.models.Reach",
        "ChronologyCategoryEnum": "safehub.people.models.EntryCategory",
        "PlanCategoryEnum": "safehub.meetings.models.PlanCategory",
        # Police investigations: their states, outcomes and people's roles.
        "InvestigationStateEnum": "safehub.investigations.models.InvestigationState",
        "ClosureStateEnum": "safehub.investigations.models.ClosureState",
        "OpportunityStateEnum": "safehub.investigations.models.OpportunityState",
        "ClosureOutcomeEnum": "safehub.investigations.models.ClosureOutcome",
        "ChallengeOutcomeEnum": "safehub.investigations.models.ChallengeOutcome",
        "InvestigationRoleEnum": "safehub.investigations.models.SubjectRole",
        # Missing children: "state" is a choice set in many places; the episode's is its own.
        "MissingEpisodeStateEnum": "safehub.missing.models.EpisodeState",
        "MissingRiskGradeEnum": "safehub.missing.models.RiskGrade",
        "MissingReporterEnum": "safehub.missing.models.Reporter",
        "MissingIndicatorEnum": "safehub.missing.models.Indicator",
        "DbsCheckStateEnum": "safehub.dbs.models.CheckState",
        "DbsWorkforceEnum": "safehub.dbs.models.Workforce",
    },
}

Q_CLUSTER = {
    "name": "safehub",
    "orm": "default",
    "workers": env_int("SAFEHUB_WORKERS", 2),
    "timeout": 120,
    # A job whose worker died is handed out again after `retry` seconds: the ORM broker
    # keeps it until a worker acknowledges it, so a crash loses nothing.
    "retry": 180,
    "max_attempts": 5,
    "ack_failures": True,
    "save_limit": 1000,
    "catch_up": False,
    "poll": 1,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("SAFEHUB_LOG_LEVEL", "INFO")},
    # WeasyPrint (the evidence pack) logs each page it lays out at INFO.
    "loggers": {
        "django.server": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Splink (the batch deduplication) warns of comparison levels its training did not
        # see, which is expected with few duplicates; SafeHub smooths those itself.
        "splink": {"level": "ERROR"},
        "py4j": {"level": "WARNING"},
    },
}

SAFEHUB_DEMO_MODE = env_bool("SAFEHUB_DEMO_MODE", False)
# Batch deduplication on Spark (`safehub people find-duplicates --engine spark`): the master
# (a cluster's URL for a region; local[N] runs Spark in this machine) and a directory every
# executor can read, for the records handed over and Spark's checkpoints (a shared volume or
# an object store path on a cluster). See README, "Deduplicating a region on Spark".
SAFEHUB_SPARK_MASTER = env_str("SAFEHUB_SPARK_MASTER", "local[2]")
SAFEHUB_SPARK_STAGING = env_str("SAFEHUB_SPARK_STAGING", str(DATA_DIR / "spark"))
# Where users sign in: notification emails link here (they carry no other link).
SAFEHUB_BASE_URL = env_str("SAFEHUB_BASE_URL", "http://127.0.0.1:8000")

# The audit chain's key is kept outside the database: from the environment, or a key file
# (by default created under the data directory on first use; production must provide one).
SAFEHUB_AUDIT_KEY = env_str("SAFEHUB_AUDIT_KEY")
SAFEHUB_AUDIT_KEY_FILE = env_str("SAFEHUB_AUDIT_KEY_FILE")
SAFEHUB_AUDIT_KEY_CREATE = True
# Emptying the whole database (flush) is allowed outside production only.
SAFEHUB_ALLOW_FLUSH = True
