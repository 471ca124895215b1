"""Production settings: no start without a secret key of its own, HTTPS settings under
SECURE_COOKIES, `manage.py check --deploy` clean, no `Server` banner, no continue-link token in
any log line."""

from __future__ import annotations

import os
import secrets
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from onewindow.core.redaction import RedactingFilter, redact
from onewindow.settings import INSECURE_DEVELOPMENT_KEY, secret_key_from_file

TOKEN = "s3cr3t-Token_0123456789abcdefghijklmnopqrstu"


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a deployment behind HTTPS, nothing inherited from the test run."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "ONEWINDOW_VAR_DIR": str(tmp_path / "var"),
        "ONEWINDOW_SECRET_KEY": secrets.token_urlsafe(50),
        "ONEWINDOW_SECURE_COOKIES": "true",
        "ONEWINDOW_ALLOWED_HOSTS": "onewindow.example.gov.cn",
        "ONEWINDOW_CSRF_TRUSTED_ORIGINS": "https://onewindow.example.gov.cn",
    }
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_check_deploy_is_clean_in_the_production_configuration(tmp_path):
    result = run(
        ["-m", "onewindow", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_https(tmp_path):
    env = production_env(tmp_path, ONEWINDOW_SECURE_COOKIES="false")
    result = run(["-m", "onewindow", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0 and "security.W008" in result.stderr + result.stdout


def test_https_settings_follow_secure_cookies(tmp_path):
    show = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, "
        "s.SESSION_COOKIE_SECURE)"
    )
    code = f"import django; django.setup(); {show}"
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="onewindow.settings")
    assert run(["-c", code], env).stdout.split() == [
        "31536000",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "True",
    ]


@pytest.mark.parametrize("key", [None, "", INSECURE_DEVELOPMENT_KEY])
def test_settings_refuse_to_start_without_a_key_of_their_own(tmp_path, key):
    env = production_env(tmp_path, ONEWINDOW_SECRET_KEY=key, DJANGO_SETTINGS_MODULE="onewindow.settings")
    result = run(["-c", "import django; django.setup()"], env)
    assert result.returncode != 0 and "refuses to start without a secret key" in result.stderr


def test_debug_runs_with_the_development_key(tmp_path):
    env = production_env(tmp_path, ONEWINDOW_SECRET_KEY=None, ONEWINDOW_DEBUG="true")
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    result = run(["-c", code], env | {"DJANGO_SETTINGS_MODULE": "onewindow.settings"})
    assert result.stdout.strip() == INSECURE_DEVELOPMENT_KEY


def test_a_key_file_is_created_once_private_and_then_reused(tmp_path):
    path = tmp_path / "var" / "secret_key"
    first = secret_key_from_file(path)
    assert len(first) >= 50 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key_from_file(path) == first
    assert not list(path.parent.glob(".*.tmp"))


def test_the_demo_starts_with_a_key_file(tmp_path):
    env = production_env(tmp_path, ONEWINDOW_SECRET_KEY=None, ONEWINDOW_SECURE_COOKIES=None)
    env["ONEWINDOW_SECRET_KEY_FILE"] = str(tmp_path / "var" / "secret_key")
    result = run(["-m", "onewindow", "check"], env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "var" / "secret_key").exists()


def test_log_lines_never_carry_a_continue_token():
    assert redact(f"GET /apply/continue/D2025X/{TOKEN}/submit HTTP/1.1") == (
        "GET /apply/continue/D2025X/[redacted]/submit HTTP/1.1"
    )
    assert TOKEN not in redact(f"http://127.0.0.1:8000/apply/continue/D2025X/{TOKEN}")
    import logging

    record = logging.LogRecord(
        "django.request", logging.WARNING, "", 0, "Not Found: %s", (f"/apply/continue/R/{TOKEN}",), None
    )
    RedactingFilter().filter(record)
    assert TOKEN not in record.getMessage()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_server_sends_no_banner_and_logs_no_token(tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "ONEWINDOW_VAR_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    argv = ["-m", "onewindow", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-collectstatic"]
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, *argv], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        headers = None
        for _ in range(200):
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/apply/continue/D2025X/{TOKEN}"
                ) as answer:
                    headers = answer.headers
            except urllib.error.HTTPError as answer:
                headers = answer.headers
            except OSError:
                time.sleep(0.1)  # the server is still starting
                continue
            break
        assert headers is not None, log.read_text()
        assert "Server" not in headers
    finally:
        server.terminate()  # graceful: the worker finishes the request, access log line included
        server.wait(timeout=30)
    text = log.read_text()
    assert "/apply/continue/D2025X/[redacted]" in text and TOKEN not in text
