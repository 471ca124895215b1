import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SRC = Path(__file__).resolve().parents[3]


def test_pure_modules_import_without_django():
    code = "import sys, onewindow.clock.workdays, onewindow.org.idcodes; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": str(SRC)})


def test_time_is_counted_in_shanghai_with_aware_datetimes():
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)


def test_the_onewindow_command_lists_the_project_commands():
    result = subprocess.run(
        [sys.executable, "-m", "onewindow", "help"], capture_output=True, text=True, check=True
    )
    for command in ("serve", "load_demo", "createuser", "audit"):
        assert command in result.stdout


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")
    assert forged["X-Request-ID"] != "<script>"


@pytest.mark.django_db
def test_the_audit_event_of_a_request_records_its_request_id(client, persona):
    from onewindow.audit.models import AuditEvent

    client.force_login(persona("window1"))
    client.post(
        "/api/v1/org/applicants",
        data={"kind": "person", "name": "张三", "id_number": "11010519491231002X", "phone": "13907361234"},
        content_type="application/json",
        HTTP_X_REQUEST_ID="req-42",
    )
    assert AuditEvent.objects.get(action="applicant.register").request_id == "req-42"


def test_postgresql_connections_run_without_jit(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit')")
        assert cursor.fetchone()[0] == "off"
