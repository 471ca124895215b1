from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from onewindow.audit.admin_mixins import AuditedAdmin
from onewindow.clock.models import Calendar, CalendarDay, CalendarYear
from onewindow.clock.selectors import calendar_gaps
from onewindow.clock.services import calendar_day_remove, calendar_day_set


class CalendarGapWarning:
    """Calendar pages warn of a missing holiday notice (this year, or next year from 1 November):
    deadlines that run into it are only provisional until the notice is imported (issue 17)."""

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        self._warn_gaps(request)
        return super().changelist_view(request, extra_context)  # type: ignore[misc]

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "GET":
            self._warn_gaps(request)
        return super().changeform_view(request, *args, **kwargs)  # type: ignore[misc]

    @staticmethod
    def _warn_gaps(request: HttpRequest) -> None:
        for gap in calendar_gaps():
            messages.warning(request, str(gap))


class CalendarYearInline(admin.TabularInline):
    model = CalendarYear
    extra = 0
    readonly_fields = ["year", "source", "loaded_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Calendar)
class CalendarAdmin(CalendarGapWarning, AuditedAdmin):
    list_display = ["code", "name", "kind", "region", "is_default", "sessions", "revision"]
    list_filter = ["kind"]
    readonly_fields = ["revision"]
    autocomplete_fields = ["region"]
    inlines = [CalendarYearInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarGapWarning, admin.ModelAdmin):
    """Each add, change or delete goes through the clock services: revision, audit, recompute."""

    list_display = ["date", "kind", "name", "calendar"]
    list_filter = ["calendar", "kind"]
    date_hierarchy = "date"
    search_fields = ["name"]

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        with transaction.atomic():
            if change and "date" in form.changed_data:
                original = CalendarDay.objects.get(pk=obj.pk)
                calendar_day_remove(actor=request.user, row=original)
                obj.pk = None
            calendar_day_set(
                actor=request.user, calendar=obj.calendar, day=obj.date, kind=obj.kind, name=obj.name
            )
            saved = CalendarDay.objects.get(calendar=obj.calendar, date=obj.date)
            obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        calendar_day_remove(actor=request.user, row=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for row in queryset.select_related("calendar"):
                calendar_day_remove(actor=request.user, row=row)
