"""Forms of the workbenches: they parse and validate input; the services enforce the rules."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import DeliveryMethod, OpinionVerdict, SuspensionReason
from onewindow.org.models import ApplicantKind


class ApplicantForm(forms.Form):
    kind = forms.ChoiceField(label=_("申请人类型"), choices=ApplicantKind.choices, widget=forms.RadioSelect)
    name = forms.CharField(label=_("姓名或名称"), max_length=200)
    id_number = forms.CharField(
        label=_("证件号码"),
        max_length=18,
        help_text=_("自然人填写18位公民身份号码；企业填写18位统一社会信用代码"),
    )
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=50, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)


class OnlineApplyForm(forms.Form):
    """网上申请: who applies (no account — identified by number and name) and how to deliver."""

    kind = forms.ChoiceField(label=_("申请人类型"), choices=ApplicantKind.choices, widget=forms.RadioSelect)
    name = forms.CharField(label=_("姓名或名称"), max_length=200)
    id_number = forms.CharField(
        label=_("证件号码"),
        max_length=18,
        help_text=_("自然人填写18位公民身份号码；企业填写18位统一社会信用代码"),
    )
    legal_representative = forms.CharField(
        label=_("法定代表人"), max_length=50, required=False, help_text=_("企业申请时必填")
    )
    phone = forms.CharField(label=_("联系电话"), max_length=30)
    delivery_method = forms.ChoiceField(
        label=_("结果送达方式"),
        choices=DeliveryMethod.choices,
        initial=DeliveryMethod.WINDOW,
        widget=forms.RadioSelect,
    )
    delivery_address = forms.CharField(label=_("邮寄地址"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("kind") == ApplicantKind.ENTITY and not (data.get("legal_representative") or "").strip():
            self.add_error("legal_representative", _("企业申请须填写法定代表人"))
        address = (data.get("delivery_address") or "").strip()
        if data.get("delivery_method") == DeliveryMethod.MAIL and not address:
            self.add_error("delivery_address", _("选择免费邮寄时须填写邮寄地址"))
        return data


class ApplicationStartForm(forms.Form):
    target = forms.CharField(label=_("申请事项"), max_length=120)
    delivery_method = forms.ChoiceField(
        label=_("结果送达方式"),
        choices=DeliveryMethod.choices,
        initial=DeliveryMethod.WINDOW,
        widget=forms.RadioSelect,
    )
    delivery_address = forms.CharField(label=_("邮寄地址"), max_length=200, required=False)


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("不予受理理由"), widget=forms.Textarea(attrs={"rows": 3}))
    remedies = forms.CharField(
        label=_("救济途径"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("留空则使用标准表述（行政复议六十日、行政诉讼六个月）"),
    )


class DeliverForm(forms.Form):
    method = forms.ChoiceField(label=_("送达方式"), choices=DeliveryMethod.choices)
    tracking_number = forms.CharField(label=_("邮件单号"), max_length=40, required=False)


class OpinionForm(forms.Form):
    verdict = forms.ChoiceField(label=_("意见"), choices=OpinionVerdict.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("意见内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class InspectionForm(forms.Form):
    scheduled_for = forms.DateTimeField(
        label=_("踏勘时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    inspectors = forms.CharField(label=_("踏勘人员"), max_length=200)

    def clean_scheduled_for(self) -> dt.datetime:
        value = self.cleaned_data["scheduled_for"]
        if not 2000 <= value.year <= 2100:  # as the API (cases.schemas.LocalDatetime)
            raise forms.ValidationError(_("踏勘时间超出范围（2000—2100年）"))
        return value


class FindingForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=_("核查结论"),
        choices=[("1", _("通过")), ("0", _("不通过"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("核查意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("决定"),
        choices=[("approve", _("准予许可")), ("deny", _("不予许可"))],
        widget=forms.RadioSelect,
    )
    basis = forms.CharField(label=_("决定依据"), widget=forms.Textarea(attrs={"rows": 2}))
    remedies = forms.CharField(
        label=_("救济途径（不予许可时）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SuspendForm(forms.Form):
    reason = forms.ChoiceField(label=_("中止原因"), choices=SuspensionReason.choices)
    expected_days = forms.IntegerField(
        label=_("预计中止工作日"), min_value=1, max_value=250, help_text=_("告知申请人的预计中止时长")
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=500)


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("延长工作日"), min_value=1, max_value=10)
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, max_length=500)


def form_error_text(form: forms.Form) -> str:
    """All of a form's errors in one line, for the message at the top of the page."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}：{'；'.join(errors)}" if label else "；".join(errors))
    return "；".join(parts)
