from __future__ import annotations

from typing import Any

from django import template

from onewindow.core.uploads import MATERIAL_KINDS, upload_limit_bytes

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``{{ labels|get:row.warning }}``: a dictionary value in a template."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def days(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if value == int(value) else f"{value:.2f}"


@register.filter
def due(instant: Any) -> str:
    """A deadline as people read it: day limits end at the midnight after their last day, so
    such a deadline shows as that last day ("2025-02-07 止"); an hour limit shows its time."""
    import datetime as dt

    from django.utils import timezone

    if not instant:
        return "—"
    local = timezone.localtime(instant)
    if local.time() == dt.time(0, 0):
        return f"{(local - dt.timedelta(microseconds=1)):%Y-%m-%d} 止"
    return f"{local:%Y-%m-%d %H:%M}"


UNIT_LABELS = {
    "workday": "个工作日",
    "natural": "天",
    "hour": "分钟",
    "minute": "分钟",
    "instant": "个工作日",
}


@register.filter
def unit_label(unit: str) -> str:
    """How ``case_figures`` counts a limit's unit: working days, natural days or working minutes."""
    return UNIT_LABELS.get(str(unit), "")


@register.simple_tag
def upload_max_bytes() -> int:
    """The upload size limit the server enforces (``core.uploads``: ONEWINDOW_MAX_UPLOAD_MB,
    default 20), for the browser to check before sending."""
    return upload_limit_bytes()


@register.simple_tag
def upload_accept() -> str:
    """The file input's ``accept``: the extensions and types of the kinds the server accepts."""
    extensions = [e for k in MATERIAL_KINDS for e in k.extensions]
    return ",".join([*extensions, *(k.content_type for k in MATERIAL_KINDS)])


@register.simple_tag
def upload_kinds() -> str:
    """The kinds the server accepts, for ``upload.js``: ``label:.ext,.ext:magic-hex`` separated by
    ``;`` (the browser compares the extension with the first bytes, as ``upload_check`` does)."""
    return ";".join(f"{k.label}:{','.join(k.extensions)}:{k.magic.hex()}" for k in MATERIAL_KINDS)
