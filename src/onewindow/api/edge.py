"""The request edge: input that no view could use is refused before any view or API handler runs.

Refused, for every URL: a control character (C0 or DEL) in the path, a query parameter or a
form field name; one other than tab, line feed and carriage return in a form field or any string
or key of a JSON body, at any depth; a lone surrogate; a JSON body nested deeper than
``core.untrusted.MAX_DEPTH``; a multipart file name or part type with a control character. The API
(``/api/``) also refuses a request body that is not JSON, multipart or YAML (``text/plain`` and
form posts are what a cross-site form can send without a CORS preflight).

PostgreSQL text cannot hold NUL, so before this every such input was a 500 there (and silently
stored on SQLite). The API answers ``application/problem+json``, pages a 400 page in the visitor's
language. Cookies with control characters are dropped instead: a browser keeps sending a cookie, so
refusing would lock the visitor out, and the only cookies we read (session, CSRF, language) are
then simply absent.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from onewindow.api.errors import problem
from onewindow.core.errors import DomainError
from onewindow.core.middleware import visitor_language
from onewindow.core.untrusted import LINE_CONTROL, check_line, check_text, load_json

logger = logging.getLogger("onewindow.edge")

API_PREFIX = "/api/"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# What the API reads from a body: JSON, uploads, and YAML for the catalogue import.
API_BODY_TYPES = frozenset(
    {
        "application/json",
        "multipart/form-data",
        "application/yaml",
        "application/x-yaml",
        "text/yaml",
        "text/x-yaml",
    }
)


class Refused(DomainError):
    """A request the edge refuses, with the HTTP status and the code of its problem."""


class UnsupportedMediaType(Refused):
    code, status, title = "unsupported_media_type", 415, "请求体的类型不受支持"


class BodyTooLarge(Refused):
    code, status, title = "request_too_large", 413, "请求体过大"


class MalformedRequest(Refused):
    code, status, title = "malformed_request", 400, "请求无法解析"


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _check_query(request: HttpRequest) -> None:
    for key, values in request.GET.lists():
        check_line(key, _("查询参数名"))
        for value in values:
            check_line(value, _("查询参数“%(name)s”") % {"name": key[:40]})


def _check_form(request: HttpRequest) -> None:
    for key, values in request.POST.lists():
        check_line(key, _("表单字段名"))
        for value in values:
            check_text(value, _("表单字段“%(name)s”") % {"name": key[:40]})
    for key, files in request.FILES.lists():
        check_line(key, _("上传字段名"))
        for upload in files:
            check_line(upload.name or "", _("上传文件名"))
            check_line(upload.content_type or "", _("上传文件类型"))


def _check_body(request: HttpRequest, *, is_api: bool) -> None:
    media_type = (request.content_type or "").lower()
    if _is_json(media_type):
        with contextlib.suppress(ValueError):  # not JSON at all: the handler answers that with a 400
            load_json(request.body)
    elif media_type in FORM_TYPES and request.method == "POST":
        _check_form(request)
    if is_api and _has_body(request) and not (_is_json(media_type) or media_type in API_BODY_TYPES):
        raise UnsupportedMediaType(
            _("接口只接受 JSON 请求体（Content-Type: application/json），上传文件用 multipart/form-data"),
            content_type=media_type[:100],
        )


def _has_body(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > 0
    except ValueError:
        return True  # a garbled length is not an empty body


def check_request(request: HttpRequest) -> None:
    """Raise a ``DomainError`` (``ControlCharacter``, ``TooDeep`` or a ``Refused``) if the request
    carries input that the edge refuses; drop cookies with control characters."""
    for name, value in list(request.COOKIES.items()):
        if LINE_CONTROL.search(name) or LINE_CONTROL.search(value):
            del request.COOKIES[name]
    is_api = request.path_info.startswith(API_PREFIX)
    check_line(request.path_info, _("网址路径"))
    try:
        _check_query(request)
        if request.method in BODY_METHODS:
            _check_body(request, is_api=is_api)
    except RequestDataTooBig:
        raise BodyTooLarge(_("请求体超过了允许的大小")) from None
    except TooManyFieldsSent:
        raise MalformedRequest(_("请求中的参数或表单字段过多")) from None
    except (MultiPartParserError, SuspiciousOperation) as exc:
        if isinstance(exc, SuspiciousOperation):  # logged where Django itself logs these
            logging.getLogger(f"django.security.{type(exc).__name__}").warning("%s", exc)
        raise MalformedRequest(_("无法解析提交的表单或上传的文件")) from exc


class EdgeInputMiddleware:
    """Runs ``check_request`` before everything that reads input (sessions included); a refused
    request gets problem+json under ``/api/`` and the 400 page elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with translation.override(visitor_language(request)):
            try:
                check_request(request)
            except DomainError as exc:
                logger.info("refused %s %r: %s", request.method, request.path_info[:200], exc.code)
                return self.refuse(request, exc)
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest, exc: DomainError) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            return problem(exc.status, code=exc.code, title=exc.title, detail=exc.detail, **exc.fields)
        return render(request, "web/400.html", {"title": exc.title, "message": exc.detail}, status=exc.status)
