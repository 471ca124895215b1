"""Errors as ``application/problem+json`` (RFC 9457), one handler per error family."""

from __future__ import annotations

from typing import Any

import ninja.errors
from django.http import HttpRequest, JsonResponse
from ninja import NinjaAPI

from onewindow.core.errors import DomainError
from onewindow.core.throttle import Throttled

PROBLEM_TYPE_BASE = "https://onewindow.invalid/problems/"


def problem(status: int, *, code: str, title: str, detail: str = "", **fields: Any) -> JsonResponse:
    body = {"type": PROBLEM_TYPE_BASE + code, "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    body.update(fields)
    return JsonResponse(
        body,
        status=status,
        content_type="application/problem+json",
        json_dumps_params={"ensure_ascii": False},
    )


def register_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def on_domain_error(request: HttpRequest, exc: DomainError) -> JsonResponse:
        response = problem(exc.status, code=exc.code, title=exc.title, detail=exc.detail, **exc.fields)
        if isinstance(exc, Throttled):
            response["Retry-After"] = str(exc.fields.get("retry_after", 60))
        return response

    @api.exception_handler(ninja.errors.ValidationError)
    def on_bad_input(request: HttpRequest, exc: ninja.errors.ValidationError) -> JsonResponse:
        errors = [
            {
                "loc": [str(p) for p in e.get("loc", [])],
                "msg": str(e.get("msg", "")),
                "type": e.get("type", ""),
            }
            for e in exc.errors
        ]
        return problem(422, code="invalid_input", title="提交的数据不正确", errors=errors)

    @api.exception_handler(ninja.errors.AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: Exception) -> JsonResponse:
        return problem(401, code="not_authenticated", title="请先登录")

    @api.exception_handler(ninja.errors.HttpError)
    def on_http_error(request: HttpRequest, exc: ninja.errors.HttpError) -> JsonResponse:
        return problem(exc.status_code, code="http_error", title=str(exc.message))
