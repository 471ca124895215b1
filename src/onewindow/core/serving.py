"""gunicorn's side of ``onewindow serve``: the logger class that keeps secrets out of the access
log and takes the ``Server`` banner off every response.

``onewindow serve`` passes ``--logger-class onewindow.core.serving.Logger``; gunicorn calls
``Logger.install()`` once in the master process, before the workers are forked.
"""

from __future__ import annotations

from typing import Any

from gunicorn import glogging
from gunicorn.http import wsgi

from onewindow.core.redaction import RedactingFilter, redact

# The atoms of an access-log line that can hold a URL: the request line, path, query, Referer.
URL_ATOMS = ("r", "U", "q", "f", "{referer}i")


def _headers_without_server(self: wsgi.Response) -> list[str]:
    """gunicorn's default response headers less ``Server: gunicorn`` (it names the software to
    anyone probing for known weaknesses and tells a client nothing it needs)."""
    return [h for h in _original_default_headers(self) if not h.lower().startswith("server:")]


_original_default_headers = wsgi.Response.default_headers


class Logger(glogging.Logger):
    """gunicorn's logger with continue-link tokens redacted from access and error lines."""

    @classmethod
    def install(cls) -> None:
        if wsgi.Response.default_headers is not _headers_without_server:
            wsgi.Response.default_headers = _headers_without_server  # type: ignore[method-assign]

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.error_log.addFilter(RedactingFilter())

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for name in URL_ATOMS:
            if isinstance(atoms.get(name), str):
                atoms[name] = redact(atoms[name])
        return atoms
