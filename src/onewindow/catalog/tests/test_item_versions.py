"""Editing an item creates a new version; a case bound to the old version keeps its content."""

import datetime as dt

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.catalog.models import (
    ImmutableRowError,
    ItemDevolution,
    Material,
    ServiceItem,
    ServiceItemVersion,
)
from onewindow.catalog.services import item_create, item_devolve, item_revise
from onewindow.catalog.tests.catalogues import FOOD, HR
from onewindow.clock.workdays import Duration, Unit
from onewindow.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


def food() -> ServiceItem:
    return ServiceItem.objects.get(code=FOOD)


def test_revising_an_item_creates_a_new_current_version(small_catalogue, persona):
    version = item_revise(item=food(), actor=persona("admin"), promised_limit=Duration(5, Unit.WORKDAY))
    assert version.number == 2
    assert food().current_version == version
    assert version.promised_limit == Duration(5, Unit.WORKDAY)
    assert version.created_by == persona("admin")
    assert AuditEvent.objects.filter(action="catalog.item_revise", object_id=str(food().pk)).exists()


def test_a_case_bound_to_the_old_version_keeps_its_limits_steps_and_materials(small_catalogue, persona):
    bound_pk = food().current_version.pk  # what a case holds after submission
    new_materials = [{"material": "application_form", "form": "electronic"}]
    item_revise(
        item=food(),
        actor=persona("admin"),
        promised_limit=Duration(6, Unit.WORKDAY),
        fee="10",
        materials=new_materials,
    )
    bound = ServiceItemVersion.objects.get(pk=bound_pk)
    assert (bound.number, bound.promised_limit, bound.fee) == (1, Duration(8, Unit.WORKDAY), 0)
    assert [r.material.key for r in bound.requirements.all()] == [
        "application_form",
        "business_licence",
        "floor_plan",
    ]
    assert [s.kind for s in bound.steps.all()] == ["accept", "inspect", "decide"]
    current = food().current_version
    assert [r.material.key for r in current.requirements.all()] == ["application_form"]
    assert [s.kind for s in current.steps.all()] == ["accept", "inspect", "decide"]  # copied


def test_revising_without_a_change_creates_no_version(small_catalogue):
    version = item_revise(item=food(), actor=None, promised_limit=Duration(8, Unit.WORKDAY))
    assert version.number == 1
    assert food().versions.count() == 1


def test_a_version_row_cannot_be_saved_twice(small_catalogue):
    version = food().current_version
    version.fee = 99
    with pytest.raises(ImmutableRowError):
        version.save()
    step = version.steps.first()
    with pytest.raises(ImmutableRowError):
        step.save()


def test_a_promised_limit_longer_than_the_legal_limit_is_refused_in_chinese(small_catalogue):
    with pytest.raises(InvalidInput) as exc:
        item_revise(item=food(), actor=None, promised_limit=Duration(25, Unit.WORKDAY))
    assert "不能长于法定时限" in exc.value.detail
    assert exc.value.fields["errors"][0]["path"] == "version.promised_limit.value"
    assert food().versions.count() == 1


def test_promised_hours_are_compared_with_legal_working_days_at_seven_hours_a_day(small_catalogue):
    assert item_revise(item=food(), actor=None, promised_limit=Duration(140, Unit.WORK_HOUR)).number == 2
    with pytest.raises(InvalidInput, match="不能长于法定时限"):
        item_revise(item=food(), actor=None, promised_limit=Duration(141, Unit.WORK_HOUR))


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"is_instant": True}, "version.promised_limit.unit"),
        ({"commitment_approval": True}, "version.post_verification_days"),
        ({"legal_limit": None, "promised_limit": Duration.instant()}, "version.is_instant"),
    ],
)
def test_inconsistent_version_settings_are_refused(small_catalogue, changes, path):
    with pytest.raises(InvalidInput) as exc:
        item_revise(item=food(), actor=None, **changes)
    assert path in [e["path"] for e in exc.value.fields["errors"]]


def test_a_waivable_material_needs_a_supply_deadline(small_catalogue):
    with pytest.raises(InvalidInput) as exc:
        item_revise(item=food(), actor=None, materials=[{"material": "floor_plan", "waivable": True}])
    assert exc.value.fields["errors"][0]["path"] == "version.materials[0].supply_days"


def test_an_unknown_version_field_is_refused(small_catalogue):
    with pytest.raises(InvalidInput, match="不认识的版本字段"):
        item_revise(item=food(), actor=None, colour="red")


def test_an_item_is_created_with_its_first_version(demo_org, dept):
    Material.objects.create(key="form", name="申请表")
    item = item_create(
        actor=None,
        code="T-MZ-0001",
        name="婚姻登记",
        kind="confirmation",
        department=dept("MZ"),
        version={
            "promised_limit": Duration.instant(),
            "is_instant": True,
            "legal_limit": Duration(1, Unit.WORKDAY),
        },
        steps=[{"kind": "accept", "department": dept("MZ")}, {"kind": "decide", "department": dept("MZ")}],
        materials=[{"material": "form"}],
    )
    assert item.current_version.number == 1
    assert item.search_initials == "hydj"
    assert item.current_version.content_hash


def test_an_item_without_accept_and_decide_steps_is_refused(demo_org, dept):
    with pytest.raises(InvalidInput) as exc:
        item_create(
            actor=None,
            code="T-MZ-0002",
            name="x",
            kind="confirmation",
            department=dept("MZ"),
            version={"promised_limit": Duration(1, Unit.WORKDAY)},
            steps=[{"kind": "review", "department": dept("MZ")}],
        )
    assert exc.value.fields["errors"] == [
        {"path": "version.steps", "message": "办理环节须包含受理（accept）和决定（decide）"}
    ]
    assert not ServiceItem.objects.filter(code="T-MZ-0002").exists()


def test_devolving_an_item_to_towns_records_the_date_and_opens_the_tier(small_catalogue):
    item = ServiceItem.objects.get(code=HR)
    item_devolve(
        item=item, tier="town", date=dt.date(2020, 5, 1), actor=None, note="就业社保医保33项下放乡街"
    )
    item.refresh_from_db()
    assert item.tiers == ["county", "town"]
    assert ItemDevolution.objects.get(item=item).action == "devolve"
    item_devolve(item=item, tier="town", date=dt.date(2022, 1, 1), actor=None, action="withdraw")
    item.refresh_from_db()
    assert item.tiers == ["county"]
    assert item.devolutions.count() == 2


def test_devolving_twice_is_refused(small_catalogue):
    item = ServiceItem.objects.get(code=HR)
    item_devolve(item=item, tier="village", date=dt.date(2020, 5, 1), actor=None)
    with pytest.raises(InvalidInput, match="已下放"):
        item_devolve(item=item, tier="village", date=dt.date(2020, 6, 1), actor=None)
