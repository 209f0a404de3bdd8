"""Settings for the Trade Dialogues Portal.

One environment-driven module. Every value has an embedded default that is safe on a
developer's machine (SQLite under var/, no Redis, console email); production sets the
variables listed in .env.example and README.md.
"""

import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

# pytest sets PYTEST_VERSION for the whole run (pytest >= 8.2).
TESTING = bool(os.environ.get("PYTEST_VERSION")) or "test" in sys.argv[1:2]


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core -----------------------------------------------------------------------------
# https://docs.djangoproject.com/en/6.1/ref/settings/#core-settings
DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_ID = 1
SITE_NAME = "Trade Dialogues Portal"
# Absolute address used in links inside emails sent by background tasks.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "portal.apps.PortalConfig",
    "submissions",
    "dialogues",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Static files answer here, compressed ahead of time by whitenoise, so neither the page
    # cache nor gzip below ever sees them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Stored visitor pages are answered here, already compressed (portal/pagecache.py).
    "portal.pagecache.VisitorPageCacheMiddleware",
    # Compresses text responses (HTML, CSV, JSON) for clients that accept gzip; above every
    # middleware that reads or writes the body.
    "portal.pagecache.PortalGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.uploads.UploadNamesMiddleware",  # before anything reads request.POST
    "django.middleware.csrf.CsrfViewMiddleware",
    # Stored pages of signed-in people (views marked @cached_for_people), answered without
    # loading the person or rendering (portal/pagecache.py).
    "portal.pagecache.PersonPageCacheMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# DATABASE_URL, e.g. postgres://user:pass@host:5432/portal. psycopg 3 with its connection
# pool on PostgreSQL. https://docs.djangoproject.com/en/6.1/ref/databases/#postgresql-notes
DATABASE_URL = os.environ.get("DATABASE_URL", "") or f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections, not Django
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DATABASE_POOL_MIN", "1")),
        "max_size": int(os.environ.get("DATABASE_POOL_MAX", "10")),
        "timeout": 10,
    }
    # JIT compiling pays off for long analytical queries only: on the portal's short indexed
    # queries it added 150 ms of compiling to a 600 ms count at 1,000,000 posts.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
    if TESTING:
        # Test databases are created and dropped per run; a pool would hold them open.
        DATABASES["default"]["OPTIONS"].pop("pool")
else:
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Redis --------------------------------------------------------------------
# REDIS_URL, e.g. redis://127.0.0.1:6379/0: cache (rate limits) and Celery broker.
# The cache fails open (portal/cache.py): with Redis down, login, signup, password reset and
# posting still answer, rate limits stop counting, and /healthz reports the outage.
# https://docs.djangoproject.com/en/6.1/topics/cache/#redis
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal-test" if TESTING else "portal",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
else:
    # A file cache is shared by every process on the machine, so rate limits hold.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / ("cache-test" if TESTING else "cache")),
        }
    }

# Whole pages for readers who are not signed in (home, report list and pages, themes,
# threads) are kept in this cache for PAGE_CACHE_SECONDS at most, and retired at once when
# what they show changes (portal/pagecache.py). 0 turns the page cache off. Off by default
# in tests, which write rows straight to the database between two requests (tests of the
# cache turn it on), and with DEBUG, where templates change under a developer's hands.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "0" if (TESTING or DEBUG) else "300"))

# --- Celery ----------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_LONGEST_TASK_SECONDS = 30 * 60
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        # Longer than the longest task, so an unacknowledged task is not delivered twice.
        "visibility_timeout": CELERY_LONGEST_TASK_SECONDS * 2,
        # A web request that queues work while Redis is unreachable gives up quickly (the
        # work waits in the outbox); without it a dropped packet waits for the OS timeout.
        "socket_connect_timeout": 2,
    }
else:
    CELERY_BROKER_URL = "filesystem://localhost//"
    _queue_dir = VAR_DIR / "celery" / "queue"
    # kombu's filesystem transport expects its folder to exist.
    _queue_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        # Broadcast (remote control) messages; kombu's default is ./control in the cwd.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = CELERY_LONGEST_TASK_SECONDS
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_LONGEST_TASK_SECONDS - 60
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")


def _crontab_from_env(value: str) -> crontab:
    """DIGEST_SCHEDULE as five cron fields: minute hour day-of-month month day-of-week."""
    minute, hour, day_of_month, month, day_of_week = value.split()
    return crontab(
        minute=minute,
        hour=hour,
        day_of_month=day_of_month,
        month_of_year=month,
        day_of_week=day_of_week,
    )


DIGEST_SCHEDULE = os.environ.get("DIGEST_SCHEDULE", "0 5 * * mon")
# The outbox (portal/outbox.py): every email is a row first. Beat's sweepers queue again what
# is still waiting OUTBOX_RETRY_AFTER_SECONDS after it was written or last tried (a broker
# outage, a worker that died, a mail server that refused), every OUTBOX_SWEEP_SECONDS.
OUTBOX_SWEEP_SECONDS = int(os.environ.get("OUTBOX_SWEEP_SECONDS", "60"))
OUTBOX_RETRY_AFTER_SECONDS = int(os.environ.get("OUTBOX_RETRY_AFTER_SECONDS", "180"))
# Periodic tasks register here as the packages that own them grow.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Emails still waiting in the outbox (a broker outage, a worker lost, a refusing server).
    # A sweep not started before the next one is due expires, so they do not pile up while
    # every worker is down.
    "outbox-sweep": {
        "task": "portal.tasks.outbox_sweep",
        "schedule": OUTBOX_SWEEP_SECONDS,
        "options": {"expires": OUTBOX_SWEEP_SECONDS},
    },
    # Straight-away dialogue notifications whose task was never queued or never ran.
    "dialogues-notifications-sweep": {
        "task": "dialogues.tasks.notifications_sweep",
        "schedule": OUTBOX_SWEEP_SECONDS,
        "options": {"expires": OUTBOX_SWEEP_SECONDS},
    },
    # One email a day to members who chose daily news of the threads and themes they follow.
    "dialogues-daily-notifications": {
        "task": "dialogues.tasks.notifications_send_daily",
        "schedule": crontab(minute=0, hour=6),
    },
    # Last week's digest, every Monday 05:00 UTC unless DIGEST_SCHEDULE says otherwise.
    "digest-compile-weekly": {
        "task": "dialogues.tasks.digest_compile_weekly",
        "schedule": _crontab_from_env(DIGEST_SCHEDULE),
    },
    # The complete open-data files (every published report), rebuilt every night.
    "open-data-build": {
        "task": "submissions.tasks.opendata_build_all",
        "schedule": crontab(minute=15, hour=2),
    },
    # Evidence files still waiting for the virus scanner (a lost task, clamd was down).
    "attachment-scan-sweep": {
        "task": "submissions.tasks.attachment_scan_sweep",
        "schedule": crontab(minute="*/5"),
    },
    # Compiles and file renders that a dead worker left are queued again (each worker also
    # sweeps when it starts), so a crash costs a minute, not the broker's visibility timeout.
    "digest-sweep": {
        "task": "dialogues.digests.tasks.digest_sweep",
        "schedule": float(os.environ.get("DIGEST_SWEEP_SECONDS", "60")),
    },
    # Sent emails leave the outbox after PRIVACY_EMAIL_RETENTION_DAYS, as the privacy notice
    # promises.
    "outbox-purge": {
        "task": "portal.tasks.outbox_purge",
        "schedule": crontab(minute=45, hour=3),
    },
    # Report alerts that are due (each alert is daily or weekly; the watermark keeps a
    # repeated run from sending a report twice).
    "submissions-alerts-send-due": {
        "task": "submissions.tasks.alerts_send_due",
        "schedule": crontab(minute=15),
    },
    # Notifications read more than NOTICE_RETENTION_DAYS ago leave the database.
    "notices-purge": {
        "task": "portal.tasks.notices_purge",
        "schedule": crontab(minute=45, hour=3),
    },
    # Expired sessions leave the database, as the privacy notice promises.
    "sessions-clear-expired": {
        "task": "portal.tasks.sessions_clear_expired",
        "schedule": crontab(minute=30, hour=3),
    },
}

# How long a notification stays on the notifications page after it was read (unread ones
# stay four times as long).
NOTICE_RETENTION_DAYS = int(os.environ.get("NOTICE_RETENTION_DAYS", "90"))
# How many new reports one alert email lists (the rest are one link away).
ALERT_EMAIL_MAX_REPORTS = int(os.environ.get("ALERT_EMAIL_MAX_REPORTS", "10"))

# --- Authentication (django-allauth) -------------------------------------------------
# https://docs.allauth.org/en/latest/account/configuration.html
AUTH_USER_MODEL = "portal.User"
# Django's and allauth's backends, loading the signed-in person with their organisation and
# roles in one query on every request (portal/auth_backends.py).
AUTHENTICATION_BACKENDS = [
    "portal.auth_backends.PortalModelBackend",
    "portal.auth_backends.PortalAuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing thousands of test passwords with PBKDF2 would dominate the test run.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "portal.forms.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# Rate limits: "amount/period/per", per client address (ip), per email address (key) or per
# member (user), counted in the cache (Redis in production). Sized for a workshop where 50
# people sign up and sign in at once from one office network, while a password guesser is
# slowed per address and per account. A limit that is hit answers with the portal's own page
# (portal.ratelimits): HTTP 429, when to try again, the form kept.
# https://docs.allauth.org/en/latest/account/rate_limits.html
ACCOUNT_RATE_LIMITS = {
    # Every post of the sign-in form, failed or not.
    "login": "100/m/ip",
    # Failed sign-ins: from one address, and for one account from anywhere. While an account's
    # password is locked, its owner signs in with a code sent to their email (below).
    "login_failed": "20/m/ip,100/h/ip,5/5m/key,20/d/key",
    # Every post of the signup form, errors included: 50 people, some trying twice or three times.
    "signup": "150/h/ip",
    # Confirmation emails sent again to one address.
    "confirm_email": "1/3m/key",
    # Password reset emails, and the new password set from a reset link.
    "reset_password": "30/m/ip,5/m/key,10/h/key",
    "reset_password_from_key": "30/m/ip",
    # One-time sign-in codes sent by email.
    "request_login_code": "30/m/ip,3/m/key,10/h/key",
}
# Sign in with a one-time code sent to the account's email address: the way in for a person
# whose password is locked by someone else's guesses. Two-factor authentication still applies.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60  # email can be slow to arrive on a poor connection
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
# Behind a TLS proxy or load balancer every request comes from the proxy's address, so limits
# per address would be shared by everyone. TRUSTED_PROXY_COUNT is the number of proxies in front
# of gunicorn that append to X-Forwarded-For; the client's address is read from that header,
# counting from the right (the entries a client wrote itself are never trusted). Or name a
# header that the proxy sets to the client's address alone (TRUSTED_CLIENT_IP_HEADER, e.g.
# X-Real-IP). Used by allauth's limits and by portal.ratelimits.client_address.
# https://docs.allauth.org/en/latest/common/configuration.html
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = os.environ.get("TRUSTED_CLIENT_IP_HEADER") or None
# How long a typed password stands for "confirm your password" before sign-in settings change
# (allauth's reauthentication). Signing in with the password counts too (portal.adapters), so a
# new moderator sent to set up two-factor authentication is not asked for it twice in a row.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 5 * 60
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
MODERATORS_GROUP = "Moderators"

# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# One date style per language ("12 September 2026", "12 septembre 2026", "12 de septiembre de
# 2026") for pages, emails and digests: portal/formats/, used through portal.dates.
# https://docs.djangoproject.com/en/6.1/topics/i18n/formatting/#creating-custom-format-files
FORMAT_MODULE_PATH = ["portal.formats"]

# --- Static and media files ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never served directly: files go through views that check access


def _media_storage(url: str) -> dict[str, object]:
    """The `default` storage (evidence files, digest files) from MEDIA_STORAGE_URL.

    Empty (the default): the local file system under MEDIA_ROOT. `s3://bucket/prefix` puts
    the files in S3-compatible object storage with django-storages (boto3); query options:
    `endpoint_url` (MinIO, Ceph, another provider), `region`, `addressing_style`. Keys come
    from the URL (`s3://KEY:SECRET@bucket/...`) or from boto3's usual sources (the
    AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables, an instance role).
    https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html
    """
    if not url:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.hostname:
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL must look like s3://bucket/prefix, not {url!r}."
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    options: dict[str, object] = {
        "bucket_name": parts.hostname,
        "location": parts.path.strip("/"),
        # Downloads go through the portal's views, which check access: never public URLs.
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": True,
    }
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    if query.get("endpoint_url"):
        options["endpoint_url"] = query["endpoint_url"]
    if query.get("region"):
        options["region_name"] = query["region"]
    if query.get("addressing_style"):
        options["addressing_style"] = query["addressing_style"]
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


MEDIA_STORAGE_URL = os.environ.get("MEDIA_STORAGE_URL", "")
STORAGES = {
    "default": _media_storage(MEDIA_STORAGE_URL),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not (DEBUG or TESTING)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- Virus scanning of evidence files ---------------------------------------------------
# ClamAV's clamd, reached on a Unix socket (CLAMD_SOCKET=/run/clamav/clamd.ctl) or over TCP
# (CLAMD_TCP=clamav.internal:3310). With either set, uploaded evidence is held as "being
# checked" until clamd passes it; without, files are NOT scanned and are available at once.
# https://docs.clamav.net/manual/Usage/Scanning.html#clamd
CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET", "")
CLAMD_TCP = os.environ.get("CLAMD_TCP", "")
CLAMD_TIMEOUT = float(os.environ.get("CLAMD_TIMEOUT", "60"))
if CLAMD_TCP and (":" not in CLAMD_TCP or not CLAMD_TCP.rsplit(":", 1)[1].isdigit()):
    raise ImproperlyConfigured("CLAMD_TCP must be host:port, for example clamav:3310.")

# --- Email ------------------------------------------------------------------------------
# EMAIL_URL: console:// (default), smtp://user:password@host:587?tls=1, file:///path, locmem://


def _mailer(url: str) -> dict[str, object]:
    """One MAILERS entry (Django 6.1) from EMAIL_URL."""
    parts = urlsplit(url)
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
    }
    if parts.scheme not in backends:
        raise ImproperlyConfigured(f"EMAIL_URL scheme {parts.scheme!r} is not supported.")
    mailer: dict[str, object] = {"BACKEND": backends[parts.scheme]}
    if parts.scheme == "file":
        mailer["OPTIONS"] = {"file_path": parts.path}
    if parts.scheme in {"smtp", "smtps"}:
        mailer["OPTIONS"] = {
            "host": parts.hostname or "localhost",
            "port": parts.port or (465 if parts.scheme == "smtps" else 25),
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_tls": options.get("tls") in {"1", "true"},
            "use_ssl": parts.scheme == "smtps",
            "timeout": 20,
        }
    return mailer


MAILERS = {"default": _mailer(os.environ.get("EMAIL_URL", "console://"))}
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Trade Dialogues Portal <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ----------------------------------------------------------------------------
# https://docs.djangoproject.com/en/6.1/topics/security/ and /howto/csp/
HTTPS = env_bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS and not TESTING
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
# Sessions live in the database and are read from the cache, so a signed-in page costs no
# query for its session; a cached copy lives SESSION_CACHE_SECONDS at most (portal/sessions.py).
SESSION_ENGINE = "portal.sessions"
SESSION_CACHE_SECONDS = int(os.environ.get("SESSION_CACHE_SECONDS", "600"))
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
if DEBUG:
    # The Django admin's and debug pages' inline styles need this only while developing.
    SECURE_CSP["style-src"] = [CSP.SELF, CSP.UNSAFE_INLINE]
SILENCED_SYSTEM_CHECKS: list[str] = []
if not DATABASE_IS_POSTGRES:
    # report_newest carries the visibility for PostgreSQL's index-only scans; on the
    # embedded SQLite the index is the same without it, which is all a demo needs.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# --- Portal behaviour -------------------------------------------------------------------
OFFICIAL_ORG_CATEGORIES = ("government", "international")
# Trade Dialogues moderation: flags that hide a post until a moderator decides, how many of a
# new member's posts wait for approval, and how many posts one member may write a minute.
DIALOGUES_FLAGS_TO_HIDE = int(os.environ.get("DIALOGUES_FLAGS_TO_HIDE", "3"))
DIALOGUES_PREMODERATED_FIRST_POSTS = int(os.environ.get("DIALOGUES_PREMODERATED_FIRST_POSTS", "3"))
DIALOGUES_POSTS_PER_MINUTE = int(os.environ.get("DIALOGUES_POSTS_PER_MINUTE", "5"))
# Digest files queued for the workers when a week is compiled; other languages (and
# personalised editions) are queued on first download.
DIGEST_PRERENDER_LANGUAGES = env_list("DIGEST_PRERENDER_LANGUAGES", "en")
# When a subscriber's edition has nothing new (no new reports, status changes or official
# answers): on, a short email says so; off, no email that week.
DIGEST_EMAIL_WHEN_EMPTY = env_bool("DIGEST_EMAIL_WHEN_EMPTY", default=True)
# Pages that the upper layers extend. Settings are where the packages are put together, so
# portal and submissions render these without importing the packages above them.
HOME_TEMPLATE = "dialogues/home.html"
REPORT_DETAIL_TEMPLATE = "dialogues/report_detail.html"

# --- Personal data ----------------------------------------------------------------------
# Who answers for the personal data the portal holds (the "controller" in data-protection law)
# and how to reach them: both shown in the privacy notice. `check --deploy` warns while they
# still hold these development defaults.
PRIVACY_CONTROLLER = os.environ.get("PRIVACY_CONTROLLER", "Trade Dialogues Portal secretariat")
PRIVACY_CONTACT_EMAIL = os.environ.get("PRIVACY_CONTACT_EMAIL", "privacy@tradedialogues.example")
# The data-protection authority people may complain to, and its web address; when empty the
# notice points to the authority of the country where the person lives or works.
# Where people report an accessibility problem (the accessibility statement); by default the
# privacy contact.
ACCESSIBILITY_CONTACT_EMAIL = (
    os.environ.get("ACCESSIBILITY_CONTACT_EMAIL", "") or PRIVACY_CONTACT_EMAIL
)
PRIVACY_SUPERVISORY_AUTHORITY = os.environ.get("PRIVACY_SUPERVISORY_AUTHORITY", "")
PRIVACY_SUPERVISORY_AUTHORITY_URL = os.environ.get("PRIVACY_SUPERVISORY_AUTHORITY_URL", "")
# Retention stated in the privacy notice for what the operator's platform keeps: server logs
# (set to match the log rotation) and email in the outbox (erased by a nightly task this many
# days after it was written, once sent or given up).
PRIVACY_LOG_RETENTION_DAYS = int(os.environ.get("PRIVACY_LOG_RETENTION_DAYS", "30"))
PRIVACY_EMAIL_RETENTION_DAYS = int(os.environ.get("PRIVACY_EMAIL_RETENTION_DAYS", "90"))
# What each package holds about a person: its sections of the person's export, and what it
# erases when they delete their account (portal.privacy). Lowest layer first; account deletion
# runs them in reverse. A package that starts keeping personal data adds its provider here:
# the email outbox adds one that exports the messages addressed to the person and purges them.
PERSONAL_DATA_PROVIDERS = [
    "portal.privacy.PortalPersonalData",
    "submissions.privacy.SubmissionsPersonalData",
    "dialogues.privacy.DialoguesPersonalData",
]

# --- Search engines ----------------------------------------------------------------------
# The sections of /sitemap.xml (portal.sitemaps), lowest layer first: each lists only what a
# visitor may read.
SITEMAPS = {
    "pages": "portal.sitemaps.PageSitemap",
    "report-pages": "submissions.sitemaps.ReportListSitemap",
    "reports": "submissions.sitemaps.ReportSitemap",
    "dialogue-pages": "dialogues.sitemaps.DialoguePageSitemap",
    "themes": "dialogues.sitemaps.ThemeSitemap",
    "threads": "dialogues.sitemaps.ThreadSitemap",
    "digests": "dialogues.sitemaps.DigestSitemap",
}

# --- Logging ---------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs each layout step of every digest PDF at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}},
}

# --- Benchmarks ---------------------------------------------------------------------------
# PORTAL_BENCH=1 (set by `make bench` only): a bare baseline view at /bench/baseline and a
# Server-Timing header (time, database time, query count) on every response. Never in
# production: the header tells anyone how many queries a page makes.
BENCH = env_bool("PORTAL_BENCH", default=False)
if BENCH:
    MIDDLEWARE.insert(0, "portal.benchmark.ServerTimingMiddleware")
