"""Public feedback pages: rate a finished case (reached from tracking: number + ID suffix),
submit a complaint and follow its reply; and the supervisor's rates page with the definitions.
Views parse, call one service or selector and render; ``DomainError`` becomes a form error (400)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from onewindow.complaints.models import ComplaintClass
from onewindow.complaints.selectors import complaint_follow_up_code, complaint_get, complaint_public
from onewindow.complaints.services import ComplaintIn, complaint_follow_up_by_complainant, complaint_submit
from onewindow.core.errors import DomainError, NotFound
from onewindow.core.throttle import Throttled, guarded_lookup
from onewindow.core.timeutil import today
from onewindow.org.authz import can
from onewindow.ratings import conf
from onewindow.ratings.models import Level, RatingChannel
from onewindow.ratings.selectors import (
    Scope,
    application_for_applicant,
    case_for_applicant,
    ratable_cases,
    rates_summary,
)
from onewindow.ratings.services import rating_submit
from onewindow.web.access import throttled_page


class RatingForm(forms.Form):
    case_number = forms.CharField(widget=forms.HiddenInput, max_length=40)
    level = forms.TypedChoiceField(
        label=_("评价等级"), choices=Level.choices, coerce=int, widget=forms.RadioSelect
    )
    tags = forms.MultipleChoiceField(label=_("评价标签"), required=False, widget=forms.CheckboxSelectMultiple)
    comment = forms.CharField(
        label=_("评价内容"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    anonymous = forms.BooleanField(label=_("匿名评价"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tags"].choices = [(t, t) for t in conf.tags()]
        if not conf.anonymous_allowed():
            del self.fields["anonymous"]


class ComplaintForm(forms.Form):
    klass = forms.ChoiceField(label=_("诉求类别"), choices=ComplaintClass.choices, widget=forms.RadioSelect)
    subject = forms.CharField(label=_("主题"), max_length=200)
    text = forms.CharField(label=_("诉求内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    anonymous = forms.BooleanField(label=_("匿名（不留联系方式，无法收到答复）"), required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)


class FollowUpForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("您对答复是否满意"),
        choices=[("1", _("满意")), ("0", _("不满意"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    code = forms.CharField(
        label=_("回访码"),
        min_length=8,
        max_length=12,
        help_text=_("登记诉求时告知您的8位回访码"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest) -> HttpResponse:
    """``/feedback/rate?number=…&suffix=…``: the application's cases with their rating window; a
    finished, unrated case can be rated once (一事一评)."""
    number = (request.GET.get("number") or request.POST.get("number") or "").strip()[:40]
    suffix = (request.GET.get("suffix") or request.POST.get("suffix") or "").strip()[:6]
    context: dict = {
        "number": number,
        "suffix": suffix,
        "cases": None,
        "error": "",
        "form": None,
        "done": None,
    }
    status = 200
    if not (number or suffix):
        return render(request, "web/feedback/rate.html", context)
    try:
        application = guarded_lookup(
            request, "rating", number, lambda: application_for_applicant(number, suffix)
        )
    except Throttled as exc:
        return throttled_page(request, "web/feedback/rate.html", context, exc)
    except NotFound as exc:
        context["error"] = str(exc)
        return render(request, "web/feedback/rate.html", context, status=404)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = case_for_applicant(number, suffix, form.cleaned_data["case_number"])
            context["done"] = rating_submit(
                case=case,
                level=form.cleaned_data["level"],
                comment=form.cleaned_data["comment"],
                tags=form.cleaned_data["tags"],
                channel=RatingChannel.ONLINE,
                anonymous=form.cleaned_data.get("anonymous", False),
            )
            form = RatingForm()
        except DomainError as exc:
            form.add_error(None, str(exc))
            status = 400
    elif request.method == "POST":
        status = 400
    context.update(cases=ratable_cases(application), form=form, title=application.title)
    return render(request, "web/feedback/rate.html", context, status=status)


@require_http_methods(["GET", "POST"])
def complain(request: HttpRequest) -> HttpResponse:
    """``/feedback/complain``: anyone submits 咨询 / 求助 / 投诉 / 建议 and gets the number."""
    form = ComplaintForm(request.POST or None)
    status, created = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            created = complaint_submit(data=ComplaintIn(**form.cleaned_data))
            form = ComplaintForm()
        except DomainError as exc:
            for field, messages in (exc.fields.get("errors") or {}).items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
            if not exc.fields.get("errors"):
                form.add_error(None, str(exc))
            status = 400
    elif request.method == "POST":
        status = 400
    context = {
        "form": form,
        "created": created,
        "follow_up_code": complaint_follow_up_code(created) if created and not created.anonymous else "",
    }
    return render(request, "web/feedback/complain.html", context, status=status)


@require_http_methods(["GET", "POST"])
def complaint_status(request: HttpRequest) -> HttpResponse:
    """``/feedback/complaint?number=…&phone=…``: the matter's status and reply, and its 回访评价."""
    number = (request.GET.get("number") or "").strip()[:40]
    phone = (request.GET.get("phone") or "").strip()[:4]
    context: dict = {"number": number, "phone": phone, "result": None, "error": "", "form": FollowUpForm()}
    status = 200
    if number or phone:
        try:
            if request.method == "POST":
                form = FollowUpForm(request.POST)
                if form.is_valid():
                    guarded_lookup(
                        request,
                        "complaint",
                        number,
                        lambda: complaint_follow_up_by_complainant(
                            complaint=complaint_get(number),
                            phone_suffix=phone,
                            code=form.cleaned_data["code"],
                            satisfied=form.cleaned_data["satisfied"],
                        ),
                    )
                else:
                    context["form"], status = form, 400
            context["result"] = guarded_lookup(
                request, "complaint", number, lambda: complaint_public(number, phone)
            )
        except Throttled as exc:
            return throttled_page(request, "web/feedback/complaint_status.html", context, exc)
        except NotFound as exc:
            context["error"] = _("%(reason)s，请核对后重试") % {"reason": str(exc)}
            status = 404
        except DomainError as exc:
            context["error"], status = str(exc), 400
            context["result"] = complaint_public(number, phone)
    return render(request, "web/feedback/complaint_status.html", context, status=status)


def _date(value: str | None, default: dt.date) -> dt.date | None:
    """The day ``value`` names (YYYY-MM-DD), ``default`` if it is empty; None if it is not a day
    or lies outside 2000–2100 (beyond, the period's arithmetic overflows)."""
    if not value:
        return default
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


def rates(request: HttpRequest) -> HttpResponse:
    """``/feedback/rates``: 评价率, 满意率, 差评整改率 of a period, with numerator, denominator and
    the definition of each (supervisors only)."""
    if not can(request.user, "supervision.view"):
        return render(request, "web/403.html", status=403 if request.user.is_authenticated else 401)
    end = _date(request.GET.get("end"), today())
    start = _date(request.GET.get("start"), end.replace(day=1)) if end is not None else None
    if start is None or end is None:
        error = _("日期无效：请按“年-月-日”填写2000年至2100年之间的日期")
        return render(request, "web/feedback/rates.html", {"error": error, "rates": []}, status=400)
    if end < start:
        start, end = end, start
    summary = rates_summary(Scope(start=start, end=end))
    return render(request, "web/feedback/rates.html", {"start": start, "end": end, "rates": summary.values()})
