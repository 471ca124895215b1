"""OneWindow settings: one module, configured from the environment.

With nothing set, OneWindow runs on an embedded SQLite file under ``var/`` in debug-free
production mode except for the SECRET_KEY, which falls back to an insecure development key
only when ``ONEWINDOW_DEBUG``/``DEBUG`` is on. See README.md for the table of variables.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("ONEWINDOW_VAR_DIR", PROJECT_DIR / "var"))


def env(name: str, default: str | None = None) -> str | None:
    """Read ``ONEWINDOW_<name>``, then plain ``<name>``, then the default."""
    return os.environ.get(f"ONEWINDOW_{name}", os.environ.get(name, default))


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in (env(name, default) or "").split(",") if part.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env("SECRET_KEY") or ""
if not SECRET_KEY:
    # The demo and the tests run without configuration. A real deployment sets SECRET_KEY;
    # the key below is public, so sessions signed with it can be forged.
    SECRET_KEY = "onewindow-insecure-development-key-set-SECRET_KEY-in-production"  # noqa: S105

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
    "onewindow.catalog",
    "onewindow.cases",
    "onewindow.bench",
    "onewindow.ratings",
    "onewindow.complaints",
    "onewindow.stats",
    "onewindow.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "onewindow.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "onewindow.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
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
