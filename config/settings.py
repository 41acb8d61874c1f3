"""Settings for every environment, read from environment variables.

The defaults suit development on a laptop (SQLite, local-memory cache, eager Celery tasks, mails
written to files under mail/). With DJANGO_DEBUG off the production rules apply: a secret key
must be given, cookies are secure and HTTPS is enforced. `.env.example` documents every variable.
"""

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)


def development_secret_key(path: Path) -> str:
    """This checkout's own development key: made at random the first time, kept in a
    git-ignored file. Nothing signed with one checkout's key is accepted by another, and no key
    is ever committed."""
    try:
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
            file.write(secrets.token_urlsafe(50))
    except FileExistsError:
        pass  # made by an earlier run (or a parallel test worker a moment ago)
    for _ in range(50):
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)  # another process created the file and is still writing it
    raise ImproperlyConfigured(f"{path} is empty: delete it and start again.")


SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = development_secret_key(BASE_DIR / ".dev-secret-key")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "djoser",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "axes",
    "users",
    "events",
    "registrations",
    "payments",
    "notifications",
    "reviews",
    "certificates",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.RateLimitHeadersMiddleware",
    "axes.middleware.AxesMiddleware",  # last: answers the admin login's lockout
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The project's own versions of the Browsable API's and the admin's templates (before
        # the apps', so they win).
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite waits this many seconds for a writer instead of failing with "database is locked",
    # and each transaction takes the write lock when it begins, so read-then-write checks
    # (seats left?) cannot interleave. PostgreSQL uses row locks instead (config/db.py).
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # django-redis keeps one client per connection pool; Django's own Redis backend builds a
    # new client for every operation (about 0.3 ms each with redis-py 8).
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis as the broker when REDIS_URL is set; otherwise every task runs at once, in process.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"  # with a host: kombu warns without one
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "expire-registration-holds": {
        "task": "registrations.tasks.expire_holds",
        "schedule": 60.0,
    },
    "send-pending-refunds": {
        "task": "payments.tasks.send_pending_refunds",
        "schedule": 300.0,
    },
    "send-event-reminders": {
        "task": "notifications.tasks.send_event_reminders",
        "schedule": 300.0,
    },
    "retry-notification-emails": {
        "task": "notifications.tasks.retry_emails",
        "schedule": 60.0,
    },
    "retry-webhook-deliveries": {
        "task": "notifications.tasks.retry_deliveries",
        "schedule": 60.0,
    },
    "issue-certificates": {
        "task": "certificates.tasks.issue_due_certificates",
        "schedule": 3600.0,
    },
}

# --- Accounts -------------------------------------------------------------------------------

AUTH_USER_MODEL = "users.User"
# The Browsable API's own sign-in page (`/api-auth/login/`), and where it leads.
LOGIN_URL = "rest_framework:login"
LOGIN_REDIRECT_URL = "/api/v1/"
LOGOUT_REDIRECT_URL = "/api/v1/"
AUTHENTICATION_BACKENDS = [
    # The Django admin's login: refused after too many failures (django-axes). The API's
    # sign-in has its own rate limit (the `auth` throttle), so axes watches the admin only.
    "axes.backends.AxesStandaloneBackend",
    "users.backends.UsernameOrEmailBackend",
]
AXES_ONLY_ADMIN_SITE = True
AXES_HANDLER = "users.lockout.AdminLoginHandler"
AXES_FAILURE_LIMIT = env_int("ADMIN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ADMIN_LOGIN_LOCKOUT_MINUTES", 15))
# Locked out by address, and separately by account: guessing one admin's password from many
# addresses, or many accounts from one address, both stop.
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.throttling.client_ip"
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# When on, new accounts stay inactive until the e-mailed activation link is used.
AUTH_EMAIL_ACTIVATION = env_bool("AUTH_EMAIL_ACTIVATION", False)
AVATAR_MAX_BYTES = env_int("AVATAR_MAX_BYTES", 2 * 1024 * 1024)
EVENT_COVER_MAX_BYTES = env_int("EVENT_COVER_MAX_BYTES", 5 * 1024 * 1024)
IMAGE_MAX_PIXELS = 4096 * 4096

# Links in e-mails (activation, password reset) and calendars point at the frontend.
FRONTEND_URL = env_str("FRONTEND_URL", "http://localhost:5173").rstrip("/")
DOMAIN = urlsplit(FRONTEND_URL).netloc
SITE_NAME = env_str("SITE_NAME", "EventHub")

DJOSER = {
    "LOGIN_FIELD": "username",
    "TOKEN_MODEL": None,  # JWT only: no DRF auth tokens
    "USER_ID_FIELD": "id",
    "SEND_ACTIVATION_EMAIL": AUTH_EMAIL_ACTIVATION,
    "ACTIVATION_URL": "activate/{uid}/{token}",
    "PASSWORD_RESET_CONFIRM_URL": "reset-password/{uid}/{token}",
    "PASSWORD_RESET_SHOW_EMAIL_NOT_FOUND": False,
    "SERIALIZERS": {
        "user_create": "users.serializers.UserCreateSerializer",
        "user": "users.serializers.CurrentUserSerializer",
        "current_user": "users.serializers.CurrentUserSerializer",
        "user_delete": "djoser.serializers.UserDeleteSerializer",
    },
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer", "JWT"),
    "SIGNING_KEY": env_str("JWT_SIGNING_KEY", SECRET_KEY),
    "TOKEN_VERIFY_SERIALIZER": "users.serializers.TokenVerifySerializer",
}

# Seconds an anonymous catalogue page may be served from the cache at most (events/cache.py).
# Needs a cache shared by every server process, so it is off (0) without REDIS_URL.
CATALOGUE_CACHE_SECONDS = env_int("CATALOGUE_CACHE_SECONDS", 60 if REDIS_URL else 0)

# --- Payments -------------------------------------------------------------------------------

# The mock gateway (no money moves: for demos and tests). On by default only while debugging.
PAYMENTS_MOCK_ENABLED = env_bool("PAYMENTS_MOCK_ENABLED", DEBUG)
# Stripe (PaymentIntents). STRIPE_API_BASE points the SDK elsewhere (stripe-mock, a stand-in).
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "https://api.stripe.com").rstrip("/")
# Razorpay (Orders). RAZORPAY_API_BASE is the host alone: the SDK adds /v1 itself.
RAZORPAY_KEY_ID = env_str("RAZORPAY_KEY_ID")
RAZORPAY_KEY_SECRET = env_str("RAZORPAY_KEY_SECRET")
RAZORPAY_WEBHOOK_SECRET = env_str("RAZORPAY_WEBHOOK_SECRET")
RAZORPAY_API_BASE = env_str("RAZORPAY_API_BASE", "https://api.razorpay.com").rstrip("/")
# Seconds a call to a gateway may take before it counts as unavailable (502, nothing lost).
PAYMENT_GATEWAY_TIMEOUT_SECONDS = env_int("PAYMENT_GATEWAY_TIMEOUT_SECONDS", 10)
# Prices include tax at this rate (percent); invoices show the part that is tax.
INVOICE_TAX_RATE = env_str("INVOICE_TAX_RATE", "0")
# The seller printed on every invoice.
INVOICE_SELLER_NAME = env_str("INVOICE_SELLER_NAME", "EventHub Ltd")
INVOICE_SELLER_ADDRESS = env_str("INVOICE_SELLER_ADDRESS", "1 Example Street, London")
INVOICE_SELLER_TAX_ID = env_str("INVOICE_SELLER_TAX_ID")
# How old a signed Stripe webhook may be (its timestamp), against replays.
STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300

# --- Notifications and outbound webhooks ---------------------------------------------------

# Confirmed attendees are reminded once, this many hours before their event starts.
EVENT_REMINDER_HOURS = env_int("EVENT_REMINDER_HOURS", 24)
# A notification's e-mail is tried this many times (1, 4, 16, 64 minutes apart), then failed.
NOTIFICATION_EMAIL_MAX_ATTEMPTS = env_int("NOTIFICATION_EMAIL_MAX_ATTEMPTS", 5)
# Outbound webhooks may target loopback, private and other internal addresses only when this
# is on (development and tests). Off: refused when a webhook is saved, and again at delivery.
WEBHOOKS_ALLOW_PRIVATE_URLS = env_bool("WEBHOOKS_ALLOW_PRIVATE_URLS", False)
# Off: deliveries are recorded but held (pending), and go out once it is switched on again.
WEBHOOKS_DELIVERY_ENABLED = env_bool("WEBHOOKS_DELIVERY_ENABLED", True)
# Seconds a receiver may take to answer one delivery.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 5)
# A delivery is tried this many times (1, 4, 16, 64, 256 minutes apart), then failed.
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 6)
# A webhook whose deliveries have all failed for this long is switched off, its owner told.
WEBHOOK_DISABLE_AFTER_HOURS = env_int("WEBHOOK_DISABLE_AFTER_HOURS", 72)

# --- Certificates ---------------------------------------------------------------------------

# The hourly task issues certificates for events that ended within this many days; older ones
# are issued through `events/{id}/issue_certificates/`.
CERTIFICATES_ISSUE_WITHIN_DAYS = env_int("CERTIFICATES_ISSUE_WITHIN_DAYS", 7)

# --- Registrations --------------------------------------------------------------------------

# How long a pending registration of a paid event holds its seats while it waits for payment.
REGISTRATION_HOLD_MINUTES = env_int("REGISTRATION_HOLD_MINUTES", 15)
# How long a waitlist offer on a paid event holds the seats for the person promoted.
WAITLIST_OFFER_HOURS = env_int("WAITLIST_OFFER_HOURS", 24)
# How long a booking waits for another booking of the same event before answering 503.
LOCK_TIMEOUT_MS = env_int("LOCK_TIMEOUT_MS", 5000)
# How many reverse proxies in front of the app append to X-Forwarded-For (nginx, a load
# balancer). 0: the header is ignored and the connection's address is the client's.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# --- API ------------------------------------------------------------------------------------

API_THROTTLE_ANON = env_str("API_THROTTLE_ANON", "1000/hour")
API_THROTTLE_USER = env_str("API_THROTTLE_USER", "100/minute")
API_THROTTLE_AUTH = env_str("API_THROTTLE_AUTH", "10/minute")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "config.authentication.BrowsableAPISessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "config.filters.SearchFilter",
        "config.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": [
        "config.throttling.AnonThrottle",
        "config.throttling.UserThrottle",
    ],
    "EXCEPTION_HANDLER": "config.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%SZ",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "EventHub API",
    "DESCRIPTION": (
        "Events, tickets, payments, waitlists, check-in and certificates. "
        "Errors always have the shape "
        '`{"success": false, "message", "error_code", "details"}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Clients authenticate with a JWT; the session is the Browsable API's alone.
    "AUTHENTICATION_WHITELIST": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.document_errors",
        "config.schema.layered_shapes_any_of",
    ],
    "ENUM_NAME_OVERRIDES": {
        "UserRoleEnum": "users.models.Role.choices",
        "RegistrationRoleEnum": [("attendee", "Attendee"), ("organizer", "Organizer")],
        "NotificationTypeEnum": "notifications.models.NotificationType.choices",
        "WebhookEventTypeEnum": "notifications.models.WebhookEventType.choices",
        "DeliveryStatusEnum": "notifications.models.DeliveryStatus.choices",
    },
}

CORS_ALLOWED_ORIGINS = env_list(
    "CORS_ALLOWED_ORIGINS",
    "http://localhost:3000,http://localhost:5173,http://127.0.0.1:5173" if DEBUG else "",
)
CORS_EXPOSE_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "config.views.csrf_failure"  # JSON under /api/, Django's page elsewhere

# --- Files, mail, time ----------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# In development static files are found where they live; production serves `collectstatic`'s.
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# The largest request body accepted, uploads included (images are capped lower, per kind).
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 10 * 1024 * 1024)

# Development writes each mail to a file under EMAIL_FILE_PATH (read them there); production
# sends through SMTP.
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_FILE_PATH = Path(env_str("EMAIL_FILE_PATH") or BASE_DIR / "mail")
# Seconds an SMTP server may take before the send fails (and is retried later).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "EventHub <no-reply@eventhub.local>")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}, "axes": {"level": "WARNING"}},
}
if CELERY_TASK_ALWAYS_EAGER:  # tasks run inside requests and commands: no line for each one
    LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}

# --- Production -----------------------------------------------------------------------------

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    X_FRAME_OPTIONS = "DENY"
