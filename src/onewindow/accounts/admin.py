"""The sign-in log for administrators, in Chinese: successes, failures, lockouts (with release)
and the authenticators (with reset). Read-only except through the audited actions."""

from __future__ import annotations

import contextlib
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.accounts.models import Authenticator, SignIn, SignInFailure, SignInLockout
from onewindow.accounts.services import lockout_release, totp_reset
from onewindow.org.authz import can

# django-otp's own page shows English labels; ours replaces it.
with contextlib.suppress(NotRegistered):
    admin.site.unregister(TOTPDevice)


class SecurityLogAdmin(admin.ModelAdmin):
    """Shown to administrators only; nobody adds or edits a record by hand."""

    list_per_page = 50

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, "org.manage")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, "org.manage")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("用户名"), ordering="username")
    def who(self, obj: Any) -> str:
        return obj.username or "-"

    @admin.display(description=_("时间"), ordering="attempt_time")
    def when(self, obj: Any) -> Any:
        return obj.attempt_time

    @admin.display(description=_("IP地址"), ordering="ip_address")
    def address(self, obj: Any) -> str:
        return obj.ip_address or "-"

    @admin.display(description=_("浏览器"))
    def browser(self, obj: Any) -> str:
        return obj.user_agent

    @admin.display(description=_("访问路径"))
    def path(self, obj: Any) -> str:
        return obj.path_info


@admin.register(SignIn)
class SignInAdmin(SecurityLogAdmin):
    list_display = ["when", "who", "address", "path", "signed_out", "browser"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"
    fields = readonly_fields = ["who", "when", "address", "path", "signed_out", "browser"]

    @admin.display(description=_("退出时间"), ordering="logout_time")
    def signed_out(self, obj: SignIn) -> Any:
        return obj.logout_time or "-"


@admin.register(SignInFailure)
class SignInFailureAdmin(SecurityLogAdmin):
    list_display = ["when", "who", "address", "path", "locked", "browser"]
    search_fields = ["username", "ip_address"]
    list_filter = ["locked_out"]
    date_hierarchy = "attempt_time"
    fields = readonly_fields = ["who", "when", "address", "path", "locked", "browser"]

    @admin.display(description=_("已锁定"), boolean=True, ordering="locked_out")
    def locked(self, obj: SignInFailure) -> bool:
        return obj.locked_out


@admin.register(SignInLockout)
class SignInLockoutAdmin(SecurityLogAdmin):
    list_display = ["when", "who", "address", "failures", "state"]
    search_fields = ["username", "ip_address"]
    fields = readonly_fields = ["who", "when", "address", "failures", "state", "browser"]
    actions = ["release"]

    @admin.display(description=_("失败次数"), ordering="failures_since_start")
    def failures(self, obj: SignInLockout) -> int:
        return obj.failures_since_start

    @admin.display(description=_("状态"))
    def state(self, obj: SignInLockout) -> str:
        if obj.failures_since_start >= settings.ONEWINDOW_LOGIN_FAILURE_LIMIT:
            return str(
                _("账号已锁定（至最后一次失败后%(m)s分钟）") % {"m": settings.ONEWINDOW_LOGIN_LOCKOUT_MINUTES}
            )
        return str(_("计数中"))

    @admin.action(description=_("解除所选记录的锁定"))
    def release(self, request: HttpRequest, queryset: QuerySet[SignInLockout]) -> None:
        count = lockout_release(actor=request.user, attempts=queryset)
        self.message_user(request, _("已解除%(n)s条记录的锁定") % {"n": count}, messages.SUCCESS)


@admin.register(Authenticator)
class AuthenticatorAdmin(SecurityLogAdmin):
    list_display = ["owner", "confirmed_label", "created", "last_used"]
    search_fields = ["user__username"]
    fields = readonly_fields = ["owner", "confirmed_label", "created", "last_used"]
    actions = ["reset"]

    @admin.display(description=_("用户名"), ordering="user__username")
    def owner(self, obj: Authenticator) -> str:
        return obj.user.get_username()

    @admin.display(description=_("已绑定"), boolean=True, ordering="confirmed")
    def confirmed_label(self, obj: Authenticator) -> bool:
        return obj.confirmed

    @admin.display(description=_("绑定时间"), ordering="created_at")
    def created(self, obj: Authenticator) -> Any:
        return obj.created_at or "-"

    @admin.display(description=_("最近使用"), ordering="last_used_at")
    def last_used(self, obj: Authenticator) -> Any:
        return obj.last_used_at or "-"

    @admin.action(description=_("重置所选用户的验证器（丢失手机时；下次登录重新绑定）"))
    def reset(self, request: HttpRequest, queryset: QuerySet[Authenticator]) -> None:
        users = {device.user for device in queryset.select_related("user")}
        for user in users:
            totp_reset(actor=request.user, user=user)
        self.message_user(request, _("已重置%(n)s个用户的验证器") % {"n": len(users)}, messages.SUCCESS)
