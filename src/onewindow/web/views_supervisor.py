"""The supervisor dashboard (效能督查): cases by state and warning level, the overdue list with the
responsible department, today's intake and completions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onewindow.web import queries
from onewindow.web.access import SUPERVISOR_ACTIONS, staff_page
from onewindow.web.views_department import WARNING_LABELS


@require_GET
@staff_page(*SUPERVISOR_ACTIONS)
def dashboard(request: HttpRequest) -> HttpResponse:
    """``/supervisor/``: one bounded set of aggregate queries, within the supervisor's scope."""
    data = queries.dashboard(request.user)
    context = {
        "data": data,
        "warnings": [(level, WARNING_LABELS[level], data.by_warning[level]) for level in WARNING_LABELS],
    }
    return render(request, "web/supervisor/dashboard.html", context)
