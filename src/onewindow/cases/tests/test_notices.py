"""The PDF notices: valid PDFs with the Chinese font embedded and the content the law asks for."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
import time_machine

from onewindow.cases import notices, services
from onewindow.cases.tests.factories import (
    accepted,
    decide_through_review,
    draft,
    enterprise,
    provide_all,
)
from onewindow.core.errors import InvalidTransition, NotFound

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
MONDAY_MORNING = dt.datetime(2025, 3, 3, 9, 30, tzinfo=TZ)
FOOD_PRODUCTION = "430702-SCJG-0002"
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


@pytest.fixture
def officer(hall, persona):
    return persona("window1")


def text_of(pdf: bytes, tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True)
    return "".join(out.stdout.split())  # CJK text has no spaces; wrapping may add some


def assert_valid_pdf(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert b"WenQuanYiMicroHei" in pdf  # the Chinese font, subset-embedded


@needs_pdftotext
@time_machine.travel(MONDAY_MORNING, tick=False)
def test_the_acceptance_notice_lists_each_case_with_promised_and_statutory_deadlines(officer, tmp_path):
    application = accepted(officer, enterprise(), bundle="430702-YJS-0002", option="A")
    pdf = notices.acceptance_notice(application)
    assert_valid_pdf(pdf)
    text = text_of(pdf, tmp_path, "acceptance")
    assert "受理通知书" in text
    assert "常德市武陵区政务服务中心" in text
    assert application.number in text
    assert application.applicant.name in text
    for case in application.cases.all():
        assert case.number in text
    assert "2025年3月26日前" in text  # the bundle's joint 17-working-day deadline
    assert "/track?number=" + application.number in text
    assert "纸质文书加盖印章" in text


@needs_pdftotext
def test_the_correction_notice_lists_every_missing_material_with_its_reason_and_the_five_day_rule(
    officer, tmp_path
):
    application = draft(officer, enterprise(), item=FOOD_PRODUCTION)
    provide_all(officer, application, skip=("food_safety_rules", "food_production_layout"))
    application = services.application_submit(actor=officer, application=application)
    notice = services.application_request_correction(
        actor=officer,
        application=application,
        extra=[
            {
                "material": "id_card",
                "reason": "法定代表人身份证复印件不清晰，请提供清晰的正反面复印件并加盖公章",
            }
        ],
        note="请在补正时一并携带原件核验",
    )
    pdf = notices.correction_notice(application)
    assert_valid_pdf(pdf)
    text = text_of(pdf, tmp_path, "correction")
    assert "补正告知书" in text
    assert len(notice.items) == 3
    for item in notice.items:
        assert item["name"] in text
        assert "".join(item["reason"].split()) in text
    assert "五个工作日内" in text and "第三十二条" in text
    assert "湖南省常德市武陵区政务服务中心一楼" in text  # where to hand the materials in
    assert application.draft_ref in text


@needs_pdftotext
def test_the_refusal_states_its_reason_and_the_remedies(officer, tmp_path):
    application = services.application_submit(
        actor=officer, application=draft(officer, enterprise(), item=FOOD_PRODUCTION)
    )
    with pytest.raises(InvalidTransition):
        notices.refusal_notice(application)
    application = services.application_refuse(
        actor=officer, application=application, reason="申请事项依法不需要取得行政许可"
    )
    pdf = notices.refusal_notice(application)
    assert_valid_pdf(pdf)
    text = text_of(pdf, tmp_path, "refusal")
    assert "不予受理决定书" in text
    assert "申请事项依法不需要取得行政许可" in text
    assert "行政复议" in text and "行政诉讼" in text


@needs_pdftotext
@pytest.mark.parametrize("approve", [True, False])
def test_the_decision_notice_states_the_basis_and_for_a_denial_the_remedies(officer, tmp_path, approve):
    application = accepted(officer, enterprise(), item="430702-SCJG-0009")
    case = application.cases.get()
    with pytest.raises(InvalidTransition):
        notices.decision_notice(case)
    case = decide_through_review(case, approve=approve, basis="《市场主体登记管理条例》第三十一条")
    pdf = notices.decision_notice(case)
    assert_valid_pdf(pdf)
    text = text_of(pdf, tmp_path, f"decision-{approve}")
    assert ("准予行政许可决定书" if approve else "不予行政许可决定书") in text
    assert "《市场主体登记管理条例》第三十一条" in text
    assert case.number in text
    assert "市场监督管理局" in text  # the deciding department signs
    assert ("行政复议" in text) is (not approve)


def test_a_correction_notice_that_does_not_exist_is_not_found(officer):
    application = draft(officer, enterprise(), item=FOOD_PRODUCTION)
    with pytest.raises(NotFound):
        notices.correction_notice(application)


def test_the_qr_code_points_to_the_public_tracking_page(officer, settings):
    settings.ONEWINDOW_PUBLIC_URL = "https://zwfw.example.cn/"
    application = draft(officer, enterprise(), item=FOOD_PRODUCTION)
    assert (
        notices.tracking_url(application) == f"https://zwfw.example.cn/track?number={application.draft_ref}"
    )
