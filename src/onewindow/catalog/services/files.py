"""Catalogue files: parse (YAML, JSON, Excel), load from disk, export, and the demo catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from onewindow.catalog import fileformat
from onewindow.catalog.fileformat import CatalogueDocument, FileError
from onewindow.catalog.selectors import catalogue_document
from onewindow.catalog.services.importing import ImportReport, catalogue_import
from onewindow.core.errors import InvalidInput

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo_catalogue.yaml"


def catalogue_parse(content: bytes, *, fmt: str | None = None, filename: str = "") -> CatalogueDocument:
    """Parse catalogue file ``content`` as ``fmt`` (yaml, json or xlsx; by default from
    ``filename``'s extension). Raises ``InvalidInput`` if the file cannot be read at all, with the
    line and column of a YAML/JSON syntax error."""
    try:
        return fileformat.parse(content, fmt or fileformat.format_of(filename))
    except FileError as exc:
        raise InvalidInput(
            f"{exc.location}：{exc.message}" if exc.location else exc.message,
            errors=[{"path": exc.location or "", "message": exc.message}],
        ) from exc


def catalogue_load_file(path: str | Path) -> CatalogueDocument:
    """Read a catalogue file; the format comes from its extension (.yaml, .yml, .json, .xlsx)."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(
            f"无法读取文件 {path}：{exc.strerror}", errors=[{"path": str(path), "message": str(exc)}]
        ) from exc
    return catalogue_parse(content, filename=path.name)


def catalogue_export(fmt: str = "yaml") -> bytes:
    """The whole catalogue as a file in ``fmt`` (yaml, json or xlsx) that imports back unchanged."""
    if fmt not in fileformat.FORMATS:
        raise InvalidInput(
            f"不支持的格式：{fmt}（支持 {'、'.join(fileformat.FORMATS)}）",
            errors=[{"path": "format", "message": "不支持的格式"}],
        )
    return fileformat.dump(catalogue_document(), fmt)


@transaction.atomic
def catalog_load_demo(*, actor: Any | None = None, path: Path = DEMO_FILE) -> ImportReport:
    """Import the demo catalogue (``catalog/data/demo_catalogue.yaml``). Idempotent: a second load
    creates no versions. Needs the demo organisation (departments) loaded first."""
    return catalogue_import(catalogue_load_file(path), actor=actor)
