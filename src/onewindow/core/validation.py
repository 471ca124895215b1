"""Running a model's validation and turning Django's errors into our ``InvalidInput``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from onewindow.core.errors import InvalidInput


def errors_of(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for m in ValidationError(errs).messages] for field, errs in exc.error_dict.items()
        }
    return {"__all__": [str(m) for m in exc.messages]}


def full_clean_or_raise(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """``instance.full_clean()``; on failure raise ``InvalidInput`` listing every field's errors."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        errors = errors_of(exc)
        detail = "；".join(f"{'、'.join(msgs)}" for msgs in errors.values())
        raise InvalidInput(detail, errors=errors) from exc
