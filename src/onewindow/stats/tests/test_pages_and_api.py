"""The statistics pages, Excel export and API: permissions, the figures they show (the same as the
selectors'), drill-down, and clear errors for bad filters."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from onewindow.cases.models import Case, CaseStatus
from onewindow.stats.definitions import INDICATORS
from onewindow.stats.tests.fixtures import build_march, local

pytestmark = pytest.mark.django_db
MARCH = "period=month&month=2025-03"


@pytest.fixture
def march(hall):
    return build_march()


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_supervisor_sees_the_dashboard_of_their_county(client, march):
    login(client, "supervisor")
    response = client.get(f"/stats/?{MARCH}")
    assert response.status_code == 200
    page = response.content.decode()
    assert march.county.name in page
    assert re.search(r'id="fig-applications".*?<strong>6</strong>', page, re.S)
    assert re.search(r'id="fig-on_time_rate_promised".*?<strong>75.00%</strong>', page, re.S)
    assert "<svg" in page and 'role="img"' in page
    for indicator in INDICATORS:
        assert f'id="fig-{indicator.code}"' in page


def test_users_without_the_role_get_403(client, march):
    login(client, "window1")
    assert client.get("/stats/").status_code == 403
    assert client.get("/api/v1/stats/indicators").status_code == 403
    client.logout()
    assert client.get("/stats/").status_code == 302  # to the login page


def test_a_region_scoped_supervisor_cannot_ask_for_everything(client, march):
    login(client, "supervisor")
    response = client.get("/stats/?region=")
    assert response.status_code == 403
    assert "所辖区划" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=week", "未知的统计期间类型"),
        ("period=month&month=2025-13", "月份应为1至12"),
        ("period=custom&start=2025-03-10", "起始日和截止日"),
        ("period=custom&start=2025-03-10&end=2025-03-01", "早于起始日"),
        ("period=year&year=abc", "日期格式不正确"),
        ("region=123456", "区划代码“123456”不存在"),
        (f"{MARCH}&dim=colour", "未知的分析维度"),
    ],
)
def test_bad_filters_are_form_errors(client, march, query, message):
    login(client, "supervisor")
    response = client.get(f"/stats/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_drill_down_page_lists_the_late_case(client, march):
    login(client, "supervisor")
    response = client.get(f"/stats/cases?{MARCH}&region={march.county.code}&indicator=finished_late")
    assert response.status_code == 200
    page = response.content.decode()
    assert march.cases["c3"].number in page
    assert march.cases["c1"].number not in page
    assert client.get(f"/stats/cases?{MARCH}&indicator=online_rate").status_code == 400


def test_dashboard_query_count_does_not_grow_with_cases(client, march):
    login(client, "supervisor")
    client.get(f"/stats/?{MARCH}")  # warm caches (calendar, grants)
    with CaptureQueriesContext(connection) as before:
        client.get(f"/stats/?{MARCH}")
    from onewindow.cases.models import Case

    template = Case.objects.get(pk=march.cases["c3"].pk)
    for n in range(20):
        template.pk = None
        template.number = f"EXTRA-{n}"
        template.save()
    with CaptureQueriesContext(connection) as after:
        client.get(f"/stats/?{MARCH}")
    assert len(after.captured_queries) == len(before.captured_queries)


def test_excel_export_has_every_table_and_the_definitions(client, march):
    login(client, "supervisor")
    response = client.get(f"/stats/export.xlsx?{MARCH}")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    assert wb.sheetnames == [
        "指标",
        "按部门",
        "按事项",
        "按申请渠道",
        "按办理层级",
        "按办件状态",
        "趋势",
        "诉求分类",
        "在办超期办件",
        "指标口径",
    ]
    rows = {row[0]: row for row in wb["指标"].iter_rows(values_only=True) if row and row[0]}
    assert rows["指标代码"][1] == "指标名称"  # Chinese headers
    assert rows["applications"][3] == 6
    assert rows["on_time_rate_promised"][3] == 75.0
    assert rows["on_time_rate_promised"][5:7] == (3, 4)
    overdue = list(wb["在办超期办件"].iter_rows(values_only=True))
    assert overdue[0][0] == "办件编号" and [r[0] for r in overdue[1:]] == [march.cases["c5"].number]
    definitions = {row[0]: row[3] for row in wb["指标口径"].iter_rows(values_only=True) if row and row[0]}
    assert len([c for c in definitions if c != "指标代码"]) == len(INDICATORS)
    assert "承诺期限" in definitions["on_time_rate_promised"]


def test_api_returns_the_same_figures_with_definitions(client, march):
    login(client, "supervisor")
    body = client.get(f"/api/v1/stats/indicators?{MARCH}").json()
    figures = {f["code"]: f for f in body["indicators"]}
    assert body["region"] == march.county.code
    assert figures["on_time_rate_promised"]["value"] == "75.00"
    assert figures["compression_legal"]["numerator"] == 19
    assert "法定时限" in figures["compression_legal"]["definition"]
    rows = client.get(f"/api/v1/stats/breakdown/channel?{MARCH}").json()
    assert {r["key"]: r["finished_late"] for r in rows}["online"] == 1
    drill = client.get(f"/api/v1/stats/indicators/finished_late/cases?{MARCH}").json()
    assert drill["total"] == 1 and drill["cases"][0]["number"] == march.cases["c3"].number
    assert len(client.get("/api/v1/stats/definitions").json()) == len(INDICATORS)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/stats/indicators?period=week", 422),
        ("/api/v1/stats/indicators?period=custom&start=2025-02-30&end=2025-03-01", 422),
        ("/api/v1/stats/indicators?region=430702999999", 422),
        ("/api/v1/stats/breakdown/colour", 422),
        ("/api/v1/stats/indicators/nonsense/cases", 422),
        ("/api/v1/stats/indicators/online_rate/cases", 422),
        ("/api/v1/stats/indicators/finished_late/cases?limit=0", 422),
        ("/api/v1/stats/indicators?month=" + "9" * 40, 422),
    ],
)
def test_api_bad_input_is_problem_json(client, march, url, status):
    login(client, "supervisor")
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["title"]


def test_a_department_leader_sees_their_department_only(client, march):
    # scjg_leader leads 市场监管: of March's cases, c1 and c2 (pharmacy) and c4 (small catering).
    login(client, "scjg_leader")
    body = client.get(f"/api/v1/stats/indicators?{MARCH}").json()
    figures = {f["code"]: f for f in body["indicators"]}
    assert body["department"] == "SCJG"
    assert figures["cases_accepted"]["value"] == "3"
    assert figures["finished_late"]["value"] == "0"  # c3, the late one, is 城管's
    page = client.get(f"/stats/?{MARCH}")
    assert page.status_code == 200
    assert re.search(r'id="fig-cases_accepted".*?<strong>3</strong>', page.content.decode(), re.S)
    assert client.get(f"/stats/?{MARCH}&department=CG").status_code == 403
    assert client.get(f"/stats/?{MARCH}&department=").status_code == 403
    assert client.get(f"/api/v1/stats/indicators?{MARCH}&department=CG").status_code == 403


def test_a_supervisor_may_choose_a_department(client, march):
    login(client, "supervisor")
    body = client.get(f"/api/v1/stats/indicators?{MARCH}&department=CG").json()
    figures = {f["code"]: f for f in body["indicators"]}
    assert figures["cases_accepted"]["value"] == "2"  # c3, c5
    assert figures["finished_late"]["value"] == "1"  # c3
    assert figures["overdue_open"]["value"] == "1"  # c5
    assert client.get(f"/stats/?{MARCH}&department=NOPE").status_code == 400


def test_the_pages_and_the_api_refresh_small_changes_themselves(client, march, settings):
    # The selectors only read: the page and the endpoint bring the rollups up to date first.
    settings.ONEWINDOW_STATS_REFRESH_SECONDS = 0
    login(client, "supervisor")

    def api_finished() -> str:
        body = client.get(f"/api/v1/stats/indicators?{MARCH}").json()
        return {f["code"]: f for f in body["indicators"]}["cases_finished"]["value"]

    def page_finished() -> str:
        page = client.get(f"/stats/?{MARCH}").content.decode()
        return re.search(r'id="fig-cases_finished".*?<strong>(\d+)</strong>', page, re.S).group(1)

    assert page_finished() == "5"  # never refreshed: the page rebuilt the (small) rollups
    c5 = Case.objects.get(pk=march.cases["c5"].pk)
    c5.status, c5.decision, c5.decided_at = CaseStatus.APPROVED, "approve", local("2025-03-28", "10:00")
    c5.save()  # updated_at moves: the next refresh recomputes 28 March
    assert api_finished() == "6"
