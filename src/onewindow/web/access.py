"""Who may open which page, and how domain errors become pages (STYLE.md §6).

Every staff page names the ``org.roles`` actions that open it; ``org.authz.can`` decides. A
visitor who is not logged in goes to the login page; a logged-in user without the role gets a
Chinese 403 page. Services raise ``DomainError``s; a view turns them into a message on the page
with status 400 (403 / 404 for permission and not-found errors), never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from onewindow.core.errors import DomainError, NotFound, PermissionDenied
from onewindow.core.throttle import Throttled
from onewindow.org.authz import can

View = Callable[..., HttpResponse]

# The workbenches and the actions that open them (any one suffices).
WINDOW_ACTIONS = ("application.accept", "case.deliver")
DEPARTMENT_ACTIONS = ("case.review", "case.opinion")
SUPERVISOR_ACTIONS = ("supervision.view", "application.approve_joint_extension")


def can_any(user: Any, actions: tuple[str, ...]) -> bool:
    return any(can(user, action) for action in actions)


def forbidden(request: HttpRequest, message: str = "") -> HttpResponse:
    context = {"message": message or _("您的账号没有打开此页面所需的角色。如需开通，请联系系统管理员。")}
    return render(request, "web/403.html", context, status=403)


def not_found(request: HttpRequest, message: str = "") -> HttpResponse:
    return render(request, "web/404.html", {"message": message}, status=404)


def staff_page(*actions: str) -> Callable[[View], View]:
    """The page is for staff who may perform at least one of ``actions`` somewhere."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("web:login"))
            if not can_any(request.user, actions):
                return forbidden(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def error_status(exc: DomainError) -> int:
    """The HTTP status of a page that shows ``exc``: 403, 404, the error's own 5xx (a service it
    needs is down, e.g. the virus scanner) or 400 (a form error)."""
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if exc.status >= 500:
        return exc.status
    return 400


def domain_error_page(
    request: HttpRequest, exc: DomainError, render_page: Callable[[str, int], HttpResponse]
) -> HttpResponse:
    """Show ``exc``: permission and not-found errors get their own pages; any other rule
    refusal is shown on the page the user was on (``render_page(message, status)``)."""
    status = error_status(exc)
    if status == 403:
        return forbidden(request, str(exc))
    if status == 404:
        return not_found(request, str(exc))
    return render_page(str(exc), status)


def throttled_page(
    request: HttpRequest, template: str, context: dict[str, Any], exc: Throttled
) -> HttpResponse:
    """A public look-up refused by its throttle (``core.throttle``): the same page with the
    message, status 429 and ``Retry-After``."""
    response = render(request, template, {**context, "error": str(exc), "result": None}, status=429)
    response["Retry-After"] = str(exc.fields.get("retry_after", 60))
    return response
