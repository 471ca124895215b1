"""The department workbench (后台审批): my departments' queue by promised deadline with warning
colours, and the case page with only the actions the transition table allows this user now."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from onewindow.cases import selectors as case_selectors
from onewindow.cases import services
from onewindow.cases.models import DECIDED_CASE_STATES, CaseStatus, ExtensionStatus
from onewindow.cases.selectors import (
    OPEN_STATES,
    PUBLIC_EVENTS,
    case_detail,
    case_figures,
    worklist,
)
from onewindow.cases.transitions import RUNNING
from onewindow.clock.workdays import WarningLevel
from onewindow.core.errors import DomainError, InvalidInput, NotFound
from onewindow.core.timeutil import now
from onewindow.enterprises.selectors import hosting_register_visible
from onewindow.org.authz import can
from onewindow.web.access import DEPARTMENT_ACTIONS, domain_error_page, not_found, staff_page
from onewindow.web.forms import (
    DecideForm,
    ExtensionForm,
    FindingForm,
    InspectionForm,
    NoteForm,
    OpinionForm,
    SuspendForm,
    form_error_text,
)

WARNING_LABELS = {
    WarningLevel.NORMAL: gettext_lazy("正常"),
    WarningLevel.WARNING: gettext_lazy("预警"),
    WarningLevel.OVERDUE: gettext_lazy("超期"),
}
# Internal events, in words, on top of the public ones.
EVENT_LABELS = {
    **PUBLIC_EVENTS,
    "request_opinion": "征求联审意见",
    "give_opinion": "答复联审意见",
    "deem_opinion": "逾期未答复，视为同意",
    "request_extension": "申请延期",
    "reject_extension": "延期未获批准",
    "post_verification": "承诺核查",
}


@require_GET
@staff_page(*DEPARTMENT_ACTIONS)
def queue(request: HttpRequest) -> HttpResponse:
    """``/department/``: open cases in my departments' queues, by promised deadline, 50 a page."""
    status = request.GET.get("status") or None
    warning = request.GET.get("warning") or None
    after = request.GET.get("after") or None
    error = ""
    try:
        page = worklist(request.user, status=status, warning=warning, after=after, limit=50)
    except InvalidInput as exc:
        page, error = worklist(request.user, limit=50), str(exc)
        status = warning = None
    context = {
        "rows": page.rows,
        "next_cursor": page.next_cursor,
        "status": status or "",
        "warning": warning or "",
        "statuses": [(s, CaseStatus(s).label) for s in OPEN_STATES],
        "warnings": list(WARNING_LABELS.items()),
        "warning_labels": WARNING_LABELS,
        "opinions": case_selectors.opinion_list_pending(request.user),
        "extensions": case_selectors.extension_list_pending(request.user),
        "error": error,
        "first_page": after is None,
        "hosting_link": hosting_register_visible(request.user),
    }
    return render(request, "web/dept/queue.html", context, status=400 if error else 200)


def _case_or_error(request: HttpRequest, number: str) -> tuple[Any, HttpResponse | None]:
    try:
        return case_detail(number, request.user), None
    except NotFound as exc:
        return None, not_found(request, str(exc))


def _allowed(case: Any, user: Any) -> set[str]:
    """What the page offers: the table's actions the services would accept from this user now
    (``case_actions_for``: state, guards and permission), ``decide`` for approve / deny, and the
    extension request while one is possible (行政许可法 第四十二条)."""
    allowed = set(case_selectors.case_actions_for(case, user)) & {
        "start_review",
        "start_inspection",
        "finish_inspection",
        "submit_for_decision",
        "approve",
        "deny",
        "suspend",
        "resume",
    }
    if "approve" in allowed or "deny" in allowed:
        allowed.add("decide")
    if (
        case.status in RUNNING
        and can(user, "case.review", department=case.step_department)
        and case_selectors.case_extension_refusal(case) is None
    ):
        allowed.add("extension")
    return allowed


def _render_case(request: HttpRequest, case: Any, error: str = "", status: int = 200) -> HttpResponse:
    allowed = _allowed(case, request.user)
    open_inspection = None
    if "finish_inspection" in allowed:
        recorded = {f.inspection_id for f in case.findings.all()}
        open_inspection = next((i for i in case.inspections.order_by("-pk") if i.pk not in recorded), None)
    opinions = list(case.opinions.all())
    context = {
        "case": case,
        "application": case.application,
        "version": case.item_version,
        "figures": case_figures(case),
        "materials": case_selectors.case_materials(case),
        "waits_for": list(case.waits_for.all()),
        "suspensions": list(case.suspensions.all()),
        "decided_states": DECIDED_CASE_STATES,
        "delivery_overdue": case.delivery_due_at is not None and case.delivery_due_at <= now(),
        "events": [(e, EVENT_LABELS.get(e.action, e.action)) for e in case.events.all()],
        "opinions": opinions,
        "my_opinions": [
            o
            for o in opinions
            if o.given_at is None and can(request.user, "case.opinion", department=o.department)
        ],
        "extensions": list(case.extensions.all()),
        "pending_extensions": [
            e
            for e in case.extensions.all()
            if e.status == ExtensionStatus.REQUESTED
            and can(request.user, "case.approve_extension", department=case.department)
        ],
        "findings": list(case.findings.all()),
        "allowed": allowed,
        "open_inspection": open_inspection,
        "warning_labels": WARNING_LABELS,
        "error": error,
        "forms": {
            "inspection": InspectionForm(),
            "finding": FindingForm(),
            "decide": DecideForm(),
            "suspend": SuspendForm(),
            "extension": ExtensionForm(),
            "opinion": OpinionForm(),
            "note": NoteForm(),
        },
    }
    return render(request, "web/dept/case.html", context, status=status)


@require_GET
@staff_page(*DEPARTMENT_ACTIONS)
def case_page(request: HttpRequest, number: str) -> HttpResponse:
    """``/department/case/<number>``: materials, events, deadline figures, opinions, actions."""
    case, error = _case_or_error(request, number)
    if error:
        return error
    return _render_case(request, case)


def _valid(form_class: type, request: HttpRequest) -> dict[str, Any]:
    form = form_class(request.POST)
    if not form.is_valid():
        raise InvalidInput(form_error_text(form))
    return form.cleaned_data


def _start_review(request: HttpRequest, case: Any) -> str:
    services.case_start_review(actor=request.user, case=case)
    return _("已开始审查")


def _schedule(request: HttpRequest, case: Any) -> str:
    data = _valid(InspectionForm, request)
    # 多勘合一: one visit for every case of the application under review that needs one and that
    # this user may inspect.
    siblings = [
        c
        for c in case.application.cases.select_related("item_version", "step_department").filter(
            status=CaseStatus.REVIEWING
        )
        if c.item_version.needs_inspection and can(request.user, "case.inspect", department=c.step_department)
    ]
    services.inspection_schedule(
        actor=request.user,
        application=case.application,
        cases=siblings or [case],
        scheduled_for=data["scheduled_for"],
        inspectors=data["inspectors"],
    )
    return _("已安排现场核查（%(n)s 个办件一次踏勘）") % {"n": len(siblings) or 1}


def _finding(request: HttpRequest, case: Any) -> str:
    data = _valid(FindingForm, request)
    inspection = case.inspections.filter(pk=request.POST.get("inspection") or 0).first()
    if inspection is None:
        raise InvalidInput(_("没有待记录结论的踏勘"))
    services.inspection_record_finding(
        actor=request.user, inspection=inspection, case=case, passed=data["passed"], note=data["note"]
    )
    return _("已记录现场核查结论")


def _submit(request: HttpRequest, case: Any) -> str:
    services.case_submit_for_decision(actor=request.user, case=case, note=_valid(NoteForm, request)["note"])
    return _("审查完毕，已提交决定")


def _decide(request: HttpRequest, case: Any) -> str:
    data = _valid(DecideForm, request)
    approve = data["decision"] == "approve"
    services.case_decide(
        actor=request.user, case=case, approve=approve, basis=data["basis"], remedies=data["remedies"]
    )
    return _("已作出准予许可决定") if approve else _("已作出不予许可决定")


def _suspend(request: HttpRequest, case: Any) -> str:
    data = _valid(SuspendForm, request)
    services.case_suspend(
        actor=request.user,
        case=case,
        reason=data["reason"],
        expected_days=data["expected_days"],
        note=data["note"],
    )
    return _("已中止计时")


def _resume(request: HttpRequest, case: Any) -> str:
    services.case_resume(actor=request.user, case=case, note=_valid(NoteForm, request)["note"])
    return _("已恢复计时")


def _extension(request: HttpRequest, case: Any) -> str:
    data = _valid(ExtensionForm, request)
    services.extension_request(actor=request.user, case=case, days=data["days"], reason=data["reason"])
    return _("延期申请已提交，待领导审批")


def _extension_decide(request: HttpRequest, case: Any) -> str:
    extension = case.extensions.filter(pk=request.POST.get("extension") or 0).first()
    if extension is None:
        raise InvalidInput(_("延期申请不存在"))
    approve = request.POST.get("approve") == "1"
    services.extension_decide(actor=request.user, extension=extension, approve=approve)
    return _("已批准延期") if approve else _("未批准延期")


def _opinion(request: HttpRequest, case: Any) -> str:
    data = _valid(OpinionForm, request)
    opinion = case.opinions.filter(pk=request.POST.get("opinion") or 0).first()
    if opinion is None:
        raise InvalidInput(_("联审意见请求不存在"))
    services.opinion_give(actor=request.user, opinion=opinion, verdict=data["verdict"], text=data["text"])
    return _("已答复联审意见")


ACTIONS: dict[str, Callable[[HttpRequest, Any], str]] = {
    "start_review": _start_review,
    "schedule_inspection": _schedule,
    "record_finding": _finding,
    "submit_for_decision": _submit,
    "decide": _decide,
    "suspend": _suspend,
    "resume": _resume,
    "extension": _extension,
    "extension_decide": _extension_decide,
    "opinion": _opinion,
}


@require_POST
@staff_page(*DEPARTMENT_ACTIONS)
def case_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """POST ``/department/case/<number>/<action>``: one service call; a refusal is shown on the
    case page with status 400 (the services check the permission and the transition table)."""
    handler = ACTIONS.get(action)
    if handler is None:
        return not_found(request)
    case, error = _case_or_error(request, number)
    if error:
        return error
    try:
        message = handler(request, case)
    except DomainError as exc:
        case = case_detail(number, request.user)
        return domain_error_page(request, exc, lambda text, code: _render_case(request, case, text, code))
    messages.success(request, message)
    return redirect("web:case", number=case.number)
