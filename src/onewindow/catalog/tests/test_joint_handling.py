"""联合办理 (行政许可法 第二十六条、第四十二条第二款) in the catalogue: a bundle of two or more departments'
items may be handled jointly within 45 working days, extendable by 15; one department's bundle,
or an option within one department, is not."""

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.catalog.limits import JOINT_HANDLING_EXTENSION, JOINT_HANDLING_LIMIT
from onewindow.catalog.models import Bundle, ServiceItem
from onewindow.catalog.selectors import bundle_document, bundle_joint_limit
from onewindow.catalog.services import bundle_create, bundle_update
from onewindow.catalog.tests.catalogues import BUNDLE, FOOD, HR, SEAL
from onewindow.clock.workdays import Duration, Unit
from onewindow.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


def bundle() -> Bundle:
    return Bundle.objects.get(code=BUNDLE)


def items(*codes: str) -> list[ServiceItem]:
    return [ServiceItem.objects.get(code=c) for c in codes]


def test_the_joint_limit_is_45_working_days_extendable_by_15():
    assert Duration(45, Unit.WORKDAY) == JOINT_HANDLING_LIMIT
    assert Duration(15, Unit.WORKDAY) == JOINT_HANDLING_EXTENSION


def test_a_bundle_is_not_handled_jointly_unless_it_says_so(small_catalogue):
    assert bundle_joint_limit(bundle()) is None


def test_a_jointly_handled_bundle_of_three_departments_has_the_45_day_limit(small_catalogue):
    bundle_update(bundle=bundle(), actor=None, joint_handling=True)
    assert bundle().joint_handling
    assert bundle_document(bundle())["joint_handling"] is True
    assert bundle_joint_limit(bundle()) == JOINT_HANDLING_LIMIT
    assert bundle_joint_limit(bundle(), "A") == JOINT_HANDLING_LIMIT  # 公章 GA + 食品 SCJG
    assert AuditEvent.objects.filter(action="catalog.bundle_update", object_id=str(bundle().pk)).exists()


def test_an_option_within_one_department_is_not_joint_handling(small_catalogue):
    bundle_update(bundle=bundle(), actor=None, joint_handling=True)
    assert bundle_joint_limit(bundle(), "B") is None  # 人力资源 alone


def test_joint_handling_of_one_departments_items_is_refused(small_catalogue):
    with pytest.raises(InvalidInput) as exc:
        bundle_create(
            actor=None,
            code="T-YJS-0009",
            name="一个部门的一业一证",
            kind="one_industry_one_licence",
            items=items(FOOD),
            joint_handling=True,
        )
    assert [e["path"] for e in exc.value.fields["errors"]] == ["joint_handling"]
    assert "第二十六条" in exc.value.detail
    assert not Bundle.objects.filter(code="T-YJS-0009").exists()


def test_a_joint_promise_beyond_45_working_days_is_refused(small_catalogue):
    with pytest.raises(InvalidInput) as exc:
        bundle_update(
            bundle=bundle(), actor=None, joint_handling=True, promised_limit=Duration(46, Unit.WORKDAY)
        )
    assert [e["path"] for e in exc.value.fields["errors"]] == ["promised_limit.value"]
    assert not bundle().joint_handling and bundle().promised_limit == Duration(8, Unit.WORKDAY)


def test_a_joint_bundle_is_created_across_departments(small_catalogue):
    created = bundle_create(
        actor=None,
        code="T-YJS-0003",
        name="联合办理",
        kind="one_thing",
        items=items(SEAL, HR),
        joint_handling=True,
        promised_limit=Duration(45, Unit.WORKDAY),
    )
    assert created.joint_handling and bundle_joint_limit(created) == JOINT_HANDLING_LIMIT
