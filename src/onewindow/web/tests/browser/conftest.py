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


# Screenshots are artefacts, never committed: test-artifacts/ is in .gitignore.
SCREENSHOTS = Path(__file__).resolve().parents[5] / "test-artifacts" / "screenshots"
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def shot(page, request):
    """Save a full-page screenshot of the current page at desktop (1280) and phone (390) width,
    as ``<test>-<name>-desktop.png`` / ``-phone.png`` in ``$ONEWINDOW_SCREENSHOTS`` or
    ``test-artifacts/screenshots/`` under the repository root. The viewport is restored after.
    A page wider than the viewport (sideways scrolling on a phone) fails the test."""
    folder = Path(os.environ.get("ONEWINDOW_SCREENSHOTS") or SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    test = request.node.originalname

    def take(name: str) -> None:
        original = page.viewport_size
        for label, size in WIDTHS.items():
            page.set_viewport_size(size)
            page.screenshot(path=str(folder / f"{test}-{name}-{label}.png"), full_page=True)
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= size["width"], f"{name} scrolls sideways at {label} width ({wide}px)"
        if original:
            page.set_viewport_size(original)

    return take
