"""AGPL-3.0 §13: every user of the server is offered the Corresponding Source of the version that
runs, from the server itself (``/source.tar.gz``), unless ``ONEWINDOW_SOURCE_URL`` points to a
public copy of the same version."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

import onewindow

PACKAGE = Path(onewindow.__file__).resolve().parent
# An installation from the repository (``pip install -e .``, ``make demo``) has the project's
# files beside the package; an installed wheel has the package alone (its LICENSE travels in the
# wheel's metadata).
PROJECT = PACKAGE.parents[1]
PROJECT_FILES = (
    "LICENSE",
    "README.md",
    "pyproject.toml",
    "requirements.lock",
    "requirements-dev.lock",
    "Makefile",
    "docs",
    "scripts",
    ".ci",
)
SKIPPED = {"__pycache__", ".pytest_cache", ".ruff_cache", "node_modules"}


def _included(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    if SKIPPED & set(Path(info.name).parts) or info.name.endswith((".pyc", ".sqlite3")):
        return None
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def source_archive() -> bytes:
    """The running source as a gzipped tar: the package, and the project's files where present."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        if (PROJECT / "pyproject.toml").exists():
            for name in PROJECT_FILES:
                if (PROJECT / name).exists():
                    archive.add(PROJECT / name, arcname=f"onewindow/{name}", filter=_included)
            archive.add(PACKAGE, arcname="onewindow/src/onewindow", filter=_included)
        else:
            archive.add(PACKAGE, arcname="onewindow/onewindow", filter=_included)
    return buffer.getvalue()


@require_GET
@cache_control(max_age=3600)
def source(request: HttpRequest) -> HttpResponse:
    """``/source.tar.gz``: the Corresponding Source (GNU AGPL-3.0 §13), to anyone, at no charge."""
    response = HttpResponse(source_archive(), content_type="application/gzip")
    response["Content-Disposition"] = 'attachment; filename="onewindow-source.tar.gz"'
    return response
