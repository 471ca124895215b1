"""The 商务秘书企业 hosting register pages (/department/hosting/): what 市场监管 sees of each hosting
company, and who else may not see it. The demo register (enterprises.demo) has 创客 (200 places:
云帆, and 墨言 whose agreement ends in 20 days) and 启航 (80 places: 优品, and 智远 whose agreement
was ended, so it must change its address)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.conftest import DEMO_PASSWORD
from onewindow.enterprises.demo import enterprises_load_demo
from onewindow.enterprises.models import Enterprise, HostingCompany
from onewindow.enterprises.services import (
    hosting_agreement_create,
    hosting_company_create,
    hosting_company_update,
)
from onewindow.licences.models import Licence
from onewindow.org import idcodes

pytestmark = pytest.mark.django_db

# Monday 10 March 2025, 10:00 in the hall.
MOMENT = dt.datetime(2025, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CHUANGKE = "常德市武陵区创客商务秘书服务有限公司"
QIHANG = "常德市武陵区启航商务秘书服务有限公司"
MOVING = "常德市武陵区智远企业管理咨询中心（有限合伙）"


@pytest.fixture
def register(hall):
    """The demo register, loaded and looked at on a frozen day."""
    with time_machine.travel(MOMENT, tick=False) as traveller:
        enterprises_load_demo()
        yield traveller


@pytest.fixture
def login(client):
    def as_user(username: str):
        assert client.login(username=username, password=DEMO_PASSWORD)
        return client

    return as_user


def company(name: str) -> HostingCompany:
    return HostingCompany.objects.get(name=name)


def detail_url(name: str) -> str:
    return f"/department/hosting/{company(name).uscc}/"


def section(page: str, heading_id: str) -> str:
    """The HTML of the <section> labelled by ``heading_id``."""
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', page, re.S)
    assert match, heading_id
    return match.group(0)


def sign_up_agreements(name: str, n: int) -> None:
    for i in range(n):
        hosting_agreement_create(
            actor=None,
            company=company(name),
            starts_on=MOMENT.date(),
            ends_on=MOMENT.date() + dt.timedelta(days=365),
            proposed_name=f"常德市武陵区拟设{i}网络科技有限公司",
        )


# ---- the list ----------------------------------------------------------------------------------------


def test_the_market_regulation_reviewer_sees_both_companies_with_their_counts(login, register):
    response = login("scjg_reviewer").get("/department/hosting/")
    assert response.status_code == 200
    counts = {
        e.company.name: (e.company.capacity, e.held, e.free, e.ending_soon, e.address_changes)
        for e in response.context["entries"]
    }
    assert counts == {CHUANGKE: (200, 2, 198, 1, 0), QIHANG: (80, 1, 79, 0, 1)}
    page = response.content.decode()
    assert "商务秘书企业托管名册" in page and "常德市武陵区市场监督管理局" in page
    assert f'href="{detail_url(CHUANGKE)}"' in page and company(QIHANG).uscc in page
    assert "武陵大道568号金色大厦12楼" in page and "信息传输、软件和信息技术服务业" in page
    assert "light-warning" not in page and "light-overdue" not in page  # neither nearly full nor full


def test_a_company_with_nine_tenths_of_its_places_taken_is_marked_nearly_full_then_full(login, register):
    hosting_company_update(actor=None, company=company(QIHANG), capacity=10)
    sign_up_agreements(QIHANG, 8)
    client = login("scjg_reviewer")
    page = client.get("/department/hosting/").content.decode()
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{QIHANG}.*?</tr>", page, re.S).group(0)
    assert 'class="warn-warning"' in row and "容量将满" in row
    sign_up_agreements(QIHANG, 1)
    page = client.get("/department/hosting/").content.decode()
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{QIHANG}.*?</tr>", page, re.S).group(0)
    assert 'class="warn-overdue"' in row and "已满" in row


def test_the_list_takes_the_same_number_of_queries_for_more_companies(login, register):
    client = login("scjg_reviewer")
    client.get("/department/hosting/")
    with CaptureQueriesContext(connection) as two:
        client.get("/department/hosting/")
    scjg = company(CHUANGKE).authority
    hosting_company_create(
        actor=None,
        name="常德市武陵区第三商务秘书服务有限公司",
        uscc=idcodes.uscc_from_serial(901, region6="430702"),
        address="湖南省常德市武陵区洞庭大道1号",
        region=scjg.region,
        authority=scjg,
        capacity=10,
        allowed_industries=["租赁和商务服务业"],
    )
    with CaptureQueriesContext(connection) as three:
        page = client.get("/department/hosting/").content.decode()
    assert "第三商务秘书" in page
    assert len(three) == len(two)


def test_the_department_workbench_links_to_the_register(login, register):
    page = login("scjg_reviewer").get("/department/").content.decode()
    assert 'href="/department/hosting/"' in page and "商务秘书企业托管名册" in page
    # a department without hosting companies to see does not get a link to a refusal
    other = login("sw_reviewer").get("/department/").content.decode()
    assert 'href="/department/hosting/"' not in other


def test_a_supervisor_over_the_county_sees_the_register_too(login, register):
    assert login("supervisor").get("/department/hosting/").status_code == 200
    assert login("supervisor").get(detail_url(QIHANG)).status_code == 200


# ---- one company -----------------------------------------------------------------------------------


def test_the_company_page_lists_its_agreements_active_before_ended(login, register):
    response = login("scjg_reviewer").get(detail_url(QIHANG))
    assert response.status_code == 200
    page = response.content.decode()
    agreements = section(page, "agreements-title")
    assert agreements.index("优品电子商务") < agreements.index(MOVING)
    assert "托管中" in agreements and "已终止" in agreements
    assert "已于 2025-03-10 终止" in agreements  # the ended one shows its end instead of days left
    assert "730 天" in agreements
    assert "80 户" in page and "79 户" in page


def test_a_licensed_enterprise_links_its_code_to_the_licence_check(login, register):
    page = login("scjg_reviewer").get(detail_url(QIHANG)).content.decode()
    hosted = Enterprise.objects.get(name="常德市武陵区优品电子商务有限公司")
    licence = Licence.objects.get(holder=hosted.applicant, licence_type__name="营业执照")
    assert re.search(rf'<a [^>]*href="/verify/{licence.number}"[^>]*>{hosted.uscc}</a>', page)


def test_an_enterprise_without_a_licence_shows_its_code_without_a_link(login, register):
    hosted = Enterprise.objects.get(name="常德市武陵区优品电子商务有限公司")
    Licence.objects.filter(holder=hosted.applicant).delete()
    page = login("scjg_reviewer").get(detail_url(QIHANG)).content.decode()
    assert f'<span class="mono">{hosted.uscc}</span>' in page
    assert f">{hosted.uscc}</a>" not in page


def test_an_agreement_signed_before_registration_shows_the_proposed_name(login, register):
    sign_up_agreements(CHUANGKE, 1)
    page = login("scjg_reviewer").get(detail_url(CHUANGKE)).content.decode()
    agreements = section(page, "agreements-title")
    assert "常德市武陵区拟设0网络科技有限公司" in agreements and "待登记" in agreements
    assert "已签订，待登记" in agreements


def test_the_enterprise_whose_agreement_ended_is_listed_for_a_change_of_address(login, register):
    client = login("scjg_reviewer")
    moving = section(client.get(detail_url(QIHANG)).content.decode(), "moving-title")
    assert MOVING in moving and "入驻企业申请解除托管协议" in moving
    assert "优品电子商务" not in moving
    quiet = section(client.get(detail_url(CHUANGKE)).content.decode(), "moving-title")
    assert "没有需办理住所变更的入驻企业" in quiet


def test_an_agreement_past_its_last_day_is_overdue_and_flagged_before_the_timer_ends_it(login, register):
    register.shift(dt.timedelta(days=22))  # 墨言's agreement ended two days ago; no timer has run
    page = login("scjg_reviewer").get(detail_url(CHUANGKE)).content.decode()
    agreements = section(page, "agreements-title")
    assert "已过期 2 天" in agreements
    moving = section(page, "moving-title")
    assert "墨言文化传媒" in moving and "已过到期日，待终止" in moving


def test_the_company_page_takes_the_same_number_of_queries_for_more_agreements(login, register):
    client = login("scjg_reviewer")
    client.get(detail_url(CHUANGKE))
    with CaptureQueriesContext(connection) as before:
        client.get(detail_url(CHUANGKE))
    sign_up_agreements(CHUANGKE, 3)
    with CaptureQueriesContext(connection) as after:
        client.get(detail_url(CHUANGKE))
    assert len(after) == len(before)


# ---- who may not see it ------------------------------------------------------------------------------


def test_a_reviewer_of_another_department_is_refused(login, register):
    client = login("sw_reviewer")
    response = client.get("/department/hosting/")
    assert response.status_code == 403 and "登记机关" in response.content.decode()
    response = client.get(detail_url(QIHANG))
    assert response.status_code == 404 and MOVING not in response.content.decode()


def test_staff_without_a_reviewing_role_get_a_403(login, register):
    client = login("window1")
    assert client.get("/department/hosting/").status_code == 403
    assert client.get(detail_url(QIHANG)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client, register):
    for url in ("/department/hosting/", detail_url(QIHANG)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    "code",
    [
        idcodes.uscc_from_serial(999, region6="430702"),  # well formed, not a hosting company
        "123",
        "91430702MA4Q000000",  # wrong check character
        "统一社会信用代码",
        "9" * 300,
        "%20",
    ],
)
def test_an_unknown_or_malformed_code_is_a_404(login, register, code):
    response = login("scjg_reviewer").get(f"/department/hosting/{code}/")
    assert response.status_code == 404 and "未找到" in response.content.decode()


def test_the_register_pages_answer_only_get(login, register):
    client = login("scjg_reviewer")
    assert client.post("/department/hosting/").status_code == 405
    assert client.post(detail_url(QIHANG)).status_code == 405
