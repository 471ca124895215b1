"""Browser tests: pytest-playwright driving Debian's chromium headless against ``live_server``.

Never run ``playwright install``: the browser is the system one. Playwright's sync API runs an
event loop in the test thread, so Django's async-safety check must be relaxed for the ORM calls
the fixtures make in that thread.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/install-system-deps.sh)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture
def shot(page, request):
    """Save a screenshot as a test artefact when ONEWINDOW_SCREENSHOTS names a folder."""
    folder = os.environ.get("ONEWINDOW_SCREENSHOTS")

    def take(name: str) -> None:
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{request.node.name}-{name}.png"), full_page=True)

    return take
