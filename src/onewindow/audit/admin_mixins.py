"""An admin mixin that puts every admin write in a transaction with an audit event."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.forms import ModelForm
from django.http import HttpRequest

from onewindow.audit.services import audit_record


class AuditedAdmin(admin.ModelAdmin):
    """Records ``<model>.admin_create`` / ``admin_update`` / ``admin_delete`` with the changed fields."""

    def save_model(self, request: HttpRequest, obj: models.Model, form: ModelForm, change: bool) -> None:
        label = obj._meta.model_name
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            changed = {
                name: form.cleaned_data.get(name) for name in form.changed_data if name in form.cleaned_data
            }
            audit_record(
                actor=request.user,
                action=f"{label}.admin_{'update' if change else 'create'}",
                target=obj,
                after={k: str(v) for k, v in changed.items()},
            )

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                audit_record(actor=request.user, action=f"{obj._meta.model_name}.admin_create", target=obj)
            for obj, fields in formset.changed_objects:
                audit_record(
                    actor=request.user,
                    action=f"{obj._meta.model_name}.admin_update",
                    target=obj,
                    after={"fields": sorted(fields)},
                )
            for obj in formset.deleted_objects:
                audit_record(actor=request.user, action=f"{obj._meta.model_name}.admin_delete", target=obj)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            audit_record(actor=request.user, action=f"{obj._meta.model_name}.admin_delete", target=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit_record(actor=request.user, action=f"{obj._meta.model_name}.admin_delete", target=obj)
            super().delete_queryset(request, queryset)
