import pytest
from django.contrib.auth import authenticate

from onewindow.audit.selectors import audit_verify
from onewindow.org.models import Department, Hall, HallKind, Region, ServiceWindow, Staff
from onewindow.org.services import org_load_demo

pytestmark = pytest.mark.django_db


def test_the_demo_county_has_its_hall_windows_towns_and_villages(demo_org):
    county_hall = Hall.objects.get(kind=HallKind.COUNTY_CENTRE)
    assert county_hall.name == "常德市武陵区政务服务中心"
    window_kinds = set(county_hall.windows.values_list("kind", flat=True))
    assert {"general", "enterprise", "construction", "real_estate", "social", "delivery"} <= window_kinds
    assert county_hall.windows.count() >= 6
    assert Hall.objects.filter(kind=HallKind.TOWN_CENTRE).count() == 2
    assert Hall.objects.filter(kind=HallKind.VILLAGE_STATION).count() == 3
    assert Region.objects.filter(level="village").count() == 3


def test_the_demo_departments_cover_the_departments_behind_the_window(demo_org):
    short_names = set(Department.objects.values_list("short_name", flat=True))
    assert {
        "市场监管",
        "税务",
        "公安",
        "人社",
        "住建",
        "自然资源",
        "交通运输",
        "卫健",
        "应急管理",
    } <= short_names
    assert Department.objects.get(code="BDC").parent.code == "ZRZY"


def test_demo_users_can_log_in_with_the_demo_password(demo_org):
    from onewindow.conftest import DEMO_PASSWORD

    assert authenticate(username="window1", password=DEMO_PASSWORD) is not None
    assert Staff.objects.get(user__username="window1").window.name == "综合受理"


def test_loading_the_demo_twice_changes_nothing_and_keeps_the_audit_log_valid(demo_org):
    counts = (Region.objects.count(), Department.objects.count(), ServiceWindow.objects.count())
    org_load_demo(password="another-password")
    assert (Region.objects.count(), Department.objects.count(), ServiceWindow.objects.count()) == counts
    assert authenticate(username="window1", password="another-password") is None
    assert audit_verify().ok


def test_the_demo_government_leader_approves_joint_extensions_in_the_county_only(demo_org, persona, county):
    """行政许可法 第四十二条第二款: the 本级人民政府负责人 approves extending joint handling."""
    from onewindow.org.authz import can
    from onewindow.org.roles import Role

    leader = Staff.objects.select_related("department").get(user__username="gov_leader")
    assert leader.department is None
    assert [(r.role, r.department, r.region) for r in leader.roles.all()] == [
        (Role.GOVERNMENT_LEADER.value, None, county)
    ]
    user = persona("gov_leader")
    scjg = Department.objects.get(code="SCJG")
    assert can(user, "application.approve_joint_extension", region=county, department=scjg)
    city = Region.objects.get(code="430700000000")
    assert not can(user, "application.approve_joint_extension", region=city)
    assert not can(user, "case.decide", region=county, department=scjg)
    assert not can(persona("xzsp_leader"), "application.approve_joint_extension", region=county)


def test_loading_the_demo_lists_every_demo_login(demo_org):
    summary = org_load_demo(password="another-password")
    assert summary.logins[0] == "admin"
    assert "gov_leader" in summary.logins
    assert len(summary.logins) == Staff.objects.count()
