from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from onewindow.audit.admin_mixins import AuditedAdmin
from onewindow.org.models import Applicant, Department, Hall, Region, RoleAssignment, ServiceWindow, Staff

admin.site.site_header = _("一窗通办 管理后台")
admin.site.site_title = _("一窗通办")
admin.site.index_title = _("系统管理")


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["code", "name", "short_name", "region", "parent", "is_active"]
    list_filter = ["is_active", "region"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["region", "parent"]


class ServiceWindowInline(admin.TabularInline):
    model = ServiceWindow
    extra = 0
    filter_horizontal = ["departments"]


@admin.register(Hall)
class HallAdmin(AuditedAdmin):
    list_display = ["name", "kind", "region", "phone"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["region", "operator"]
    inlines = [ServiceWindowInline]


@admin.register(ServiceWindow)
class ServiceWindowAdmin(AuditedAdmin):
    list_display = ["hall", "number", "name", "kind", "is_active"]
    list_filter = ["kind", "hall"]
    search_fields = ["name", "number"]
    filter_horizontal = ["departments"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["department", "region"]


@admin.register(Staff)
class StaffAdmin(AuditedAdmin):
    list_display = ["employee_no", "name", "user", "department", "window"]
    list_filter = ["department"]
    search_fields = ["name", "employee_no", "user__username"]
    autocomplete_fields = ["user", "department"]
    inlines = [RoleAssignmentInline]


@admin.register(Applicant)
class ApplicantAdmin(AuditedAdmin):
    list_display = ["name", "kind", "masked_id", "phone", "region", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "=id_number", "phone"]
    autocomplete_fields = ["region"]

    @admin.display(description=_("证件号码"))
    def masked_id(self, obj: Applicant) -> str:
        return obj.masked_id_number
