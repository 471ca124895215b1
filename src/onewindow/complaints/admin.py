"""Complaints in the admin: read-only (state changes go through the services); the SLA table is
editable by the administrator."""

from __future__ import annotations

from django.contrib import admin

from onewindow.audit.admin_mixins import AuditedAdmin
from onewindow.complaints.models import Complaint, ComplaintEvent, ComplaintSla


class ComplaintEventInline(admin.TabularInline):
    model = ComplaintEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "actor", "department", "note", "at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Complaint)
class ComplaintAdmin(AuditedAdmin):
    list_display = ["number", "klass", "channel", "subject", "department", "status", "round", "due_at"]
    list_filter = ["klass", "channel", "status", "department"]
    search_fields = ["number", "subject", "hotline_ticket"]
    date_hierarchy = "received_at"
    inlines = [ComplaintEventInline]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ComplaintSla)
class ComplaintSlaAdmin(AuditedAdmin):
    list_display = ["klass", "working_days"]
