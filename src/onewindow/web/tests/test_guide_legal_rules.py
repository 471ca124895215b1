"""The 办事指南 (page and PDF) tells the applicant the legal rules the catalogue carries: a step
whose silence counts as consent and its basis, the 45-day joint limit of a bundle handled jointly,
and where an item may be handed in for the county department (代收代办)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

pytestmark = pytest.mark.django_db

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

OVERSIZE = "430702-JT-0001"  # the police's 4-hour opinion, silence counts as passed (seed 001)
SOCIAL_SECURITY_CARD = "430702-RS-0008"  # county and town; villages collect it
ROADWORKS = "430702-YJS-0005"  # 城管 and 公安, handled jointly
PHARMACY = "430702-YJS-0002"  # 一业一证 within 市场监管: not joint handling
SMALL_SHOP = "430702-YJS-0006"  # option A within 市场监管, option B with 卫健


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "guide.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True)
    return "".join(out.stdout.split())  # CJK text has no spaces; wrapping may add some


def page(client, url: str, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_step_whose_silence_counts_as_consent_says_so_with_its_basis(client, hall):
    text = page(client, f"/guide/item/{OVERSIZE}")
    assert "逾期未出具意见视为同意" in text
    assert "超时默认制" in text and "4个小时内提出" in text
    assert "逾期未出具意见视为同意" not in page(client, "/guide/item/430702-CG-0001")


def test_an_item_collected_by_village_windows_says_where_and_for_whom(client, hall):
    text = page(client, f"/guide/item/{SOCIAL_SECURITY_CARD}")
    assert "代收代办" in text
    assert "村（社区）代办点可代收申请材料，转常德市武陵区人力资源和社会保障局受理办理" in text
    assert "乡镇（街道）便民服务中心可代收" not in text  # towns handle it themselves
    assert 'id="collect-for-higher-tier"' not in page(client, "/guide/item/430702-GA-0003")


def test_a_jointly_handled_bundle_shows_its_45_day_limit_and_the_extension(client, hall):
    text = page(client, f"/guide/bundle/{ROADWORKS}")
    assert "联合办理时限" in text and "45个工作日" in text
    assert "本级人民政府负责人" in text and "15个工作日" in text
    assert "占用、挖掘道路影响交通安全审批" in text  # the police's own permit is in the bundle
    pharmacy = page(client, f"/guide/bundle/{PHARMACY}")
    assert "联合办理时限" not in pharmacy and "法定时限合计" in pharmacy


def test_an_option_within_one_department_shows_no_joint_limit(client, hall):
    assert "联合办理时限" not in page(client, f"/guide/bundle/{SMALL_SHOP}", option="A")
    assert "联合办理时限" in page(client, f"/guide/bundle/{SMALL_SHOP}", option="B")


@needs_pdftotext
def test_the_item_guide_pdf_lists_the_steps_with_deemed_consent_and_where_to_hand_in(client, hall, tmp_path):
    text = text_of(client.get(f"/guide/item/{OVERSIZE}.pdf").content, tmp_path)
    assert "办理流程" in text and "逾期未出具意见视为同意" in text and "超时默认制" in text
    text = text_of(client.get(f"/guide/item/{SOCIAL_SECURITY_CARD}.pdf").content, tmp_path)
    assert "代收代办" in text and "村（社区）代办点可代收申请材料" in text


@needs_pdftotext
def test_the_bundle_guide_pdf_shows_the_joint_limit(client, hall, tmp_path):
    text = text_of(client.get(f"/guide/bundle/{ROADWORKS}.pdf", {"option": "B"}).content, tmp_path)
    assert "联合办理时限" in text and "45个工作日" in text and "本级人民政府负责人" in text
    text = text_of(client.get(f"/guide/bundle/{PHARMACY}.pdf").content, tmp_path)
    assert "联合办理时限" not in text and "法定时限合计" in text
