"""The one authorisation check, against the demo county's personas."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from onewindow.core.errors import PermissionDenied
from onewindow.org.authz import can, require, scope_q
from onewindow.org.models import Department, Region, Staff
from onewindow.org.roles import register_action

pytestmark = pytest.mark.django_db


def test_a_reviewer_may_decide_cases_of_their_own_department_only(persona, dept):
    reviewer = persona("scjg_reviewer")
    assert can(reviewer, "case.decide", department=dept("SCJG"))
    assert not can(reviewer, "case.decide", department=dept("SW"))


def test_a_department_scope_covers_its_sub_departments(demo_org):
    from onewindow.org.roles import Role
    from onewindow.org.services import RoleSpec, staff_create

    zrzy = Department.objects.get(code="ZRZY")
    staff = staff_create(
        actor=None,
        username="zrzy_boss",
        name="某",
        employee_no="X1",
        password="pw-123456",
        roles=[RoleSpec(role=Role.LEADER, department=zrzy)],
    )
    assert can(staff.user, "case.approve_extension", department=Department.objects.get(code="BDC"))


def test_a_role_the_action_does_not_allow_is_refused(persona, dept):
    assert not can(persona("window1"), "case.decide", department=dept("SCJG"))


def test_a_region_scope_covers_the_towns_and_villages_below_it(persona):
    officer = persona("window1")
    assert can(officer, "application.accept", region=Region.objects.get(code="430702100201"))


def test_a_town_officer_may_not_act_for_the_county_or_another_town(persona):
    officer = persona("hefu_window")
    assert can(officer, "application.accept", region=Region.objects.get(code="430702100202"))
    assert not can(officer, "application.accept", region=Region.objects.get(code="430702200000"))
    assert not can(officer, "application.accept", region=Region.objects.get(code="430702000000"))


def test_an_object_without_a_region_is_placed_in_its_departments_region(persona, dept):
    assert can(persona("window1"), "application.accept", department=dept("SCJG"))


def test_superusers_may_do_everything_and_anonymous_or_inactive_users_nothing(persona, dept):
    assert can(persona("admin"), "case.decide", department=dept("SW"))
    assert not can(AnonymousUser(), "case.view", department=dept("SW"))
    supervisor = persona("supervisor")
    supervisor.is_active = False
    assert not can(supervisor, "supervision.view", department=dept("SW"))


def test_require_explains_which_role_is_missing(persona, dept):
    with pytest.raises(PermissionDenied) as info:
        require(persona("window1"), "case.decide", department=dept("SCJG"))
    assert "后台审批人员" in str(info.value) and info.value.status == 403


def test_an_unknown_action_is_a_programming_error(persona):
    with pytest.raises(LookupError, match="unknown action"):
        can(persona("window1"), "case.teleport")


def test_an_action_cannot_be_registered_twice_with_other_roles():
    from onewindow.org.roles import Role

    with pytest.raises(ValueError, match="already registered"):
        register_action("case.decide", {Role.AGENT})


def test_scope_q_keeps_only_the_objects_a_user_may_act_on(persona):
    staff_of = Staff.objects.filter(department__isnull=False)
    reviewer_view = staff_of.filter(
        scope_q(persona("scjg_reviewer"), "case.review", department_field="department")
    )
    assert set(reviewer_view.values_list("department__code", flat=True)) == {"SCJG"}
    officer_view = staff_of.filter(
        scope_q(persona("window1"), "application.accept", department_field="department")
    )
    assert officer_view.count() == staff_of.count()  # every department sits in the county
    assert staff_of.filter(
        scope_q(persona("admin"), "case.review", department_field="department")
    ).count() == (staff_of.count())
    nobody = get_user_model()(username="ghost", is_active=False)
    assert not staff_of.filter(scope_q(nobody, "case.review", department_field="department")).exists()
