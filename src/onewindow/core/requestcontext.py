"""Per-request context: the request id, set by ``RequestIdMiddleware`` and read by
``audit_record`` (no Django import: safe anywhere)."""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("onewindow_request_id", default="")
