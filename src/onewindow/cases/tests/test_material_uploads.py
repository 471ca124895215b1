"""Uploaded materials (issue 17): refused unless name, declared type and content agree and the file
opens; stored under generated names; replaced files and orphans of rolled-back transactions
deleted; an optional virus scanner that refuses infected files and fails closed."""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction

from onewindow.audit.models import AuditEvent
from onewindow.cases import services
from onewindow.cases.models import MaterialState
from onewindow.cases.tests.factories import PDF, draft, enterprise
from onewindow.cases.tests.test_api import API_URLS, Api, create
from onewindow.core import uploads
from onewindow.core.errors import InvalidInput
from onewindow.core.tests import samples
from onewindow.core.tests.test_clamd import EICAR, FakeClamd, listening_socket, url_of
from onewindow.core.timers import fire_all_due

pytestmark = pytest.mark.django_db
FOOD_PRODUCTION = "430702-SCJG-0002"


@pytest.fixture
def officer(hall, persona):
    return persona("window1")


@pytest.fixture
def application(officer):
    return draft(officer, enterprise(), item=FOOD_PRODUCTION)


def attach(officer, application, name: str, content: bytes, declared: str = "application/octet-stream"):
    return services.application_attach_material(
        actor=officer,
        application=application,
        material_key="id_card",
        upload=SimpleUploadedFile(name, content, content_type=declared),
    )


class RolledBack(Exception):
    pass


def attach_rolled_back(officer, application, name: str, content: bytes, key: str = "id_card") -> None:
    """Attach inside a transaction that then rolls back: the file is saved, the row change is not."""
    with contextlib.suppress(RolledBack), transaction.atomic():
        services.application_attach_material(
            actor=officer,
            application=application,
            material_key=key,
            upload=SimpleUploadedFile(name, content, content_type="application/octet-stream"),
        )
        raise RolledBack


def stored_files() -> list[str]:
    root = Path(default_storage.location)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def age(name: str, minutes: int) -> None:
    then = time.time() - minutes * 60
    os.utime(default_storage.path(name), (then, then))


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("身份证.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120, "可执行程序"),
        ("身份证.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120, "可执行程序"),
        ("身份证.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>", "网页或脚本"),
        ("身份证.pdf", samples.ofd(), "但内容是 ZIP 压缩包"),
        ("身份证.png", b'\x89PNG\r\n\x1a\n<svg xmlns="http://www.w3.org/2000/svg"/>', "网页或脚本"),
        ("身份证.jpg", samples.png(), "扩展名是 .jpg，但内容是 PNG 图片"),
        ("身份证.pdf", PDF[: len(PDF) // 2], "无法打开"),
    ],
)
def test_a_disguised_or_broken_file_is_refused_and_nothing_is_stored(
    officer, application, name, content, says
):
    with pytest.raises(InvalidInput, match=says) as caught:
        attach(officer, application, name, content)
    assert f"“{name}”" in str(caught.value)
    assert application.materials.get(material__key="id_card").state == MaterialState.MISSING
    assert stored_files() == []


def test_a_material_is_stored_under_a_generated_name_and_keeps_the_users_name_for_display(
    officer, application
):
    row = attach(officer, application, "../../张三 身份证<x>.PDF", samples.pdf(), "application/pdf")
    assert row.original_name == "张三 身份证x.PDF"
    assert row.content_type == "application/pdf"
    assert row.file.name.startswith("materials/") and row.file.name.endswith(".pdf")
    assert "张三" not in row.file.name and ".." not in row.file.name
    assert stored_files() == [row.file.name]


def test_replacing_a_materials_file_deletes_the_old_one_from_storage(
    officer, application, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = attach(officer, application, "a.pdf", samples.pdf("first"))
    old = first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        second = attach(officer, application, "b.png", samples.png())
    assert second.file.name != old
    assert stored_files() == [second.file.name]


def test_a_replacement_that_rolls_back_keeps_the_old_file(officer, application):
    first = attach(officer, application, "a.pdf", samples.pdf("first"))
    attach_rolled_back(officer, application, "b.png", samples.png())
    first.refresh_from_db()
    assert default_storage.exists(first.file.name)


def test_orphans_of_rolled_back_transactions_are_deleted_by_the_cleanup_and_nothing_else(
    officer, application
):
    kept = attach(officer, application, "kept.pdf", samples.pdf("kept"))
    attach_rolled_back(officer, application, "lost.pdf", samples.pdf("lost"), key="food_safety_rules")
    orphan = next(name for name in stored_files() if name != kept.file.name)
    for name in stored_files():
        age(name, 120)
    attach_rolled_back(officer, application, "young.pdf", samples.pdf("young"))  # as if still running

    dry = uploads.uploads_cleanup(dry_run=True)
    assert dry.orphans == (orphan,) and dry.deleted == 0 and dry.recent == 1
    assert default_storage.exists(orphan)

    report = uploads.uploads_cleanup()
    assert report.deleted == 1 and not default_storage.exists(orphan)
    assert default_storage.exists(kept.file.name) and len(stored_files()) == 2
    assert uploads.uploads_cleanup().deleted == 0  # idempotent


def test_the_cleanup_command_prints_one_line_and_honours_dry_run_and_older_than(officer, application, capsys):
    attach_rolled_back(officer, application, "lost.pdf", samples.pdf())
    (orphan,) = stored_files()
    age(orphan, 30)
    call_command("uploads", "cleanup", "--dry-run", "--older-than", "10")
    out = capsys.readouterr().out.splitlines()
    assert out == [f"orphan: {orphan}", out[-1]] and "1 orphans would be deleted" in out[-1]
    call_command("uploads", "cleanup")  # default 60 minutes: too young
    assert capsys.readouterr().out.strip().endswith("0 orphans deleted, 1 too recent to judge")
    call_command("uploads", "cleanup", "--older-than", "10")
    assert "1 orphans deleted" in capsys.readouterr().out
    assert stored_files() == []


def test_the_worker_cleans_up_orphans_at_most_once_an_hour(officer, application, monkeypatch):
    monkeypatch.setattr(uploads, "_last_cleanup", None)
    attach_rolled_back(officer, application, "lost.pdf", samples.pdf())
    (orphan,) = stored_files()
    age(orphan, 120)
    fired = [str(f) for f in fire_all_due()]
    assert any(line.startswith("core #0: uploads cleanup:") and "1 orphans deleted" in line for line in fired)
    assert stored_files() == []
    attach_rolled_back(officer, application, "lost.pdf", samples.pdf())
    age(stored_files()[0], 120)
    fire_all_due()
    assert len(stored_files()) == 1  # the next cleanup waits for the hour to pass


# --- the virus scanner over HTTP -------------------------------------------------------------


@pytest.fixture
def scanner() -> Iterator[socket.socket]:
    server = listening_socket()
    yield server
    server.close()


@pytest.fixture
def window(client, hall, persona) -> Api:
    return Api(client, persona("window1"))


@pytest.mark.urls(API_URLS)
def test_an_infected_upload_is_refused_with_its_signature_and_audited(window, scanner, settings):
    settings.ONEWINDOW_CLAMD = url_of(scanner)
    clamd = FakeClamd(scanner)
    ref = create(window).json()["draft_ref"]
    response = window.upload(ref, "id_card", samples.pdf() + EICAR, "身份证.pdf")
    clamd.join()
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "virus_found" and "Eicar-Test-Signature" in body["detail"]
    assert "身份证.pdf" in body["detail"]
    event = AuditEvent.objects.get(action="application.upload_virus_found")
    assert event.after["signature"] == "Eicar-Test-Signature" and event.after["file"] == "身份证.pdf"
    materials = {m["key"]: m["state"] for m in window.get(f"/applications/{ref}").json()["materials"]}
    assert materials["id_card"] == "missing" and stored_files() == []


@pytest.mark.urls(API_URLS)
def test_a_clean_upload_is_scanned_once_and_accepted(window, scanner, settings):
    settings.ONEWINDOW_CLAMD = url_of(scanner)
    clamd = FakeClamd(scanner)  # answers one connection: a second scan would fail
    ref = create(window).json()["draft_ref"]
    response = window.upload(ref, "id_card", samples.pdf(), "身份证.pdf")
    clamd.join()
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "provided" and clamd.received == [samples.pdf()]


@pytest.mark.urls(API_URLS)
def test_an_unreachable_scanner_refuses_the_upload_with_503(window, scanner, settings):
    settings.ONEWINDOW_CLAMD = url_of(scanner)
    scanner.close()
    ref = create(window).json()["draft_ref"]
    response = window.upload(ref, "id_card", samples.pdf(), "身份证.pdf")
    assert response.status_code == 503 and response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "scanner_unavailable" and "稍后重试" in response.json()["detail"]
    assert stored_files() == []


def test_an_unreachable_scanner_is_shown_on_the_window_page_with_503(
    client,
    officer,
    application,
    scanner,
    settings,
):
    settings.ONEWINDOW_CLAMD = url_of(scanner)
    scanner.close()
    client.force_login(officer)
    upload = SimpleUploadedFile("身份证.pdf", samples.pdf(), "application/pdf")
    page = client.post(f"/window/app/{application.draft_ref}/upload", {"material": "id_card", "file": upload})
    assert page.status_code == 503 and "病毒扫描服务暂时无法使用" in page.content.decode()
