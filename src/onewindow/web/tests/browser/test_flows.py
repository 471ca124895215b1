"""One test per user flow, in headless chromium (STYLE.md §7)."""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from onewindow import catalog as catalog_data
from onewindow.cases.tests.factories import PDF
from onewindow.conftest import DEMO_PASSWORD
from onewindow.licences.models import Licence
from onewindow.org import idcodes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name=re.compile("退出"))).to_be_visible()


def logout(page: Page) -> None:
    page.get_by_role("button", name=re.compile("退出")).click()
    expect(page.get_by_role("link", name="工作人员登录")).to_be_visible()


def test_window_acceptance_review_delivery_and_public_tracking(page: Page, live_server, hall, tmp_path, shot):
    """窗口受理 → 审批 → 统一出件 → 公开查询: 食品生产许可 (430702-SCJG-0002)."""
    base = live_server.url
    material = tmp_path / "material.pdf"
    material.write_bytes(PDF)
    uscc = idcodes.generate_uscc(random.Random(2025), region6="430702")
    wrong = uscc[:-1] + ("0" if uscc[-1] != "0" else "1")

    # 窗口受理: window1 registers the enterprise (a wrong code is flagged as typed) and applies.
    login(page, base, "window1")
    expect(page.get_by_role("heading", name="窗口工作台")).to_be_visible()
    page.get_by_role("link", name="登记新申请人").click()
    page.get_by_label("姓名或名称").fill("常德市武陵区好味食品有限公司")
    page.get_by_label("证件号码").fill(wrong)
    expect(page.locator("#id-check")).to_contain_text("第18位")
    shot("wrong-id")
    page.get_by_label("证件号码").fill(uscc)
    expect(page.locator("#id-check")).to_contain_text("✔")
    page.get_by_label("法定代表人").fill("李四")
    page.get_by_label("联系电话").fill("13907360009")
    page.get_by_role("button", name="登记并选择事项").click()
    page.get_by_label("申请事项或一件事套餐").select_option("I:430702-SCJG-0002")
    page.get_by_role("button", name="生成材料清单").click()
    expect(page.get_by_role("heading", name="材料清单")).to_be_visible()
    assert page.locator("input[type=file]").count() == 5
    upload_materials(page, material, 5)
    shot("checklist")
    page.get_by_role("button", name="提交申请").click()
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已受理")
    number = page.locator("#application-number").inner_text().strip()
    assert re.fullmatch(r"430702\d{12}", number)
    shot("accepted")
    logout(page)

    # 审批: the 市场监管 reviewer finds it in the queue and runs it to a decision.
    login(page, base, "scjg_reviewer")
    page.get_by_role("link", name=f"{number}-01").click()
    page.get_by_role("button", name="开始审查").click()
    page.get_by_label("踏勘时间").fill("2030-01-02T10:00")
    page.get_by_label("踏勘人员").fill("王建华、刘卫东")
    page.get_by_role("button", name="安排踏勘").click()
    page.get_by_label("通过", exact=True).check()
    page.get_by_role("button", name="记录结论").click()
    page.get_by_role("button", name="审查完毕，提交决定").click()
    page.get_by_label("准予许可").check()
    page.get_by_label("决定依据").fill("《中华人民共和国食品安全法》第三十五条")
    page.get_by_role("button", name="确认决定").click()
    expect(page.locator("#case-status")).to_have_text("已制证")  # approval issues the e-licence
    shot("decided")
    logout(page)

    # 统一出件: the delivery window hands the result over.
    login(page, base, "delivery1")
    page.goto(f"{base}/window/delivery")
    card = page.locator(f"#ready-{number}")
    card.get_by_role("button", name="出件").click()
    expect(page.locator(".messages")).to_contain_text("已统一出件")
    logout(page)

    # 公开查询: the applicant tracks it with the last six characters of the credit code.
    page.goto(f"{base}/track")
    page.get_by_label("受理编号或申请流水号").fill(number)
    page.get_by_label("证件号码后4至6位").fill(uscc[-6:])
    page.get_by_role("button", name="查询").click()
    expect(page.locator("table")).to_contain_text("已办结")
    expect(page.locator(".timeline")).to_contain_text("统一出件")
    shot("tracked")


def test_a_user_without_the_role_cannot_open_the_workbench(page: Page, live_server, hall):
    login(page, live_server.url, "supervisor")
    expect(page.get_by_role("link", name="窗口工作台")).to_have_count(0)
    response = page.goto(f"{live_server.url}/window/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()


def upload_materials(page: Page, material, n: int) -> None:
    """Upload a file for each of the first n missing materials of the checklist, one at a time
    (upload.js replaces the page when the server answers)."""
    for _ in range(n):
        row = page.locator("tr.state-missing").first
        key = row.get_attribute("id")
        row.locator("input[type=file]").set_input_files(str(material))
        row.get_by_role("button", name="上传").click()
        expect(page.locator(f"#{key}")).to_have_class("state-provided")


def fill_online_applicant(page: Page, uscc: str, wrong: str = "") -> None:
    """On the online application page: identify the enterprise; a wrong code is flagged as typed."""
    expect(page.get_by_role("heading", name=re.compile("网上申请"))).to_be_visible()
    page.locator("#id_name").fill("常德市武陵区网申科技有限公司")
    if wrong:
        page.locator("#id_id_number").fill(wrong)
        expect(page.locator("#id-check")).to_contain_text("第18位")
    page.locator("#id_id_number").fill(uscc)
    expect(page.locator("#id-check")).to_contain_text("✔")
    page.locator("#id_legal_representative").fill("李网申")
    page.locator("#id_phone").fill("13907369999")


def fill_online_founder(page: Page, resident_id: str, wrong: str = "") -> None:
    """On the online application page: the founder identifies himself as a person."""
    expect(page.get_by_role("heading", name=re.compile("网上申请"))).to_be_visible()
    page.get_by_label("自然人").check()
    page.locator("#id_name").fill("李网申")
    if wrong:
        page.locator("#id_id_number").fill(wrong)
        expect(page.locator("#id-check")).to_contain_text("第18位")
    page.locator("#id_id_number").fill(resident_id)
    expect(page.locator("#id-check")).to_contain_text("✔")
    page.locator("#id_phone").fill("13907369999")


def resident_id(seed: int) -> str:
    return idcodes.generate_resident_id(random.Random(seed), region6="430702", birth=dt.date(1986, 4, 9))


def fill_company(page: Page, founder_id: str, *, tax: bool = True) -> None:
    """The registration section: the company being founded (名称自主申报, 出资, 住所, 经营范围)."""
    section = page.locator("#registration")
    section.get_by_label("名称：字号").fill("网申")
    section.get_by_label("名称：行业或经营特点").fill("科技")
    section.get_by_label("注册资本（出资额，元）").fill("1000000")
    section.get_by_label("经营范围").fill("软件开发\n信息技术咨询服务")
    section.get_by_label("住所（经营场所）").fill("湖南省常德市武陵区洞庭大道1号")
    section.get_by_label("法定代表人（经营者）姓名").fill("李网申")
    section.get_by_label("法定代表人（经营者）身份证号").fill(founder_id)
    section.get_by_label("投资人1：姓名或名称").fill("李网申")
    section.get_by_label("投资人1：身份证号或统一社会信用代码").fill(founder_id)
    section.get_by_label("投资人1：认缴出资额（元）").fill("1000000")
    section.get_by_label("投资人1：出资比例（%）").fill("100")
    section.get_by_label("联络员", exact=True).fill("李网申")
    section.get_by_label("联络员电话").fill("13907369999")
    if not tax:
        return
    section.locator("summary").click()
    section.get_by_label("办税人姓名").fill("李网申")
    section.get_by_label("办税人身份证号").fill(founder_id)
    section.get_by_label("办税人电话").fill("13907369999")
    section.get_by_label("参保人数").fill("3")


def approve_in_department(page: Page, base: str, username: str, number: str, shot=None) -> None:
    """A department reviewer finds the application's case for their department in the worklist
    and runs it through review to an approving decision (no inspection needed)."""
    login(page, base, username)
    expect(page.get_by_role("heading", name="部门工作台")).to_be_visible()
    if shot:
        shot("department-worklist")
    page.get_by_role("link", name=re.compile(rf"^{number}-\d\d$")).click()
    if shot:
        shot("case")
    page.get_by_role("button", name="开始审查").click()
    expect(page.locator(".messages")).to_contain_text("已开始审查")
    page.get_by_role("button", name="审查完毕，提交决定").click()
    page.get_by_label("准予许可").check()
    page.get_by_label("决定依据").fill("《中华人民共和国市场主体登记管理条例》第十九条")
    page.get_by_role("button", name="确认决定").click()
    expect(page.locator(".messages")).to_contain_text("已作出准予许可决定")
    logout(page)


def test_online_application_from_correction_to_delivery_tracking_and_rating(
    page: Page, live_server, hall, tmp_path, shot
):
    """The must-show chains of issues #8 and #18 for 企业开办 一件事, 套餐 D (营业执照 + 印章 + 发票 + 社保,
    四合一): a founder applies online with the company's data → 一次性告知补正 → 网上补正 → 窗口受理 →
    市场监管 founds the company (its own credit code) → 公安、税务、人社 complete the later steps
    without any upload of the 营业执照 → 统一出件（邮寄）→ /verify shows the company, not the founder →
    公开查询 by the founder → 好差评."""
    base = live_server.url
    material = tmp_path / "material.pdf"
    material.write_bytes(PDF)
    founder_id = idcodes.generate_resident_id(
        random.Random(2026), region6="430702", birth=dt.date(1986, 4, 9)
    )
    wrong = founder_id[:-1] + ("0" if founder_id[-1] != "0" else "1")

    # The citizen finds the option's guide and applies online, without an account.
    page.goto(base)
    shot("home")
    page.goto(f"{base}/guide/")
    shot("guide-catalogue")
    page.goto(f"{base}/guide/bundle/430702-YJS-0001?option=D")
    shot("bundle-guide")
    expect(page.locator("main")).to_contain_text("由本一件事中“企业设立登记（营业执照核发）”的办理结果提供")
    page.get_by_role("link", name="网上申请").click()
    fill_online_founder(page, founder_id, wrong=wrong)
    fill_company(page, founder_id)
    page.get_by_label("免费邮寄").check()
    page.get_by_label("邮寄地址").fill("常德市武陵区朗州路1号")
    shot("online-apply")
    page.get_by_role("button", name="开始网上申请").click()
    link = page.locator("#continue-link").get_attribute("href")
    assert link and re.search(r"/apply/continue/S\d+/[\w-]{40,}$", link)
    ref = page.locator("#draft-ref").inner_text().strip()
    expect(page.locator("#m-business_licence")).to_contain_text("办理结果提供")  # never asked for
    assert page.locator("#m-business_licence input[type=file]").count() == 0
    count = page.locator("input[type=file]").count()
    assert count >= 2
    upload_materials(page, material, count - 1)  # the last one is forgotten
    shot("online-checklist")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#submitted")).to_contain_text(ref)
    expect(page.locator("#track-link")).to_be_visible()

    # The window officer asks for the missing material in one notice.
    login(page, base, "window1")
    shot("window-workbench")
    page.goto(f"{base}/window/app/{ref}")
    shot("window-application")
    page.get_by_role("button", name="出具一次性告知书").click()
    expect(page.locator(".messages")).to_contain_text("一次性告知书")
    logout(page)

    # The citizen comes back through the same link, uploads it and resubmits.
    page.goto(link)
    expect(page.locator(".notice-panel")).to_be_visible()
    shot("online-correction")
    assert page.locator("tr.state-missing").count() == 1
    upload_materials(page, material, 1)
    page.get_by_role("button", name="补正后重新提交").click()
    expect(page.locator(".messages")).to_contain_text("补正材料已重新提交")

    # The officer accepts it: one case per department (并联审批).
    login(page, base, "window1")
    page.goto(f"{base}/window/app/{ref}")
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已受理")
    number = page.locator("#application-number").inner_text().strip()
    assert re.fullmatch(r"430702\d{12}", number)
    logout(page)

    # 并联审批: 市场监管 founds the company and issues its business licence first; then 公安 (seals),
    # 税务 (first invoices) and 人社 (social insurance) complete theirs for the new company.
    approve_in_department(page, base, "scjg_reviewer", number, shot)
    for reviewer in ("ga_reviewer", "sw_reviewer", "rs_reviewer"):
        approve_in_department(page, base, reviewer, number)

    # The business licence is the company's, in the library; anyone can check it (扫码核验).
    licence = Licence.objects.get(source_case_no=f"{number}-01", licence_type__name="营业执照")
    assert licence.holder.name == "常德市武陵区网申科技有限公司" and licence.holder.id_number != founder_id
    page.goto(f"{base}/verify/{licence.number}")
    expect(page.locator("main")).to_contain_text(licence.number)
    expect(page.locator("main")).to_contain_text("常德市武陵区网申科技有限公司")
    expect(page.locator("main")).not_to_contain_text(founder_id)
    expect(page.locator("main")).to_contain_text(licence.holder.masked_id_number)
    shot("verify")

    # 统一出件: the delivery window mails both results and records the tracking number.
    login(page, base, "delivery1")
    page.goto(f"{base}/window/delivery")
    card = page.locator(f"#ready-{number}")
    expect(card).to_contain_text("免费邮寄")
    expect(card).to_contain_text("送达期限")
    card.get_by_label("送达方式").select_option("mail")
    card.get_by_label(re.compile("邮件单号")).fill("1151234567890")
    shot("delivery")
    card.get_by_role("button", name="出件").click()
    expect(page.locator(".messages")).to_contain_text("已统一出件")
    expect(page.get_by_text("1151234567890")).to_be_visible()
    logout(page)

    # 公开查询: the applicant tracks it by number and the last six characters of the code …
    page.goto(f"{base}/track")
    page.get_by_label("受理编号或申请流水号").fill(number)
    page.get_by_label("证件号码后4至6位").fill(founder_id[-6:])
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".timeline")).to_contain_text("统一出件")
    expect(page.locator("table tbody tr")).to_have_count(4)
    expect(page.locator("table")).to_contain_text("已办结")
    expect(page.locator("#delivery")).to_contain_text("免费邮寄")
    expect(page.locator("#delivery")).to_contain_text("1151234567890")
    shot("tracked")

    # … and rates the business-licence case (一事一评).
    page.get_by_role("link", name=re.compile("评价办件")).click()
    first = page.locator("article").filter(has=page.get_by_role("button", name="提交评价")).first
    case_number = first.locator("input[name=case_number]").get_attribute("value")
    first.get_by_label("非常满意").check()
    first.get_by_label("评价内容（选填）").fill("两小时拿到营业执照，印章也一并邮寄到家。")
    shot("rate")
    first.get_by_role("button", name="提交评价").click()
    expect(page.locator(".messages")).to_contain_text(f"感谢您的评价：办件 {case_number}，非常满意")
    expect(page.get_by_text("已评价：非常满意")).to_be_visible()

    # The supervisor sees today's intake and completion on the dashboard.
    login(page, base, "supervisor")
    page.goto(f"{base}/supervisor/")
    expect(page.get_by_role("heading", name=re.compile("督查"))).to_be_visible()
    shot("supervisor-dashboard")


def test_an_upload_is_checked_for_size_and_type_before_it_is_sent(
    page: Page, live_server, hall, tmp_path, settings
):
    """upload.js checks the server's limits in the browser, then sends with a progress bar."""
    settings.ONEWINDOW_MAX_UPLOAD_MB = 1
    base = live_server.url
    big = tmp_path / "big.pdf"
    big.write_bytes(PDF + b"0" * (1024 * 1024))
    text = tmp_path / "notes.pdf"
    text.write_bytes(b"not really a pdf")
    good = tmp_path / "material.pdf"
    good.write_bytes(PDF)
    page.goto(f"{base}/apply/430702-YJS-0001?option=A")
    fill_online_applicant(page, idcodes.generate_uscc(random.Random(2027), region6="430702"))
    fill_company(page, resident_id(2027), tax=False)
    page.get_by_role("button", name="开始网上申请").click()
    form = page.locator("form[data-upload]").first
    status = form.get_by_role("status")
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.resource_type) if r.method == "POST" else None)
    expect(form.locator("progress")).to_have_count(1)

    form.locator("input[type=file]").set_input_files(str(big))
    expect(status).to_contain_text("超过 1 MB 上限")
    form.get_by_role("button", name="上传").click()
    expect(form.locator("input[type=file]")).to_have_attribute("aria-invalid", "true")
    form.locator("input[type=file]").set_input_files(str(text))
    expect(status).to_contain_text("不是可接受的类型")
    assert sent == []  # nothing left the browser

    form.locator("input[type=file]").set_input_files(str(good))
    expect(status).to_have_text("")
    form.get_by_role("button", name="上传").click()
    expect(page.locator(".messages")).to_contain_text("已上传")
    assert sent == ["xhr"]  # sent by upload.js, with upload progress
    assert re.search(r"/apply/continue/S\d+/[\w-]+$", page.url)  # the checklist's own address
    expect(page.locator("tr.state-provided")).to_have_count(1)


def test_an_upload_works_without_javascript(browser, live_server, hall, tmp_path):
    """The plain multipart post is the fallback; the server's checks still apply."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    base = live_server.url
    good = tmp_path / "material.pdf"
    good.write_bytes(PDF)
    text = tmp_path / "notes.pdf"
    text.write_bytes(b"not really a pdf")
    page.goto(f"{base}/apply/430702-YJS-0001?option=A")
    page.locator("#id_name").fill("常德市武陵区网申科技有限公司")
    page.locator("#id_id_number").fill(idcodes.generate_uscc(random.Random(2028), region6="430702"))
    page.locator("#id_legal_representative").fill("李网申")
    page.locator("#id_phone").fill("13907369999")
    fill_company(page, resident_id(2028), tax=False)
    page.get_by_role("button", name="开始网上申请").click()
    form = page.locator("form.upload").first
    form.locator("input[type=file]").set_input_files(str(text))
    form.get_by_role("button", name="上传").click()
    expect(page.get_by_role("alert")).to_contain_text("不是可接受的类型")
    form = page.locator("form.upload").first
    form.locator("input[type=file]").set_input_files(str(good))
    form.get_by_role("button", name="上传").click()
    expect(page.locator(".messages")).to_contain_text("已上传")
    context.close()


def test_a_long_operation_shows_that_it_is_working_and_cannot_be_sent_twice(page: Page, live_server, hall):
    """The catalogue import (admin) is marked data-long-operation: while the request runs the
    form shows an indeterminate progress bar with a status text and its button is disabled."""
    base = live_server.url
    login(page, base, "admin")
    page.goto(f"{base}/admin/catalog/serviceitem/import/")
    page.get_by_label(re.compile("目录文件")).set_input_files(
        str(Path(catalog_data.__file__).parent / "data" / "demo_catalogue.yaml")
    )
    page.get_by_label(re.compile("仅校验")).check()
    # Stand in for a slow server: a listener after longop.js's keeps the request from leaving,
    # so the page stays in its working state; it counts the submissions longop.js let through.
    page.evaluate(
        """document.addEventListener("submit", (event) => {
            window.sent = (window.sent || 0) + (event.defaultPrevented ? 0 : 1);
            event.preventDefault();
        })"""
    )
    button = page.get_by_role("button", name="导入")
    button.click()
    status = page.locator("form[data-long-operation] [role=status]")
    expect(status).to_contain_text("正在导入事项目录，请稍候…")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status.locator("progress")).to_be_visible()
    assert status.locator("progress").get_attribute("value") is None  # indeterminate
    expect(page.locator("form[data-long-operation]")).to_have_attribute("aria-busy", "true")
    expect(button).to_be_disabled()
    page.locator("form[data-long-operation]").evaluate("form => form.requestSubmit()")
    assert page.evaluate("window.sent") == 1  # the second submission was stopped
