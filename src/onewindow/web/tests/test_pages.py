"""The pages of issue #8 through Django's test client: permissions, guides, the window, the
department and the supervisor, each state change a POST that calls a service."""

from __future__ import annotations

import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.cases.models import Application, ApplicationStatus, CaseStatus
from onewindow.cases.tests.factories import PDF, accepted, enterprise
from onewindow.conftest import DEMO_PASSWORD
from onewindow.org import idcodes

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(client):
    def as_user(username: str):
        assert client.login(username=username, password=DEMO_PASSWORD)
        return client

    return as_user


def pdf(name: str = "m.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# ---- login and permissions -----------------------------------------------------------------------


def test_the_login_page_is_chinese_and_sends_each_role_to_its_workbench(client, hall):
    page = client.get("/login")
    assert page.status_code == 200 and "工作人员登录" in page.content.decode()
    response = client.post("/login", {"username": "scjg_reviewer", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/department/"
    home = client.get("/").content.decode()
    assert "部门工作台" in home and "窗口工作台" not in home and "督查看板" not in home


def test_a_wrong_password_is_refused_on_the_page(client, hall):
    page = client.post("/login", {"username": "window1", "password": "nope"})
    assert page.status_code == 200 and "alert" in page.content.decode()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, hall):
    response = client.get("/window/")
    assert response.status_code == 302 and response["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("username", "url"),
    [("supervisor", "/window/"), ("window1", "/department/"), ("scjg_reviewer", "/supervisor/")],
)
def test_a_user_without_the_role_gets_a_chinese_403(login, hall, username, url):
    response = login(username).get(url)
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_logout_is_a_post(login, hall):
    client = login("window1")
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert client.get("/window/").status_code == 302


# ---- portal ----------------------------------------------------------------------------------------


def test_the_catalogue_finds_items_by_pinyin_initials_and_department(client, hall):
    page = client.get("/guide/", {"q": "spscxk"}).content.decode()
    assert "食品生产许可" in page
    page = client.get("/guide/", {"department": "GA"}).content.decode()
    assert "430702-SCJG-0002" not in page and "430702-GA-0001" in page


def test_the_item_guide_shows_materials_limits_and_compression(client, hall):
    page = client.get("/guide/item/430702-SCJG-0002").content.decode()
    assert "20个工作日" in page and "8个工作日" in page and "60.0%" in page
    assert "食品生产许可" in page and "申请材料" in page
    assert client.get("/guide/item/NOPE").status_code == 404


def test_the_bundle_guide_lists_one_set_of_materials_for_the_option(client, hall):
    page = client.get("/guide/bundle/430702-YJS-0001", {"option": "D"}).content.decode()
    assert "执照+印章+发票+社保登记四合一" in page and "一套材料" in page
    assert client.get("/guide/bundle/430702-YJS-0001", {"option": "Z"}).status_code == 404


def test_the_guides_are_pdfs_with_the_chinese_font_embedded(client, hall):
    for url in ("/guide/item/430702-SCJG-0002.pdf", "/guide/bundle/430702-YJS-0001.pdf?option=B"):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF") and b"FontFile2" in response.content


def test_tracking_needs_the_right_suffix_and_never_tells_which_part_is_wrong(client, hall, persona):
    application = accepted(persona("window1"), enterprise(), item="430702-SCJG-0002")
    suffix = application.applicant.id_number[-6:]
    page = client.get("/track", {"number": application.number, "suffix": suffix})
    assert page.status_code == 200 and "食品生产许可" in page.content.decode()
    wrong = client.get("/track", {"number": application.number, "suffix": "000000"})
    unknown = client.get("/track", {"number": "430702209912310001", "suffix": suffix})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.context["error"] == unknown.context["error"]


# ---- window ---------------------------------------------------------------------------------------


def test_a_wrong_credit_code_is_refused_naming_the_character(login, hall):
    client = login("window1")
    code = idcodes.generate_uscc(random.Random(7), region6="430702")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = client.post(
        "/window/applicant",
        {
            "kind": "entity",
            "name": "测试公司",
            "id_number": wrong,
            "legal_representative": "张三",
            "phone": "13907360001",
        },
    )
    assert response.status_code == 400
    assert "第18位" in response.content.decode()


def _register(client, seed: int = 11) -> int:
    code = idcodes.generate_uscc(random.Random(seed), region6="430702")
    response = client.post(
        "/window/applicant",
        {
            "kind": "entity",
            "name": "常德市武陵区好味食品有限公司",
            "id_number": code,
            "legal_representative": "李四",
            "phone": "13907360009",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return int(response["Location"].rstrip("/").split("/")[-1])


def _start(client, applicant_id: int, target: str = "I:430702-SCJG-0002") -> Application:
    response = client.post(f"/window/new/{applicant_id}", {"target": target, "delivery_method": "window"})
    assert response.status_code == 302
    return Application.objects.get(draft_ref=response["Location"].split("/")[-1])


def test_the_window_registers_uploads_submits_and_accepts(login, hall):
    client = login("window1")
    application = _start(client, _register(client))
    base = f"/window/app/{application.draft_ref}"
    page = client.get(base).content.decode()
    assert "食品生产许可" in page and "材料清单" in page
    for row in application.materials.select_related("material"):
        response = client.post(f"{base}/upload", {"material": row.material.key, "file": pdf()})
        assert response.status_code == 302
    assert client.post(f"{base}/submit").status_code == 302
    assert client.post(f"{base}/accept").status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED and application.number
    page = client.get(f"/window/app/{application.number}").content.decode()
    assert application.number in page and "部门办件" in page
    assert application.draft_ref in client.get("/window/").content.decode() or application.number in page


def test_accepting_with_missing_materials_shows_the_rule_on_the_page_with_400(login, hall):
    client = login("window1")
    application = _start(client, _register(client))
    base = f"/window/app/{application.draft_ref}"
    client.post(f"{base}/submit")
    response = client.post(f"{base}/accept")
    assert response.status_code == 400
    assert "以下必要材料尚未提交" in response.content.decode()


def test_an_upload_of_the_wrong_type_is_refused_with_the_services_message(login, hall):
    client = login("window1")
    application = _start(client, _register(client))
    key = application.materials.first().material.key
    bad = SimpleUploadedFile("x.txt", b"hello", content_type="text/plain")
    response = client.post(f"/window/app/{application.draft_ref}/upload", {"material": key, "file": bad})
    assert response.status_code == 400 and "不是可接受的类型" in response.content.decode()


def test_a_correction_notice_lists_every_missing_material_and_the_extra_reasons(login, hall):
    client = login("window1")
    application = _start(client, _register(client))
    base = f"/window/app/{application.draft_ref}"
    first = application.materials.select_related("material").first()
    client.post(f"{base}/upload", {"material": first.material.key, "file": pdf()})
    client.post(f"{base}/submit")
    response = client.post(
        f"{base}/correction", {f"reason_{first.material.key}": "未加盖公章", "other": "申请表漏填电话"}
    )
    assert response.status_code == 302
    page = client.get(base).content.decode()
    assert "一次性告知书" in page and "未加盖公章" in page and "申请表漏填电话" in page
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CORRECTION_REQUESTED


def test_state_changes_need_post_and_csrf(hall, persona):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(persona("window1"))
    application = accepted(persona("window1"), enterprise(), item="430702-SCJG-0002")
    assert client.get(f"/window/app/{application.number}/accept").status_code == 405
    assert client.post(f"/window/app/{application.number}/accept").status_code == 403


# ---- department, delivery, supervisor ----------------------------------------------------------


def test_the_reviewer_sees_only_the_actions_the_state_allows_and_runs_the_case(login, hall, persona):
    application = accepted(persona("window1"), enterprise(), item="430702-SCJG-0002")
    case = application.cases.get()
    client = login("scjg_reviewer")
    queue = client.get("/department/").content.decode()
    assert case.number in queue
    page = client.get(f"/department/case/{case.number}").content.decode()
    assert "开始审查" in page and "作出决定" not in page and "法定时限" in page
    # A decision before review is refused by the transition table, shown on the page with 400.
    refused = client.post(f"/department/case/{case.number}/decide", {"decision": "approve", "basis": "x"})
    assert refused.status_code == 400 and "未能办理" in refused.content.decode()
    assert client.post(f"/department/case/{case.number}/start_review").status_code == 302
    response = client.post(
        f"/department/case/{case.number}/schedule_inspection",
        {"scheduled_for": "2030-01-02T10:00", "inspectors": "王建华、刘卫东"},
    )
    assert response.status_code == 302
    inspection = case.inspections.get()
    assert (
        client.post(
            f"/department/case/{case.number}/record_finding", {"inspection": inspection.pk, "passed": "1"}
        ).status_code
        == 302
    )
    assert client.post(f"/department/case/{case.number}/submit_for_decision").status_code == 302
    assert (
        client.post(
            f"/department/case/{case.number}/decide",
            {"decision": "approve", "basis": "《食品安全法》第三十五条"},
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ISSUED  # approval issues the e-licence

    delivery = login("delivery1")
    assert application.number in delivery.get("/window/delivery").content.decode()
    response = delivery.post(f"/window/app/{application.number}/deliver", {"method": "mail"})
    assert response.status_code == 400 and "邮件单号" in response.content.decode()
    response = delivery.post(
        f"/window/app/{application.number}/deliver",
        {"method": "mail", "tracking_number": "SF1234567890", "next": "delivery"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_another_departments_reviewer_cannot_see_the_case(login, hall, persona):
    application = accepted(persona("window1"), enterprise(), item="430702-SCJG-0002")
    case = application.cases.get()
    client = login("sw_reviewer")
    assert case.number not in client.get("/department/").content.decode()
    assert client.get(f"/department/case/{case.number}").status_code == 404


def test_an_unknown_filter_is_a_message_not_a_500(login, hall):
    response = login("scjg_reviewer").get("/department/", {"warning": "purple"})
    assert response.status_code == 400 and "预警级别" in response.content.decode()


def test_the_worklist_query_count_does_not_grow_with_the_number_of_cases(login, hall, persona):
    officer = persona("window1")
    accepted(officer, enterprise(seed=31), item="430702-SCJG-0002")
    client = login("scjg_reviewer")
    with CaptureQueriesContext(connection) as one:
        client.get("/department/")
    for seed in range(32, 36):
        accepted(officer, enterprise(name=f"测试食品厂{seed}", seed=seed), item="430702-SCJG-0002")
    with CaptureQueriesContext(connection) as five:
        page = client.get("/department/")
    assert page.content.decode().count("/department/case/") >= 5
    assert len(five) == len(one)


def test_the_supervisor_dashboard_counts_cases_and_intake(login, hall, persona):
    accepted(persona("window1"), enterprise(), item="430702-SCJG-0002")
    page = login("supervisor").get("/supervisor/")
    assert page.status_code == 200
    data = page.context["data"]
    assert dict((s, n) for s, _label, n in data.by_status)["accepted"] == 1
    assert data.intake_today == 1 and sum(data.by_warning.values()) == 1


def test_the_supervisor_dashboard_sorts_open_cases_into_warning_levels(login, hall, persona):
    import datetime as dt

    from onewindow.cases.models import Case
    from onewindow.core.timeutil import now

    at = now()
    applicant = enterprise()
    cases = [accepted(persona("window1"), applicant, item="430702-SCJG-0002").cases.get() for _ in range(5)]
    # overdue (twice), within the last fifth of a long limit, plenty left, and no deadline
    deadlines = [
        (at - dt.timedelta(days=30), at - dt.timedelta(days=2)),
        (at - dt.timedelta(days=30), at - dt.timedelta(hours=1)),
        (at - dt.timedelta(days=90), at + dt.timedelta(days=10)),
        (at - dt.timedelta(days=1), at + dt.timedelta(days=60)),
        (at - dt.timedelta(days=1), None),
    ]
    for case, (accepted_at, due) in zip(cases, deadlines, strict=True):
        warning_at = accepted_at + (due - accepted_at) * 0.8 if due else None  # as if on working time
        Case.objects.filter(pk=case.pk).update(
            accepted_at=accepted_at, promised_due_at=due, warning_at=warning_at
        )
    Case.objects.filter(pk=cases[4].pk).update(status=CaseStatus.SUSPENDED)
    data = login("supervisor").get("/supervisor/").context["data"]
    assert data.by_warning == {"normal": 2, "warning": 1, "overdue": 2}
    assert [c.pk for c in data.overdue] == [cases[0].pk, cases[1].pk]  # the most overdue first
    by_status = {s: n for s, _label, n in data.by_status}
    assert by_status["accepted"] == 4 and by_status["suspended"] == 1
