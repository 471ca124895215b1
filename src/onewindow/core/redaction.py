"""Secrets that travel in URLs are kept out of logs.

The online applicant's continue link (``/apply/continue/<ref>/<token>``) carries a bearer token:
whoever has the link can upload, submit and correct. Access logs (gunicorn), Django's request
log ("Not Found: /apply/continue/…") and the ``Referer`` of the next request would otherwise keep
it. ``redact`` replaces the token with ``[redacted]``; ``RedactingFilter`` applies it to every log
record (``settings.LOGGING``), ``core.serving`` to gunicorn's access log.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
# The token segment of the continue link, in a path or in a full URL (Referer).
SECRET_IN_PATH = re.compile(r"(/apply/continue/[^/?#\s\"]+/)[^/?#\s\"]+")


def redact(text: str) -> str:
    """``text`` with every continue-link token replaced by ``[redacted]``."""
    return SECRET_IN_PATH.sub(rf"\g<1>{REDACTED}", text) if "/apply/continue/" in text else text


def _redact_value(value: object) -> object:
    return redact(value) if isinstance(value, str) else value


class RedactingFilter(logging.Filter):
    """A logging filter that redacts continue-link tokens in the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_value(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _redact_value(v) for k, v in record.args.items()}
        return True
