"""The registration form on the pages (设立登记, 个体工商户登记, 变更登记, 注销登记): flat fields a founder
or the registered entity fills in, turned into the structure ``enterprises.forms`` checks, and that
check's field-level messages shown again beside the fields they concern. A change sends only the
sections that were filled in (what is left empty stays as registered).

The server's check is the rule (``cases.services.application_create`` runs it); this form only
collects, converts and re-displays. Up to ``INVESTOR_ROWS`` investors are entered on the page (the
API takes any number).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.org import idcodes

INVESTOR_ROWS = 3

ENTERPRISE_TYPES = [
    ("limited_company", _("有限责任公司")),
    ("joint_stock_company", _("股份有限公司")),
    ("sole_proprietorship", _("个人独资企业")),
    ("general_partnership", _("普通合伙企业")),
    ("limited_partnership", _("有限合伙企业")),
]
ACCOUNTING = [
    ("small_enterprise", _("小企业会计准则")),
    ("enterprise", _("企业会计准则")),
    ("other", _("其他")),
]
VAT = [("small_scale", _("小规模纳税人")), ("general", _("一般纳税人"))]
CANCEL_REASONS = [
    ("dissolution", _("解散")),
    ("bankruptcy", _("被宣告破产")),
    ("revoked", _("被吊销营业执照、责令关闭或者被撤销")),
    ("other", _("其他法定事由")),
]
KINDS = ("establish", "individual", "change", "cancel")


def _investor_kind(number: str) -> str:
    """An investor with a valid unified social credit code is an entity; anyone else a person."""
    try:
        idcodes.validate_uscc(number)
    except idcodes.InvalidCode:
        return "person"
    return "entity"


def _text(label: Any, *, required: bool = False, max_length: int = 200, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length, **kwargs)


class RegistrationForm(forms.Form):
    """设立登记 or 个体工商户登记 data (``kind`` decides which fields count)."""

    enterprise_type = forms.ChoiceField(label=_("企业类型"), choices=ENTERPRISE_TYPES, required=False)
    name_region = _text(_("名称：行政区划"), max_length=50, help_text=_("如 常德市武陵区"))
    name_trade = _text(_("名称：字号"), max_length=50, help_text=_("两个以上汉字，如 鼎盛"))
    name_industry = _text(_("名称：行业或经营特点"), max_length=50, help_text=_("如 餐饮管理"))
    name_form = _text(_("名称：组织形式"), max_length=50, help_text=_("如 有限公司；个体工商户可填 店、馆"))
    capital = forms.DecimalField(
        label=_("注册资本（出资额，元）"), required=False, min_value=0, max_digits=18, decimal_places=2
    )
    scope = forms.CharField(
        label=_("经营范围"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一项，按经营范围规范表述填写，如：餐饮管理"),
    )
    address = _text(
        _("住所（经营场所）"), help_text=_("以商务秘书企业托管地址登记的，可不填，填写托管协议编号")
    )
    hosting_agreement = forms.IntegerField(
        label=_("托管协议编号"), required=False, min_value=1, max_value=2_147_483_647
    )
    confirm_shared_address = forms.BooleanField(
        label=_("窗口已核实同一地址登记多个主体（一址多照）"), required=False
    )
    leader_name = _text(_("法定代表人（经营者）姓名"), max_length=50)
    leader_id = _text(_("法定代表人（经营者）身份证号"), max_length=30)
    leader_address = _text(_("经营者住所（个体工商户）"))
    contact_name = _text(_("联络员"), max_length=50)
    contact_phone = _text(_("联络员电话"), max_length=30)
    accounting_system = forms.ChoiceField(label=_("会计制度"), choices=ACCOUNTING, required=False)
    vat_taxpayer = forms.ChoiceField(label=_("增值税纳税人类型"), choices=VAT, required=False)
    tax_officer_name = _text(_("办税人姓名"), max_length=50)
    tax_officer_id = _text(_("办税人身份证号"), max_length=30)
    tax_officer_phone = _text(_("办税人电话"), max_length=30)
    insured_count = forms.IntegerField(label=_("参保人数"), required=False, min_value=0, max_value=1_000_000)
    # 变更登记
    resolution_date = forms.DateField(
        label=_("作出变更决议、决定之日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("自该日起30日内申请变更登记（《市场主体登记管理条例》第二十四条）"),
    )
    # 注销登记
    cancel_reason = forms.ChoiceField(label=_("注销原因"), choices=CANCEL_REASONS, required=False)
    simplified = forms.BooleanField(
        label=_("适用简易注销程序（《市场主体登记管理条例》第三十三条）"), required=False
    )
    liquidation_completed_on = forms.DateField(
        label=_("清算完成之日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("解散注销且不适用简易程序的须填写，并提交清算报告"),
    )
    cancel_note = _text(_("说明"), max_length=500)

    def __init__(self, *args: Any, kind: str = "establish", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        for i in range(1, INVESTOR_ROWS + 1):
            self.fields[f"investor{i}_name"] = _text(_("投资人%(n)s：姓名或名称") % {"n": i})
            self.fields[f"investor{i}_id"] = _text(
                _("投资人%(n)s：身份证号或统一社会信用代码") % {"n": i}, max_length=30
            )
            self.fields[f"investor{i}_contribution"] = forms.DecimalField(
                label=_("投资人%(n)s：认缴出资额（元）") % {"n": i},
                required=False,
                min_value=0,
                max_digits=18,
                decimal_places=2,
            )
            self.fields[f"investor{i}_share"] = forms.DecimalField(
                label=_("投资人%(n)s：出资比例（%%）") % {"n": i},
                required=False,
                min_value=0,
                max_value=100,
                max_digits=7,
                decimal_places=4,
            )

    def investor_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"investor{i}_{part}"] for part in ("name", "id", "contribution", "share")]
            for i in range(1, INVESTOR_ROWS + 1)
        ]

    def data_for_service(self) -> dict[str, Any]:
        """The cleaned fields as the ``enterprises.forms`` structure of ``self.kind``."""
        if self.kind == "cancel":
            return self._cancel_data()
        data = self._entity_data()
        if self.kind == "change":
            return self._change_data(data)
        return data

    def _cancel_data(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {
            "reason": c["cancel_reason"] or "dissolution",
            "simplified": c["simplified"],
            "liquidation_completed_on": c["liquidation_completed_on"].isoformat()
            if c["liquidation_completed_on"]
            else None,
            "note": c["cancel_note"],
        }

    def _change_data(self, data: dict[str, Any]) -> dict[str, Any]:
        """Only the sections the entity filled in: those are the ones it asks to change."""
        c = self.cleaned_data
        change: dict[str, Any] = {}
        if any(c[f] for f in ("name_region", "name_trade", "name_industry", "name_form")):
            change["name"] = data["name"]
        if c["capital"] is not None:
            change["capital"] = data["capital"]
        if data["scope"]:
            change["scope"] = data["scope"]
        if c["address"] or c["hosting_agreement"]:
            change["address"] = data["address"]
        if c["leader_name"] or c["leader_id"]:
            change["legal_representative"] = data["legal_representative"]
        if data.get("investors"):
            change["investors"] = data["investors"]
        if c["contact_name"] or c["contact_phone"]:
            change["contact"] = data["contact"]
        if c["resolution_date"]:
            change["resolution_date"] = c["resolution_date"].isoformat()
        return change

    def _entity_data(self) -> dict[str, Any]:
        c = self.cleaned_data

        def money(value: Decimal | None) -> str | None:
            return None if value is None else f"{value:f}"

        name = {
            "region": c["name_region"],
            "trade_name": c["name_trade"],
            "industry": c["name_industry"],
            "form": c["name_form"],
        }
        data: dict[str, Any] = {
            "scope": [line.strip() for line in (c["scope"] or "").splitlines() if line.strip()],
            "address": {
                "text": c["address"],
                "hosting_agreement": c["hosting_agreement"],
                "confirm_shared_address": c["confirm_shared_address"],
            },
            "contact": {"name": c["contact_name"], "phone": c["contact_phone"]},
        }
        if c["capital"] is not None:
            data["capital"] = money(c["capital"])
        leader = {"name": c["leader_name"], "id_number": c["leader_id"]}
        if self.kind == "individual":
            data["name"] = name if any(name.values()) else None
            data["operator"] = {**leader, "address": c["leader_address"]}
        else:
            data["enterprise_type"] = c["enterprise_type"] or "limited_company"
            data["name"] = name
            data["legal_representative"] = leader
            data["investors"] = [
                {
                    "kind": _investor_kind(c[f"investor{i}_id"]),
                    "name": c[f"investor{i}_name"],
                    "id_number": c[f"investor{i}_id"],
                    "contribution": money(c[f"investor{i}_contribution"]),
                    "share": money(c[f"investor{i}_share"]),
                }
                for i in range(1, INVESTOR_ROWS + 1)
                if c[f"investor{i}_name"] or c[f"investor{i}_id"]
            ]
        if c["tax_officer_name"] or c["tax_officer_id"]:
            data["tax"] = {
                "accounting_system": c["accounting_system"] or "small_enterprise",
                "vat_taxpayer": c["vat_taxpayer"] or "small_scale",
                "tax_officer": {
                    "name": c["tax_officer_name"],
                    "id_number": c["tax_officer_id"],
                    "phone": c["tax_officer_phone"],
                },
            }
        if c["insured_count"] is not None:
            data["social"] = {"insured_count": c["insured_count"]}
        return data

    # The service's error paths (``name.trade_name``, ``investors.0.share`` …) → this form's fields.
    PATHS = {
        "enterprise_type": "enterprise_type",
        "name": "name_trade",
        "name.region": "name_region",
        "name.trade_name": "name_trade",
        "name.industry": "name_industry",
        "name.form": "name_form",
        "capital": "capital",
        "scope": "scope",
        "address": "address",
        "address.text": "address",
        "address.hosting_agreement": "hosting_agreement",
        "address.confirm_shared_address": "confirm_shared_address",
        "legal_representative.name": "leader_name",
        "legal_representative.id_number": "leader_id",
        "operator.name": "leader_name",
        "operator.id_number": "leader_id",
        "operator.address": "leader_address",
        "contact.name": "contact_name",
        "contact.phone": "contact_phone",
        "tax": "tax_officer_name",
        "tax.tax_officer.name": "tax_officer_name",
        "tax.tax_officer.id_number": "tax_officer_id",
        "tax.tax_officer.phone": "tax_officer_phone",
        "social": "insured_count",
        "social.insured_count": "insured_count",
        "resolution_date": "resolution_date",
        "reason": "cancel_reason",
        "simplified": "simplified",
        "liquidation_completed_on": "liquidation_completed_on",
        "note": "cancel_note",
        "uscc": "__all__",
    }

    def add_service_errors(self, errors: dict[str, list[str]]) -> list[str]:
        """Put the service's messages on their fields; return those that belong to none."""
        rest = []
        for path, messages in errors.items():
            path = path.removeprefix("registration.")
            field = self.PATHS.get(path)
            if field is None and path.startswith(("investors.", "investors")):
                parts = path.split(".")
                if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < INVESTOR_ROWS:
                    part = {
                        "name": "name",
                        "id_number": "id",
                        "contribution": "contribution",
                        "share": "share",
                    }
                    field = (
                        f"investor{int(parts[1]) + 1}_{part.get(parts[2] if len(parts) > 2 else '', 'name')}"
                    )
                else:
                    field = "investor1_name"
            if field is None and path.startswith("scope."):
                field = "scope"
            if field == "__all__" or field in self.fields:
                for message in messages:
                    self.add_error(field, message)
            else:
                rest.extend(f"{path}：{m}" if path else m for m in messages)
        return rest
