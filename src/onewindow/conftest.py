"""Shared fixtures: the demo county and personas built through the real services."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import models, transaction
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


# ---- the demo county, built once per test process ------------------------------------------------
#
# Loading the demo county through its services (YAML catalogue, calendar, users, licence types,
# audit events) costs seconds; hundreds of tests need it. The first test of a process that asks
# for it runs the real services and keeps the rows they wrote; every later test gets the same rows
# back in one bulk insert (inside its own transaction, rolled back after it, as before). Tests that
# do not ask for it still start from an empty database.


@dataclass
class Snapshot:
    """The rows one load added or changed, per model, and how many rows each had before it."""

    counts_before: dict[type[models.Model], int]
    rows: list[tuple[type[models.Model], list[dict[str, Any]], list[dict[str, Any]]]]


_snapshots: dict[str, Snapshot] = {}


def _table_rows() -> dict[type[models.Model], dict[Any, dict[str, Any]]]:
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f.attname for f in model._meta.concrete_fields]
        found = {r[model._meta.pk.attname]: r for r in model._base_manager.values(*fields)}
        if found:
            rows[model] = found
    return rows


def _restore(snapshot: Snapshot) -> None:
    """Write a snapshot's rows back in one transaction, so that the foreign keys (deferred) are
    checked once all rows are in, whatever the models' order (also in ``transaction=True`` tests)."""
    with transaction.atomic():
        for model, added, changed in snapshot.rows:
            model._base_manager.bulk_create([model(**row) for row in added], batch_size=1000)
            pk = model._meta.pk.attname
            for row in changed:
                model._base_manager.filter(pk=row[pk]).update(**{k: v for k, v in row.items() if k != pk})


def _snapshot(name: str, load: Any) -> None:
    """Run ``load`` the first time and remember the rows it added or changed (a migration's rows
    may be changed too); later, write the same rows back — unless the test wrote to those tables
    before asking (its rows could collide with the remembered ones), then ``load`` runs again."""
    snapshot = _snapshots.get(name)
    if snapshot is not None:
        if all(model._base_manager.count() == n for model, n in snapshot.counts_before.items()):
            _restore(snapshot)
            return
        load()
        return
    before = _table_rows()
    load()
    rows = []
    for model, found in _table_rows().items():
        known = before.get(model, {})
        added = [row for key, row in found.items() if key not in known]
        changed = [row for key, row in found.items() if key in known and known[key] != row]
        if added or changed:
            rows.append((model, added, changed))
    counts = {model: len(before.get(model, {})) for model, _added, _changed in rows}
    _snapshots[name] = Snapshot(counts_before=counts, rows=rows)


@pytest.fixture(scope="session")
def demo_key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's signing keys, kept for the whole session (the restored rows refer to them)."""
    return tmp_path_factory.mktemp("keys")


@pytest.fixture
def demo_org(db: None) -> None:
    _snapshot("org", lambda: org_load_demo(password=DEMO_PASSWORD))


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
def hall(demo_org, settings, tmp_path, demo_key_dir):
    """The demo county with its calendar, catalogue and licence types; uploads in a temporary
    folder, signing keys in the session's folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ONEWINDOW_KEY_DIR = demo_key_dir
    forget_cached_calendars()

    def load() -> None:
        calendar_seed_national(actor=None)
        catalog_load_demo()
        licences_load_demo()  # licence types and a signing key, as load-demo does

    _snapshot("hall", load)
    forget_cached_calendars()
