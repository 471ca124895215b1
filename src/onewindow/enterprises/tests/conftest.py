import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.enterprises.models import HostingCompany
from onewindow.enterprises.services import hosting_company_create
from onewindow.enterprises.tests.factories import county, scjg
from onewindow.org import idcodes

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 10 March 2025, 10:00 in the hall.
MOMENT = dt.datetime(2025, 3, 10, 10, 0, tzinfo=SHANGHAI)
IT = "信息传输、软件和信息技术服务业"
BUSINESS = "租赁和商务服务业"


@pytest.fixture
def frozen():
    with time_machine.travel(MOMENT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def register(demo_org, frozen):
    """The demo county, its 市场监管 and a frozen clock: what every registration needs."""
    return county()


def make_hosting_company(
    capacity: int = 2, *, serial: int = 900, industries=(IT, BUSINESS)
) -> HostingCompany:
    return hosting_company_create(
        actor=None,
        name="常德市武陵区创客商务秘书服务有限公司",
        uscc=idcodes.uscc_from_serial(serial, region6="430702"),
        address="湖南省常德市武陵区朗州路188号创业服务中心5楼",
        region=county(),
        authority=scjg(),
        capacity=capacity,
        allowed_industries=list(industries),
    )


@pytest.fixture
def hosting_company(register) -> HostingCompany:
    return make_hosting_company()
