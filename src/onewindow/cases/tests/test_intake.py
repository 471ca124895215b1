"""Window intake: checklist, acceptance, correction, refusal, deemed acceptance (行政许可法 第三十二条)."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.cases import services
from onewindow.cases.models import ApplicationStatus, Case, CaseEvent, CaseStatus, MaterialState
from onewindow.cases.selectors import due_day
from onewindow.cases.tests.factories import accepted, draft, enterprise, pdf, provide_all
from onewindow.core.errors import DomainError, InvalidInput, InvalidTransition, PermissionDenied

pytestmark = pytest.mark.django_db
MONDAY_MORNING = dt.datetime(2025, 3, 3, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PHARMACY = "430702-YJS-0002"
FOOD_PRODUCTION = "430702-SCJG-0002"


@pytest.fixture
def officer(hall, persona):
    return persona("window1")


def test_a_bundle_checklist_asks_for_shared_materials_once(officer):
    application = draft(officer, enterprise(), bundle=PHARMACY, option="A")
    keys = list(application.materials.values_list("material__key", flat=True))
    assert len(keys) == len(set(keys))
    assert "business_licence" in keys and "id_card" in keys


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_accepting_gives_a_number_and_one_case_per_item_bound_to_its_version(officer):
    application = accepted(officer, enterprise(), bundle=PHARMACY, option="A")
    assert re.fullmatch(r"43070220250303\d{4}", application.number)
    cases = list(application.cases.order_by("number"))
    assert len(cases) == 3
    assert {c.status for c in cases} == {CaseStatus.ACCEPTED}
    assert all(c.item_version_id == c.item_version.item.current_version_id for c in cases)
    assert due_day(application.joint_due_at) == dt.date(2025, 3, 26)  # 17 working days later


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_promised_and_statutory_deadlines_are_both_recorded(officer):
    application = accepted(officer, enterprise(), item=FOOD_PRODUCTION)
    case = application.cases.get()
    assert due_day(case.promised_due_at) == dt.date(2025, 3, 13)  # 8 WD
    assert due_day(case.legal_due_at) == dt.date(2025, 3, 31)  # 20 WD
    assert not case.deadline_provisional


def test_acceptance_is_refused_while_a_required_material_is_missing(officer):
    application = draft(officer, enterprise(), item=FOOD_PRODUCTION)
    provide_all(officer, application, skip=("food_safety_rules",))
    application = services.application_submit(actor=officer, application=application)
    with pytest.raises(DomainError, match=r"以下必要材料尚未提交"):
        services.application_accept(actor=officer, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not Case.objects.exists()


def test_one_correction_notice_lists_everything_missing_and_resubmission_returns_to_the_same_application(
    officer,
):
    application = draft(officer, enterprise(), item=FOOD_PRODUCTION)
    provide_all(officer, application, skip=("food_safety_rules", "food_production_layout"))
    application = services.application_submit(actor=officer, application=application)
    notice = services.application_request_correction(
        actor=officer, application=application, extra=[{"material": "id_card", "reason": "复印件不清晰"}]
    )
    assert {i["material"] for i in notice.items} == {"food_safety_rules", "food_production_layout", "id_card"}
    for key in ("food_safety_rules", "food_production_layout"):
        services.application_attach_material(
            actor=officer, application=application, material_key=key, upload=pdf()
        )
    application.refresh_from_db()
    application = services.application_resubmit(actor=officer, application=application)
    application = services.application_accept(actor=officer, application=application)
    assert application.status == ApplicationStatus.ACCEPTED
    assert application.corrections.get().resubmitted_at is not None


def test_refusal_states_reason_and_remedies(officer):
    application = draft(officer, enterprise(), item=FOOD_PRODUCTION)
    application = services.application_submit(actor=officer, application=application)
    with pytest.raises(InvalidInput):
        services.application_refuse(actor=officer, application=application, reason=" ")
    application = services.application_refuse(
        actor=officer, application=application, reason="不属于本机关职权范围"
    )
    assert application.status == ApplicationStatus.REFUSED
    assert "行政复议" in application.refusal_remedies


def test_without_a_notice_within_five_working_days_the_timer_accepts_as_of_receipt(officer):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        application = draft(officer, enterprise(), item=FOOD_PRODUCTION)
        application = services.application_submit(actor=officer, application=application)
    with time_machine.travel(MONDAY_MORNING + dt.timedelta(days=4), tick=False):
        assert services.timers_fire_due() == []
    with time_machine.travel(MONDAY_MORNING + dt.timedelta(days=8), tick=False):
        fired = services.timers_fire_due()
        assert len(fired) == 1
        assert services.timers_fire_due() == []  # idempotent
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    assert application.deemed_accepted
    assert application.accepted_at == application.received_at


def test_an_action_the_state_does_not_allow_is_refused_with_what_is_allowed(officer):
    application = accepted(officer, enterprise(), item=FOOD_PRODUCTION)
    with pytest.raises(InvalidTransition) as info:
        services.application_refuse(actor=officer, application=application, reason="重复")
    assert "已受理的申请不能不予受理" in str(info.value)
    assert info.value.status == 409


def test_a_reviewer_may_not_accept_at_the_window(officer, persona):
    application = draft(officer, enterprise(), item=FOOD_PRODUCTION)
    provide_all(officer, application)
    application = services.application_submit(actor=officer, application=application)
    with pytest.raises(PermissionDenied):
        services.application_accept(actor=persona("scjg_reviewer"), application=application)


def test_a_stale_copy_cannot_overwrite_a_newer_decision(officer):
    from onewindow.core.errors import ConcurrentChange

    application = draft(officer, enterprise(), item=FOOD_PRODUCTION)
    provide_all(officer, application)
    application = services.application_submit(actor=officer, application=application)
    stale = type(application).objects.get(pk=application.pk)
    services.application_accept(actor=officer, application=application)
    with pytest.raises((ConcurrentChange, InvalidTransition)):
        services.application_refuse(actor=officer, application=stale, reason="过时")
    assert CaseEvent.objects.filter(action="refuse").count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.exe", b"MZ\x90\x00binary", "不是可接受的类型"),
        ("empty.pdf", b"", "空的"),
    ],
)
def test_a_wrong_type_or_empty_upload_is_refused(officer, name, content, message):
    application = draft(officer, enterprise(), item=FOOD_PRODUCTION)
    with pytest.raises(InvalidInput, match=message):
        services.application_attach_material(
            actor=officer,
            application=application,
            material_key="id_card",
            upload=SimpleUploadedFile(name, content),
        )
    assert application.materials.get(material__key="id_card").state == MaterialState.MISSING


def test_an_oversize_upload_is_refused(officer, settings):
    settings.ONEWINDOW_MAX_UPLOAD_MB = 1
    application = draft(officer, enterprise(), item=FOOD_PRODUCTION)
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (1024 * 1024 + 10))
    with pytest.raises(InvalidInput, match="超过 1 MB"):
        services.application_attach_material(
            actor=officer, application=application, material_key="id_card", upload=big
        )


def test_a_material_not_on_the_list_cannot_be_waived_or_committed(officer):
    application = draft(officer, enterprise(), item=FOOD_PRODUCTION)
    with pytest.raises(DomainError, match="不在容缺受理清单内"):
        services.application_mark_material(
            actor=officer, application=application, material_key="id_card", state="waived"
        )
    with pytest.raises(InvalidInput, match="不需要材料"):
        services.application_mark_material(
            actor=officer, application=application, material_key="nope", state="waived"
        )


def test_a_material_an_existing_valid_licence_satisfies_is_not_asked_for(officer):
    from onewindow.licences.selectors import licence_type_get
    from onewindow.licences.services import licence_issue

    company = enterprise()
    licence = licence_issue(licence_type=licence_type_get(name="营业执照"), holder=company, actor=None)
    application = draft(officer, company, item=FOOD_PRODUCTION)
    row = application.materials.get(material__key="business_licence")
    assert row.state == MaterialState.SATISFIED
    assert licence.number in row.evidence and row.evidence.startswith("电子证照 营业执照")
    provide_all(officer, application)
    assert not application.materials.filter(material__key="business_licence", sha256__gt="").exists()
    application = services.application_submit(actor=officer, application=application)
    assert (
        services.application_accept(actor=officer, application=application).status
        == ApplicationStatus.ACCEPTED
    )
