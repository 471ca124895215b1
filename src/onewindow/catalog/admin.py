"""Catalogue admin (Chinese). Item-level fields are edited here with an audit event; what an item
requires lives in immutable versions, which the admin only shows: a change goes through the
"修订" (revise) page, which calls ``item_revise`` and creates a new version, or through a
catalogue import. Devolutions added here go through ``item_devolve``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from onewindow.audit.admin_mixins import AuditedAdmin
from onewindow.catalog.models import (
    Bundle,
    BundleDependency,
    BundleItem,
    BundleOption,
    DevolutionAction,
    ItemDevolution,
    ItemStep,
    Material,
    MaterialRequirement,
    ServiceItem,
    ServiceItemVersion,
    Tier,
    Topic,
)
from onewindow.catalog.services import (
    VERSION_FIELDS,
    catalogue_import,
    catalogue_parse,
    item_devolve,
    item_revise,
    search_initials,
)
from onewindow.core.errors import InvalidInput


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DevolutionForm(forms.ModelForm):
    class Meta:
        model = ItemDevolution
        fields = ["tier", "action", "date", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        item, tier, action = (
            self.instance.item if self.instance.item_id else None,
            data.get("tier"),
            data.get("action"),
        )
        if item is not None and tier and action:
            if tier == Tier.COUNTY:
                raise ValidationError(_("只能下放至或收回自乡镇（街道）、村（社区）"))
            if getattr(item, f"tier_{tier}") == (action == DevolutionAction.DEVOLVE):
                raise ValidationError(_("该事项在此层级的状态已是所选操作的结果"))
        return data


class DevolutionInline(admin.TabularInline):
    """Existing records are history (read-only); a new row is recorded through ``item_devolve``."""

    model = ItemDevolution
    form = DevolutionForm
    extra = 0
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Topic)
class TopicAdmin(AuditedAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Material)
class MaterialAdmin(AuditedAdmin):
    list_display = ["key", "name", "satisfied_by"]
    search_fields = ["key", "name"]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("目录文件"), help_text=_(".yaml、.yml、.json 或 .xlsx，格式见 docs/catalogue-format.md")
    )
    dry_run = forms.BooleanField(label=_("仅校验，不保存"), required=False)


class ReviseForm(forms.ModelForm):
    class Meta:
        model = ServiceItemVersion
        fields = VERSION_FIELDS


@admin.register(ServiceItem)
class ServiceItemAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind", "department", "tier_list", "version_link"]
    list_filter = ["kind", "department", "tier_town", "tier_village", "collect_for_higher_tier", "topics"]
    search_fields = ["code", "name", "short_name", "search_initials"]
    autocomplete_fields = ["department", "parent"]
    filter_horizontal = ["topics"]
    readonly_fields = ["tier_county", "tier_town", "tier_village", "version_link", "search_initials"]
    fields = [
        "code",
        "name",
        "short_name",
        "kind",
        "department",
        "parent",
        "audience",
        "topics",
        ("tier_county", "tier_town", "tier_village"),
        "collect_for_higher_tier",
        "source_seed",
        "source_note",
        "version_link",
        "search_initials",
    ]
    inlines = [DevolutionInline]
    change_list_template = "admin/catalog/serviceitem/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # items are created with their first version by an import (or item_create)

    @admin.display(description=_("可办层级"))
    def tier_list(self, obj: ServiceItem) -> str:
        tiers = "、".join(str(Tier(t).label) for t in obj.tiers)
        return f"{tiers}（{_('可代收代办')}）" if obj.collect_for_higher_tier else tiers

    @admin.display(description=_("现行版本"))
    def version_link(self, obj: ServiceItem) -> str:
        if obj.current_version_id is None:
            return "—"
        view = reverse("admin:catalog_serviceitemversion_change", args=[obj.current_version_id])
        revise = reverse("admin:catalog_serviceitem_revise", args=[obj.pk])
        return format_html(
            '<a href="{}">第{}版</a> · <a href="{}">修订（生成新版本）</a>',
            view,
            obj.current_version.number,
            revise,
        )

    def save_model(self, request: HttpRequest, obj: ServiceItem, form: forms.ModelForm, change: bool) -> None:
        obj.search_initials = search_initials(obj.name, obj.short_name)
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool) -> None:
        if formset.model is not ItemDevolution:
            super().save_formset(request, form, formset, change)
            return
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if row.instance.pk is None and row.has_changed() and row.cleaned_data:
                data = row.cleaned_data
                record = item_devolve(
                    item=form.instance,
                    tier=data["tier"],
                    date=data["date"],
                    action=data["action"],
                    note=data.get("note", ""),
                    actor=request.user,
                )
                formset.new_objects.append(record)

    def get_urls(self) -> list:
        extra = [
            path(
                "<int:pk>/revise/",
                self.admin_site.admin_view(self.revise_view),
                name="catalog_serviceitem_revise",
            ),
            path("import/", self.admin_site.admin_view(self.import_view), name="catalog_serviceitem_import"),
        ]
        return extra + super().get_urls()

    def revise_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Edit the current version's fields; saving creates a new version through ``item_revise``."""
        item = get_object_or_404(ServiceItem.objects.select_related("current_version"), pk=pk)
        if not self.has_change_permission(request, item):
            return HttpResponse(status=403)
        current = item.current_version
        draft = (
            ServiceItemVersion(**{name: getattr(current, name) for name in VERSION_FIELDS})
            if current
            else None
        )
        form = ReviseForm(request.POST or None, instance=draft)
        if request.method == "POST" and form.is_valid():
            try:
                version = item_revise(
                    item=item, actor=request.user, **{n: form.cleaned_data[n] for n in VERSION_FIELDS}
                )
            except InvalidInput as exc:
                form.add_error(None, exc.detail)
            else:
                if current is not None and version.pk == current.pk:
                    self.message_user(request, _("内容没有变化，未生成新版本"), messages.INFO)
                else:
                    self.message_user(request, _("已生成第%(n)s版") % {"n": version.number}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:catalog_serviceitem_change", args=[item.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("修订事项：%(name)s") % {"name": item.name},
            "form": form,
            "item": item,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/catalog/serviceitem/revise.html", context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a catalogue file; every error is listed and nothing changes on any error."""
        if not self.has_change_permission(request):
            return HttpResponse(status=403)
        form = ImportForm(request.POST or None, request.FILES or None)
        errors: list[dict[str, Any]] = []
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                document = catalogue_parse(upload.read(), filename=upload.name)
                report = catalogue_import(document, actor=request.user, dry_run=form.cleaned_data["dry_run"])
            except InvalidInput as exc:
                errors = exc.fields.get("errors") or [{"path": "", "message": exc.detail}]
                form.add_error(None, exc.detail)
        context = {
            **self.admin_site.each_context(request),
            "title": _("导入事项目录"),
            "form": form,
            "errors": errors,
            "report": report,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/catalog/serviceitem/import.html", context)


class StepInline(ReadOnlyInline):
    model = ItemStep
    fields = ["order", "kind", "department", "limit_value", "limit_unit", "deemed_consent_basis"]
    readonly_fields = fields


class RequirementInline(ReadOnlyInline):
    model = MaterialRequirement
    fields = [
        "order",
        "material",
        "form",
        "copies",
        "required",
        "waivable",
        "supply_days",
        "commitment_allowed",
        "applies_to",
        "note",
    ]
    readonly_fields = fields


@admin.register(ServiceItemVersion)
class ServiceItemVersionAdmin(admin.ModelAdmin):
    """Versions are immutable (cases are bound to them): view only."""

    list_display = [
        "item",
        "number",
        "promised_limit_display",
        "legal_limit_display",
        "created_at",
        "created_by",
    ]
    list_filter = ["is_instant", "online_depth", "commitment_approval"]
    search_fields = ["item__code", "item__name"]
    inlines = [StepInline, RequirementInline]

    @admin.display(description=_("承诺时限"))
    def promised_limit_display(self, obj: ServiceItemVersion) -> str:
        return str(obj.promised_limit)

    @admin.display(description=_("法定时限"))
    def legal_limit_display(self, obj: ServiceItemVersion) -> str:
        return str(obj.legal_limit or "—")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BundleItemInline(admin.TabularInline):
    model = BundleItem
    extra = 0
    autocomplete_fields = ["item"]


class BundleOptionInline(admin.TabularInline):
    model = BundleOption
    extra = 0
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}


class BundleDependencyInline(admin.TabularInline):
    model = BundleDependency
    extra = 0
    autocomplete_fields = ["item", "waits_for"]


@admin.register(Bundle)
class BundleAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind", "promised_limit_value", "promised_limit_unit", "joint_handling"]
    list_filter = ["kind", "joint_handling", "topics"]
    search_fields = ["code", "name"]
    filter_horizontal = ["topics"]
    inlines = [BundleItemInline, BundleOptionInline, BundleDependencyInline]
