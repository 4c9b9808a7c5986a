"""One settings module, read from the environment (twelve-factor).

Every variable is documented in README.md. A `.env` file in the project folder (written by
`make .env`, git-ignored) is read for anything the real environment does not set.
"""

from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. `make .env` writes a random one for local use; "
        "set it in the environment in production."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Behind TLS in production. `SECURE_HTTPS=false` only for plain-HTTP local use (make run, tests).
SECURE_HTTPS = env.bool("SECURE_HTTPS", default=True)
SECURE_SSL_REDIRECT = SECURE_HTTPS
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if SECURE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

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
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_ratelimit",
    # Ours, lowest layer first: each app may import only the ones above it.
    "core",
    "contacts",
    "handoffs",
    "complaints",
    "intake",
    "people",
    "reporting",
    "open311",
    "selfservice",
    "insight",
    "planning",
    "notify",
]

MIDDLEWARE = [
    "core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Refuses unstorable characters in any field before a view (and any query) runs.
    "core.input_guard.InputGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.IdentityProviderFormActionMiddleware",
    "core.middleware.LoginRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The page shell (base.html, includes/) is core's; every app's templates are in its
        # package, so an installed wheel renders the same pages as a checkout.
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A restarted PostgreSQL costs only the requests in flight: stale connections are checked first.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# DATABASE_POOL=N (PostgreSQL only, issue 23): each process keeps a psycopg pool of up to N
# connections instead of one persistent connection checked by a query at every request. Off (0)
# by default; ignored on SQLite.
DATABASE_POOL = env.int("DATABASE_POOL", default=0)
if DATABASE_POOL > 0 and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1, "max_size": DATABASE_POOL, "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# A PostgreSQL read replica for the reports (README, "Scaling"; core/db_router.py).
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {**env.db("DATABASE_REPLICA_URL"), "CONN_HEALTH_CHECKS": True,
                            "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
                            "TEST": {"MIRROR": "default"}}
    DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Passwords (the sign-in form, the admin, POST /api/v1/auth/token/); refuses all but the
    # break-glass accounts when LOCAL_PASSWORDS_ENABLED is false (core/directory.py).
    "core.auth_backends.LocalPasswordBackend",
    # Sessions of staff signed in through the council's identity provider (core/sso.py).
    "core.auth_backends.DirectoryBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling and lockout (django-axes): five failures lock the username for an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_LOCKOUT_CALLABLE = "core.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_ip"

# The client's address behind the council's reverse proxies (core/client_address.py): how many
# proxies of ours forward each request, appending to X-Forwarded-For (the compose stack's Caddy:
# 1; 0 = no proxy, the connection's address), and the networks they connect from (empty = any).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXY_IPS = env.list("TRUSTED_PROXY_IPS", default=[])

# Resident self service (selfservice/throttle.py): attempts per client address, django-ratelimit
# rates ("10/h": ten an hour).
SELF_SERVICE_RATE_LIMITS = {
    "submit": env.str("SELF_SERVICE_RATE_SUBMIT", default="10/h"),
    "progress": env.str("SELF_SERVICE_RATE_PROGRESS", default="20/h"),
}

# Single sign-on with the council's identity provider (OpenID Connect, issue 21; README, "Single
# sign-on"). No OIDC_ISSUER: local sign-in only, as before. OIDC_ISSUER is the issuer URL; its
# discovery document (/.well-known/openid-configuration) gives the endpoints and signing keys.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").rstrip("/")
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_SCOPES = env.str("OIDC_SCOPES", default="openid profile email")
# Claims of the ID token whose values name the person's roles: Entra ID app roles arrive in
# `roles`, security groups (object IDs) in `groups`.
OIDC_ROLE_CLAIMS = env.list("OIDC_ROLE_CLAIMS", default=["roles", "groups"])
# The default mapping from a claim value to a role code (admins add more in the admin, "Directory
# role mappings"). By default an app role whose value is a role code gives that role.
OIDC_ROLE_MAP = env.dict("OIDC_ROLE_MAP", default={
    code: code for code in ("adviser", "back_office", "complaints_officer",
                            "social_care_complaints", "legal", "manager", "admin")})
# The claim that identifies the person for good (`oid` in Entra ID is the object ID an admin sees
# in the portal, so an existing account can be linked by hand), and the one the username comes from.
OIDC_SUBJECT_CLAIM = env.str("OIDC_SUBJECT_CLAIM", default="sub")
OIDC_USERNAME_CLAIM = env.str("OIDC_USERNAME_CLAIM", default="preferred_username")
if OIDC_ISSUER:
    if not (OIDC_CLIENT_ID and OIDC_CLIENT_SECRET):
        raise ImproperlyConfigured("OIDC_ISSUER is set: set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET too.")
    _issuer = urlsplit(OIDC_ISSUER)
    if _issuer.scheme != "https" and _issuer.hostname not in ("localhost", "127.0.0.1"):
        raise ImproperlyConfigured("OIDC_ISSUER must be an https:// URL.")
# Local passwords: false leaves the sign-in form to the break-glass accounts named here (for when
# the identity provider is down); everyone else signs in through the provider.
LOCAL_PASSWORDS_ENABLED = env.bool("LOCAL_PASSWORDS_ENABLED", default=True)
BREAK_GLASS_USERNAMES = env.list("BREAK_GLASS_USERNAMES", default=[])
# Accounts end when employment ends: a member of staff not signed in for this many days is
# deactivated (daily, on Celery beat). 0 = never; by default 90 with single sign-on, off without.
STAFF_DEACTIVATE_AFTER_DAYS = env.int("STAFF_DEACTIVATE_AFTER_DAYS",
                                      default=90 if OIDC_ISSUER else 0)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"

STATIC_URL = "/static/"
# Where collectstatic writes (the image's /app/staticfiles); whitenoise serves it.
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# The front-end assets `make assets` builds from the npm packages go to core/static/ (never
# committed): in an app's folder, so the wheel carries them like any app's static files.
STATICFILES_DIRS: list = []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Photos residents send with a problem report (issue 20): personal data, so kept out of the web
# root. Nothing serves this folder; a photo is answered only by a view that checks the user may
# see the hand-off it came with. In production a volume shared by `web` and `worker`.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "var" / "private-media")
WHITENOISE_MANIFEST_STRICT = False

# Email: EMAIL_URL such as smtp+tls://user:pass@host:587; console output by default.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="no-reply@council.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A mail server that stops answering fails the try after this many seconds (Django waits forever).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# The outbox (core/services.py, outbox_drain): a worker's claim on a message lasts
# OUTBOX_CLAIM_SECONDS (a worker killed mid-send leaves the message for a retry after that; keep
# it well above EMAIL_TIMEOUT); a failed try waits OUTBOX_RETRY_SECONDS, doubled per try up to
# OUTBOX_RETRY_MAX_SECONDS; after OUTBOX_MAX_ATTEMPTS tries the message is given up (the admin
# shows it and its attempts). The periodic drain runs every OUTBOX_RETRY_SECONDS.
OUTBOX_CLAIM_SECONDS = env.int("OUTBOX_CLAIM_SECONDS", default=300)
OUTBOX_RETRY_SECONDS = env.int("OUTBOX_RETRY_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=12)

# GOV.UK Notify (issue 19, the notify app): with NOTIFY_API_KEY set, email, text messages and
# letters go through Notify (NOTIFY_BASE_URL, its API by default; `make run NOTIFY_STANDIN=1`
# points it at the local stand-in). Without a key, email goes by EMAIL_URL and text messages and
# letters are written to the log. Notify posts delivery receipts to /notify/receipts/ with
# `Authorization: Bearer NOTIFY_CALLBACK_TOKEN` (set the same token in Notify's callback
# settings); with no token set, every receipt is refused.
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env.str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_CALLBACK_TOKEN = env.str("NOTIFY_CALLBACK_TOKEN", default="")
NOTIFY_TIMEOUT_SECONDS = env.int("NOTIFY_TIMEOUT_SECONDS", default=20)
# No text message is sent between these local times; one due then waits until the end.
MESSAGE_QUIET_HOURS = env.str("MESSAGE_QUIET_HOURS", default="21:00-08:00")

# Celery. With REDIS_URL, Redis is the broker and result backend and `celery worker` + `celery
# beat` run the tasks. Without it no server is needed: tasks run eagerly in the calling process and
# `manage.py run_periodic` stands in for beat (make run starts it).
REDIS_URL = env.str("REDIS_URL", default="")
# Django's own Redis cache counts with INCR, atomic as django-ratelimit needs; the library lists
# only third-party Redis backends as supported.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="nwd"),
        }
    }
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # One process (make run, tests): its own memory is the whole count.
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The periodic schedule. Each entry is a task that is a one-line shell around a service; every
# one is idempotent, so running it late, twice or concurrently is safe.
CELERY_BEAT_SCHEDULE_SECONDS = env.int("CELERY_BEAT_SCHEDULE_SECONDS", default=300)
CELERY_BEAT_SCHEDULE: dict = {
    # Sends what is due: retries after their back-off, and anything a lost wake-up left behind.
    "outbox-drain": {
        "task": "core.outbox_drain",
        "schedule": OUTBOX_RETRY_SECONDS,
    },
    "handoffs-sweep-deadlines": {
        "task": "handoffs.sweep_deadlines",
        "schedule": CELERY_BEAT_SCHEDULE_SECONDS,
    },
    # Tell customers whose enquiry is about to miss its service standard (issue 19), every hour
    # (dates move once a day; the hourly run only catches up after downtime).
    "handoffs-warn-customers": {
        "task": "handoffs.warn_customers",
        "schedule": crontab(minute=15),
    },
    "complaints-sweep-deadlines": {
        "task": "complaints.sweep_deadlines",
        "schedule": CELERY_BEAT_SCHEDULE_SECONDS,
    },
    # Erase the personal data past the council's retention schedule (core/retention.py), each
    # night. A run killed part way is finished by the next one.
    "core-apply-retention": {
        "task": "core.apply_retention",
        "schedule": crontab(hour=2, minute=15),
    },
    # Delete the files of erased photos, and of photos residents added but never sent
    # (contacts/photos.py), every hour.
    "contacts-sweep-photo-files": {
        "task": "contacts.sweep_photo_files",
        "schedule": crontab(minute=45),
    },
    # Deactivate staff accounts not signed in for STAFF_DEACTIVATE_AFTER_DAYS (core/directory.py).
    "core-deactivate-unseen-staff": {
        "task": "core.deactivate_unseen_staff",
        "schedule": 24 * 60 * 60,
    },
    # Invite a sample of customers whose enquiries were just resolved to a survey (insight/).
    "insight-sweep-surveys": {
        "task": "insight.sweep_surveys",
        "schedule": CELERY_BEAT_SCHEDULE_SECONDS,
    },
    # The contact-centre forecast (planning/), every night after midnight: it reads the history
    # up to yesterday, and does nothing when that has not changed since it last ran.
    "planning-refresh-forecasts": {
        "task": "planning.refresh_forecasts",
        "schedule": crontab(hour=1, minute=30),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api_auth.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's renderers, the JSON encoded by orjson (core/api_renderers.py, issue 23).
    "DEFAULT_RENDERER_CLASSES": [
        "core.api_renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api_pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["core.api_auth.PerKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"per_key": env.str("API_RATE_PER_KEY", default="6000/min")},
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "EXCEPTION_HANDLER": "core.api_errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "No Wrong Door partner API",
    "DESCRIPTION": "Partner API v1: contacts, customers, hand-offs, complaints, reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Error bodies for every status and links from what creates a record to what acts on it, so
    # that a stateful client walks the workflows (core/api_schema.py, issue 24).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api_schema.postprocess_links_and_errors",
    ],
    # One stable name per shared choice set, so partners' generated clients get one type each.
    "ENUM_NAME_OVERRIDES": {
        "HandoffMethodEnum": "core.models.HandoffMethod",
        "ChannelEnum": "core.models.ChannelCode",
        "HandoffStatusEnum": "handoffs.models.Handoff.Status",
        "ComplaintStatusEnum": "complaints.models.Status",
        "ComplaintProcessEnum": "complaints.models.Process",
        "ComplaintOutcomeEnum": "complaints.models.Outcome",
    },
}

# Content Security Policy (django-csp 4). Inline scripts need the per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],  # + the identity provider's, for signing out (core/middleware.py)
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Business settings a council may tune without a code change (catalogue data lives in the admin).
REPEAT_CONTACT_WINDOW_WORKING_DAYS = env.int("REPEAT_CONTACT_WINDOW_WORKING_DAYS", default=10)
# How long a merge of two customer records can be undone (issue 20).
CUSTOMER_MERGE_UNDO_DAYS = env.int("CUSTOMER_MERGE_UNDO_DAYS", default=30)
COUNCIL_NAME = env.str("COUNCIL_NAME", default="Metropolitan Borough Council")
# Letters to complainants (issue 18): the letterhead (the address as lines separated by ";") and
# who signs; with no LETTER_SIGNATORY_NAME the officer of the case signs. Letters sent by post are
# written as PDFs into LETTER_PRINT_DIR for the print room (empty: they wait in the outbox).
LETTER_ADDRESS = env.str("LETTER_ADDRESS",
                         default="Town Hall;King Street;Metropolitan Borough;MB1 1AA").split(";")
LETTER_PHONE = env.str("LETTER_PHONE", default="Telephone 0161 000 0000")
LETTER_EMAIL = env.str("LETTER_EMAIL", default="complaints@council.example")
LETTER_WEBSITE = env.str("LETTER_WEBSITE", default="")
LETTER_SIGNATORY_NAME = env.str("LETTER_SIGNATORY_NAME", default="")
LETTER_SIGNATORY_TITLE = env.str("LETTER_SIGNATORY_TITLE", default="Customer Relations Team")
LETTER_PRINT_DIR = env.str("LETTER_PRINT_DIR", default="")
# Triage (issue 18): a complaint still awaiting allocation, or a hand-off not yet accepted, this
# many working days after it arrived alerts the manager of the team that should pick it up.
TRIAGE_WORKING_DAYS = env.int("TRIAGE_WORKING_DAYS", default=2)
# Customer insight surveys (insight/): a customer is asked at most once in this many days; an
# enquiry closed longer ago than SURVEY_MAX_AGE_DAYS is not surveyed; PUBLIC_BASE_URL starts the
# emailed survey link.
SURVEY_SUPPRESSION_DAYS = env.int("SURVEY_SUPPRESSION_DAYS", default=90)
SURVEY_MAX_AGE_DAYS = env.int("SURVEY_MAX_AGE_DAYS", default=14)
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
# The public pages' accessibility statement and privacy notice (issue 20, item 7): who to
# contact, and what the statement says was tested and is known not to work. Each is the council's
# to set; the defaults describe this service as shipped.
COUNCIL_CONTACT_EMAIL = env.str("COUNCIL_CONTACT_EMAIL", default="customer.services@example.gov.uk")
COUNCIL_CONTACT_PHONE = env.str("COUNCIL_CONTACT_PHONE", default="0161 496 0000")
COUNCIL_ADDRESS = env.str("COUNCIL_ADDRESS", default="Council Offices, Market Street, OL6 6AB")
DATA_PROTECTION_OFFICER_EMAIL = env.str("DATA_PROTECTION_OFFICER_EMAIL", default="dpo@example.gov.uk")
ACCESSIBILITY_TESTED_DATE = env.str("ACCESSIBILITY_TESTED_DATE", default="30 November 2026")
ACCESSIBILITY_KNOWN_ISSUES = env.list("ACCESSIBILITY_KNOWN_ISSUES", default=[])
# Contact-centre planning (planning/): what an hour of an adviser's time costs the council (pay and
# on-costs, in pounds), the what-if's default for the cost of the staff hours it saves.
PLANNING_STAFF_HOUR_COST = env.float("PLANNING_STAFF_HOUR_COST", default=18.0)
# Hostile input (core/input_guard.py): every date and timestamp a client sends lies in this range.
CLIENT_DATE_EARLIEST = date.fromisoformat(env.str("CLIENT_DATE_EARLIEST", default="1900-01-01"))
CLIENT_DATE_LATEST = date.fromisoformat(env.str("CLIENT_DATE_LATEST", default="2199-12-31"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stdout"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING", "propagate": True},
        "axes": {"level": "WARNING", "propagate": True},
        # WeasyPrint (letters' PDFs) logs every layout step at INFO.
        "weasyprint": {"level": "WARNING", "propagate": True},
        "fontTools": {"level": "WARNING", "propagate": True},
    },
}
