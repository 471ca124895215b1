"""Bundles (一件事): one combined material list, options, dependencies and the combined limit."""

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.catalog.models import Bundle, ServiceItem
from onewindow.catalog.selectors import bundle_combined_limit, bundle_combined_materials, critical_path
from onewindow.catalog.services import bundle_create, bundle_update
from onewindow.catalog.tests.catalogues import BUNDLE, FOOD, HR, SEAL
from onewindow.clock.workdays import Duration, Unit
from onewindow.core.errors import InvalidInput, NotFound

pytestmark = pytest.mark.django_db


def bundle() -> Bundle:
    return Bundle.objects.get(code=BUNDLE)


def test_a_material_shared_by_items_is_asked_once(small_catalogue):
    combined = bundle_combined_materials(bundle())
    keys = [m.material.key for m in combined]
    # 3 + 2 + 2 requirements, but application_form and business_licence are shared.
    assert keys == ["application_form", "business_licence", "floor_plan", "id_card"]
    licence = combined[1]
    assert [i.code for i in licence.items] == [FOOD, HR, SEAL]


def test_a_shared_material_is_asked_in_the_strictest_form_and_largest_number(small_catalogue):
    combined = {m.material.key: m for m in bundle_combined_materials(bundle())}
    # copy (food) + electronic (HR) + original (seal) -> original and copy
    assert combined["business_licence"].form == "original_and_copy"
    assert combined["application_form"].form == "original"
    assert combined["id_card"].copies == 2
    # 容缺 only when every item needing the material allows it
    assert combined["floor_plan"].waivable and combined["floor_plan"].supply_days == 5
    assert not combined["business_licence"].commitment_allowed


def test_an_option_narrows_the_combined_list_to_its_items(small_catalogue):
    combined = bundle_combined_materials(bundle(), "B")
    assert [m.material.key for m in combined] == ["application_form", "business_licence"]
    assert combined[0].form == "electronic"


def test_an_unknown_option_is_not_found(small_catalogue):
    with pytest.raises(NotFound):
        bundle_combined_materials(bundle(), "Z")


def test_the_combined_limit_is_the_declared_one_and_the_critical_path_follows_dependencies(small_catalogue):
    limit = bundle_combined_limit(bundle())
    assert limit.promised == Duration(8, Unit.WORKDAY)
    # food (8 WD) waits for the seal (2 h): 8 WD + 2/7 WD, rounded up to working days.
    assert limit.critical_path == Duration(9, Unit.WORKDAY)
    assert bundle_combined_limit(bundle(), "B").critical_path == Duration.instant()


def test_parallel_items_in_hours_add_up_only_along_a_chain():
    limits = {
        "licence": Duration(2, Unit.WORK_HOUR),
        "seal": Duration(2, Unit.WORK_HOUR),
        "tax": Duration(50, Unit.WORK_MINUTE),
    }
    assert critical_path(limits, []) == Duration(120, Unit.WORK_MINUTE)
    assert critical_path(limits, [("seal", "licence")]) == Duration(240, Unit.WORK_MINUTE)
    two = {k: v for k, v in limits.items() if k != "tax"}
    assert critical_path(two, [("seal", "licence")]) == Duration(4, Unit.WORK_HOUR)
    assert critical_path({"a": Duration(3, Unit.NATURAL_DAY)}, []) is None


def test_a_bundle_is_created_and_updated_through_services_with_audit(small_catalogue):
    food, hr, seal = (ServiceItem.objects.get(code=c) for c in (FOOD, HR, SEAL))
    created = bundle_create(
        actor=None,
        code="T-YJS-0002",
        name="测试一件事",
        kind="one_thing",
        items=[seal, food],
        promised_limit=Duration(4, Unit.WORK_HOUR),
        options=[{"code": "A", "name": "全部", "items": [seal, food]}],
        dependencies=[(food, seal)],
    )
    assert [e.item.code for e in created.entries.order_by("order")] == [SEAL, FOOD]
    bundle_update(bundle=created, actor=None, items=[seal, food, hr], name="测试一件事（改）")
    created.refresh_from_db()
    assert created.name == "测试一件事（改）" and created.items.count() == 3
    assert created.dependencies.count() == 1
    actions = set(AuditEvent.objects.filter(object_id=str(created.pk)).values_list("action", flat=True))
    assert {"catalog.bundle_create", "catalog.bundle_update"} <= actions


def test_a_bundle_dependency_cycle_is_refused(small_catalogue):
    food, seal = ServiceItem.objects.get(code=FOOD), ServiceItem.objects.get(code=SEAL)
    with pytest.raises(InvalidInput, match="循环"):
        bundle_update(bundle=bundle(), actor=None, dependencies=[(food, seal), (seal, food)])
    assert bundle().dependencies.count() == 1
