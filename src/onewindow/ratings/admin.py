"""Ratings in the admin: read-only records (ratings and rectifications change only through the
services); ranking schemes are editable, with weights validated to sum to 100 %."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from onewindow.audit.admin_mixins import AuditedAdmin
from onewindow.core.errors import InvalidInput
from onewindow.ratings.models import (
    RankingIndicator,
    RankingPeriod,
    RankingResult,
    RankingScheme,
    RankingScore,
    Rating,
    Rectification,
    RectificationEvent,
)
from onewindow.ratings.services import ranking_weights_check


class ReadOnlyAdmin(AuditedAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["case", "level", "channel", "department", "window", "anonymous", "is_default", "rated_at"]
    list_filter = ["level", "channel", "is_default", "anonymous", "department"]
    search_fields = ["case__number", "comment"]
    date_hierarchy = "rated_at"


class RectificationEventInline(admin.TabularInline):
    model = RectificationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_state", "to_state", "actor", "note", "at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ["rating", "department", "state", "contact_due_at", "rectify_due_at", "escalated"]
    list_filter = ["state", "department"]
    search_fields = ["rating__case__number"]
    inlines = [RectificationEventInline]

    @admin.display(boolean=True, description=_("已逾期督办"))
    def escalated(self, obj: Rectification) -> bool:
        return obj.escalated


class WeightsFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        weights = [
            f.cleaned_data["weight"]
            for f in self.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("weight") is not None
        ]
        try:
            ranking_weights_check(weights)
        except InvalidInput as exc:
            raise ValidationError(str(exc)) from None


class RankingIndicatorInline(admin.TabularInline):
    model = RankingIndicator
    formset = WeightsFormSet
    extra = 0


@admin.register(RankingScheme)
class RankingSchemeAdmin(AuditedAdmin):
    list_display = ["name", "good_top", "fair_top", "bad_bottom", "is_active"]
    filter_horizontal = ["departments"]
    inlines = [RankingIndicatorInline]


class RankingResultInline(admin.TabularInline):
    model = RankingResult
    extra = 0
    can_delete = False
    readonly_fields = ["department", "score", "rank", "grade", "consecutive_bad", "alert"]
    exclude = ["details"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RankingPeriod)
class RankingPeriodAdmin(AuditedAdmin):
    list_display = ["scheme", "label", "start", "end", "computed_at"]
    readonly_fields = ["computed_at"]
    inlines = [RankingResultInline]


@admin.register(RankingScore)
class RankingScoreAdmin(ReadOnlyAdmin):
    list_display = ["period", "department", "indicator", "score", "entered_by", "entered_at"]
    list_filter = ["period"]
