from __future__ import annotations

from django.contrib.auth.views import LoginView
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from onewindow.org.models import Department, Hall
from onewindow.org.selectors import hall_get_main
from onewindow.web.access import DEPARTMENT_ACTIONS, SUPERVISOR_ACTIONS, WINDOW_ACTIONS, can_any
from onewindow.web.health import health_check


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The hall's front page: who we are, where the windows are, where to go next."""
    main = hall_get_main()
    windows = main.windows.filter(is_active=True).prefetch_related("departments") if main else []
    context = {
        "windows": windows,
        "departments": Department.objects.filter(is_active=True, parent__isnull=True).order_by("code"),
        "local_halls": Hall.objects.exclude(kind="county").select_related("region").order_by("region__code"),
    }
    return render(request, "web/home.html", context)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and `make demo`'s wait loop; also
    the timer backlog (503 once a due timer waited past ``ONEWINDOW_TIMER_LAG_MINUTES``: the
    worker is down) and calendar warnings (``web.health``)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        health = health_check()
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "error", "database": connection.vendor, "detail": str(exc)}, status=503
        )
    return JsonResponse({**health.as_json(), "database": connection.vendor}, status=200 if health.ok else 503)


class StaffLoginView(LoginView):
    """``/login``: Django's login with our template; afterwards the user's own workbench."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return workbench_url(self.request.user)


def workbench_url(user: object) -> str:
    """The first workbench the user's roles open (window, department, supervisor), else home."""
    for actions, name in (
        (WINDOW_ACTIONS, "web:window"),
        (DEPARTMENT_ACTIONS, "web:department"),
        (SUPERVISOR_ACTIONS, "web:supervisor"),
    ):
        if can_any(user, actions):
            return reverse(name)
    return reverse("web:home")
