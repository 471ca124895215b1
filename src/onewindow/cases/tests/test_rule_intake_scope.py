"""Who may use what at intake: 告知承诺 is closed to an applicant with an unrepaired false-commitment
record (国办发〔2020〕42号), and a town or village window takes in only the items devolved to its tier,
collecting others for the county only where the item allows 代收代办."""

import datetime as dt

import pytest
import time_machine

from onewindow.cases import services
from onewindow.cases.models import CreditRecord, MaterialState
from onewindow.cases.services import GuardFailed
from onewindow.cases.tests.factories import accepted, department_staff, draft, enterprise, provide_all
from onewindow.catalog.models import ServiceItem
from onewindow.org.models import Region

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
FOOD = "430702-SCJG-0003"  # 食品经营许可: food_safety_rules may be replaced by a commitment


def at(day: str, clock: str = "09:30"):
    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=TZ), tick=False)


@pytest.fixture
def officer(hall, persona):
    return persona("window1")


@pytest.fixture
def false_commitment(officer, persona):
    """An enterprise whose commitment was found false on post-verification."""
    applicant = enterprise()
    with at("2025-03-03"):
        application = draft(officer, applicant, item="430702-WJ-0001")  # 公共场所卫生许可（告知承诺制）
        provide_all(officer, application, skip=("public_place_layout",))
        services.application_mark_material(
            actor=officer, application=application, material_key="public_place_layout", state="committed"
        )
        application = services.application_submit(actor=officer, application=application)
        case = services.application_accept(actor=officer, application=application).cases.get()
        case = services.case_decide(actor=department_staff("WJ"), case=case, approve=True, basis="告知承诺")
    with at("2025-03-10"):
        services.post_verification_finish(
            actor=department_staff("WJ"), case=case, passed=False, note="现场卫生条件与承诺不符"
        )
    return applicant


def test_an_unrepaired_false_commitment_closes_commitment_for_every_item(officer, false_commitment):
    with at("2025-03-12"):
        application = draft(officer, false_commitment, item=FOOD)
    row = application.materials.get(material__key="food_safety_rules")
    assert not row.commitment_allowed
    with at("2025-03-12"), pytest.raises(GuardFailed, match="虚假承诺记录"):
        services.application_mark_material(
            actor=officer, application=application, material_key="food_safety_rules", state="committed"
        )


def test_a_repaired_record_opens_commitment_again(officer, persona, false_commitment):
    record = CreditRecord.objects.get(applicant=false_commitment)
    with at("2025-06-01"):
        services.credit_record_repair(actor=persona("supervisor"), record=record, note="已整改并公开承诺")
        application = draft(officer, false_commitment, item=FOOD)
        row = services.application_mark_material(
            actor=officer, application=application, material_key="food_safety_rules", state="committed"
        )
    assert row.state == MaterialState.COMMITTED


def test_a_commitment_signed_before_the_record_is_refused_at_acceptance(officer, persona):
    applicant = enterprise(seed=7)
    with at("2025-03-03"):
        application = draft(officer, applicant, item=FOOD)
        provide_all(officer, application, skip=("food_safety_rules",))
        services.application_mark_material(
            actor=officer, application=application, material_key="food_safety_rules", state="committed"
        )
        application = services.application_submit(actor=officer, application=application)
    CreditRecord.objects.create(
        applicant=applicant, kind="false_commitment", note="另案", recorded_at=application.received_at
    )
    with at("2025-03-03", "10:00"), pytest.raises(GuardFailed, match="撤回承诺"):
        services.application_accept(actor=officer, application=application)


# ---- devolution tiers ------------------------------------------------------------------------------


@pytest.fixture
def town(hall):
    return Region.objects.get(code="430702100000")  # 河洑镇


def test_a_town_window_takes_in_an_item_devolved_to_the_town(persona, town):
    application = draft(persona("hefu_window"), enterprise(), item="430702-SCJG-0007", region=town)
    assert not application.collected_on_behalf


def test_a_town_window_cannot_take_in_a_county_item_that_may_not_be_collected(persona, town):
    with pytest.raises(GuardFailed, match="未下放至乡镇（街道），也不可代收代办"):
        draft(persona("hefu_window"), enterprise(), item="430702-SCJG-0002", region=town)


def test_a_town_window_collects_a_county_item_that_allows_it_and_the_county_department_handles_it(
    persona, town
):
    ServiceItem.objects.filter(code=FOOD).update(collect_for_higher_tier=True, tier_town=False)
    officer = persona("hefu_window")
    with at("2025-03-03"):
        application = accepted(officer, enterprise(), item=FOOD, region=town)
    assert application.collected_on_behalf
    case = application.cases.get()
    assert case.department.code == case.step_department.code == "SCJG"


def test_a_bundle_at_a_town_window_needs_every_item_devolved_or_collectable(persona, town):
    with pytest.raises(GuardFailed, match="本窗口不能受理"):
        draft(persona("hefu_window"), enterprise(), bundle="430702-YJS-0002", option="A", region=town)
