"""Written notices as PDF (reportlab, Chinese text in the embedded WenQuanYi Micro Hei font):
受理通知书, 补正告知书, 不予受理决定书, 准予 / 不予行政许可决定书 (行政许可法 第三十二条、第三十八条),
延期告知书 (第四十二条) and 中止告知书 (第四十五条).

Each has the hall's name, a document number, the date, the issuing bureau and a QR code that
opens the public tracking page. The seal goes on the paper copy; the PDF says so.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

import segno
from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from onewindow.cases.models import (
    Application,
    ApplicationStatus,
    Case,
    CaseEvent,
    CorrectionNotice,
    Extension,
    ExtensionStatus,
    JointExtension,
)
from onewindow.cases.selectors import application_hall, due_day
from onewindow.core.errors import InvalidTransition, NotFound
from onewindow.core.timeutil import now
from onewindow.licences.pdf import register_chinese_font
from onewindow.org.models import ApplicantKind

# 行政许可法 第三十二条: the applicant supplies what the notice lists; the office lists everything at
# once within five working days of receipt, or the application counts as accepted on receipt.
CORRECTION_RULE = (
    "依据《中华人民共和国行政许可法》第三十二条，申请材料不齐全或者不符合法定形式的，"
    "行政机关应当当场或者在五个工作日内一次告知申请人需要补正的全部内容；逾期不告知的，"
    "自收到申请材料之日起即为受理。请您按本告知书一次补齐上述材料后重新提交，本申请的申请流水号不变。"
)
SEAL_NOTE = "（纸质文书加盖印章）"


def tracking_url(application: Application) -> str:
    """The public tracking page for the application (number, or submission reference before acceptance)."""
    base = (getattr(settings, "ONEWINDOW_PUBLIC_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    return f"{base}/track?{urlencode({'number': application.number or application.draft_ref})}"


# ---- layout --------------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    font = register_chinese_font()
    base = ParagraphStyle(
        "body", fontName=font, fontSize=12, leading=21, wordWrap="CJK", alignment=TA_JUSTIFY
    )
    return {
        "hall": ParagraphStyle("hall", parent=base, fontSize=11, alignment=TA_CENTER, textColor=colors.grey),
        "title": ParagraphStyle(
            "title", parent=base, fontSize=22, leading=32, alignment=TA_CENTER, spaceBefore=6
        ),
        "docno": ParagraphStyle("docno", parent=base, fontSize=11, alignment=TA_CENTER, spaceAfter=14),
        "body": base,
        "indent": ParagraphStyle("indent", parent=base, firstLineIndent=24),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=13, alignment=0),
        "head": ParagraphStyle("head", parent=base, fontSize=9.5, leading=13, alignment=TA_CENTER),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=9, leading=13, textColor=colors.HexColor("#444444")
        ),
        "sign": ParagraphStyle("sign", parent=base, alignment=TA_RIGHT),
        "seal": ParagraphStyle("seal", parent=base, fontSize=9, alignment=TA_RIGHT, textColor=colors.grey),
        "caption": ParagraphStyle("caption", parent=base, fontSize=8, leading=11, alignment=TA_CENTER),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _date(day: dt.date | dt.datetime | None) -> str:
    if day is None:
        return "—"
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date()
    return f"{day.year}年{day.month}月{day.day}日"


def _time(instant: dt.datetime | None) -> str:
    if instant is None:
        return "—"
    local = timezone.localtime(instant)
    return f"{_date(local)} {local:%H:%M}"


class _Qr(Flowable):
    """A QR code drawn as vector squares (sharp in print), with a quiet zone."""

    def __init__(self, content: str, size: float) -> None:
        super().__init__()
        self.matrix = [list(row) for row in segno.make(content, error="m", micro=False).matrix]
        self.size = size
        self.width = self.height = size

    def draw(self) -> None:
        quiet = 2
        module = self.size / (len(self.matrix) + 2 * quiet)
        c = self.canv
        c.setFillColor(colors.white)
        c.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        c.setFillColor(colors.black)
        for r, row in enumerate(self.matrix):
            for col, dark in enumerate(row):
                if dark:
                    x = (col + quiet) * module
                    y = self.size - (r + quiet + 1) * module
                    c.rect(x, y, module, module, stroke=0, fill=1)


def _table(rows: list[list[str]], widths: list[float], styles: dict[str, ParagraphStyle]) -> Table:
    head, *body = rows
    data = [[_p(h, styles["head"]) for h in head]] + [[_p(v, styles["cell"]) for v in row] for row in body]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _grid(rows: list[list[str]], widths: list[float], styles: dict[str, ParagraphStyle]) -> Table:
    """A label/value grid (labels shaded), for the applicant's particulars."""
    table = Table([[_p(v, styles["cell"]) for v in row] for row in rows], colWidths=widths)
    commands: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ]
    for col in range(0, len(widths), 2):
        commands.append(("BACKGROUND", (col, 0), (col, -1), colors.HexColor("#f2f2f2")))
    table.setStyle(TableStyle(commands))
    return table


def _limit_text(limit: Any, due: dt.datetime | None) -> str:
    if limit is None:
        return "—"
    return f"{limit}\n{_date(due_day(due))}前" if due else f"{limit}\n（中止计时）"


def _applicant_lines(application: Application) -> list[tuple[str, str]]:
    applicant = application.applicant
    entity = applicant.kind == ApplicantKind.ENTITY
    rows = [
        ("申请人", applicant.name),
        ("统一社会信用代码" if entity else "公民身份号码", applicant.masked_id_number),
    ]
    if entity and applicant.legal_representative:
        rows.append(("法定代表人", applicant.legal_representative))
    return rows


def _render(
    *,
    application: Application,
    title: str,
    doc_number: str,
    body: list[Flowable],
    issuer: str,
    issued: dt.datetime | dt.date,
) -> bytes:
    """One notice: hall name, title, document number, body, QR block and signature block."""
    styles = _styles()
    hall = application_hall(application)
    hall_name = hall.name if hall is not None else ""
    url = tracking_url(application)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=22 * mm,
        bottomMargin=20 * mm,
        title=f"{title} {doc_number}",
        author=issuer,
        subject=title,
        creator="OneWindow 一窗通办",
    )
    width = A4[0] - 50 * mm
    story: list[Flowable] = []
    if hall_name:
        story.append(_p(hall_name, styles["hall"]))
    story += [_p(title, styles["title"]), _p(doc_number, styles["docno"]), *body, Spacer(1, 16)]
    number = application.number or application.draft_ref
    id_kind = "统一社会信用代码" if application.applicant.kind == ApplicantKind.ENTITY else "公民身份号码"
    qr = Table(
        [[_Qr(url, 28 * mm)], [_p("扫码查询办理进度", styles["caption"])]],
        colWidths=[32 * mm],
        style=TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]),
    )
    signature = [
        Spacer(1, 10),
        _p(issuer, styles["sign"]),
        _p(_date(issued), styles["sign"]),
        _p(SEAL_NOTE, styles["seal"]),
    ]
    closing = Table(
        [[qr, signature]],
        colWidths=[40 * mm, width - 40 * mm],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("RIGHTPADDING", (1, 0), (1, 0), 0),
            ]
        ),
    )
    how = [
        Spacer(1, 4),
        _p(f"查询方式：访问 {url}", styles["small"]),
        _p(f"输入编号 {number} 和申请人{id_kind}后4至6位，即可查询办理进度和结果。", styles["small"]),
    ]
    if hall is not None and (hall.phone or hall.address):
        parts = [
            f"地址：{hall.address}" if hall.address else "",
            f"咨询电话：{hall.phone}" if hall.phone else "",
        ]
        how.append(_p("；".join(x for x in parts if x), styles["small"]))
    story.append(KeepTogether([closing, *how]))

    def footer(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(styles["body"].fontName, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"{doc_number}  第 {canvas.getPageNumber()} 页")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _intake_issuer(application: Application) -> str:
    hall = application_hall(application)
    if hall is not None and hall.operator_id:
        return hall.operator.name
    return hall.name if hall is not None else ""


def _doc_number(kind: str, serial: str, day: dt.date | dt.datetime) -> str:
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date()
    return f"{kind}〔{day.year}〕{serial}号"


def _salutation(application: Application, styles: dict[str, ParagraphStyle]) -> Paragraph:
    return _p(f"{application.applicant.name}：", styles["body"])


def _items_text(application: Application) -> str:
    return application.title


# ---- the notices ---------------------------------------------------------------------------------


def acceptance_notice(application: Application) -> bytes:
    """受理通知书: number, applicant, items with their promised and statutory deadlines, how to track."""
    if application.status != ApplicationStatus.ACCEPTED or not application.number:
        raise InvalidTransition(f"{application.get_status_display()}的申请没有受理通知书")
    styles = _styles()
    cases = list(application.cases.select_related("item_version__item", "department").order_by("number"))
    accepted = application.accepted_at
    how = "逾期未告知补正，依法视为" if application.deemed_accepted else ""
    body: list[Flowable] = [
        _salutation(application, styles),
        _p(
            f"你（单位）于{_time(application.received_at)}提交的“{_items_text(application)}”申请，"
            f"经审查，申请材料齐全、符合法定形式，本机关已{how}于{_date(accepted)}予以受理，受理编号为 "
            f"{application.number}。现将办理事项及办理期限告知如下：",
            styles["indent"],
        ),
        Spacer(1, 6),
    ]
    pairs = [*_applicant_lines(application), ("受理时间", _time(accepted))]
    if application.joint_due_at:
        pairs.append(("联办承诺期限", f"{_date(due_day(application.joint_due_at))}前"))
    pairs.append(("送达方式", application.get_delivery_method_display()))
    if len(pairs) % 2:
        pairs.append(("", ""))
    info = [[*pairs[i], *pairs[i + 1]] for i in range(0, len(pairs), 2)]
    body.append(_grid(info, [26 * mm, 52 * mm, 34 * mm, 48 * mm], styles))
    body.append(Spacer(1, 8))
    rows = [["办件编号", "事项", "承办部门", "承诺办结期限", "法定办结期限"]]
    for case in cases:
        version = case.item_version
        promised = _limit_text(version.promised_limit, case.promised_due_at)
        if case.deadline_provisional:
            promised += "（暂定）"
        legal = _limit_text(version.legal_limit, case.legal_due_at)
        rows.append([case.number, version.item.name, case.department.short_name, promised, legal])
    body.append(_table(rows, [44 * mm, 34 * mm, 20 * mm, 31 * mm, 31 * mm], styles))
    body += [
        Spacer(1, 8),
        _p(
            "办理期限按工作日计算，不含法定节假日；受理当日不计入。依法需要听证、检验、检测、鉴定、"
            "专家评审的，所需时间不计入办理期限。办理结果将按您选择的方式"
            f"（{application.get_delivery_method_display()}）统一送达。",
            styles["indent"],
        ),
    ]
    return _render(
        application=application,
        title="受理通知书",
        doc_number=_doc_number("受理", application.number, accepted),
        body=body,
        issuer=_intake_issuer(application),
        issued=accepted,
    )


def correction_notice(application: Application, notice_id: int | None = None) -> bytes:
    """补正告知书: every item of the one-time notice with its reason, where to hand them in, and the
    five-working-day rule (行政许可法 第三十二条)."""
    notices = CorrectionNotice.objects.filter(application=application).order_by("-issued_at", "-pk")
    notice = notices.filter(pk=notice_id).first() if notice_id else notices.first()
    if notice is None:
        raise NotFound("该申请没有补正告知")
    styles = _styles()
    hall = application_hall(application)
    body: list[Flowable] = [
        _salutation(application, styles),
        _p(
            f"你（单位）于{_time(application.received_at if not notice.resubmitted_at else notice.issued_at)}"
            f"提交的“{_items_text(application)}”申请（申请流水号 {application.draft_ref}），经审查，"
            f"申请材料不齐全或者不符合法定形式。现一次性告知你（单位）需要补正的全部内容（共{len(notice.items)}项）：",
            styles["indent"],
        ),
        Spacer(1, 6),
    ]
    rows = [["序号", "需补正的材料或内容", "补正原因及要求"]]
    for index, item in enumerate(notice.items, start=1):
        rows.append(
            [str(index), str(item.get("name") or item.get("material") or "其他"), str(item.get("reason", ""))]
        )
    body.append(_table(rows, [14 * mm, 66 * mm, 80 * mm], styles))
    if notice.note:
        body += [Spacer(1, 6), _p(f"其他说明：{notice.note}", styles["indent"])]
    where = hall.name if hall is not None else "原受理窗口"
    if hall is not None and hall.address:
        where += f"（{hall.address}）"
    opening = f"，办公时间：{hall.opening_hours}" if hall is not None and hall.opening_hours else ""
    body += [
        Spacer(1, 6),
        _p(f"请将补正材料提交至{where}{opening}，也可通过网上办事大厅上传。", styles["indent"]),
        _p(CORRECTION_RULE, styles["indent"]),
    ]
    return _render(
        application=application,
        title="补正告知书",
        doc_number=_doc_number("补正", application.draft_ref, notice.issued_at),
        body=body,
        issuer=_intake_issuer(application),
        issued=notice.issued_at,
    )


def _event_time(application: Application, action: str, case: Case | None = None) -> dt.datetime:
    events = CaseEvent.objects.filter(application=application, action=action)
    if case is not None:
        events = events.filter(case=case)
    event = events.order_by("-at", "-pk").first()
    return event.at if event is not None else now()


def refusal_notice(application: Application) -> bytes:
    """不予受理决定书: the reason and the applicant's remedies (行政许可法 第三十二条、第三十八条)."""
    if application.status != ApplicationStatus.REFUSED:
        raise InvalidTransition(f"{application.get_status_display()}的申请没有不予受理决定书")
    styles = _styles()
    refused = _event_time(application, "refuse")
    body: list[Flowable] = [
        _salutation(application, styles),
        _p(
            f"你（单位）于{_time(application.received_at)}提交的“{_items_text(application)}”申请"
            f"（申请流水号 {application.draft_ref}），经审查，本机关决定不予受理。",
            styles["indent"],
        ),
        _p(f"不予受理的理由：{application.refusal_reason}", styles["indent"]),
        _p(f"救济途径：{application.refusal_remedies}", styles["indent"]),
    ]
    return _render(
        application=application,
        title="不予受理决定书",
        doc_number=_doc_number("不予受理", application.draft_ref, refused),
        body=body,
        issuer=_intake_issuer(application),
        issued=refused,
    )


def decision_notice(case: Case) -> bytes:
    """准予 / 不予行政许可决定书 for one case: the decision, its legal basis and, for a denial, the
    reasons and remedies (行政许可法 第三十八条)."""
    if case.decision not in ("approve", "deny"):
        raise InvalidTransition(f"办件 {case.number} 尚未作出决定，没有许可决定书")
    application = case.application
    styles = _styles()
    approve = case.decision == "approve"
    decided = case.decided_at or now()
    item = case.item_version.item.name
    body: list[Flowable] = [
        _salutation(application, styles),
        _p(
            f"你（单位）申请的“{item}”（办件编号 {case.number}，受理编号 {application.number}），"
            f"本机关于{_date(case.accepted_at)}受理。经审查，"
            + (
                "申请符合法定条件、标准，根据下列依据，决定准予行政许可。"
                if approve
                else "申请不符合法定条件、标准，根据下列依据，决定不予行政许可。"
            ),
            styles["indent"],
        ),
        _p(f"{'决定依据' if approve else '理由和依据'}：{case.decision_basis}", styles["indent"]),
    ]
    if approve:
        result = case.item_version.result_licence_type or ""
        text = f"许可结果（{result}）" if result else "许可结果"
        if case.licence_number:
            text += f"证号 {case.licence_number}，"
        body.append(
            _p(
                f"{text}将按您选择的方式（{application.get_delivery_method_display()}）与本申请的其他结果统一送达。",
                styles["indent"],
            )
        )
    else:
        body.append(_p(f"救济途径：{case.decision_remedies}", styles["indent"]))
    return _render(
        application=application,
        title="准予行政许可决定书" if approve else "不予行政许可决定书",
        doc_number=_doc_number("准予许可" if approve else "不予许可", case.number, decided),
        body=body,
        issuer=case.department.name,
        issued=decided,
    )


def _last_day(instant: dt.datetime | None) -> str:
    """The last day a deadline instant includes (deadlines end at 24:00 of their last day)."""
    return (
        _date(instant - dt.timedelta(microseconds=1)) if instant is not None else "（计时中止期间暂不确定）"
    )


def extension_notice(extension: Extension) -> bytes:
    """延期告知书: the applicant is told that the statutory limit was extended, by how much, why and
    until when, with the leader's approval (行政许可法 第四十二条第一款)."""
    if extension.status != ExtensionStatus.APPROVED:
        raise InvalidTransition("延期申请尚未批准，没有延期告知书")
    case = extension.case
    application = case.application
    styles = _styles()
    approved = extension.decided_at or now()
    body: list[Flowable] = [
        _salutation(application, styles),
        _p(
            f"你（单位）申请的“{case.item_version.item.name}”（办件编号 {case.number}），本机关于"
            f"{_date(case.accepted_at)}受理。因{extension.reason}，不能在法定期限内作出决定，经本机关负责人批准，"
            f"办理期限延长{extension.days}个工作日，法定办理期限延至{_last_day(extension.legal_due_at)}。",
            styles["indent"],
        ),
        _p(
            "依据《中华人民共和国行政许可法》第四十二条第一款，二十日内不能作出决定的，经本行政机关负责人批准，"
            "可以延长十日，并应当将延长期限的理由告知申请人。",
            styles["indent"],
        ),
    ]
    return _render(
        application=application,
        title="延长行政许可期限告知书",
        doc_number=_doc_number("延期", f"{case.number}-{extension.pk}", approved),
        body=body,
        issuer=case.department.name,
        issued=approved,
    )


def joint_extension_notice(extension: JointExtension) -> bytes:
    """联合办理延期告知书 (行政许可法 第四十二条第二款: 45 days, +15 with the approval of the
    本级人民政府负责人)."""
    if extension.status != ExtensionStatus.APPROVED:
        raise InvalidTransition("延期申请尚未批准，没有延期告知书")
    application = extension.application
    styles = _styles()
    approved = extension.decided_at or now()
    body: list[Flowable] = [
        _salutation(application, styles),
        _p(
            f"你（单位）申请的“{application.title}”（受理编号 {application.number}）由有关部门联合办理，"
            f"于{_date(application.accepted_at)}受理。因{extension.reason}，不能在四十五个工作日内办结，"
            f"经本级人民政府负责人批准，延长{extension.days}个工作日，联合办理期限延至{_last_day(extension.legal_due_at)}。",
            styles["indent"],
        ),
        _p(
            "依据《中华人民共和国行政许可法》第四十二条第二款，统一办理或者联合办理、集中办理的，办理的时间不得超过"
            "四十五日；四十五日内不能办结的，经本级人民政府负责人批准，可以延长十五日，并应当将延长期限的理由告知申请人。",
            styles["indent"],
        ),
    ]
    return _render(
        application=application,
        title="延长联合办理期限告知书",
        doc_number=_doc_number("联办延期", f"{application.number}-{extension.pk}", approved),
        body=body,
        issuer=_intake_issuer(application),
        issued=approved,
    )


def suspension_notice(case: Case) -> bytes:
    """中止告知书: the latest suspension of the case, its reason and expected length (行政许可法
    第四十五条: time for hearings, tendering, testing, appraisal and expert review is not counted,
    and the applicant is told in writing)."""
    suspension = case.suspensions.order_by("-started_at", "-pk").first()
    if suspension is None:
        raise NotFound(f"办件 {case.number} 没有中止记录")
    application = case.application
    styles = _styles()
    expected = f"，预计{suspension.expected_days}个工作日" if suspension.expected_days else ""
    ended = f"已于{_date(suspension.ended_at)}恢复计时。" if suspension.ended_at else "恢复计时后将另行告知。"
    body: list[Flowable] = [
        _salutation(application, styles),
        _p(
            f"你（单位）申请的“{case.item_version.item.name}”（办件编号 {case.number}）需要"
            f"{suspension.get_reason_display()}，自{_date(suspension.started_at)}起中止计时{expected}。"
            f"所需时间不计算在办理期限内。{ended}",
            styles["indent"],
        ),
        _p(
            "依据《中华人民共和国行政许可法》第四十五条，行政机关作出行政许可决定，依法需要听证、招标、拍卖、检验、"
            "检测、检疫、鉴定和专家评审的，所需时间不计算在本节规定的期限内，行政机关应当将所需时间书面告知申请人。",
            styles["indent"],
        ),
    ]
    return _render(
        application=application,
        title="中止办理期限告知书",
        doc_number=_doc_number("中止", f"{case.number}-{suspension.pk}", suspension.started_at),
        body=body,
        issuer=case.department.name,
        issued=suspension.started_at,
    )
