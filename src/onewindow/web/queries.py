"""Read-only queries the pages need that the apps' selectors do not offer yet.

Each should move into its app's ``selectors.py`` (listed in issue #8's report); until then they
live here, read only, bounded (every list is limited), and scoped through ``org.authz.scope_q``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, DateTimeField, DurationField, ExpressionWrapper, F, Q, QuerySet, Value
from django.utils import timezone

from onewindow.cases.models import Application, ApplicationStatus, Case, CaseStatus, Delivery, Opinion
from onewindow.cases.transitions import RUNNING
from onewindow.clock.selectors import work_calendar
from onewindow.clock.workdays import CalendarRangeError
from onewindow.core.errors import DomainError
from onewindow.core.timeutil import now
from onewindow.org.authz import scope_q

OPEN_STATES = (*RUNNING, CaseStatus.SUSPENDED)
DECIDED_STATES = (CaseStatus.APPROVED, CaseStatus.ISSUED, CaseStatus.DENIED)
LIST_LIMIT = 50


def _today_bounds() -> tuple[dt.datetime, dt.datetime]:
    start = timezone.localtime(now()).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(days=1)


def _application_scope(user: Any, action: str) -> Q:
    return scope_q(user, action, department_field="item__department", region_field="region")


def applications_today(user: Any) -> QuerySet[Application]:
    """Applications started today where ``user`` may accept them, newest first
    (→ ``cases.selectors.application_list_today``)."""
    start, end = _today_bounds()
    return (
        Application.objects.filter(_application_scope(user, "application.accept"))
        .filter(created_at__gte=start, created_at__lt=end)
        .select_related("applicant", "item", "bundle", "bundle_option")
        .order_by("-created_at")[:LIST_LIMIT]
    )


def applications_ready_for_delivery(user: Any) -> QuerySet[Application]:
    """Accepted applications not yet delivered whose cases are all decided (统一出件), oldest
    decision first (→ ``cases.selectors.application_list_ready_for_delivery``)."""
    return (
        Application.objects.filter(_application_scope(user, "case.deliver"))
        .filter(status=ApplicationStatus.ACCEPTED, delivery__isnull=True, cases__isnull=False)
        .exclude(cases__status__in=[s for s in CaseStatus.values if s not in DECIDED_STATES])
        .distinct()
        .select_related("applicant", "item", "bundle", "bundle_option")
        .order_by("accepted_at", "pk")[:LIST_LIMIT]
    )


def deliveries_today(user: Any) -> QuerySet[Delivery]:
    start, end = _today_bounds()
    return (
        Delivery.objects.filter(delivered_at__gte=start, delivered_at__lt=end)
        .filter(application__in=Application.objects.filter(_application_scope(user, "case.deliver")))
        .select_related("application__applicant", "application__item", "application__bundle")
        .order_by("-delivered_at")[:LIST_LIMIT]
    )


def opinions_pending(user: Any) -> QuerySet[Opinion]:
    """Joint-review opinions awaiting an answer from departments ``user`` may answer for
    (→ ``cases.selectors.opinion_list_pending``)."""
    return (
        Opinion.objects.filter(scope_q(user, "case.opinion", department_field="department"))
        .filter(given_at__isnull=True)
        .select_related("case__item_version__item", "department")
        .order_by("due_at", "pk")[:LIST_LIMIT]
    )


def extensions_pending(user: Any) -> QuerySet:
    """Extension requests awaiting this leader's approval (→ ``cases.selectors``)."""
    from onewindow.cases.models import Extension, ExtensionStatus

    return (
        Extension.objects.filter(scope_q(user, "case.approve_extension", department_field="case__department"))
        .filter(status=ExtensionStatus.REQUESTED)
        .select_related("case__item_version__item")
        .order_by("requested_at")[:LIST_LIMIT]
    )


# ---- supervisor dashboard (→ a stats/supervision selector) -------------------------------------


@dataclass(frozen=True)
class Dashboard:
    by_status: list[tuple[str, str, int]]
    by_warning: dict[str, int]
    overdue: list[Case]
    intake_today: int
    accepted_today: int
    completed_today: int


def _soon(at: dt.datetime) -> dt.datetime:
    """End of the next working day: a deadline at or before it has at most one working day left."""
    day = timezone.localtime(at).date()
    try:
        following = work_calendar().next_working_day(day)
    except (CalendarRangeError, DomainError):
        following = day + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(following + dt.timedelta(days=1), dt.time()))


def dashboard(user: Any) -> Dashboard:
    """Counts of cases by state and by warning level (open cases, the same rule as the worklist:
    overdue from the promised deadline on; warning when it falls on or before the next working
    day or at most 20 % of the promised time is left), the overdue list with the responsible
    department, and today's intake and completions, within ``user``'s supervision scope."""
    at = now()
    soon = _soon(at)
    cases = Case.objects.filter(
        scope_q(user, "supervision.view", department_field="department", region_field="application__region")
    )
    # Open cases only: they are few and indexed (case_open_*), where counting every case ever
    # handled grows with the years; finished cases are counted by the statistics (/stats/).
    # One grouped pass counts them by state and by warning level together.
    open_cases = cases.filter(status__in=OPEN_STATES).annotate(
        _left5=ExpressionWrapper(
            (F("promised_due_at") - Value(at, output_field=DateTimeField())) * 5, output_field=DurationField()
        ),
        _span=ExpressionWrapper(F("promised_due_at") - F("accepted_at"), output_field=DurationField()),
    )
    overdue_q = Q(promised_due_at__isnull=False, promised_due_at__lte=at)
    warning_q = Q(promised_due_at__gt=at) & (Q(promised_due_at__lte=soon) | Q(_left5__lte=F("_span")))
    grouped = (
        open_cases.values("status")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=overdue_q), warning=Count("pk", filter=warning_q))
        .order_by()
    )
    counts = {g["status"]: g for g in grouped}
    by_status = [
        (value, str(label), counts[value]["n"] if value in counts else 0)
        for value, label in CaseStatus.choices
        if value in OPEN_STATES
    ]
    open_total = sum(g["n"] for g in counts.values())
    overdue_n = sum(g["overdue"] for g in counts.values())
    warning_n = sum(g["warning"] for g in counts.values())
    start, end = _today_bounds()
    applications = Application.objects.filter(
        scope_q(user, "supervision.view", department_field="item__department", region_field="region")
    )
    return Dashboard(
        by_status=by_status,
        by_warning={"normal": open_total - overdue_n - warning_n, "warning": warning_n, "overdue": overdue_n},
        overdue=list(
            open_cases.filter(overdue_q)
            .select_related("department", "step_department", "item_version__item", "application")
            .order_by("promised_due_at", "pk")[:LIST_LIMIT]
        ),
        intake_today=applications.filter(received_at__gte=start, received_at__lt=end).count(),
        accepted_today=applications.filter(accepted_at__gte=start, accepted_at__lt=end).count(),
        completed_today=cases.filter(closed_at__gte=start, closed_at__lt=end).count(),
    )


def delivery_for_tracking(number: str) -> Delivery | None:
    """The 统一出件 record of the application whose public tracking was just answered (by number
    or submission reference), for the applicant to see how and when the results were sent and the
    mail tracking number. Call only after ``application_track`` accepted the ID suffix."""
    return (
        Delivery.objects.filter(Q(application__number=number) | Q(application__draft_ref=number))
        .only("method", "tracking_number", "delivered_at")
        .first()
    )
