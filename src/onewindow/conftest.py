"""Shared fixtures: the demo county and personas built through the real services."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings as hypothesis_settings

from onewindow.catalog.services import catalog_load_demo
from onewindow.clock.selectors import forget_cached_calendars
from onewindow.clock.services import calendar_seed_national
from onewindow.licences.services import licences_load_demo
from onewindow.org.models import Department, Region, Staff
from onewindow.org.services import org_load_demo

# Deterministic property tests in CI and by default; HYPOTHESIS_PROFILE=explore searches afresh.
hypothesis_settings.register_profile("deterministic", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("explore", derandomize=False, max_examples=2000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))

DEMO_PASSWORD = "demo-pass-123"  # noqa: S105 - test fixture


@pytest.fixture(autouse=True)
def _fast_test_settings(
    settings: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Never the real uploads folder: the worker's orphan cleanup (core.uploads) would take a
    # developer's files for orphans of the empty test database. `hall` gives each test its own.
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"
    # Demo users are created with real password hashing; the slow default hasher would
    # dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The calendar cache re-reads its revision every few seconds, which on a slow machine adds a
    # query at random to query-count tests. In one test process the clock services clear the
    # cache on every change, so the periodic re-check is only needed across processes.
    monkeypatch.setattr("onewindow.clock.selectors.REVISION_CHECK_SECONDS", 3600.0)
    # The manifest storage needs `collectstatic`; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def demo_org(db: None) -> None:
    org_load_demo(password=DEMO_PASSWORD)


@pytest.fixture
def county(demo_org: None) -> Region:
    return Region.objects.get(code="430702000000")


@pytest.fixture
def dept(demo_org: None):
    def get(code: str) -> Department:
        return Department.objects.get(code=code)

    return get


@pytest.fixture
def persona(demo_org: None):
    """A demo staff user by username (window1, scjg_reviewer, supervisor, …)."""

    def get(username: str):
        return Staff.objects.select_related("user").get(user__username=username).user

    return get


@pytest.fixture
def hall(demo_org, settings, tmp_path):
    """The demo county with its calendar, catalogue and licence types; uploads and signing keys in
    a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ONEWINDOW_KEY_DIR = tmp_path / "keys"
    forget_cached_calendars()
    calendar_seed_national(actor=None)
    catalog_load_demo()
    licences_load_demo()  # licence types and a signing key, as load-demo does
