"""One settings module, read from environment variables (see README "Configuration").

The embedded default needs nothing set: a SQLite file under var/, Celery tasks run in-process, DEBUG on.
Production sets DJANGO_DEBUG=false, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and CELERY_BROKER_URL.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_database, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DJANGO_DEBUG", True)
TESTING = env_bool("DJANGO_TESTING", False)

if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-never-use-in-production-0123456789abcdef")
else:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters when DJANGO_DEBUG is false.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_forms_gds",
    "axes",
    "csp",
    # Before "schools", whose admin module takes django-otp's device admin off the site (schools.accounts.admin).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "schools",
    "cases",
    "interventions",
    "legal",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "schools.accounts.sessions.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "schools.accounts.middleware.TwoFactorMiddleware",
    "config.middleware.LoginRequiredMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "schools.context_processors.service",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 0)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Survive a PostgreSQL restart without restarting the app: stale pooled connections are checked first.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default's requests and its job thread (JOBS_IN_BACKGROUND_THREAD) share one file. Readers and the
    # writer do not block each other (WAL); a transaction takes the write lock when it begins (IMMEDIATE), so one
    # that reads then writes waits its turn instead of failing "database is locked" half-way; and waits up to 20 s.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL", "transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "schools.User"
AUTHENTICATION_BACKENDS = [
    # Council sign-in first: it answers only the provider's callback, so axes's lock-out (for passwords) never
    # counts a provider's answer as a guess.
    "schools.accounts.oidc.CouncilBackend",
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
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after a working half-day of inactivity; officers share devices in schools.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 4)
# The expiry slides with activity, refreshed at most once a minute (schools.accounts.sessions).
SESSION_REFRESH_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Joining the browsers' HSTS preload list binds the council's whole domain and is slow to undo; it is the LA's
# decision (set SECURE_HSTS_PRELOAD=true), so its deploy-check warning is not an error here.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django's default, stated: no other origin's window keeps a handle on ours.
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy: everything from our own origin; no inline script. GOV.UK Frontend's one inline
# snippet (adding the js-enabled class) is replaced by static/js/init.js.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Login throttling: five failures for the same username from the same address locks it for 30 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# The GOV.UK lock-out page on the site, JSON on the API.
AXES_LOCKOUT_CALLABLE = "schools.accounts.two_factor.lockout_response"

# Two-factor sign-in (schools.accounts.two_factor): LA roles may set up an authenticator app; true makes it mandatory
# for them.
# Required by default in production (DJANGO_DEBUG=false); turning it off there is a deploy-check warning
# (schools.accounts.checks). The embedded default (DEBUG) leaves it to each user.
TWO_FACTOR_REQUIRED_FOR_LA_ROLES = env_bool("TWO_FACTOR_REQUIRED_FOR_LA_ROLES", not DEBUG)
# API tokens end after this long without use, and this long after they were issued (schools.accounts.tokens).
API_TOKEN_IDLE_HOURS = env_int("API_TOKEN_IDLE_HOURS", 8)
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 30)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Attendance and inclusion casework")

# Council sign-in over OpenID Connect (schools.accounts.oidc, mozilla-django-oidc): on when the client id, secret and
# the provider's authorization, token and JWKS endpoints are set. For Microsoft Entra ID the endpoints are
# https://login.microsoftonline.com/<tenant>/oauth2/v2.0/{authorize,token,logout}, .../discovery/v2.0/keys and
# https://graph.microsoft.com/oidc/userinfo, with the app registration's groups claim switched on.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", "")
# The provider's end-session endpoint: signing out here signs out there too. Empty: our session only.
OIDC_OP_LOGOUT_ENDPOINT = env_str("OIDC_OP_LOGOUT_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
# The claims that carry the person's groups and their stable id ("oid" in Entra ID is stable across apps too).
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "groups")
OIDC_SUBJECT_CLAIM = env_str("OIDC_SUBJECT_CLAIM", "sub")
# The sign-in page's button: "Sign in with <this>".
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "your council account")
# The provider's own sign-in (with its multi-factor policy) stands for our two-factor step; false also asks for the
# code of an authenticator set up here.
OIDC_TRUST_PROVIDER_TWO_FACTOR = env_bool("OIDC_TRUST_PROVIDER_TWO_FACTOR", True)
# False: LA roles sign in only through the provider (no local password, on the page or for an API token).
LOCAL_PASSWORDS_FOR_LA_STAFF = env_bool("LOCAL_PASSWORDS_FOR_LA_STAFF", True)
OIDC_ENABLED = all([OIDC_RP_CLIENT_ID, OIDC_RP_CLIENT_SECRET, OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT,
                    OIDC_OP_JWKS_ENDPOINT])
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # the end-session request's id_token_hint
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
# How far the provider's clock may be from ours when ID token times are checked.
OIDC_CLOCK_SKEW_SECONDS = env_int("OIDC_CLOCK_SKEW_SECONDS", 60)
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
if OIDC_ENABLED and OIDC_OP_LOGOUT_ENDPOINT:
    # Sign-out is a form whose answer redirects to the provider's end-session endpoint, and form-action governs
    # where a form's redirects may go.
    _logout = urlsplit(OIDC_OP_LOGOUT_ENDPOINT)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_logout.scheme}://{_logout.netloc}")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

# GOV.UK Frontend's compiled CSS asks for fonts and images under /assets/, so static files are served there.
STATIC_URL = "/assets/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", NODE_MODULES / "govuk-frontend" / "dist" / "govuk"),
    ("moj", NODE_MODULES / "@ministryofjustice" / "frontend" / "moj"),
    NODE_MODULES / "govuk-frontend" / "dist" / "govuk" / "assets",
    NODE_MODULES / "@ministryofjustice" / "frontend" / "moj" / "assets",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

REST_FRAMEWORK = {
    # DRF's own handler, keeping the reason a service gave for refusing the user (schools.common.drf).
    "EXCEPTION_HANDLER": "schools.common.drf.exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so an unauthenticated call is told how to authenticate (401 + WWW-Authenticate).
        # DRF's token authentication, refusing LA roles' tokens while two-factor sign-in is required and not set up.
        "schools.accounts.auth.TwoFactorTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: every endpoint needs a signed-in user; viewsets add role checks on top.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # api_token: the token endpoint, per address, on top of axes' lock-out per username and address.
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "2000/min", "api_token": "20/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Attendance and inclusion casework API",
    "DESCRIPTION": "Schools, pupils and enrolments, scoped to the signed-in user exactly as the pages are.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Choice sets whose field name ("kind") other endpoints use for other choices get a name of their own.
    "ENUM_NAME_OVERRIDES": {"AttendanceImportKindEnum": "schools.models.attendance.AttendanceImport.Kind",
                            # The catalogue's statutory/pay-as-you-use choice and a booking's funding share a field
                            # name; naming both keeps the schema unambiguous.
                            "InterventionFundingEnum": "interventions.models.catalogue.Intervention.Funding",
                            "BookingFundingEnum": "interventions.models.traded.Booking.Funding",
                            # Every legal record has a "status" of its own.
                            "LegalPathwayStatusEnum": "legal.models.LegalPathway.Status",
                            "PenaltyNoticeRequestStatusEnum": "legal.models.PenaltyNoticeRequest.Status",
                            "PenaltyNoticeStatusEnum": "legal.models.PenaltyNotice.Status",
                            "ContractStatusEnum": "legal.models.Contract.Status",
                            "ProsecutionStatusEnum": "legal.models.Prosecution.Status"},
}

# Celery: with no broker configured, tasks run in-process so the embedded default needs nothing else installed.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or "cache+memory://")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With no broker, a job (a report, an export, an import, a letter batch) runs in one background thread of the web
# process, one at a time, so the page that asked for it returns at once and follows its progress
# (schools.common.jobs). Off under tests, which expect the task to have run when the request returns, and with
# JOBS_IN_BACKGROUND_THREAD=false (the task then runs within the request, as Celery's eager mode does).
JOBS_IN_BACKGROUND_THREAD = CELERY_TASK_ALWAYS_EAGER and env_bool(
    "JOBS_IN_BACKGROUND_THREAD", not (TESTING or "pytest" in sys.modules))
# From this many pupils, the LA-wide dashboards' figures are kept for LA staff and shown "as at" the time they were
# added up, refreshed nightly and after register imports (reporting.snapshots): at 250,000 pupils the overview takes
# 5-11 s to add up (README "Speed"). Smaller LAs, and every narrower scope, are added up on request.
REPORT_SNAPSHOT_FROM_PUPILS = env_int("REPORT_SNAPSHOT_FROM_PUPILS", 20_000)

# Beat: what runs by itself. Each task is idempotent, so a missed or doubled run does no harm.
CELERY_BEAT_SCHEDULE = {
    # Jobs whose worker died are shown failed (with Retry); jobs started while Redis was down are queued once it is
    # back (schools.common.jobs.jobs_sweep). Every minute; the fault tests shorten it with JOB_SWEEP_SECONDS.
    "job-sweep": {
        "task": "schools.tasks.sweep_jobs",
        "schedule": float(env_int("JOB_SWEEP_SECONDS", 60)),
    },
    # Deadline reminders (exclusion reviews within two school days, missing day-6 provision) each school morning.
    "exclusion-deadline-reminders": {
        "task": "schools.tasks.send_exclusion_reminders",
        "schedule": crontab(hour=6, minute=30),
    },
    # Rebuild every attendance summary from the marks overnight (imports already recompute what they touch).
    "attendance-nightly-recompute": {
        "task": "schools.tasks.recompute_attendance",
        "schedule": crontab(hour=2, minute=15),
    },
    # Dashboard figures kept for LA staff (reporting.snapshots), added up again after the recompute and the alerts.
    "reporting-dashboard-figures": {
        "task": "reporting.tasks.refresh_report_snapshots",
        "schedule": crontab(hour=3, minute=30),
    },
    # Early-warning alerts (cases.alerts) for every school, after the nightly recompute has rebuilt the summaries the
    # absence rules read (imports also queue them for the schools they touch).
    "casework-early-warning-alerts": {
        "task": "cases.tasks.evaluate_alerts",
        "schedule": crontab(hour=3, minute=0),
    },
    # Penalty notices whose payment period ended yesterday become "unpaid", ready to refer or withdraw.
    "legal-unpaid-notices": {
        "task": "legal.tasks.mark_unpaid_notices",
        "schedule": crontab(hour=2, minute=45),
    },
    # Case reviews and tasks due soon or overdue, reminded on each person's My work page every morning.
    "casework-reminders": {
        "task": "cases.tasks.send_casework_reminders",
        "schedule": crontab(hour=6, minute=40),
    },
    # The termly report: each night, once an LA term has ended, its LA-wide report is made (once per term), after
    # the nightly attendance recompute so the term's summaries are complete.
    "reporting-term-end-report": {
        "task": "reporting.tasks.make_term_end_reports",
        "schedule": crontab(hour=3, minute=30),
    },
    # Delivery statuses of messages to families: ask GOV.UK Notify about every message it may still change, and send
    # any that never left (a queue that was down). Notify's callback usually gets there first.
    "legal-notify-poll": {
        "task": "legal.messaging.tasks.poll_messages",
        "schedule": float(env_int("NOTIFY_POLL_SECONDS", 900)),
    },
    # Retention: pupils past the LA's retention period are anonymised (schools.data_protection.retention); a rerun
    # finds nobody new, so a missed or doubled night does no harm.
    "data-protection-retention": {
        "task": "schools.data_protection_tasks.apply_retention",
        "schedule": crontab(hour=4, minute=10),
    },
}

# Retention (schools.data_protection.rules names the source): a pupil's record is anonymised this many years after
# their last enrolment in the authority ended, and not before they reach this age. The LA's own schedule decides.
DATA_RETENTION_YEARS_AFTER_LEAVING = env_int("DATA_RETENTION_YEARS_AFTER_LEAVING", 6)
DATA_RETENTION_MIN_AGE = env_int("DATA_RETENTION_MIN_AGE", 25)

# GOV.UK Notify (legal.messaging): letters, emails and texts to families. Unset key: letters go to the print queue
# instead (posted by hand). The key and the callback token are secrets: never logged, and Django's error reports
# hide them (their names contain KEY and TOKEN).
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY", "")
NOTIFY_BASE_URL = env_str("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
# What Notify must send as "Authorization: Bearer <token>" to our delivery-status callback; unset refuses callbacks.
NOTIFY_CALLBACK_BEARER_TOKEN = env_str("NOTIFY_CALLBACK_BEARER_TOKEN", "")
NOTIFY_TIMEOUT_SECONDS = env_int("NOTIFY_TIMEOUT_SECONDS", 30)
if NOTIFY_API_KEY and len(NOTIFY_API_KEY) < 74:  # name-<service id>-<secret>, two UUIDs; the value is not repeated
    raise ImproperlyConfigured("NOTIFY_API_KEY is not a GOV.UK Notify API key: paste the whole key as Notify shows "
                               "it (its name, the service id and the secret).")

# Children Not in School register (EA1996 ss436B-436G, CWSA 2026 s38): Royal Assent 29 April 2026 but not yet
# commenced, so its pages and API stay off until the LA switches them on.
CNIS_REGISTER_ENABLED = env_bool("CNIS_REGISTER_ENABLED", False)

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env_str("REDIS_CACHE_URL", ""):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("REDIS_CACHE_URL"),
    }

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Register uploads (CSV or CTF) larger than this are refused at the form with the size and the limit. A year's marks
# for the largest school (3,000 pupils, 390 sessions, about 45 bytes a line) is about 55 MB as CSV and less as a CTF;
# an authority importing larger files (several schools in one) raises it. The import reads any size in bounded
# memory, so this is about upload time, disk and an attacker's leverage, not the importer.
ATTENDANCE_UPLOAD_MAX_MB = env_int("ATTENDANCE_UPLOAD_MAX_MB", 100)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools report every layout step and font subset at INFO: noise in a worker's log.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
