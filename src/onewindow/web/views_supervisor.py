"""The supervisor dashboard (效能督查): cases by state and warning level, the overdue list with the
responsible department, today's intake and completions, and the system's own warnings (a worker
that stopped firing timers, a missing holiday notice: ``web.health``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from onewindow.cases import services
from onewindow.cases.selectors import (
    joint_extension_get_for_user,
    joint_extension_list_pending,
    supervision_dashboard,
)
from onewindow.core.errors import DomainError
from onewindow.web.access import SUPERVISOR_ACTIONS, domain_error_page, staff_page
from onewindow.web.health import health_check
from onewindow.web.views_department import WARNING_LABELS


@require_GET
@staff_page(*SUPERVISOR_ACTIONS)
def dashboard(request: HttpRequest) -> HttpResponse:
    """``/supervisor/``: one bounded set of aggregate queries, within the supervisor's scope."""
    data = supervision_dashboard(request.user)
    context = {
        "data": data,
        "health": health_check(),
        "warnings": [(level, WARNING_LABELS[level], data.by_warning[level]) for level in WARNING_LABELS],
        "joint_extensions": joint_extension_list_pending(request.user),
    }
    return render(request, "web/supervisor/dashboard.html", context)


@require_POST
@staff_page("application.approve_joint_extension")
def joint_extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The 本级人民政府负责人 approves or rejects a joint-handling extension (行政许可法 第四十二条第二款)."""
    approve = request.POST.get("approve") == "1"

    def refused(message: str, status: int) -> HttpResponse:
        messages.error(request, message)
        return redirect("web:supervisor")

    try:
        extension = joint_extension_get_for_user(pk, request.user)
        services.joint_extension_decide(actor=request.user, extension=extension, approve=approve)
    except DomainError as exc:
        return domain_error_page(request, exc, refused)
    messages.success(request, _("已批准联合办理延期") if approve else _("未批准联合办理延期"))
    return redirect("web:supervisor")
