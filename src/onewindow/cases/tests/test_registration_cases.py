"""变更登记 and 注销登记 as cases (issue 18): the registered entity applies, 市场监管's approval changes
the register (a new version, the old values kept) and re-issues the 营业执照, the old one 已换发 and
still verifiable as such; a cancellation ends the entity and its licences (已注销, not 吊销).
《市场主体登记管理条例》第二十四条 (变更), 第二十八条 (换发), 第三十一条 (注销)."""

import datetime as dt

import pytest
import time_machine

from onewindow.cases.tests.factories import (
    accepted,
    decide_through_review,
    draft,
    enterprise,
    in_register,
    person,
    registration_form,
)
from onewindow.core.errors import InvalidInput
from onewindow.enterprises.models import Enterprise, EnterpriseStatus, VersionReason
from onewindow.enterprises.selectors import enterprise_versions
from onewindow.licences.models import LicenceStatus
from onewindow.licences.selectors import licence_get, licence_verify

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
ESTABLISH, CHANGE, CANCEL = "430702-SCJG-0001", "430702-SCJG-0010", "430702-SCJG-0009"


def at(day: str, clock: str = "09:00"):
    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=TZ), tick=False)


@pytest.fixture
def officer(hall, persona):
    return persona("window1")


@pytest.fixture
def company(officer):
    """A company founded through its 设立登记 case, holding its first 营业执照."""
    with at("2025-03-03"):
        application = accepted(officer, person("张三", seed=11), item=ESTABLISH)
        case = decide_through_review(application.cases.get())
    founded = Enterprise.objects.select_related("applicant").get(applicant_id=case.holder_id)
    return founded, licence_get(number=case.licence_number)


def test_a_change_case_keeps_the_old_values_and_supersedes_the_licence(officer, company):
    founded, first = company
    new_name = {"region": "常德市武陵区", "trade_name": "华辰", "industry": "餐饮管理", "form": "有限公司"}
    with at("2025-03-10"):
        application = accepted(
            officer,
            founded.applicant,
            item=CHANGE,
            form_data={"registration": {"name": new_name, "resolution_date": "2025-03-05"}},
        )
        case = decide_through_review(application.cases.get())
    founded.refresh_from_db()
    assert founded.name == "常德市武陵区华辰餐饮管理有限公司"
    versions = list(enterprise_versions(enterprise=founded))
    assert [(v.number, v.reason) for v in versions] == [
        (1, VersionReason.ESTABLISH),
        (2, VersionReason.CHANGE),
    ]
    assert versions[0].name != founded.name and versions[0].valid_to is not None  # the old name is kept
    assert versions[1].case_number == case.number
    second = licence_get(number=case.licence_number)
    assert second.holder_id == founded.applicant_id and second.data["名称"] == founded.name
    first.refresh_from_db()
    assert (first.status, first.superseded_by_id) == (LicenceStatus.SUPERSEDED, second.pk)
    old = licence_verify(number=first.number)
    assert (old.verdict, old.superseded_by) == ("superseded", second.number)
    assert licence_verify(number=second.number).verdict == "valid"


def test_a_cancellation_case_ends_the_entity_and_its_licences(officer, company):
    founded, first = company
    with at("2025-03-10"):
        application = accepted(
            officer,
            founded.applicant,
            item=CANCEL,
            form_data={"registration": {"reason": "dissolution", "simplified": True}},
        )
        decide_through_review(application.cases.get())
    founded.refresh_from_db()
    assert (founded.status, founded.cancelled_on) == (EnterpriseStatus.CANCELLED, dt.date(2025, 3, 10))
    first.refresh_from_db()
    assert first.status == LicenceStatus.CANCELLED  # lapsed with the entity, not 吊销
    assert licence_verify(number=first.number).verdict == "cancelled"
    # nothing more can be registered for it
    with at("2025-03-11"), pytest.raises(InvalidInput) as refused:
        draft(officer, founded.applicant, item=CHANGE)
    assert "注销" in str(refused.value.fields["errors"])


def test_only_the_entity_itself_applies_for_its_change(officer, company):
    founded, _ = company
    other = enterprise("常德市武陵区另一家有限公司", seed=77)
    in_register(other)
    with at("2025-03-10"), pytest.raises(InvalidInput) as refused:
        draft(
            officer,
            other,
            item=CHANGE,
            form_data={"registration": {"uscc": founded.uscc, "scope": ["餐饮管理"]}},
        )
    assert "registration.uscc" in refused.value.fields["errors"]


def test_an_entity_not_in_the_register_is_told_so(officer):
    stranger = enterprise("常德市武陵区不在册有限公司", seed=78)
    with at("2025-03-10"), pytest.raises(InvalidInput) as refused:
        draft(
            officer, stranger, item=CANCEL, registered=False, form_data={"registration": {"reason": "other"}}
        )
    assert "uscc" in refused.value.fields["errors"]


def test_a_change_with_nothing_changed_is_refused_at_intake(officer, company):
    founded, _ = company
    with at("2025-03-10"), pytest.raises(InvalidInput) as refused:
        draft(officer, founded.applicant, item=CHANGE, form_data={"registration": {}})
    assert refused.value.fields["errors"]


def test_an_existing_entity_is_entered_with_its_own_code(hall):
    """存量入册: the code and date of establishment it already has; entered once."""
    from onewindow.enterprises.services import enterprise_record_existing
    from onewindow.org.models import Region

    holder = enterprise("常德市武陵区老字号有限公司", seed=79)
    in_register(holder)
    entered = Enterprise.objects.get(applicant=holder)
    assert entered.uscc == holder.id_number
    assert entered.established_on == dt.date(2020, 6, 1)
    assert enterprise_versions(enterprise=entered).get().reason == VersionReason.RECORD
    with pytest.raises(InvalidInput):
        enterprise_record_existing(
            actor=None,
            kind="establish",
            uscc=holder.id_number,
            established_on=dt.date(2020, 6, 1),
            data=registration_form("establish"),
            region=Region.objects.get(code="430702000000"),
        )
    with pytest.raises(InvalidInput):
        enterprise_record_existing(
            actor=None,
            kind="establish",
            uscc="91430702MA4L00000X",
            established_on=dt.date(2020, 6, 1),
            data=registration_form("establish"),
            region=Region.objects.get(code="430702000000"),
        )
