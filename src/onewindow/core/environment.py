"""Reading the configuration from the environment: ``ONEWINDOW_<name>``, then plain ``<name>``.

``settings.py`` is built from these, and so are the management commands that read a variable of
their own (``load-demo`` and ``bench``: the demo password). No Django app is imported here, so the
settings module can import it before the apps are loaded."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured


def env(name: str, default: str | None = None) -> str | None:
    """Read ``ONEWINDOW_<name>``, then plain ``<name>``, then the default."""
    return os.environ.get(f"ONEWINDOW_{name}", os.environ.get(name, default))


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no variable (1/true/yes/on, 0/false/no/off; empty is the default); anything else
    refuses to start (``ImproperlyConfigured``) rather than guess."""
    value = env(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str) -> list[str]:
    """A comma-separated variable as a list, blanks dropped."""
    return [part.strip() for part in (env(name, default) or "").split(",") if part.strip()]
