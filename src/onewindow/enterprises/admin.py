"""Admin: the register is read-only here. Registrations, changes, cancellations, the hosting registry
and address policies are written through ``services`` (one transaction, an audit event, the keys
names and addresses are compared by)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.enterprises.models import (
    AddressPolicy,
    Enterprise,
    EnterpriseVersion,
    HostingAgreement,
    HostingCompany,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EnterpriseVersionInline(admin.TabularInline):
    model = EnterpriseVersion
    extra = 0
    can_delete = False
    fields = ["number", "reason", "name", "changed_fields", "valid_from", "valid_to", "case_number"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    list_display = ["name", "enterprise_type", "legal_representative", "established_on", "status", "version"]
    list_filter = ["status", "enterprise_type", "region"]
    search_fields = ["name", "applicant__id_number", "legal_representative"]
    inlines = [EnterpriseVersionInline]


class HostingAgreementInline(admin.TabularInline):
    model = HostingAgreement
    fk_name = "company"
    extra = 0
    can_delete = False
    fields = ["pk", "enterprise", "proposed_name", "starts_on", "ends_on", "status", "ended_on", "end_reason"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HostingCompany)
class HostingCompanyAdmin(ReadOnlyAdmin):
    list_display = ["name", "uscc", "address", "capacity", "is_active"]
    list_filter = ["is_active", "region"]
    search_fields = ["name", "uscc", "address"]
    inlines = [HostingAgreementInline]


@admin.register(HostingAgreement)
class HostingAgreementAdmin(ReadOnlyAdmin):
    list_display = ["pk", "company", "enterprise", "proposed_name", "starts_on", "ends_on", "status"]
    list_filter = ["status", "company"]
    search_fields = ["proposed_name", "enterprise__name", "company__name"]


@admin.register(AddressPolicy)
class AddressPolicyAdmin(ReadOnlyAdmin):
    list_display = ["region", "address", "shared_allowed", "capacity", "basis", "is_active"]
    list_filter = ["shared_allowed", "is_active"]
