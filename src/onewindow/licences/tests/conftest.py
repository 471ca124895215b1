import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.clock.tests.conftest import national  # noqa: F401 - shared fixture
from onewindow.licences import signing
from onewindow.licences.models import Licence, LicenceType
from onewindow.licences.services import licence_issue, licences_load_demo
from onewindow.org import idcodes
from onewindow.org.models import Applicant
from onewindow.org.services import applicant_register

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 10 March 2025, 10:00 in the hall.
ISSUE_MOMENT = dt.datetime(2025, 3, 10, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def frozen():
    with time_machine.travel(ISSUE_MOMENT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def key_dir(settings, tmp_path):
    """A fresh key directory with one Ed25519 key; keys live outside the database."""
    settings.ONEWINDOW_KEY_DIR = tmp_path / "keys"
    settings.ONEWINDOW_SIGNING_ALGORITHM = "ed25519"
    signing.key_generate(key_dir=settings.ONEWINDOW_KEY_DIR, algorithm="ed25519")
    return settings.ONEWINDOW_KEY_DIR


@pytest.fixture
def licence_types(demo_org, key_dir) -> None:
    licences_load_demo()


@pytest.fixture
def enterprise(demo_org) -> Applicant:
    return applicant_register(
        actor=None,
        kind="entity",
        name="常德市武陵区味道好餐饮管理有限公司",
        id_number=idcodes.generate_uscc(random.Random(7), region6="430702"),
        phone="13907361234",
        legal_representative="张三",
    )


@pytest.fixture
def person(demo_org) -> Applicant:
    return applicant_register(
        actor=None, kind="person", name="李四", id_number="11010519491231002X", phone="13907365678"
    )


def issue(type_name: str, holder: Applicant, **kwargs) -> Licence:
    return licence_issue(
        licence_type=LicenceType.objects.get(name=type_name), holder=holder, actor=None, **kwargs
    )


@pytest.fixture
def business_licence(licence_types, enterprise, frozen) -> Licence:
    return issue(
        "营业执照",
        enterprise,
        data={"类型": "有限责任公司", "住所": "湖南省常德市武陵区人民路100号", "经营范围": "餐饮服务"},
    )


@pytest.fixture
def food_licence(business_licence, enterprise) -> Licence:
    return issue(
        "食品经营许可证",
        enterprise,
        data={
            "经营场所": "湖南省常德市武陵区人民路100号一楼",
            "主体业态": "餐饮服务经营者",
            "经营项目": "热食类食品制售",
        },
        source_case_no="WL20250310-0001",
        source_case_id=42,
    )


PHARMACY = "开办药店“一业一证”"  # bundle 430702-YJS-0002 of the demo catalogue
BUNDLE_CODE = "430702-YJS-0002"


@pytest.fixture
def pharmacy_permits(business_licence, enterprise) -> list[Licence]:
    """Option A: 药品零售 + 食品（保健食品）经营 + 第二类医疗器械经营, as the cases issue them."""
    return [
        issue(
            "药品经营许可证",
            enterprise,
            data={"事项": "药品经营许可（零售）", "办件编号": "430702202503100001-01"},
            source_case_no="430702202503100001-01",
        ),
        issue(
            "食品经营许可证",
            enterprise,
            data={
                "经营场所": "常德市武陵区人民路100号",
                "主体业态": "食品销售经营者",
                "经营项目": "保健食品销售",
            },
            source_case_no="430702202503100001-02",
        ),
        issue(
            "第二类医疗器械经营备案凭证",
            enterprise,
            data={"事项": "第二类医疗器械经营备案", "办件编号": "430702202503100001-03"},
            source_case_no="430702202503100001-03",
        ),
    ]
