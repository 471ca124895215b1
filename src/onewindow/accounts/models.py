"""The sign-in records of django-axes and the authenticators of django-otp, shown in the admin
under Chinese names (proxy models: no tables of their own)."""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice


class SignIn(AccessLog):
    """A successful staff sign-in: who, when, from which address and browser, when signed out."""

    class Meta:
        proxy = True
        verbose_name = _("登录成功记录")
        verbose_name_plural = _("登录成功记录")


class SignInFailure(AccessFailureLog):
    """A failed sign-in (wrong password, wrong one-time code, or refused while locked)."""

    class Meta:
        proxy = True
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")


class SignInLockout(AccessAttempt):
    """The failed sign-ins counted per account and address, from which lockouts are decided."""

    class Meta:
        proxy = True
        verbose_name = _("登录失败计数与锁定")
        verbose_name_plural = _("登录失败计数与锁定")


class Authenticator(TOTPDevice):
    """A staff member's authenticator app (TOTP) for two-factor sign-in."""

    class Meta:
        proxy = True
        verbose_name = _("动态口令验证器")
        verbose_name_plural = _("动态口令验证器")
