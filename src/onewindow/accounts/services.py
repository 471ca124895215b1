"""Writes for sign-in security: enrolling and resetting the authenticator (TOTP), checking a
one-time code, releasing a lockout. Each write is one transaction with an audit event."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.db import transaction
from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.accounts.selectors import totp_device_confirmed
from onewindow.audit.services import audit_record
from onewindow.core.errors import InvalidInput, InvalidTransition

DEVICE_NAME = "动态口令"
WRONG_CODE = "动态口令不正确或已过期，请查看验证器中的最新6位数字后重试"


def _clean(token: str) -> str:
    token = (token or "").replace(" ", "").strip()
    if not (token.isascii() and token.isdigit() and len(token) == 6):
        raise InvalidInput("请输入验证器显示的6位数字动态口令", errors={"token": ["须为6位数字"]})
    return token


@transaction.atomic
def totp_enrol_start(*, user: Any) -> TOTPDevice:
    """The authenticator being enrolled: the user's unconfirmed TOTP device, created with a new
    random secret on first call. ``InvalidTransition`` once a device is confirmed (enrolling
    another one needs an administrator's reset: whoever has only the password cannot replace it)."""
    if totp_device_confirmed(user) is not None:
        raise InvalidTransition("已绑定验证器；如需更换，请联系系统管理员重置")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        audit_record(actor=user, action="auth.totp_enrol_start", target=user)
    return device


def totp_enrol_confirm(*, user: Any, device: TOTPDevice, token: str) -> TOTPDevice:
    """Confirm the enrolment with the first code the authenticator shows. ``InvalidInput`` for a
    malformed or wrong code (the device's own back-off applies after repeated failures: a wrong
    code is recorded on the device, so the refusal is raised after that write is committed)."""
    token = _clean(token)
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if locked.confirmed:
            raise InvalidTransition("该验证器已绑定")
        accepted = locked.verify_token(token)
        if accepted:
            locked.confirmed = True
            locked.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            audit_record(actor=user, action="auth.totp_enrol", target=user, after={"device": locked.pk})
    if not accepted:
        raise InvalidInput(WRONG_CODE, errors={"token": ["不正确"]})
    return locked


def totp_verify(*, user: Any, token: str) -> TOTPDevice:
    """The user's confirmed device when ``token`` is its current code; ``InvalidInput`` otherwise
    (also while django-otp's back-off after failures is running). django-otp records the last
    used time step, so a code cannot be replayed, and each failure, so guessing slows down."""
    token = _clean(token)
    device = totp_device_confirmed(user)
    if device is None:
        raise InvalidTransition("尚未绑定验证器，请先绑定")
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        accepted = locked.verify_token(token)
    if not accepted:
        raise InvalidInput(WRONG_CODE, errors={"token": ["不正确"]})
    return locked


@transaction.atomic
def totp_reset(*, actor: Any, user: Any) -> int:
    """Remove every authenticator of ``user`` (a lost phone): at the next sign-in the user enrols
    a new one. Returns how many devices were removed."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    audit_record(actor=actor, action="auth.totp_reset", target=user, after={"removed": removed})
    return removed


@transaction.atomic
def lockout_release(*, actor: Any, attempts: QuerySet[AccessAttempt]) -> int:
    """Clear the failed sign-ins counted for these accounts and addresses, which ends their
    lockout at once. Returns how many records were cleared."""
    rows = list(attempts.values_list("username", "ip_address"))
    attempts.delete()
    for username, ip in rows:
        audit_record(
            actor=actor,
            action="auth.lockout_release",
            after={"username": username or "", "ip_address": ip or ""},
        )
    return len(rows)
