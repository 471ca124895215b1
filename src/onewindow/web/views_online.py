"""网上申请: the citizen applies online without an account.

``/apply/<item or bundle code>[?option=X]`` identifies the applicant (number + name + phone, and
the legal representative for an entity), registers or matches them, and creates an online draft.
The applicant then continues at ``/apply/continue/<draft_ref>/<token>`` — the random token is
their only proof of possession (a wrong one is a 404): upload materials, sign a 告知承诺 where
allowed, submit, and after a correction notice upload again and resubmit. The services are called
with ``actor=None`` and the token (``cases.services`` documents that path).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.cases import selectors, services
from onewindow.cases.models import ApplicationStatus, Channel, MaterialState
from onewindow.catalog.models import Bundle, ServiceItem
from onewindow.catalog.selectors import registration_of
from onewindow.core.errors import DomainError, InvalidInput, NotFound
from onewindow.enterprises.selectors import region_expressions_for
from onewindow.org.models import Applicant, ApplicantKind
from onewindow.org.selectors import hall_get_main
from onewindow.org.services import applicant_register
from onewindow.web.access import domain_error_page, not_found
from onewindow.web.forms import OnlineApplyForm, form_error_text
from onewindow.web.forms_registration import KINDS as REGISTRATION_KINDS
from onewindow.web.forms_registration import RegistrationForm


def _target(request: HttpRequest, code: str) -> tuple[dict[str, Any], str]:
    """The item or bundle option to apply for, and its title; ``NotFound`` otherwise."""
    bundle = Bundle.objects.filter(code=code).first()
    if bundle is not None:
        option_code = request.GET.get("option", "").strip()[:20]
        option = bundle.options.filter(code=option_code).first() if option_code else None
        if option is None and (option_code or bundle.options.exists()):
            raise NotFound(_("请先在办事指南中选择“%(name)s”的套餐") % {"name": bundle.name})
        title = f"{bundle.name} · {option.name}" if option else bundle.name
        return {"bundle": bundle, "bundle_option": option}, title
    item = ServiceItem.objects.filter(code=code, current_version__isnull=False).first()
    if item is None:
        raise NotFound(_("事项“%(code)s”不存在或暂不能网上申请") % {"code": code[:40]})
    return {"item": item}, item.name


def _applicant(data: dict[str, Any]) -> Applicant:
    """The existing applicant with the same number AND name, or a newly registered one."""
    number = data["id_number"].strip().upper()
    existing = Applicant.objects.filter(id_number=number).first()
    if existing is None:
        return applicant_register(
            actor=None,
            kind=data["kind"],
            name=data["name"],
            id_number=number,
            phone=data["phone"],
            legal_representative=data["legal_representative"] if data["kind"] == ApplicantKind.ENTITY else "",
        )
    if existing.name != data["name"].strip() or existing.kind != data["kind"]:
        raise InvalidInput(
            _("该证件号码已登记，但姓名或名称与登记信息不一致，请核对；如信息有变更，请到窗口办理"),
            errors={"name": [_("与该证件号码登记的姓名或名称不一致")]},
        )
    return existing


def continue_url(application: Any) -> str:
    return reverse("web:apply-continue", args=[application.draft_ref, application.access_token])


def _registration_initial() -> dict[str, Any]:
    main = hall_get_main()
    return {"name_region": region_expressions_for(main.region)[0] if main else "", "name_form": "有限公司"}


@require_http_methods(["GET", "POST"])
def apply_start(request: HttpRequest, code: str) -> HttpResponse:
    """``/apply/<code>[?option=X]``: identify yourself and start the online application."""
    try:
        target, title = _target(request, code)
    except NotFound as exc:
        return not_found(request, str(exc))
    form = OnlineApplyForm(request.POST or None, initial={"kind": ApplicantKind.ENTITY})
    kind = registration_of(**target)
    initial = _registration_initial() if kind in ("establish", "individual") else {}
    registration = (
        RegistrationForm(request.POST or None, kind=kind, prefix="reg", initial=initial)
        if kind in REGISTRATION_KINDS
        else None
    )
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid() and (registration is None or registration.is_valid()):
            data = form.cleaned_data
            main = hall_get_main()
            try:
                if main is None:
                    raise InvalidInput(_("尚未配置服务大厅，暂不能网上申请"))
                person = _applicant(data)
                created = services.application_create(
                    actor=None,
                    online_applicant=True,
                    applicant=person,
                    channel=Channel.ONLINE,
                    region=main.region,
                    delivery_method=data["delivery_method"],
                    delivery_address=data["delivery_address"],
                    form_data={"registration": registration.data_for_service()} if registration else {},
                    **target,
                )
            except DomainError as exc:
                errors = exc.fields.get("errors") or {}
                rest = registration.add_service_errors(errors) if registration and errors else []
                for field, found in errors.items():
                    if field in form.fields:
                        form.add_error(field, found)
                error, status = "；".join([str(exc), *rest[:5]]), 400
            else:
                messages.success(request, _("申请已创建。请保存本页链接，凭它上传材料、提交和补正。"))
                return redirect(continue_url(created))
        else:
            error, status = (
                form_error_text(form) or (form_error_text(registration) if registration else ""),
                400,
            )
    context = {"form": form, "registration": registration, "title": title, "code": code, "error": error}
    return render(request, "web/portal/apply.html", context, status=status)


def _online(ref: str, token: str) -> Any:
    return selectors.application_get_online(ref, token)


@require_GET
def apply_continue(request: HttpRequest, ref: str, token: str) -> HttpResponse:
    """``/apply/continue/<draft_ref>/<token>``: the applicant's own page of the application."""
    try:
        application = _online(ref, token)
    except NotFound as exc:
        return not_found(request, str(exc))
    return _render(request, application)


def _render(request: HttpRequest, application: Any, error: str = "", status: int = 200) -> HttpResponse:
    materials = list(application.materials.select_related("material"))
    context = {
        "application": application,
        "materials": materials,
        "missing": [m for m in materials if m.required and m.state == MaterialState.MISSING],
        "editable": application.status in (ApplicationStatus.DRAFT, ApplicationStatus.CORRECTION_REQUESTED),
        "corrections": list(application.corrections.all()),
        "link": request.build_absolute_uri(continue_url(application)),
        "token": application.access_token,
        "S": ApplicationStatus,
        "M": MaterialState,
        "error": error,
    }
    return render(request, "web/portal/apply_continue.html", context, status=status)


def _upload(request: HttpRequest, application: Any, token: str) -> str:
    upload = request.FILES.get("file")
    if upload is None:
        raise InvalidInput(_("请选择要上传的文件"))
    services.application_screen_upload(actor=None, application=application, upload=upload, token=token)
    row = services.application_attach_material(
        actor=None,
        application=application,
        material_key=request.POST.get("material", ""),
        upload=upload,
        token=token,
    )
    return _("已上传：%(name)s") % {"name": row.material.name}


def _commit(request: HttpRequest, application: Any, token: str) -> str:
    state = MaterialState.MISSING if request.POST.get("undo") else MaterialState.COMMITTED
    row = services.application_mark_material(
        actor=None,
        application=application,
        material_key=request.POST.get("material", ""),
        state=state,
        token=token,
    )
    return _("%(name)s：%(state)s") % {"name": row.material.name, "state": row.get_state_display()}


def _submit(request: HttpRequest, application: Any, token: str) -> str:
    services.application_submit(actor=None, application=application, token=token)
    return _("申请已提交，流水号 %(ref)s。窗口将在五个工作日内受理或一次性告知补正。") % {
        "ref": application.draft_ref
    }


def _resubmit(request: HttpRequest, application: Any, token: str) -> str:
    services.application_resubmit(actor=None, application=application, token=token)
    return _("补正材料已重新提交，流水号 %(ref)s") % {"ref": application.draft_ref}


ACTIONS: dict[str, Callable[[HttpRequest, Any, str], str]] = {
    "upload": _upload,
    "commit": _commit,
    "submit": _submit,
    "resubmit": _resubmit,
}


@require_POST
def apply_action(request: HttpRequest, ref: str, token: str, action: str) -> HttpResponse:
    """POST ``/apply/continue/<ref>/<token>/<action>``: one service call; a refusal shows on the page."""
    handler = ACTIONS.get(action)
    if handler is None:
        return not_found(request)
    try:
        application = _online(ref, token)
    except NotFound as exc:
        return not_found(request, str(exc))
    try:
        message = handler(request, application, token)
    except DomainError as exc:
        application = _online(ref, token)
        return domain_error_page(request, exc, lambda text, code: _render(request, application, text, code))
    messages.success(request, message)
    return redirect(continue_url(application))
