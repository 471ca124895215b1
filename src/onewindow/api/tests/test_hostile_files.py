"""Import files from outside (the catalogue, a 12345 export, a holiday notice) that nest too deep
or hold a NUL: a clear 4xx naming the problem, never a RecursionError, a crashed process (PyYAML's
C loader overflows the C stack on deep nesting) or, on PostgreSQL, a 500 from a NUL."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from onewindow.clock.selectors import calendar_default
from onewindow.clock.services import calendar_import_year
from onewindow.clock.tests.conftest import national  # noqa: F401 - shared fixture
from onewindow.core.untrusted import ControlCharacter

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
DEEP_JSON = b"[" * 100_000 + b"]" * 100_000  # json.loads: RecursionError
DEEP_YAML = b"items: " + b"[" * 100_000 + b"]" * 100_000  # the C loader: SIGSEGV
NESTED_70 = json.dumps(json.loads('{"a":' * 70 + "1" + "}" * 70)).encode()  # parses, too deep to use
NUL_YAML = b'departments:\n  - code: "X\\0"\n    name: "\\x1b[31m"\n'  # YAML escapes for NUL and ESC
NUL_JSON = json.dumps({"departments": [{"code": "X\x00", "name": "市场监管"}]}).encode()


@pytest.fixture
def admin(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("files", "files@example.invalid", None))
    return client


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("catalogue.json", DEEP_JSON, "嵌套"),
        ("catalogue.yaml", DEEP_YAML, "嵌套"),
        ("catalogue.json", NESTED_70, "嵌套"),
        ("catalogue.yaml", NUL_YAML, "控制字符"),
        ("catalogue.json", NUL_JSON, "U+0000"),
    ],
    ids=["deep_json", "deep_yaml", "nested_70", "nul_yaml", "nul_json"],
)
def test_a_hostile_catalogue_file_is_refused_with_a_clear_problem(admin, name, content, says):
    response = admin.post("/api/v1/catalog/import?dry_run=true", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 422 and response["Content-Type"] == PROBLEM, response.content
    assert says in response.json()["detail"]


@pytest.mark.parametrize(
    ("fmt", "content", "status"),
    [("json", DEEP_JSON, 400), ("json", NESTED_70, 400), ("csv", "工单号\n12345-\x00\n".encode(), 400)],
    ids=["deep_json", "nested_70", "nul_csv"],
)
def test_a_hostile_hotline_export_is_refused_with_a_clear_problem(admin, fmt, content, status):
    upload = SimpleUploadedFile(f"12345.{fmt}", content)
    response = admin.post(f"/api/v1/complaints/import?format={fmt}", {"file": upload})
    assert response.status_code == status and response["Content-Type"] == PROBLEM, response.content


def test_a_hostile_holiday_notice_is_refused_with_a_clear_error(national, tmp_path):  # noqa: F811
    notice = {"year": 2027, "source": "通知\x00", "holidays": [{"name": "元旦", "dates": ["2027-01-01"]}]}
    with pytest.raises(ControlCharacter, match="U\\+0000"):
        calendar_import_year(actor=None, calendar=calendar_default(), data=notice)
    deep = tmp_path / "2027.yaml"
    deep.write_bytes(DEEP_YAML)
    with pytest.raises(CommandError, match="嵌套"):
        call_command("calendar", "import", str(deep))
