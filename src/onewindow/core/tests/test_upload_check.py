"""``core.uploads.upload_check``: the name's extension, the declared type and the content must agree,
the content must hold no web page or script, and the file must open as what it claims to be."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from onewindow.core.tests import samples
from onewindow.core.uploads import JPEG, OFD, PDF, PNG, UploadRefused, download_name, upload_check

MB = 1024 * 1024


def upload(name: str, content: bytes, declared: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=declared)


def refused(name: str, content: bytes, declared: str = "application/octet-stream") -> str:
    with pytest.raises(UploadRefused) as caught:
        upload_check(upload(name, content, declared), max_bytes=MB)
    message = str(caught.value)
    assert f"“{name}”" in message  # every refusal names the file
    return message


@pytest.mark.parametrize(
    ("name", "content", "declared", "kind"),
    [
        ("营业执照.pdf", samples.pdf(), "application/pdf", PDF),
        ("照片.JPG", samples.jpeg(), "image/jpeg", JPEG),
        ("scan.jpeg", samples.jpeg(), "application/octet-stream", JPEG),
        ("图.png", samples.png(), "image/png", PNG),
        ("电子证照.ofd", samples.ofd(), "application/octet-stream", OFD),
        ("电子证照.ofd", samples.ofd(), "", OFD),
    ],
)
def test_a_valid_file_of_each_accepted_kind_is_accepted_with_its_digest(name, content, declared, kind):
    checked = upload_check(upload(name, content, declared), max_bytes=MB)
    assert checked.kind == kind and checked.content_type == kind.content_type
    assert checked.size == len(content) and checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.original_name == name and checked.extension == name[name.rfind(".") :].lower()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 54


@pytest.mark.parametrize("header", [ELF, MZ])
def test_a_renamed_executable_is_refused_as_an_executable(header):
    message = refused("身份证.pdf", header + b"\x00" * 200, "application/pdf")
    assert "可执行程序" in message


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n<html><body>hello</body></html>",
        b"%PDF-1.7\n<script>alert(document.cookie)</script>",
        b"%PDF-1.4\n<!DOCTYPE html><p>x</p>",
        samples.pdf() + b"\n<SCRIPT src=//evil.example/x.js></SCRIPT>",  # valid PDF, script after %%EOF
        samples.pdf()[:200] + b"<iframe src=x>" + samples.pdf()[200:],
    ],
)
def test_web_page_or_script_content_is_refused_whatever_its_first_bytes(content):
    assert "网页或脚本" in refused("申请书.pdf", content, "application/pdf")


def test_a_marker_split_across_two_read_chunks_is_still_found():
    content = samples.pdf() + b" " * (64 * 1024 - len(samples.pdf()) - 3) + b"<script>x</script>"
    assert "网页或脚本" in refused("large.pdf", content)


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<?xml version="1.0"?>\n<svg width="10" height="10"><rect/></svg>',
        samples.png()[:8] + b'<svg xmlns="http://www.w3.org/2000/svg"/>',
    ],
)
def test_an_svg_named_as_a_png_is_refused(svg):
    assert "网页或脚本" in refused("照片.png", svg, "image/png")


def test_a_zip_named_as_a_pdf_is_refused_as_a_zip():
    message = refused("材料.pdf", samples.ofd(), "application/pdf")
    assert "扩展名是 .pdf" in message and "ZIP 压缩包" in message


@pytest.mark.parametrize(
    ("name", "content", "found"),
    [
        ("photo.jpg", samples.png(), "PNG 图片"),
        ("photo.png", samples.jpeg(), "JPG 图片"),
        ("scan.pdf", samples.jpeg(), "JPG 图片"),
        ("doc.ofd", samples.pdf(), "PDF 文件"),
    ],
)
def test_an_extension_that_does_not_match_the_content_is_refused(name, content, found):
    message = refused(name, content)
    assert "不是可接受的类型" in message and f"但内容是 {found}" in message


@pytest.mark.parametrize(
    ("name", "declared"),
    [("a.pdf", "text/html"), ("a.pdf", "image/png"), ("a.png", "image/svg+xml"), ("a.jpg", "text/plain")],
)
def test_a_declared_type_that_contradicts_the_extension_is_refused(name, declared):
    content = {"pdf": samples.pdf(), "png": samples.png(), "jpg": samples.jpeg()}[name.rsplit(".", 1)[1]]
    assert f"声明的类型为 {declared}" in refused(name, content, declared)


@pytest.mark.parametrize("name", ["run.exe", "page.html", "image.svg", "noextension", "a.pdf.exe", "x.zip"])
def test_an_extension_outside_the_accepted_kinds_is_refused(name):
    assert "只接受 PDF 文件、JPG 图片、PNG 图片、OFD 文件" in refused(name, samples.pdf())


def test_a_truncated_pdf_that_does_not_open_is_refused():
    whole = samples.pdf()
    assert "无法打开" in refused("truncated.pdf", whole[: len(whole) * 2 // 3], "application/pdf")


def test_a_pdf_header_on_garbage_is_refused():
    assert "无法打开" in refused("fake.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 4)


def test_a_pdf_with_an_open_password_is_refused():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(samples.pdf())))
    writer.encrypt("secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "打开密码" in refused("locked.pdf", buffer.getvalue())


@pytest.mark.parametrize(("name", "content"), [("cut.png", samples.png()), ("cut.jpg", samples.jpeg())])
def test_a_truncated_image_is_refused(name, content):
    assert "无法打开" in refused(name, content[: len(content) // 2])


def test_an_ofd_without_its_ofd_xml_is_refused():
    content = samples.ofd({"Doc_0/Document.xml": b"<ofd:Document/>"})
    assert "缺少入口文件 OFD.xml" in refused("证照.ofd", content)


def test_an_ofd_whose_ofd_xml_is_not_an_ofd_document_is_refused():
    content = samples.ofd({"OFD.xml": b'<?xml version="1.0"?><Document/>'})
    assert "不是有效的 OFD 文件" in refused("证照.ofd", content)


def test_an_empty_or_oversize_file_is_refused_before_its_content_is_read():
    assert "是空的" in refused("empty.pdf", b"")
    assert "超过 1 MB 上限" in refused("big.pdf", b"%PDF-" + b"0" * MB)


def test_the_result_is_remembered_so_a_second_check_costs_nothing(monkeypatch):
    file = upload("a.pdf", samples.pdf(), "application/pdf")
    first = upload_check(file, max_bytes=MB)
    monkeypatch.setattr("onewindow.core.uploads._read_through", None)  # would fail if called again
    assert upload_check(file, max_bytes=MB) is first


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.binary(min_size=1, max_size=600), prefix=st.sampled_from([b"%PDF-1.", b"\x89PNG\r\n\x1a\n"]))
def test_arbitrary_bytes_behind_a_valid_header_are_refused_with_a_message_never_a_crash(body, prefix):
    name = "x.pdf" if prefix.startswith(b"%PDF") else "x.png"
    with pytest.raises(UploadRefused):
        upload_check(upload(name, prefix + body), max_bytes=MB)


@pytest.mark.parametrize(
    ("original", "content_type", "offered"),
    [
        ("营业执照.pdf", "application/pdf", "营业执照.pdf"),
        ("page.html", "application/pdf", "page.pdf"),  # kept before these checks existed
        ("page.html", "text/html", "page.html.bin"),
        ("a/../../etc/passwd", "image/png", "passwd.png"),
    ],
)
def test_a_stored_file_is_offered_under_a_name_that_matches_its_checked_type(original, content_type, offered):
    assert download_name(original, content_type) == offered
