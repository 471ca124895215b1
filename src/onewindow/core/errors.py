"""One family of domain errors for the whole project (STYLE.md §6).

Services and models raise these; they know nothing about HTTP. The API turns them into
``application/problem+json`` (RFC 9457) and the web views into a form error with status 400.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the operation; ``detail`` says which and why."""

    code = "domain_error"
    status = 400
    title = "该操作不符合办理规则"

    def __init__(self, detail: str = "", **fields: object) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.fields = fields


class InvalidInput(DomainError):
    code, status, title = "invalid_input", 422, "提交的数据不正确"


class NotFound(DomainError):
    code, status, title = "not_found", 404, "对象不存在或无权查看"


class PermissionDenied(DomainError):
    code, status, title = "permission_denied", 403, "无权执行此操作"


class InvalidTransition(DomainError):
    code, status, title = "invalid_transition", 409, "当前状态不允许此操作"


class ConcurrentChange(DomainError):
    code, status, title = "concurrent_change", 409, "数据已被修改"


class GuardFailed(DomainError):
    """A move the table allows, refused by a rule about the data (materials missing, an opinion
    pending, a prerequisite not issued …): 409 with the reason."""

    code, status, title = "guard_failed", 409, "尚不满足办理条件"
