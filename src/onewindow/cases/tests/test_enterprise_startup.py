"""企业开办 for real (issue 18): the founder applies with the company's data, 市场监管's approval founds
the enterprise with its own unified social credit code, the 营业执照 is issued to it, and the later
steps (seal, invoices, social insurance) are the enterprise's, without any upload of the licence.
一业一证: the pharmacy bundle yields one integrated licence listing its permits."""

import datetime as dt

import pytest
import time_machine

from onewindow.cases import services
from onewindow.cases.models import CaseStatus, MaterialState
from onewindow.cases.selectors import application_track
from onewindow.cases.tests.factories import (
    accepted,
    decide_through_review,
    draft,
    enterprise,
    person,
    registration_form,
)
from onewindow.core.errors import InvalidInput
from onewindow.enterprises.models import Enterprise
from onewindow.licences.models import Licence
from onewindow.licences.selectors import (
    integrated_licence_for,
    integrated_permits,
    licence_get,
    licence_verify,
)
from onewindow.org import idcodes

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: str, clock: str = "09:00"):
    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=TZ), tick=False)


@pytest.fixture
def officer(hall, persona):
    return persona("window1")


@pytest.fixture
def founder():
    return person("张三", seed=11)


def startup(officer, founder, **form):
    data = registration_form("establish")
    data["name"]["trade_name"] = form.pop("trade_name", "鼎盛")
    data.update(form)
    return accepted(officer, founder, bundle="430702-YJS-0001", option="D", form_data={"registration": data})


def test_the_approval_founds_the_enterprise_and_its_licence_is_the_companys(officer, founder, persona):
    with at("2025-03-03"):
        application = startup(officer, founder)
        cases = {c.item_version.item.code: c for c in application.cases.all()}
    assert application.materials.get(material__key="business_licence").state == MaterialState.SATISFIED
    with at("2025-03-03", "10:30"):
        licence_case = decide_through_review(cases["430702-SCJG-0001"])
    company = Enterprise.objects.get()
    assert company.name == "常德市武陵区鼎盛餐饮管理有限公司"
    assert idcodes.validate_uscc(company.applicant.id_number) == company.applicant.id_number
    licence = licence_get(number=licence_case.licence_number)
    assert licence.holder_id == company.applicant_id != founder.pk
    assert licence.data["名称"] == company.name and licence.data["统一社会信用代码"] == company.uscc
    assert licence_case.holder_id == company.applicant_id
    with at("2025-03-03", "11:00"):
        for code in ("430702-GA-0001", "430702-SW-0001", "430702-RS-0001"):
            case = cases[code]
            case.refresh_from_db()
            assert case.holder_id == company.applicant_id  # the later steps are the company's
            assert case.clock_started_at == dt.datetime(2025, 3, 3, 10, 30, tzinfo=TZ)
            decide_through_review(case)
        services.application_deliver(actor=persona("delivery1"), application=application, method="electronic")
    application.refresh_from_db()
    assert {c.status for c in application.cases.all()} == {CaseStatus.CLOSED}
    # the founder follows every result with his own ID number's last digits
    tracking = application_track(application.number, founder.id_number[-4:])
    assert len(tracking.cases) == 4
    # the public verification shows the company, not the founder
    assert "鼎盛" in Licence.objects.get(number=licence.number).holder.name


def test_an_invalid_company_form_is_refused_at_intake_with_field_messages(officer, founder):
    data = registration_form("establish")
    data["name"]["trade_name"] = "中国"
    data["investors"][0]["share"] = 60
    with pytest.raises(InvalidInput) as refused:
        draft(officer, founder, bundle="430702-YJS-0001", option="D", form_data={"registration": data})
    errors = refused.value.fields["errors"]
    assert "name.trade_name" in errors or "name" in errors
    assert any(path.startswith("investors") for path in errors)


def test_a_start_up_without_the_company_data_is_refused(officer, founder):
    with pytest.raises(InvalidInput, match="须填写登记信息"):
        draft(officer, founder, bundle="430702-YJS-0001", option="D", form_data={})


def test_the_pharmacy_one_industry_licence_integrates_its_permits_and_shows_a_revocation(officer, persona):
    pharmacy = enterprise("常德市武陵区百姓大药房有限公司", seed=31)
    with at("2025-03-03"):
        application = accepted(officer, pharmacy, bundle="430702-YJS-0002", option="A")
    with at("2025-03-04", "10:00"):
        for case in application.cases.order_by("number"):
            if case.item_version.needs_inspection:
                reviewer = persona("scjg_reviewer")
                case = services.case_start_review(actor=reviewer, case=case)
                inspection = services.inspection_schedule(
                    actor=reviewer,
                    application=application,
                    cases=[case],
                    scheduled_for=dt.datetime(2025, 3, 4, 11, 0, tzinfo=TZ),
                    inspectors="王建华、刘卫东",
                )
                services.inspection_record_finding(
                    actor=reviewer, inspection=inspection, case=case, passed=True
                )
                case.refresh_from_db()
            decide_through_review(case)
    permits = [licence_get(number=c.licence_number) for c in application.cases.order_by("number")]
    integrated = integrated_licence_for(permits[0])
    assert integrated is not None and integrated.holder_id == pharmacy.pk
    assert all(integrated_licence_for(p) == integrated for p in permits)
    assert [s.number for s in integrated_permits(integrated)] == [p.number for p in permits]
    first = application.cases.order_by("number").first()
    services.case_revoke(actor=persona("scjg_leader"), case=first, reason="经营条件不再符合")
    states = {s.number: s.status for s in integrated_permits(integrated)}
    assert states[first.licence_number] == "revoked"
    assert licence_verify(number=integrated.number).verdict == "partly_invalid"
