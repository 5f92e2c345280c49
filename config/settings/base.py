"""Settings shared by every environment. Everything that differs between deployments comes from the environment."""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.env import database_from_url, env, env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

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
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "hocvuso.core",
    "hocvuso.territory",
    "hocvuso.accounts",
    "hocvuso.people",
    "hocvuso.learning",
    "hocvuso.vneid",
    "hocvuso.credentials",
    "hocvuso.outreach",
    "hocvuso.indicators",
    "hocvuso.reporting",
    "hocvuso.api",
    "hocvuso.web",
    "hocvuso.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages are sent compressed (a lesson or /tien-do/ shrinks to a fifth); Django's GZip pads each response with
    # random bytes against BREACH. It sits high so that it compresses the final body (docs/OPERATIONS.md).
    "django.middleware.gzip.GZipMiddleware",
    "hocvuso.web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hocvuso.core.middleware.RequestContextMiddleware",
    "hocvuso.core.middleware.RejectNullCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hocvuso.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "hocvuso.accounts.middleware.AuthenticationMiddleware",
    "hocvuso.accounts.middleware.SecondFactorMiddleware",
    "hocvuso.accounts.middleware.SessionExpiryMiddleware",
    "hocvuso.accounts.middleware.OneTimeCodeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hocvuso.web.middleware.NotFoundMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            # `{% extends %}` that finds the root template's blocks once, not on every render (its module says why)
            "builtins": ["hocvuso.web.templatetags.blocks"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hocvuso.web.context_processors.shell",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "hocvuso.core.cache.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions are read from Redis and written through to the database (which stays the record: a flushed cache
    # signs nobody out, and revoking a session deletes both): a page view reads its session without a query.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
# Django's ModelBackend, reading the session's user with a statement built once (hocvuso/accounts/backends.py).
AUTHENTICATION_BACKENDS = ["hocvuso.accounts.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions: 12 h absolute for everyone; staff also end after 30 min without a request.
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_STAFF_IDLE_SECONDS = 30 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Failed sign-ins: at most 5 per username in 30 minutes.
LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW_SECONDS = 30 * 60
# Wrong check-in codes of a community class (counted like failed sign-ins, in the same window): at most 5 per
# learner, and 30 per client address (a class's learners often share one address).
CHECK_IN_GUESS_LIMIT = int(env("CHECK_IN_GUESS_LIMIT", "5"))
CHECK_IN_ADDRESS_GUESS_LIMIT = int(env("CHECK_IN_ADDRESS_GUESS_LIMIT", "30"))

# API tokens expire this many days after they are made unless their maker chooses (at most a year).
API_TOKEN_DEFAULT_DAYS = int(env("API_TOKEN_DEFAULT_DAYS", "90"))

# A one-time enrolment code (for a staff member's first authenticator, or a new phone) is valid this long.
ENROLMENT_CODE_HOURS = int(env("ENROLMENT_CODE_HOURS", "72"))

OTP_TOTP_ISSUER = "Học Vụ Số"
# Guessing codes is bounded by the per-username limit above (5 per 30 min, password and code together);
# django-otp's own per-device back-off would only refuse a right code typed just after a wrong one.
OTP_TOTP_THROTTLE_FACTOR = 0

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "hocvuso.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Học Vụ Số API",
    "DESCRIPTION": "API of the Học Vụ Số platform (Bình dân học vụ số).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ImportKindEnum": "hocvuso.people.import_models.ImportKind",
        "ImportStatusEnum": "hocvuso.people.import_models.ImportStatus",
        "ReportStatusEnum": "hocvuso.reporting.models.ReportStatus",
        "FieldDeviceKindEnum": "hocvuso.api.field.DEVICE_KINDS",
    },
}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# a task unacknowledged this long is handed out again (a roster import of 1,000,000 rows takes minutes)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 1800}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "deliver-xapi-statements": {"task": "hocvuso.learning.xapi.tasks.deliver_xapi_statements", "schedule": 60.0},
    "close-expired-attempts": {"task": "hocvuso.learning.tasks.close_expired_attempts", "schedule": 300.0},
    # the dashboards follow the data within seconds (a no-op when nothing changed); see hocvuso/indicators
    "refresh-indicators": {"task": "hocvuso.indicators.tasks.refresh_indicators", "schedule": 3.0},
    # reports due soon and plan tasks without update: in-app notices and e-mail, once per user and occasion
    "send-reporting-reminders": {"task": "hocvuso.reporting.tasks.send_reminders", "schedule": 3600.0},
    # literacy confirmations without a certificate yet are issued; certificates are sent to the VNeID endpoint
    "issue-certificates": {"task": "hocvuso.credentials.tasks.issue_pending_certificates", "schedule": 60.0},
    "deliver-certificates": {"task": "hocvuso.credentials.tasks.deliver_certificates", "schedule": 60.0},
    # roster imports whose worker died: marked failed, and their job page says so (hocvuso/people/imports)
    "sweep-stalled-imports": {"task": "hocvuso.people.imports.tasks.sweep_stalled_imports", "schedule": 300.0},
}
# Without Redis (no Celery beat), each web process runs the same periodic jobs in a thread (config/embedded.py).
EMBEDDED_SCHEDULE_SECONDS = float(env("EMBEDDED_SCHEDULE_SECONDS", "300"))

# Roster imports: a user may meet at most this many IDs registered outside their reach per window (see
# hocvuso/people/imports/registry.py); past that, files with IDs outside their reach are refused whole.
IMPORT_OUTSIDE_SCOPE_LIMIT = int(env("IMPORT_OUTSIDE_SCOPE_LIMIT", "50"))
IMPORT_OUTSIDE_SCOPE_WINDOW_SECONDS = int(env("IMPORT_OUTSIDE_SCOPE_WINDOW_SECONDS", "86400"))

# Personal data at rest: national ID and phone are encrypted (AES-GCM) and looked up by a keyed hash (HMAC).
# Both keys are 32 random bytes, base64; production has no default (see docs/OPERATIONS.md for rotation).
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", "bG9jYWwtZGV2ZWxvcG1lbnQta2V5LW5vdC1zZWNyZXQ=")
LOOKUP_HASH_KEY = env("LOOKUP_HASH_KEY", "bG9jYWwtbG9va3VwLWhhc2gta2V5LW5vdC1zZWNyZXQ=")

# Searching the registry by a full national ID: MANAGE_PEOPLE only, audited, this many per user per window.
NATIONAL_ID_SEARCH_LIMIT = int(env("NATIONAL_ID_SEARCH_LIMIT", "20"))
NATIONAL_ID_SEARCH_WINDOW_SECONDS = int(env("NATIONAL_ID_SEARCH_WINDOW_SECONDS", "3600"))

# `/healthz` reports "figures stale" when a change waited longer than this for the refresh (its budget: the beat
# refreshes every 3 s; a full rebuild at 4M residents may take 60 s).
FIGURES_STALE_AFTER_SECONDS = int(env("FIGURES_STALE_AFTER_SECONDS", "300"))
# Without Redis (tasks run eagerly, no beat) each web process refreshes the figures in a thread of its own this
# often (hocvuso/indicators/refresher.py); requests never do.
FIGURES_REFRESH_SECONDS = float(env("FIGURES_REFRESH_SECONDS", "3"))
FIGURES_REFRESH_IN_PROCESS = env_bool("FIGURES_REFRESH_IN_PROCESS", True)

# Target groups derived from the registry (plan section II, IV.4.3); thresholds are settings, not code.
ADULT_AGE = int(env("ADULT_AGE", "18"))
DIGITAL_IDENTITY_AGE = int(env("DIGITAL_IDENTITY_AGE", "16"))
ELDERLY_AGE = int(env("ELDERLY_AGE", "60"))
# A household not visited for this many days rises in its team member's worklist (hocvuso.outreach.selectors).
OUTREACH_NOT_VISITED_DAYS = int(env("OUTREACH_NOT_VISITED_DAYS", "30"))
# A field device unused this long must sign in again and wipes what it holds (hocvuso.api.field).
OUTREACH_DEVICE_IDLE_DAYS = int(env("OUTREACH_DEVICE_IDLE_DAYS", "14"))
# Requests per device (or user) to /api/v1/field/ (DRF's rate format).
OUTREACH_SYNC_RATE = env("OUTREACH_SYNC_RATE", "120/min")

# Demo data (`load_demo`: accounts with a published password) only where a settings module allows it: `make run`
# (local) and the tests. Production forces it off.
ALLOW_DEMO_DATA = False

# The province this deployment serves (national code); the demo is Lâm Đồng.
PROVINCE_CODE = env("PROVINCE_CODE", "68")

# xAPI: learning events become statements in an outbox, delivered in batches to the LRS at XAPI_LRS_URL (its xAPI
# endpoint, e.g. http://lrs:8100/xAPI/). Without it statements wait in the outbox until one is configured.
XAPI_LRS_URL = env("XAPI_LRS_URL", "")
XAPI_LRS_USERNAME = env("XAPI_LRS_USERNAME", "")
XAPI_LRS_PASSWORD = env("XAPI_LRS_PASSWORD", "")
XAPI_LRS_TIMEOUT_SECONDS = float(env("XAPI_LRS_TIMEOUT_SECONDS", "10"))
XAPI_ACCOUNT_HOMEPAGE = env("XAPI_ACCOUNT_HOMEPAGE", "https://hocvuso.example")
XAPI_ACTIVITY_BASE = env("XAPI_ACTIVITY_BASE", "https://hocvuso.example/xapi/activities/")
XAPI_BATCH_SIZE = int(env("XAPI_BATCH_SIZE", "100"))

# Sign-in with VNeID or any standard OpenID Connect provider (hocvuso/vneid; docs/OPERATIONS.md, "VNeID"). Off
# (no button on the sign-in page) until OIDC_ISSUER and OIDC_CLIENT_ID are set. The claim names default to VNeID's.
OIDC_ISSUER = env("OIDC_ISSUER", "")
OIDC_CLIENT_ID = env("OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = env("OIDC_CLIENT_SECRET", "")
OIDC_TOKEN_AUTH_METHOD = env("OIDC_TOKEN_AUTH_METHOD", "client_secret_basic")
OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", "VNeID")
OIDC_SCOPES = env("OIDC_SCOPES", "openid")
OIDC_CLAIM_SUBJECT = env("OIDC_CLAIM_SUBJECT", "sub")
OIDC_CLAIM_FULL_NAME = env("OIDC_CLAIM_FULL_NAME", "HoVaTen")
OIDC_CLAIM_NATIONAL_ID = env("OIDC_CLAIM_NATIONAL_ID", "SoDinhDanh")
OIDC_CLAIM_BIRTH_DATE = env("OIDC_CLAIM_BIRTH_DATE", "NgayThangNamSinh")
OIDC_BIRTH_DATE_FORMATS = env_list("OIDC_BIRTH_DATE_FORMATS", "%d/%m/%Y,%Y-%m-%d,%Y%m%d")
OIDC_LEVEL_CLAIM = env("OIDC_LEVEL_CLAIM", "acr")
OIDC_LEVEL_VALUES = env_list("OIDC_LEVEL_VALUES", "1=1,2=2")
OIDC_SECOND_FACTOR_ACR_VALUES = env_list("OIDC_SECOND_FACTOR_ACR_VALUES", "")
OIDC_ACR_VALUES = env("OIDC_ACR_VALUES", "")
OIDC_ALGORITHMS = env_list("OIDC_ALGORITHMS", "RS256,PS256,ES256,EdDSA")
OIDC_LEEWAY_SECONDS = int(env("OIDC_LEEWAY_SECONDS", "60"))
OIDC_HTTP_TIMEOUT_SECONDS = float(env("OIDC_HTTP_TIMEOUT_SECONDS", "10"))
OIDC_METADATA_CACHE_SECONDS = int(env("OIDC_METADATA_CACHE_SECONDS", "3600"))
OIDC_JWKS_MIN_REFRESH_SECONDS = int(env("OIDC_JWKS_MIN_REFRESH_SECONDS", "10"))
OIDC_ALLOW_HTTP = env_bool("OIDC_ALLOW_HTTP", False)
# Literacy certificates (hocvuso/credentials). The issuer is did:web:<CREDENTIALS_DID_DOMAIN> (its DID document is
# served at /.well-known/did.json of that host; a port is written %3A, e.g. localhost%3A8000);
# CREDENTIALS_BASE_URL is the public address of the site (verification pages, status lists).
# The level of Thông tư 02/2025 a literacy certificate attests is CREDENTIALS_LEVEL_REACHED
# (a level code of the framework, data until Annex II is checked).
CREDENTIALS_DID_DOMAIN = env("CREDENTIALS_DID_DOMAIN", "localhost%3A8000")
CREDENTIALS_BASE_URL = env("CREDENTIALS_BASE_URL", "http://localhost:8000").rstrip("/")
CREDENTIALS_LEVEL_REACHED = env("CREDENTIALS_LEVEL_REACHED", "CB1")
# The printable certificate's font (TrueType with Vietnamese glyphs; embedded as a subset).
CREDENTIALS_PDF_FONT = env("CREDENTIALS_PDF_FONT", "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
CREDENTIALS_PDF_FONT_BOLD = env(
    "CREDENTIALS_PDF_FONT_BOLD", "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"
)
# The public verification page and its JSON: requests per client address per minute.
CREDENTIALS_VERIFY_RATE_PER_MINUTE = int(env("CREDENTIALS_VERIFY_RATE_PER_MINUTE", "120"))
# The national confirmation endpoint (VNeID): each certificate is POSTed there as JSON with an Idempotency-Key.
# Without a URL certificates wait in the outbox. Retries back off exponentially up to VNEID_MAX_ATTEMPTS, then the
# certificate is set aside for staff (dead letter).
VNEID_CONFIRMATION_URL = env("VNEID_CONFIRMATION_URL", "")
VNEID_CONFIRMATION_TOKEN = env("VNEID_CONFIRMATION_TOKEN", "")
VNEID_CONFIRMATION_TIMEOUT_SECONDS = float(env("VNEID_CONFIRMATION_TIMEOUT_SECONDS", "10"))
VNEID_MAX_ATTEMPTS = int(env("VNEID_MAX_ATTEMPTS", "8"))
VNEID_BATCH_SIZE = int(env("VNEID_BATCH_SIZE", "50"))

# Quarterly reports and plan tasks (hocvuso/reporting). A report is due before this day of the quarter's last month
# (plan VI.7: the 20th, so Q4 2026 is due by 19/12/2026); officers are reminded this many days before the deadline;
# a plan task without an update for this many days is flagged and its lead reminded. PDFs are converted by
# LibreOffice (the `soffice` program, Debian's libreoffice-writer-nogui).
REPORTING_DUE_BEFORE_DAY = int(env("REPORTING_DUE_BEFORE_DAY", "20"))
REPORTING_REMINDER_DAYS = [int(days) for days in env_list("REPORTING_REMINDER_DAYS", "7,3,1")]
PLAN_TASK_STALE_DAYS = int(env("PLAN_TASK_STALE_DAYS", "30"))
REPORTING_SOFFICE = env("REPORTING_SOFFICE", "soffice")
REPORTING_PDF_TIMEOUT_SECONDS = float(env("REPORTING_PDF_TIMEOUT_SECONDS", "120"))
# PDFs go through a converter that keeps one LibreOffice running (hocvuso/reporting/documents/pdf.py): the shared
# service at REPORTING_PDF_SOCKET (`manage.py pdf_converter`, docs/OPERATIONS.md) when set, else one the process
# starts on its first PDF. It runs under REPORTING_UNO_PYTHON, the Python with LibreOffice's `uno` (python3-uno).
# REPORTING_PDF_CONVERTER=oneshot starts one LibreOffice per document instead.
REPORTING_PDF_CONVERTER = env("REPORTING_PDF_CONVERTER", "bridge")
REPORTING_PDF_SOCKET = env("REPORTING_PDF_SOCKET", "")
REPORTING_UNO_PYTHON = env("REPORTING_UNO_PYTHON", "/usr/bin/python3")
REPORTING_EVIDENCE_MAX_BYTES = int(env("REPORTING_EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))

# Roster imports: the largest file of each format (the upload form and the import service read these).
ROSTER_IMPORT_MAX_CSV_BYTES = int(env("ROSTER_IMPORT_MAX_CSV_BYTES", str(200 * 1024 * 1024)))  # 1M rows ≈ 110 MB
ROSTER_IMPORT_MAX_XLSX_BYTES = int(env("ROSTER_IMPORT_MAX_XLSX_BYTES", str(50 * 1024 * 1024)))  # full sheet ≈ 40 MB

# Mail (reminders). The console backend prints messages; production sets EMAIL_BACKEND to SMTP and EMAIL_HOST etc.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "hocvuso@localhost")

LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "hocvuso.core.logging.RedactPersonalNumbers"}},
    "formatters": {"json": {"()": "hocvuso.core.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}
