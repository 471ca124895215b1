"""Serving stored uploads: always as a download, with the type we detected, never sniffed."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse

from onewindow.core.uploads import download_name, served_content_type


def material_file_response(file: FieldFile, *, original_name: str, content_type: str) -> FileResponse:
    """A stored file as ``attachment`` (RFC 6266; a Chinese name as ``filename*=utf-8''…``), with
    the content type checked at upload (anything else as ``application/octet-stream``),
    ``nosniff`` and a sandboxing CSP, so no browser renders an uploaded file as a page of ours."""
    response = FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=download_name(original_name or "material", content_type),
        content_type=served_content_type(content_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
