"""OneWindow settings: one module, configured from the environment.

OneWindow runs on an embedded SQLite file under ``var/`` in debug-free production mode unless
told otherwise. It needs a secret key of its own (``SECRET_KEY`` or ``SECRET_KEY_FILE``; `make
demo` and the tests provide one) and refuses to start without it; only ``DEBUG`` falls back to a
public development key. See README.md for the table of variables.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from onewindow.core.environment import env, env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("ONEWINDOW_VAR_DIR", PROJECT_DIR / "var"))


DEBUG = env_bool("DEBUG", False)


def secret_key_from_file(path: Path) -> str:
    """The key kept in ``path``; when the file does not exist yet, a new random key is written
    there first (mode 0600). Several processes starting at once end up with the same key: the
    file appears whole, by a hard link, or not at all."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50) + "\n")
            with contextlib.suppress(FileExistsError):  # another process was first: its key wins
                os.link(draft, path)
        finally:
            draft.unlink(missing_ok=True)
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < 50:
        raise ImproperlyConfigured(f"SECRET_KEY_FILE {path} must hold a key of at least 50 characters")
    return key


# The key signs sessions, CSRF tokens and password-reset links: whoever knows it can forge them.
# A deployment sets SECRET_KEY, or SECRET_KEY_FILE (a file, created with a random key on first
# start when missing: `make demo` keeps its key in var/secret_key). Only a DEBUG run may fall back
# to the public development key; anything else refuses to start without a key of its own.
INSECURE_DEVELOPMENT_KEY = "onewindow-insecure-development-key-set-SECRET_KEY-in-production"
SECRET_KEY = env("SECRET_KEY") or ""
if not SECRET_KEY and env("SECRET_KEY_FILE"):
    SECRET_KEY = secret_key_from_file(Path(env("SECRET_KEY_FILE") or ""))
if not SECRET_KEY and DEBUG:
    SECRET_KEY = INSECURE_DEVELOPMENT_KEY
if not DEBUG and SECRET_KEY in ("", INSECURE_DEVELOPMENT_KEY):
    raise ImproperlyConfigured(
        "OneWindow refuses to start without a secret key of its own: set ONEWINDOW_SECRET_KEY "
        "(50 or more random characters) or ONEWINDOW_SECRET_KEY_FILE (a file path; a random key is "
        "written there on first start). `make demo` sets ONEWINDOW_SECRET_KEY_FILE=var/secret_key."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "onewindow.core",
    "onewindow.audit",
    "onewindow.org",
    "onewindow.clock",
    "onewindow.licences",
    "onewindow.enterprises",
    "onewindow.catalog",
    "onewindow.cases",
    "onewindow.bench",
    "onewindow.ratings",
    "onewindow.complaints",
    "onewindow.stats",
    "onewindow.web",
    # sign-in: lockout after repeated failures (axes), two-factor sign-in (django-otp, TOTP),
    # the Chinese sign-in log and the enrolment pages (accounts)
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "onewindow.accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "onewindow.core.middleware.RequestIdMiddleware",
    # Before anything reads input (sessions, CSRF, views): control characters, JSON bombs and
    # non-JSON API bodies are refused here (api/edge.py).
    "onewindow.api.edge.EdgeInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "onewindow.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "onewindow.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # last, as axes requires: turns a locked-out sign-in into the page that says so (429)
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "onewindow.urls"
WSGI_APPLICATION = "onewindow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "onewindow.web.context_processors.hall",
            ],
        },
    },
]

# Embedded SQLite by default (zero set-up); PostgreSQL >= 15 through DATABASE_URL.
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'onewindow.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", DEFAULT_SQLITE) or DEFAULT_SQLITE,
        conn_max_age=int(env("CONN_MAX_AGE", "60") or 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets the worker and web processes read while one writes; IMMEDIATE makes
            # a write transaction take its lock up front instead of failing half-way.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
            "transaction_mode": "IMMEDIATE",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Zero set-up: the embedded database's folder is created on first use.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # No JIT compilation: it pays off for long analytic queries, and ours are short (a page of a
    # worklist, a month of rollups). Estimated against tables of millions of rows they look
    # expensive enough to compile, and compiling cost more than running them: at 1 M cases the
    # annual report took 0.37 s with JIT and 0.22 s without. ONEWINDOW_PG_OPTIONS overrides.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = env("PG_OPTIONS", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# The lockout check comes first: a locked-out account or address is refused before its password
# is even checked (accounts.backends: sign-ins without a request, from the command line, skip it).
AUTHENTICATION_BACKENDS = [
    "onewindow.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")) or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if SESSION_COOKIE_SECURE:
    # Behind HTTPS (SECURE_COOKIES=true): the proxy terminates TLS and says so in
    # X-Forwarded-Proto (set it there, and strip it from clients); plain HTTP is redirected;
    # browsers remember to use HTTPS only (HSTS, a year by default; 0 turns it off).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("HSTS_SECONDS", "31536000") or 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
    # The /healthz probe of a load balancer talks plain HTTP to the app server.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Joining the browsers' HSTS preload list is a decision for the owner of the whole domain (often a
# province's gov.cn zone), not for one application: ONEWINDOW_HSTS_PRELOAD=true opts in, and until
# then `check --deploy` is not asked to recommend it.
SILENCED_SYSTEM_CHECKS = [] if env_bool("HSTS_PRELOAD", False) else ["security.W021"]

# Content-Security-Policy (django-csp): scripts, styles, fonts and images only from this site —
# every asset is vendored, and no page has inline scripts, inline styles or event attributes
# (web/tests/test_csp.py checks the pages). The QR codes on the two-factor page are inline SVG.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # continue-link tokens never reach a log line ("Not Found: /apply/continue/…", core.redaction)
    "filters": {"redact": {"()": "onewindow.core.redaction.RedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}

# --- OneWindow ---------------------------------------------------------------------------
# The name shown on every page and notice.
ONEWINDOW_HALL_NAME = env("HALL_NAME", "政务服务中心") or "政务服务中心"

# E-licences (licences app): where the signing keys live (never in the database), which
# algorithm new licences are signed with (ed25519, or sm2 for 国密 deployments), the public
# address printed in QR codes, and an optional external shared-data registry for 免证办理.
ONEWINDOW_KEY_DIR = Path(env("KEY_DIR", str(VAR_DIR / "keys")) or VAR_DIR / "keys")
ONEWINDOW_SIGNING_ALGORITHM = (env("SIGNING_ALGORITHM", "ed25519") or "ed25519").lower()
ONEWINDOW_PUBLIC_URL = (env("PUBLIC_URL", "http://127.0.0.1:8000") or "").rstrip("/")
ONEWINDOW_EXTERNAL_REGISTRY_URL = env("EXTERNAL_REGISTRY_URL", "") or ""
ONEWINDOW_PDF_FONT = env("PDF_FONT", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
# Statistics read daily rollups; pages refresh them when older than this (the worker does it too).
ONEWINDOW_STATS_REFRESH_SECONDS = float(env("STATS_REFRESH_SECONDS", "60") or 60)

# --- Sign-in and throttles (accounts, core.throttle) -------------------------------------
# How many reverse proxies stand in front of the app server: the client's address is taken from
# X-Forwarded-For that many entries from the right (core.clientip); 0 trusts REMOTE_ADDR only.
ONEWINDOW_PROXY_COUNT = int(env("PROXY_COUNT", "0") or 0)

# Throttle counters are shared by every server process: the database cache by default (no Redis
# needed; `onewindow migrate` creates its table), Redis when ONEWINDOW_THROTTLE_REDIS_URL is set
# (needs `pip install redis`).
ONEWINDOW_THROTTLE_CACHE = "throttle"
_THROTTLE_REDIS_URL = env("THROTTLE_REDIS_URL", "") or ""
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _THROTTLE_REDIS_URL}
        if _THROTTLE_REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "onewindow_throttle",
            # Culling drops counters: keep room for many visitors before the table is trimmed.
            "OPTIONS": {"MAX_ENTRIES": 100_000, "CULL_FREQUENCY": 4},
        }
    ),
}
# Public look-ups by number + the last characters of an ID number or phone (tracking, rating,
# complaint status and follow-up): failed tries allowed per IP address and per number in a window.
ONEWINDOW_LOOKUP_LIMIT_PER_IP = int(env("LOOKUP_LIMIT_PER_IP", "20") or 20)
ONEWINDOW_LOOKUP_LIMIT_PER_NUMBER = int(env("LOOKUP_LIMIT_PER_NUMBER", "5") or 5)
ONEWINDOW_LOOKUP_WINDOW_SECONDS = int(env("LOOKUP_WINDOW_SECONDS", "3600") or 3600)

# Staff sign-in lockout (django-axes, database handler: every process sees the same counts).
# An account is locked after ONEWINDOW_LOGIN_FAILURE_LIMIT failed sign-ins, an IP address after
# ONEWINDOW_LOGIN_IP_FAILURE_LIMIT (higher: a hall's staff share one address), for
# ONEWINDOW_LOGIN_LOCKOUT_MINUTES after the last failure. A success clears the account's count.
ONEWINDOW_LOGIN_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5") or 5)
ONEWINDOW_LOGIN_IP_FAILURE_LIMIT = int(env("LOGIN_IP_FAILURE_LIMIT", "20") or 20)
ONEWINDOW_LOGIN_LOCKOUT_MINUTES = int(env("LOGIN_LOCKOUT_MINUTES", "15") or 15)
AXES_HANDLER = "onewindow.accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = ONEWINDOW_LOGIN_FAILURE_LIMIT
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=ONEWINDOW_LOGIN_LOCKOUT_MINUTES)
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a guesser cannot prolong a lockout
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # failed sign-ins are part of the sign-in log
AXES_CLIENT_IP_CALLABLE = "onewindow.core.clientip.client_ip"
AXES_LOCKOUT_CALLABLE = "onewindow.accounts.lockout.lockout_response"
AXES_ENABLE_ADMIN = False  # the admin shows the Chinese sign-in log of accounts.admin instead
AXES_VERBOSE = False

# Two-factor sign-in (TOTP, django-otp) for administrators, leaders and supervisors (等保 level 3):
# required unless ONEWINDOW_REQUIRE_2FA=false (the demo and the tests run without it).
ONEWINDOW_REQUIRE_2FA = env_bool("REQUIRE_2FA", True)
OTP_TOTP_ISSUER = ONEWINDOW_HALL_NAME
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# A stopped worker must not stop the legal clock silently: /healthz answers 503 once a due timer
# has waited this long (minutes) without firing. The worker also signs the audit chain heads this
# often (minutes; 0: only by `onewindow audit checkpoint`).
ONEWINDOW_TIMER_LAG_MINUTES = float(env("TIMER_LAG_MINUTES", "15") or 15)
ONEWINDOW_AUDIT_CHECKPOINT_MINUTES = float(env("AUDIT_CHECKPOINT_MINUTES", "60") or 60)
# AGPL-3.0 §13: where users of this server can get its source code (shown in every page footer).
ONEWINDOW_SOURCE_URL = env("SOURCE_URL", "") or ""

# Uploaded materials (core.uploads): the size limit, and an optional ClamAV daemon every upload is
# sent to (tcp://host:3310 or unix:///run/clamav/clamd.ctl; empty = no scan). When it is set and
# cannot be reached, uploads are refused (503) rather than accepted unscanned.
ONEWINDOW_MAX_UPLOAD_MB = int(env("MAX_UPLOAD_MB", "20") or 20)
ONEWINDOW_CLAMD = env("CLAMD", "") or ""
