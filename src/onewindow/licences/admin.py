"""Admin: licence types and the proof registry are edited here; licences and verification
requests are read-only (their state changes go through the services, with events and audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.audit.admin_mixins import AuditedAdmin
from onewindow.licences.models import (
    IntegratedPermit,
    Licence,
    LicenceEvent,
    LicenceType,
    ProofRequirement,
    VerificationRequest,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LicenceType)
class LicenceTypeAdmin(AuditedAdmin):
    list_display = [
        "name",
        "department",
        "number_prefix",
        "validity_value",
        "validity_unit",
        "is_master",
        "is_active",
    ]
    list_filter = ["is_active", "is_master", "validity_unit"]
    search_fields = ["name", "number_prefix"]
    autocomplete_fields = ["department"]


class LicenceEventInline(admin.TabularInline):
    model = LicenceEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "from_status", "to_status", "reason", "actor"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class IntegratedPermitInline(admin.TabularInline):
    """一业一证: the permits an integrated licence lists (each is a licence of its own)."""

    model = IntegratedPermit
    fk_name = "integrated"
    extra = 0
    can_delete = False
    fields = ["position", "permit"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "licence_type",
        "holder_name",
        "department",
        "valid_from",
        "expires_on",
        "status",
    ]
    list_filter = ["status", "licence_type", "department"]
    search_fields = ["number", "holder_name", "holder_id_number", "source_case_no"]
    date_hierarchy = "issued_at"
    inlines = [IntegratedPermitInline, LicenceEventInline]


@admin.register(ProofRequirement)
class ProofRequirementAdmin(AuditedAdmin):
    list_display = ["name", "issuer", "asked_by", "method", "source_seed", "is_active"]
    list_filter = ["method", "is_active", "source_seed"]
    search_fields = ["name", "asked_by", "item_code"]
    autocomplete_fields = ["department"]


@admin.register(VerificationRequest)
class VerificationRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "requesting_department",
        "responding_department",
        "case_no",
        "due_on",
        "status",
        "outcome",
    ]
    list_filter = ["status", "outcome", "responding_department"]
    search_fields = ["case_no", "question"]
