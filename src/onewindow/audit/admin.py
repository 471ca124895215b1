from django.contrib import admin
from django.http import HttpRequest

from onewindow.audit.models import AuditCheckpoint, AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log has no add, change or delete path."""

    list_display = ["created_at", "actor_label", "action", "object_type", "object_repr", "request_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["action", "object_repr", "object_id", "actor_label", "request_id"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(admin.ModelAdmin):
    """Read-only: checkpoints are signed by the worker or `onewindow audit checkpoint`."""

    list_display = ["created_at", "digest", "key_id"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditCheckpoint._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditCheckpoint | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditCheckpoint | None = None) -> bool:
        return False
