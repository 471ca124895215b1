"""The simulated history issues real e-licences: signed, verifiable, each 营业执照 held by an
enterprise with a valid credit code, and the pharmacy's 一业一证 permits integrated into one."""

import datetime as dt
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from onewindow.bench.simulate import simulate
from onewindow.cases.models import Case, CaseEvent, CaseStatus
from onewindow.core.timeutil import today
from onewindow.licences.models import Licence, LicenceAction, LicenceStatus, LicenceType
from onewindow.licences.selectors import licence_code, licence_verify
from onewindow.licences.services import licence_issue
from onewindow.org import idcodes
from onewindow.org.models import ApplicantKind

pytestmark = pytest.mark.django_db
YEARS = [2024, 2025]


def run(cases: int, seed: int):
    return simulate(cases=cases, years=YEARS, seed=seed, progress=lambda line: None)


def test_approved_cases_with_a_licence_type_get_a_signed_verifiable_licence(hall):
    summary = run(600, 7)
    licences = {lic.source_case_no: lic for lic in Licence.objects.exclude(source_case_id=None)}
    assert summary.licences == Licence.objects.count() > 100
    with_type = Case.objects.exclude(item_version__result_licence_type="").select_related("item_version")
    for case in with_type:
        licence = licences.get(case.number)
        if case.decision != "approve":
            assert licence is None and case.licence_number == ""
            continue
        assert case.licence_number == licence.number and licence.source_case_id == case.pk
        assert licence.licence_type.name == case.item_version.result_licence_type
        assert licence.issued_at == case.decided_at
        assert case.status in (CaseStatus.ISSUED, CaseStatus.CLOSED)
        assert CaseEvent.objects.filter(case=case, action="issue", data__licence=licence.number).exists()
    # every one checks against the published key, as /verify does
    verdicts = {licence_verify(number=n).verdict for n in Licence.objects.values_list("number", flat=True)}
    assert verdicts <= {"valid", "expired", "partly_invalid"}
    assert not Case.objects.filter(item_version__result_licence_type="").exclude(licence_number="").exists()


def test_every_business_licence_is_held_by_an_enterprise_with_a_valid_credit_code(hall):
    summary = run(1200, 3)
    business = Licence.objects.filter(licence_type__name="营业执照").select_related("holder")
    assert business.count() >= 10 and summary.enterprises >= 5
    for licence in business:
        assert licence.holder.kind == ApplicantKind.ENTITY
        assert idcodes.validate_uscc(licence.holder.id_number) == licence.holder_id_number
        assert licence.payload["data"]["住所"] and licence.payload["data"]["经营范围"]
    # a 设立登记 founds the enterprise: the founder (a person) applied, the new enterprise holds it
    founded = Licence.objects.filter(
        source_case_no__in=Case.objects.filter(item_version__registration="establish").values("number")
    ).select_related("holder")
    assert founded.exists()
    for licence in founded:
        case = Case.objects.select_related("application__applicant").get(number=licence.source_case_no)
        assert case.application.applicant.kind == ApplicantKind.PERSON
        assert licence.holder != case.application.applicant
        assert licence.holder.created_at == case.decided_at and licence.holder.legal_representative
        assert licence.holder.id_number[8:10] == "MA"  # the code body of a new registration


def test_the_pharmacy_bundle_gets_one_integrated_licence_listing_its_permits(hall, client):
    summary = run(1200, 3)
    integrated = Licence.objects.filter(licence_type__name="行业综合许可证（开办药店“一业一证”）")
    assert summary.integrated == integrated.count() >= 1
    for licence in integrated:
        permits = list(licence.permits.order_by("permit_links__position"))
        assert len(permits) in (2, 3) and {p.holder_id for p in permits} == {licence.holder_id}
        assert [p["number"] for p in licence.payload["permits"]] == [p.number for p in permits]
        assert {p.source_case_no[:-3] for p in permits} == {licence.source_case_no}  # one application
        assert licence.expires_on == min(p.expires_on for p in permits)
    scanned = urlsplit(licence_code(integrated.first()))
    page = client.get(f"{scanned.path}?{scanned.query}")
    assert page.status_code == 200 and page.context["result"].signature_ok
    assert len(page.context["result"].permits) >= 2


def test_a_licence_past_its_last_day_is_expired_with_its_event(hall):
    run(600, 7)
    past = Licence.objects.filter(expires_on__lt=today())
    assert past.exists()  # one-month 超限运输车辆通行证 of 2024
    for licence in past:
        assert licence.status == LicenceStatus.EXPIRED
        event = licence.events.get(action=LicenceAction.EXPIRE)
        assert timezone.localtime(event.created_at).date() == licence.expires_on + dt.timedelta(days=1)
    assert not Licence.objects.filter(expires_on__gte=today(), status=LicenceStatus.EXPIRED).exists()


def test_numbers_issued_after_the_simulation_continue_its_counters(hall):
    with time_machine.travel(dt.datetime(2025, 12, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        simulate(cases=300, years=[2025], seed=1, progress=lambda line: None)
        business = LicenceType.objects.get(name="营业执照")
        simulated = Licence.objects.filter(licence_type=business, number__startswith="YZ43070225")
        last = simulated.latest("number").number
        issued = licence_issue(licence_type=business, holder=simulated.first().holder, actor=None)
    assert issued.number == f"YZ43070225{int(last[-6:]) + 1:06d}"
