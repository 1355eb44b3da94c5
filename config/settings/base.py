"""Settings shared by every environment. Everything environment-specific is read from variables
(12-factor); `.env.example` lists them all. Malformed values fail loudly at start-up."""

from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("SECRET_KEY", default="insecure-dev-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "modeltranslation",  # must precede django.contrib.admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "axes",
    "django_htmx",
    "csp",
    "portfolio",
    "funding",
    "governance",
    "followup",
    "reporting",
]

MIDDLEWARE = [
    "config.middleware.RequestIDMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "config.middleware.RejectNulCharactersMiddleware",  # after the locale: its 400 page is translated
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "portfolio.context_processors.portal",
                "reporting.context_processors.national",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the Celery worker read while the web server writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# How long cached dashboard figures are kept. They are keyed by the data version (portfolio.dataversion), so
# a write makes them unreachable at once; the timeout only bounds the memory they take.
FIGURES_CACHE_SECONDS = env.int("FIGURES_CACHE_SECONDS", default=3600)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection: lock the username+IP pair, not the account, so nobody can lock others out.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind reverse proxies (the TLS proxy) every connection comes from the proxy: the client's address is the
# X-Forwarded-For entry TRUSTED_PROXY_COUNT hops from the right. 0 (the default): the header is ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "config.client_address.client_address"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True
# Day-first English (config/formats/en/formats.py); Finnish and Swedish use Django's own formats.
FORMAT_MODULE_PATH = ["config.formats"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "fi"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("fi",)

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    # Media files (project documents, compiled summaries): the local disk under MEDIA_ROOT by default; a
    # multi-instance deployment sets MEDIA_STORAGE_BACKEND=storages.backends.s3.S3Storage (django-storages,
    # installed separately) and its options as JSON in MEDIA_STORAGE_OPTIONS (README: "Media files").
    "default": {
        "BACKEND": env.str("MEDIA_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("MEDIA_STORAGE_OPTIONS", default={}),
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portaali@example.invalid")

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes unauthenticated requests 401 rather than 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portfolio.api.authentication.PortalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["config.api.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "config.api_views.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.parsers.JSONParser"],  # DRF's, with too deep nesting a 400
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Starting a summary compilation is heavy work: limited per user (checklist #20).
    "DEFAULT_THROTTLE_RATES": {"report-request": "20/hour"},
}
SPECTACULAR_SETTINGS = {
    "ENUM_NAME_OVERRIDES": {
        "FundingLineKindEnum": "funding.choices.FundingLineKind",
        "OrganisationKindEnum": "portfolio.choices.OrganisationKind",
        "ProgressReportKindEnum": "followup.models.reports.ReportKind",
        "ProgressReportStatusEnum": "followup.models.reports.ReportStatus",
        "ReviewStateEnum": "followup.models.reports.ReviewState",
    },
    "TITLE": "Ecosystem agreement portfolio API",
    "DESCRIPTION": (
        "Portfolio of Finland's innovation ecosystem agreements. Session or token authentication "
        "(`Authorization: Token <key>`; create your personal tokens on [API tokens](/accounts/tokens/)). "
        "Errors share one JSON shape (`Error`). Object responses carry an "
        "`ETag`; PUT/PATCH honour `If-Match` (412 when stale; projects require it, 428 without)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["portfolio.api.permissions.PortalReader"],  # a portal role, as for the API itself
    "SERVE_AUTHENTICATION": [
        "rest_framework.authentication.SessionAuthentication",
        "portfolio.api.authentication.PortalTokenAuthentication",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No deep links: Swagger UI puts each operation's link inside the button that opens it (nested interactive
    # controls, which axe refuses; found by the navigation walk).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
}

# Content Security Policy: nonces for our own inline scripts, nothing from other origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Celery: broker and schedules. The embedded default uses kombu's filesystem transport (no server).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Defaults of the periodic schedules; django-celery-beat copies them into the admin-editable tables.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "summary-steering-quarterly": {
        "task": "reporting.summary_compile_scheduled_task",
        "schedule": crontab(minute=0, hour=3, day_of_month=1, month_of_year="1,4,7,10"),
        "kwargs": {"audience": "steering", "period_kind": "quarter"},
    },
    "summary-national-half-yearly": {
        "task": "reporting.summary_compile_scheduled_task",
        "schedule": crontab(minute=30, hour=3, day_of_month=1, month_of_year="1,7"),
        "kwargs": {"audience": "national", "period_kind": "half"},
    },
    "summary-national-yearly": {
        "task": "reporting.summary_compile_scheduled_task",
        "schedule": crontab(minute=0, hour=4, day_of_month=2, month_of_year="1"),
        "kwargs": {"audience": "national", "period_kind": "year"},
    },
}

# Domain settings.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="")  # absolute links in e-mails, e.g. https://portaali.example.fi
# None: the Celery hard time limit plus a minute.
REPORT_COMPILE_LEASE_SECONDS = env.int("REPORT_COMPILE_LEASE_SECONDS", default=None)
REPORT_COMPILE_MAX_RETRIES = env.int("REPORT_COMPILE_MAX_RETRIES", default=5)
REPORT_MAX_PENDING_PER_USER = env.int("REPORT_MAX_PENDING_PER_USER", default=3)

# Broker redelivery and the recovery sweeps (issue 11, defects 4 and 5). With acks_late, Redis hands a taken but
# unacknowledged message (its worker was killed) to another worker after `visibility_timeout` seconds; Redis's
# default is an hour ("Compiling 5 %" for an hour). It must exceed the hard time limit, and it equals the compile
# lease (reporting.services.compile_lease): the same figure after which a killed worker's summary is retried.
CELERY_VISIBILITY_TIMEOUT = REPORT_COMPILE_LEASE_SECONDS or CELERY_TASK_TIME_LIMIT + 60
if CELERY_BROKER_URL.startswith(("redis://", "rediss://", "redis+socket://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
# Every minute: send what the broker never took (it was down) and take back what a lost worker left.
CELERY_BEAT_SCHEDULE["summary-requeue-stale"] = {"task": "reporting.summary_requeue_stale_task", "schedule": 60.0}
# The public list of operations: a new edition monthly (the Regulation's minimum is every four months).
CELERY_BEAT_SCHEDULE["operations-list-monthly"] = {"task": "reporting.operations_list_publish_task",
                                                   "schedule": crontab(minute=0, hour=5, day_of_month=1)}
# Progress reports: regenerate the expected reports and e-mail the due and overdue reminders, daily.
CELERY_BEAT_SCHEDULE["progress-report-reminders-daily"] = {
    "task": "followup.progress_report_reminders_send_task", "schedule": crontab(minute=30, hour=6)}
# How many days before a progress report's due date its contacts are reminded.
FOLLOWUP_REMINDER_DAYS_BEFORE = env.int("FOLLOWUP_REMINDER_DAYS_BEFORE", default=14)
# Summaries (issue 18): reviewers are reminded of a draft after this many days (and again every as many days);
# the national summary also goes to these addresses ("address" or "address:sv", comma-separated).
REPORT_REVIEW_REMINDER_DAYS = env.int("REPORT_REVIEW_REMINDER_DAYS", default=7)
REPORT_NATIONAL_RECIPIENTS = env.list("REPORT_NATIONAL_RECIPIENTS", default=[])
REPORT_DELIVERY_MAX_RETRIES = env.int("REPORT_DELIVERY_MAX_RETRIES", default=5)
# The first retry of a delivery after a mail-server error waits this many seconds, each next one twice as long
# (with jitter), at most an hour.
REPORT_DELIVERY_RETRY_BACKOFF = env.int("REPORT_DELIVERY_RETRY_BACKOFF", default=60)
# Off by default: the summary's PDF travels as an attachment only to the additional recipients whose entry
# allows it ("may receive the files as attachments"), and only while this is on; everyone else gets the link.
REPORT_ATTACHMENTS_TO_NAMED_RECIPIENTS = env.bool("REPORT_ATTACHMENTS_TO_NAMED_RECIPIENTS", default=False)
CELERY_BEAT_SCHEDULE["summary-review-reminders-daily"] = {
    "task": "reporting.summary_review_reminders_send_task", "schedule": crontab(minute=0, hour=7)}
CELERY_BEAT_SCHEDULE["notification-outbox-sweep"] = {"task": "governance.outbox_sweep_task", "schedule": 60.0}
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo-pass-2027")
FUNDING_SPLIT_LOCAL_TARGET = Decimal(env.str("FUNDING_SPLIT_LOCAL_TARGET", default="40"))
FUNDING_SPLIT_TOLERANCE = Decimal(env.str("FUNDING_SPLIT_TOLERANCE", default="2.0"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.middleware.RequestIDLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Security audit log and sessions (records) -----------------------------------------------------------
# Security events (sign-ins, lock-outs, denials, downloads, exports, imports) are kept this many days; the
# `audit_purge` command (and its daily beat task) deletes older entries.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)
# A signed-in session ends after this many seconds without a request, and this many seconds after sign-in
# whatever the activity (config.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_ABSOLUTE_LIFETIME = env.int("SESSION_ABSOLUTE_LIFETIME", default=SESSION_COOKIE_AGE)
# Pages warn this many seconds before the session ends, with a "Stay signed in" button (static/js/portal.js).
SESSION_WARNING_BEFORE = env.int("SESSION_WARNING_BEFORE", default=5 * 60)
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
                  "config.middleware.SessionTimeoutMiddleware")
MIDDLEWARE.append("portfolio.middleware.SecurityEventMiddleware")
CELERY_BEAT_SCHEDULE["security-events-purge-daily"] = {
    "task": "portfolio.security_events_purge_task",
    "schedule": crontab(minute=15, hour=2),
}
