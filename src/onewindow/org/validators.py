"""Django validators over the pure checks in ``org.idcodes``: same rules, form-friendly errors."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from onewindow.org import idcodes

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|12345|\d{3,4}-\d{3,4}-\d{4})$")


def _wrap(check, value: str) -> None:
    try:
        check(value)
    except idcodes.InvalidCode as exc:
        raise ValidationError(str(exc), code=f"invalid_{exc.field}") from exc


def validate_resident_id(value: str) -> None:
    _wrap(idcodes.validate_resident_id, value)


def validate_uscc(value: str) -> None:
    _wrap(idcodes.validate_uscc, value)


def validate_region_code(value: str) -> None:
    _wrap(idcodes.validate_region_code, value)


def validate_phone(value: str) -> None:
    if value and not PHONE_RE.match(value.replace(" ", "")):
        raise ValidationError(
            _("电话号码“%(value)s”格式不正确：手机号为1开头的11位数字，固定电话如 0736-7221234"),
            code="invalid_phone",
            params={"value": value},
        )
