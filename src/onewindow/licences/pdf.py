"""The licence as a PDF (reportlab): Chinese text in an embedded font, the QR code bottom right."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import segno
from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from onewindow.core.errors import DomainError
from onewindow.core.timeutil import today
from onewindow.licences.models import Licence, LicenceStatus
from onewindow.licences.selectors import licence_code, licence_effective_status
from onewindow.org.models import ApplicantKind

FONT_NAME = "WQYMicroHei"
# Punctuation that may not begin a line (避头点): it stays at the end of the previous one.
NO_LINE_START = set("，。、；：？！）》」』”’,.;:?!)")
DARK = colors.HexColor("#7a1f1f")


class FontMissing(DomainError):
    code, status, title = "font_missing", 503, "缺少中文字体"


def register_chinese_font() -> str:
    """Register (once) the Chinese TrueType font; reportlab embeds the glyphs used in each PDF."""
    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    path = Path(settings.ONEWINDOW_PDF_FONT)
    if not path.is_file():
        raise FontMissing(
            f"找不到中文字体 {path}：请安装 fonts-wqy-microhei（scripts/install-system-deps.sh）"
        )
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
    return FONT_NAME


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Split ``text`` into lines no wider than ``width`` (character by character: CJK has no spaces)."""
    lines: list[str] = []
    for paragraph in str(text).splitlines() or [""]:
        line = ""
        for char in paragraph:
            too_wide = line and pdfmetrics.stringWidth(line + char, FONT_NAME, size) > width
            if too_wide and char not in NO_LINE_START:
                lines.append(line)
                line = ""
            line += char
        lines.append(line)
    return lines


def _date(day: object) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "长期"


def _draw_qr(c: canvas.Canvas, content: str, x: float, y: float, size: float) -> None:
    """Draw the QR code as vector squares (sharp at any zoom and print resolution)."""
    qr = segno.make(content, error="l", micro=False)  # boosted to M or higher when it fits
    matrix = [list(row) for row in qr.matrix]
    quiet = 2
    n = len(matrix) + 2 * quiet
    module = size / n
    c.setFillColor(colors.white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColor(colors.black)
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                c.rect(
                    x + (col + quiet) * module,
                    y + size - (r + quiet + 1) * module,
                    module,
                    module,
                    stroke=0,
                    fill=1,
                )


def licence_pdf(licence: Licence) -> bytes:
    """One A4 page: title, number, holder, ID, contents, validity, issuer and date, QR code."""
    font = register_chinese_font()
    buffer = io.BytesIO()
    width, height = A4
    c = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    c.setTitle(f"{licence.licence_type.name} {licence.number}")
    c.setAuthor(licence.department.name)
    c.setSubject("电子证照")

    # frame
    c.setStrokeColor(DARK)
    c.setLineWidth(2.5)
    c.rect(30, 30, width - 60, height - 60)
    c.setLineWidth(0.8)
    c.rect(37, 37, width - 74, height - 74)

    # title
    c.setFillColor(DARK)
    c.setFont(font, 30)
    title = licence.licence_type.name
    c.drawCentredString(width / 2, height - 110, " ".join(title) if len(title) <= 8 else title)
    c.setFillColor(colors.black)
    c.setFont(font, 11)
    kind = "电子证照" if licence.licence_type.electronic else "证照"
    c.drawCentredString(width / 2, height - 132, f"（{kind}）")
    c.setFont(font, 12)
    c.drawRightString(width - 70, height - 165, f"证号：{licence.number}")

    holder = licence.holder
    is_entity = holder.kind == ApplicantKind.ENTITY
    id_label = "统一社会信用代码" if is_entity else "公民身份号码"
    # A credit code is public (it is printed on the business licence); a resident ID is masked.
    id_value = licence.holder_id_number if is_entity else licence.payload.get("holder_id", "")
    rows: list[tuple[str, str]] = [
        ("名称" if is_entity else "姓名", licence.holder_name),
        (id_label, id_value),
    ]
    if is_entity and holder.legal_representative:
        rows.append(("法定代表人", holder.legal_representative))
    rows += [(str(k), str(v)) for k, v in licence.data.items()]
    # 一业一证: the integrated licence lists its permits as signed (their states are checked online).
    for index, permit in enumerate(licence.payload.get("permits") or [], start=1):
        until = permit.get("expires_on")
        validity = f"有效期至{_date(dt.date.fromisoformat(until))}" if until else "长期有效"
        what = f"{permit.get('type')} {permit.get('number')}：{permit.get('scope')}"
        rows.append((f"整合许可{index}", f"{what}；{validity}"))
    if licence.expires_on:
        rows.append(("有效期", f"{_date(licence.valid_from)} 至 {_date(licence.expires_on)}"))
    else:
        rows.append(("有效期", f"自 {_date(licence.valid_from)} 起长期有效"))
    if licence.parent_id:
        rows.append(("关联营业执照", licence.parent.number))

    label_x, value_x, value_width, size = 80, 210, width - 210 - 80, 13
    y = height - 215
    for label, value in rows:
        c.setFillColor(colors.HexColor("#444444"))
        c.setFont(font, size)
        c.drawString(label_x, y, label)
        c.setFillColor(colors.black)
        for line in _wrap(value, value_width, size):
            c.drawString(value_x, y, line)
            y -= size + 7
        c.setStrokeColor(colors.HexColor("#dddddd"))
        c.setLineWidth(0.5)
        c.line(label_x, y + size - 2, width - 80, y + size - 2)
        y -= 10
        if y < 330:  # keep clear of the issuer block and the QR code
            c.drawString(value_x, y, "（内容较多，详见电子证照库）")
            break

    # issuer and date, bottom right above the QR code
    c.setFont(font, 14)
    c.drawRightString(width - 80, 270, f"发证机关：{licence.department.name}")
    c.setFont(font, 13)
    c.drawRightString(width - 80, 248, _date(timezone.localdate(licence.issued_at)))

    # QR code bottom right, with its caption
    qr_size = 140
    qr_x, qr_y = width - 80 - qr_size, 70
    _draw_qr(c, licence_code(licence), qr_x, qr_y, qr_size)
    c.setFont(font, 9)
    c.drawCentredString(qr_x + qr_size / 2, qr_y - 12, "扫码核验真伪与状态")

    # the signature note, bottom left
    c.setFont(font, 9)
    c.setFillColor(colors.HexColor("#555555"))
    note = [
        "本证照经发证机关电子签名",
        f"（{licence.signature_algorithm.upper()}，密钥 {licence.signature_key_id}）。",
        "扫描右侧二维码，或访问：",
        f"{settings.ONEWINDOW_PUBLIC_URL}/verify/{licence.number}",
        "核验真伪与当前状态（有效、暂停、吊销、过期、换发、注销）。",
    ]
    if licence.source_case_no:
        note.append(f"来源办件：{licence.source_case_no}")
    note_y = 150
    for line in note:
        for part in _wrap(line, qr_x - 80 - 20, 9):
            c.drawString(80, note_y, part)
            note_y -= 13

    status = licence_effective_status(licence, on=today())
    if status != LicenceStatus.VALID:
        # A printout of an invalid licence must not pass for a valid one.
        c.saveState()
        c.setFillColor(colors.Color(0.8, 0, 0, alpha=0.35))
        c.setFont(font, 90)
        c.translate(width / 2, height / 2)
        c.rotate(35)
        c.drawCentredString(0, 0, str(status.label))
        c.restoreState()

    c.showPage()
    c.save()
    return buffer.getvalue()
