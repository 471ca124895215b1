"""The test run's own configuration, set before pytest-django imports the settings.

Loaded with ``-p onewindow.core.pytest_plugin`` (``pyproject.toml``), ahead of every conftest.
Settings refuse to start without a secret key of their own (``settings.SECRET_KEY``), so the run
gets a random one; subprocesses started by tests inherit it. Two-factor sign-in is off unless a
test turns it on (``settings.ONEWINDOW_REQUIRE_2FA``), as in the demo. A value already in the
environment wins.
"""

from __future__ import annotations

import os
import secrets

os.environ.setdefault("ONEWINDOW_SECRET_KEY", "test-" + secrets.token_urlsafe(50))
os.environ.setdefault("ONEWINDOW_REQUIRE_2FA", "false")
