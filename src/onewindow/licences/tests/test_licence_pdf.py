import subprocess

import pytest

from onewindow.licences.pdf import licence_pdf
from onewindow.licences.services import licence_revoke

pytestmark = pytest.mark.django_db


def test_the_licence_pdf_embeds_its_chinese_font(food_licence):
    pdf = licence_pdf(food_licence)
    assert pdf.startswith(b"%PDF-")
    assert b"WenQuanYiMicroHei" in pdf  # the font's name, subset-embedded
    assert b"/FontFile2" in pdf  # TrueType glyphs embedded, not referenced


def test_the_pdf_renders_to_an_image(food_licence, tmp_path):
    path = tmp_path / "licence.pdf"
    path.write_bytes(licence_pdf(food_licence))
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / "page")], check=True)
    (png,) = tmp_path.glob("page*.png")
    assert png.read_bytes().startswith(b"\x89PNG")


def test_the_fonts_of_the_pdf_are_all_embedded_except_the_base_font(food_licence, tmp_path):
    path = tmp_path / "licence.pdf"
    path.write_bytes(licence_pdf(food_licence))
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    line = next(row for row in fonts.splitlines() if "WenQuanYi" in row)
    assert " yes yes " in line  # embedded, subset


def test_a_revoked_licence_prints_with_a_revoked_watermark(food_licence):
    licence_revoke(licence=food_licence, actor=None, reason="吊销")
    food_licence.refresh_from_db()
    assert licence_pdf(food_licence) != b""
