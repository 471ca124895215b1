"""The window workbench (综合窗口): find or register the applicant, start an application for an
item or a bundle option, fill the material checklist, then accept / ask for a correction /
refuse; and hand results out together (统一出件). Views parse, call a service, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.cases import selectors as case_selectors
from onewindow.cases import services
from onewindow.cases.models import (
    OPEN_CASE_STATES,
    ApplicationMaterial,
    ApplicationStatus,
    Channel,
    MaterialState,
)
from onewindow.cases.selectors import (
    applicant_get_for_user,
    applicant_search_for_user,
    application_detail,
    application_visible,
    due_day,
)
from onewindow.catalog.models import Bundle, ServiceItem
from onewindow.catalog.selectors import bundle_list, item_list_search, registration_of
from onewindow.core.errors import DomainError, InvalidInput, NotFound
from onewindow.core.timeutil import now
from onewindow.enterprises.selectors import region_expressions_for
from onewindow.org.authz import can
from onewindow.org.models import Applicant
from onewindow.org.selectors import hall_get_main, staff_for_user
from onewindow.org.services import applicant_register
from onewindow.web.access import (
    DEPARTMENT_ACTIONS,
    SUPERVISOR_ACTIONS,
    WINDOW_ACTIONS,
    domain_error_page,
    forbidden,
    not_found,
    staff_page,
)
from onewindow.web.files import material_file_response
from onewindow.web.forms import ApplicantForm, ApplicationStartForm, DeliverForm, RefuseForm, form_error_text
from onewindow.web.forms_registration import KINDS as REGISTRATION_KINDS
from onewindow.web.forms_registration import RegistrationForm


@require_GET
@staff_page(*WINDOW_ACTIONS)
def workbench(request: HttpRequest) -> HttpResponse:
    """``/window/``: find an applicant of the officer's region by the full ID number, or by name
    and the last 4–6 characters of it (``cases.selectors.applicant_search_for_user``); today's
    applications."""
    query = {
        "id_number": request.GET.get("id_number", "").strip()[:18],
        "name": request.GET.get("name", "").strip()[:200],
        "id_suffix": request.GET.get("id_suffix", "").strip()[:6],
    }
    found, error, status = None, "", 200
    if any(query.values()):
        try:
            found = applicant_search_for_user(request.user, **query)
        except DomainError as exc:
            error, status = str(exc), 400
    context = {
        "query": query,
        "found": found,
        "error": error,
        "today": case_selectors.application_list_today(request.user),
        "can_register": can(request.user, "applicant.register"),
    }
    return render(request, "web/window/workbench.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_page("applicant.register")
def applicant(request: HttpRequest) -> HttpResponse:
    """``/window/applicant``: register an applicant; the ID number is checked as it is typed
    (``/api/v1/org/id-check``) and again by the service, whose message names the wrong character."""
    form = ApplicantForm(
        request.POST or None, initial={"kind": "entity", "id_number": request.GET.get("id", "")}
    )
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = applicant_register(
                    actor=request.user,
                    # registered where the officer sits: the window's search finds them there
                    region=_region_hall_window(request.user)[0],
                    kind=data["kind"],
                    name=data["name"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    legal_representative=data["legal_representative"] if data["kind"] == "entity" else "",
                    address=data["address"],
                )
            except DomainError as exc:
                for field, errors in (exc.fields.get("errors") or {}).items():
                    if field in form.fields:
                        form.add_error(field, errors)
                error, status = str(exc), 400
            else:
                messages.success(request, _("已登记申请人：%(name)s") % {"name": created.name})
                return redirect("web:window-new", applicant_id=created.pk)
        else:
            error, status = form_error_text(form), 400
    return render(request, "web/window/applicant.html", {"form": form, "error": error}, status=status)


def _region_hall_window(user: Any) -> tuple[Any, Any, Any]:
    """Where the officer sits: their window's hall and region, else the main hall."""
    staff = staff_for_user(user=user)
    window = staff.window if staff and staff.window_id else None
    hall = window.hall if window else hall_get_main()
    if hall is None:
        raise InvalidInput(_("尚未配置服务大厅，不能受理申请"))
    return hall.region, hall, window


def _targets() -> list[tuple[str, list[tuple[str, str]]]]:
    """The choices of the "what to apply for" list: bundle options first, then items by department."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    bundle_choices = []
    for bundle in bundle_list().prefetch_related("options"):
        for option in bundle.options.all():
            bundle_choices.append((f"B:{bundle.code}:{option.code}", f"{bundle.name} · {option.name}"))
    groups.append((_("一件事（套餐）"), bundle_choices))
    by_department: dict[str, list[tuple[str, str]]] = {}
    for item in item_list_search():
        by_department.setdefault(item.department.short_name, []).append(
            (f"I:{item.code}", f"{item.name}（{item.code}）")
        )
    groups.extend(by_department.items())
    return groups


def _parse_target(value: str) -> dict[str, Any]:
    kind, _sep, rest = value.partition(":")
    if kind == "I":
        item = ServiceItem.objects.filter(code=rest, current_version__isnull=False).first()
        if item:
            return {"item": item}
    elif kind == "B":
        code, _sep, option_code = rest.partition(":")
        bundle = Bundle.objects.filter(code=code).first()
        option = bundle.options.filter(code=option_code).first() if bundle else None
        if bundle and option:
            return {"bundle": bundle, "bundle_option": option}
    raise InvalidInput(_("请选择要申请的事项或一件事套餐"))


@require_http_methods(["GET", "POST"])
@staff_page("application.submit_on_behalf")
def new_application(request: HttpRequest, applicant_id: int) -> HttpResponse:
    """``/window/new/<applicant>``: choose an item or a bundle option; the service generates the
    material checklist (one set of materials)."""
    try:
        person = applicant_get_for_user(request.user, applicant_id)
    except NotFound as exc:
        return not_found(request, str(exc))
    form = ApplicationStartForm(request.POST or None)
    registration = _registration_form(request, form)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid() and (registration is None or registration.is_valid()):
            try:
                region, hall, window = _region_hall_window(request.user)
                created = services.application_create(
                    actor=request.user,
                    applicant=person,
                    channel=Channel.WINDOW,
                    region=region,
                    hall=hall,
                    window=window,
                    delivery_method=form.cleaned_data["delivery_method"],
                    delivery_address=form.cleaned_data["delivery_address"],
                    form_data={"registration": registration.data_for_service()} if registration else {},
                    **_parse_target(form.cleaned_data["target"]),
                )
            except DomainError as exc:
                if registration is not None and exc.fields.get("errors"):
                    rest = registration.add_service_errors(exc.fields["errors"])
                    exc = InvalidInput("；".join([str(exc), *rest[:5]]))
                return domain_error_page(
                    request, exc, lambda message, code: _render_new(request, person, form, message, code)
                )
            return redirect("web:window-app", ref=created.draft_ref)
        if form.is_valid() and registration is not None and not registration.is_bound:
            error, status = _("所选事项包含市场主体登记：请填写下方的登记信息，再生成材料清单"), 200
        else:
            error, status = form_error_text(form if not form.is_valid() else registration), 400
    return _render_new(request, person, form, error, status, registration)


def _registration_form(request: HttpRequest, form: Any) -> RegistrationForm | None:
    """The registration section when the chosen item or bundle option registers an entity
    (设立、个体工商户、变更、注销登记); chosen first, so the page shows it once the target is known."""
    target = form.data.get("target", "") if form.is_bound else request.GET.get("target", "")
    try:
        kind = registration_of(**_parse_target(target)) if target else ""
    except DomainError:
        kind = ""
    if kind not in REGISTRATION_KINDS:
        return None
    initial = {}
    if kind in ("establish", "individual"):
        initial = {
            "name_region": region_expressions_for(_region_hall_window(request.user)[0])[0],
            "name_form": "有限公司",
        }
    bound = any(key.startswith("reg-") for key in request.POST)
    return RegistrationForm(request.POST if bound else None, kind=kind, prefix="reg", initial=initial)


def _render_new(
    request: HttpRequest,
    person: Applicant,
    form: Any,
    error: str,
    status: int,
    registration: RegistrationForm | None = None,
) -> HttpResponse:
    context = {
        "registration": registration,
        "staff": True,
        "applicant": person,
        "form": form,
        "targets": _targets(),
        "error": error,
        "chosen": form.data.get("target", "") if form.is_bound else "",
    }
    return render(request, "web/window/new.html", context, status=status)


# ---- one application ----------------------------------------------------------------------------


def _application_or_error(request: HttpRequest, ref: str) -> tuple[Any, HttpResponse | None]:
    try:
        return application_detail(ref, request.user), None
    except NotFound as exc:
        return None, not_found(request, str(exc))


@require_GET
@staff_page(*WINDOW_ACTIONS)
def application_page(request: HttpRequest, ref: str) -> HttpResponse:
    """``/window/app/<number or reference>``: the checklist and the actions its state allows."""
    application, error = _application_or_error(request, ref)
    if error:
        return error
    return _render_application(request, application)


def _render_application(
    request: HttpRequest, application: Any, error: str = "", status: int = 200
) -> HttpResponse:
    materials = list(application.materials.all())
    missing = [m for m in materials if m.required and m.state == MaterialState.MISSING]
    status_value = application.status
    context = {
        "application": application,
        "materials": materials,
        "missing": missing,
        "error": error,
        "editable": status_value
        in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.CORRECTION_REQUESTED),
        "S": ApplicationStatus,
        "M": MaterialState,
        "cases": list(application.cases.all()),
        "corrections": list(application.corrections.all()),
        "refuse_form": RefuseForm(),
        "deliver_form": DeliverForm(initial={"method": application.delivery_method}),
        "delivered": hasattr(application, "delivery"),
        "joint_extensions": list(application.joint_extensions.all()),
        "can_request_joint_extension": bool(
            application.joint_legal_due_at
            and any(c.status in OPEN_CASE_STATES for c in application.cases.all())
            and can(request.user, "application.request_joint_extension", region=application.region)
        ),
    }
    if status_value == ApplicationStatus.SUBMITTED:
        deemed_at = services.application_deemed_acceptance_at(application)
        context["deemed_acceptance_at"] = deemed_at
        context["art32_closed"] = deemed_at is not None and now() >= deemed_at
        context["art32_last_day"] = due_day(deemed_at)
    return render(request, "web/window/application.html", context, status=status)


def _upload(request: HttpRequest, application: Any) -> str:
    upload = request.FILES.get("file")
    if upload is None:
        raise InvalidInput(_("请选择要上传的文件"))
    services.application_screen_upload(actor=request.user, application=application, upload=upload)
    row = services.application_attach_material(
        actor=request.user,
        application=application,
        material_key=request.POST.get("material", ""),
        upload=upload,
    )
    return _("已上传：%(name)s") % {"name": row.material.name}


def _mark(request: HttpRequest, application: Any) -> str:
    row = services.application_mark_material(
        actor=request.user,
        application=application,
        material_key=request.POST.get("material", ""),
        state=request.POST.get("state", ""),
    )
    return _("%(name)s：%(state)s") % {"name": row.material.name, "state": row.get_state_display()}


def _submit(request: HttpRequest, application: Any) -> str:
    services.application_submit(actor=request.user, application=application)
    return _("申请已提交，请审核材料后受理、一次性告知补正或不予受理")


def _resubmit(request: HttpRequest, application: Any) -> str:
    services.application_resubmit(actor=request.user, application=application)
    return _("补正材料已重新提交")


def _accept(request: HttpRequest, application: Any) -> str:
    accepted = services.application_accept(actor=request.user, application=application)
    return _("已受理，受理编号 %(number)s") % {"number": accepted.number}


def _correction(request: HttpRequest, application: Any) -> str:
    extra = []
    for row in application.materials.all():
        reason = request.POST.get(f"reason_{row.material.key}", "").strip()
        fact = request.POST.get(f"fact_{row.material.key}", "").strip()
        if reason:
            extra.append({"material": row.material.key, "reason": reason[:200], "new_fact": fact[:500]})
    other = request.POST.get("other", "").strip()
    if other:
        extra.append({"material": "", "reason": other[:500]})
    notice = services.application_request_correction(
        actor=request.user, application=application, extra=extra, note=request.POST.get("note", "")[:500]
    )
    return _("已出具一次性告知书，共 %(n)s 项需补正") % {"n": len(notice.items)}


def _refuse(request: HttpRequest, application: Any) -> str:
    form = RefuseForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(form_error_text(form))
    services.application_refuse(
        actor=request.user,
        application=application,
        reason=form.cleaned_data["reason"],
        remedies=form.cleaned_data["remedies"],
    )
    return _("已作出不予受理决定")


def _deliver(request: HttpRequest, application: Any) -> str:
    form = DeliverForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(form_error_text(form))
    services.application_deliver(
        actor=request.user,
        application=application,
        method=form.cleaned_data["method"],
        tracking_number=form.cleaned_data["tracking_number"],
    )
    return _("已统一出件，办件全部办结")


def _joint_extension(request: HttpRequest, application: Any) -> str:
    try:
        days = int(request.POST.get("days", ""))
    except ValueError:
        raise InvalidInput(_("延长的工作日数须为1至15的整数")) from None
    extension = services.joint_extension_request(
        actor=request.user, application=application, days=days, reason=request.POST.get("reason", "")[:2000]
    )
    return _("联合办理延期申请已提交（%(n)s 个工作日），待本级人民政府负责人批准") % {"n": extension.days}


ACTIONS: dict[str, Callable[[HttpRequest, Any], str]] = {
    "upload": _upload,
    "mark": _mark,
    "submit": _submit,
    "resubmit": _resubmit,
    "accept": _accept,
    "correction": _correction,
    "refuse": _refuse,
    "deliver": _deliver,
    "joint_extension": _joint_extension,
}


@require_POST
@staff_page(*WINDOW_ACTIONS)
def application_action(request: HttpRequest, ref: str, action: str) -> HttpResponse:
    """POST ``/window/app/<ref>/<action>``: one service call; its refusal is shown on the page (400)."""
    handler = ACTIONS.get(action)
    if handler is None:
        return not_found(request)
    application, error = _application_or_error(request, ref)
    if error:
        return error
    try:
        message = handler(request, application)
    except DomainError as exc:
        application = application_detail(ref, request.user)
        return domain_error_page(
            request, exc, lambda text, code: _render_application(request, application, text, code)
        )
    messages.success(request, message)
    target = request.POST.get("next", "")
    if action == "deliver" and target == "delivery":
        return redirect("web:window-delivery")
    application.refresh_from_db()
    return redirect("web:window-app", ref=application.number or application.draft_ref)


@require_GET
@staff_page(*WINDOW_ACTIONS)
def delivery(request: HttpRequest) -> HttpResponse:
    """``/window/delivery``: 统一出件 — applications whose cases are all decided, and today's deliveries."""
    context = {
        "ready": case_selectors.application_list_ready_for_delivery(request.user),
        "done": case_selectors.delivery_list_today(request.user),
        "form": DeliverForm(),
    }
    return render(request, "web/window/delivery.html", context)


@require_GET
@staff_page(*WINDOW_ACTIONS, *DEPARTMENT_ACTIONS, *SUPERVISOR_ACTIONS)
def material_file(request: HttpRequest, pk: int) -> HttpResponse:
    """``/window/material/<id>``: download an uploaded material, for staff who may see the application."""
    row = (
        ApplicationMaterial.objects.select_related("application__region", "application__item")
        .filter(pk=pk)
        .first()
    )
    if row is None or not row.file:
        return not_found(request)
    if not application_visible(row.application, request.user):
        return forbidden(request, _("您无权查看该申请的材料"))
    return material_file_response(row.file, original_name=row.original_name, content_type=row.content_type)
