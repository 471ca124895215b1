"""The 办事指南 as a PDF (reportlab, the Chinese font embedded, CJK line breaking)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from onewindow.licences.pdf import register_chinese_font
from onewindow.web.guides import BundleGuide, ItemGuide, MaterialLine, StepLine


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=24, spaceAfter=4),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontSize=12.5,
            leading=18,
            spaceBefore=8,
            spaceAfter=4,
            textColor=colors.HexColor("#8e1414"),
        ),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=12),
    }


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


def _facts(rows: list[tuple[str, str]], s: dict[str, ParagraphStyle]) -> Table:
    table = Table([[_p(k, s["body"]), _p(v, s["body"])] for k, v in rows], colWidths=[32 * mm, 138 * mm])
    table.setStyle(_grid(header=False))
    return table


def _grid(*, header: bool) -> TableStyle:
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#b8c0cc")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef2f6")),
    ]
    if header:
        commands[-1] = ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6"))
    return TableStyle(commands)


def _materials(lines: list[MaterialLine], s: dict[str, ParagraphStyle], *, with_items: bool) -> Table:
    head = [_("序号"), _("材料名称"), _("形式/份数"), _("说明")]
    rows = [[_p(h, s["small"]) for h in head]]
    for n, m in enumerate(lines, start=1):
        notes = [
            *m.marks,
            *([m.note] if m.note else []),
            *([_("用于：") + "、".join(m.items)] if with_items else []),
        ]
        if not m.required:
            notes.insert(0, _("非必要"))
        rows.append(
            [
                _p(n, s["small"]),
                _p(m.name, s["small"]),
                _p(f"{m.form} × {m.copies}", s["small"]),
                _p("；".join(notes), s["small"]),
            ]
        )
    table = Table(rows, colWidths=[12 * mm, 62 * mm, 30 * mm, 66 * mm], repeatRows=1)
    table.setStyle(_grid(header=True))
    return table


def _steps(lines: list[StepLine], s: dict[str, ParagraphStyle]) -> Table:
    head = [_("序号"), _("环节"), _("办理部门"), _("环节时限"), _("说明")]
    rows = [[_p(h, s["small"]) for h in head]]
    for n, step in enumerate(lines, start=1):
        rows.append(
            [
                _p(n, s["small"]),
                _p(step.kind, s["small"]),
                _p(step.department, s["small"]),
                _p(step.limit or "—", s["small"]),
                _p(step.deemed_consent, s["small"]),
            ]
        )
    table = Table(rows, colWidths=[12 * mm, 24 * mm, 30 * mm, 28 * mm, 76 * mm], repeatRows=1)
    table.setStyle(_grid(header=True))
    return table


def _document(title: str, story: list) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    doc.build(story)
    return buffer.getvalue()


def item_guide_pdf(guide: ItemGuide, hall_name: str) -> bytes:
    s = _styles(register_chinese_font())
    item, version = guide.item, guide.item.current_version
    where = "；".join(f"{w.number}号窗口 {w.name}" for w in guide.windows) or "—"
    story = [
        _p(hall_name, s["small"]),
        _p(_("%(name)s 办事指南") % {"name": item.name}, s["title"]),
        _p(
            _("事项编码：%(code)s　实施部门：%(dept)s") % {"code": item.code, "dept": item.department.name},
            s["body"],
        ),
        Spacer(1, 4 * mm),
        _facts(
            [
                (_("设定依据"), version.legal_basis),
                (_("受理条件"), version.conditions),
                (_("法定时限"), guide.legal),
                (_("承诺时限"), f"{guide.promised}（{_('比法定时限压缩')} {guide.compression}）"),
                (_("收费"), guide.fee),
                (_("网办深度"), guide.online_depth),
                (_("到现场次数"), guide.visits),
                (_("办理地点"), where),
                (_("可办层级"), guide.tiers),
                *([(_("代收代办"), guide.collect)] if guide.collect else []),
                *([(_("缺席默认"), guide.deemed_consent)] if guide.deemed_consent else []),
            ],
            s,
        ),
        _p(_("申请材料"), s["h2"]),
        _materials(guide.materials, s, with_items=False),
    ]
    if guide.steps:
        story += [_p(_("办理流程"), s["h2"]), _steps(guide.steps, s)]
    return _document(f"{item.name} 办事指南", story)


def bundle_guide_pdf(guide: BundleGuide, hall_name: str) -> bytes:
    s = _styles(register_chinese_font())
    bundle = guide.bundle
    title = bundle.name + (f"（{guide.option.name}）" if guide.option else "")
    story = [
        _p(hall_name, s["small"]),
        _p(_("%(name)s 办事指南") % {"name": title}, s["title"]),
        Spacer(1, 3 * mm),
        _facts(
            [
                (_("包含事项"), "、".join(f"{i.name}（{i.department.short_name}）" for i in guide.items)),
                (_("承诺时限"), guide.promised),
                (_("并联办理用时"), guide.critical_path),
                *(
                    [(_("联合办理时限"), guide.joint_note)]
                    if guide.joint_limit
                    else [(_("法定时限合计"), guide.legal_total)]
                ),
                (
                    _("申请材料"),
                    _("一套材料 %(n)s 份（分别办理需 %(m)s 份）")
                    % {"n": len(guide.materials), "m": guide.material_total},
                ),
                (_("办理地点"), "；".join(f"{w.number}号窗口 {w.name}" for w in guide.windows) or "—"),
            ],
            s,
        ),
        _p(_("一套材料"), s["h2"]),
        _materials(guide.materials, s, with_items=True),
    ]
    return _document(f"{title} 办事指南", story)
