"""Uploaded files: checked before they are kept, kept under generated names, cleaned up (issue 17).

``upload_check`` takes the three things a client controls together — the file name's extension,
the declared ``Content-Type`` and the bytes — and accepts the file only when all three name the
same kind, the bytes hold no web page or script anywhere, and the file opens as that kind (a PDF
parses with pypdf, an image decodes with Pillow, an OFD is a ZIP with its ``OFD.xml``). With
``ONEWINDOW_CLAMD`` set, the content is also sent to a ClamAV daemon (INSTREAM); an unreachable
daemon refuses the upload (fail closed). The INSTREAM client is the fifty lines below rather than
a library: the Python clamd clients on PyPI are unmaintained (clamd 1.0.2 of 2014, pyClamd 0.4.0
of 2017) and the protocol is one command and length-prefixed chunks.

Files are stored under generated names (``stored_name``); the name the user gave is kept only
as a row's display value. A replaced file is deleted once the replacing transaction commits
(``discard_on_commit``), and files no row refers to — left when a transaction that saved them
rolled back — are deleted by ``uploads_cleanup`` (``onewindow uploads cleanup``, and the worker
hourly through ``uploads_cleanup_due``).

The kernel imports no app (STYLE.md §2): which rows refer to files is read from every model's
``FileField`` in the app registry, so a new app's uploads are covered without editing this module.
"""

from __future__ import annotations

import hashlib
import logging
import posixpath
import re
import socket
import struct
import time
import uuid
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import filetype
from django.apps import apps
from django.conf import settings
from django.core.checks import Error
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.core.errors import DomainError, InvalidInput
from onewindow.core.timeutil import now

log = logging.getLogger(__name__)

HEAD_BYTES = 8192  # what filetype reads to recognise a format
CHUNK_BYTES = 64 * 1024
MAX_IMAGE_PIXELS = 80_000_000  # a scan of an A0 sheet at 300 dpi; more is a decompression bomb
MAX_ZIP_ENTRIES = 10_000
MAX_OFD_XML_BYTES = 1024 * 1024
# A file saved by a transaction still running is younger than this; ``uploads_cleanup`` never
# deletes such a file, so an upload is not taken for an orphan before its row is committed.
DEFAULT_ORPHAN_MINUTES = 60
CLEANUP_INTERVAL_SECONDS = 3600.0  # the worker cleans up at most once an hour per process
CLAMD_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class FileKind:
    """One kind of file we accept: its extensions, what clients may declare for it, the MIME
    type ``filetype`` detects in its content, the type we store and serve it with, and its
    first bytes (which the browser's pre-check in ``web/static/web/upload.js`` compares)."""

    key: str
    label: Any
    content_type: str
    extensions: tuple[str, ...]
    detected: str
    magic: bytes
    declared: frozenset[str]


PDF = FileKind(
    "pdf",
    gettext_lazy("PDF 文件"),
    "application/pdf",
    (".pdf",),
    "application/pdf",
    b"%PDF-",
    frozenset({"application/pdf", "application/x-pdf"}),
)
JPEG = FileKind(
    "jpeg",
    gettext_lazy("JPG 图片"),
    "image/jpeg",
    (".jpg", ".jpeg"),
    "image/jpeg",
    b"\xff\xd8\xff",
    frozenset({"image/jpeg", "image/jpg", "image/pjpeg"}),
)
PNG = FileKind(
    "png",
    gettext_lazy("PNG 图片"),
    "image/png",
    (".png",),
    "image/png",
    b"\x89PNG\r\n\x1a\n",
    frozenset({"image/png", "image/x-png"}),
)
# OFD (GB/T 33190, 版式文档) is a ZIP container whose root holds OFD.xml.
OFD = FileKind(
    "ofd",
    gettext_lazy("OFD 文件"),
    "application/ofd",
    (".ofd",),
    "application/zip",
    b"PK\x03\x04",
    frozenset({"application/ofd", "application/x-ofd", "application/zip", "application/x-zip-compressed"}),
)
MATERIAL_KINDS: tuple[FileKind, ...] = (PDF, JPEG, PNG, OFD)

# What a client sends when it does not know the type; any other declaration must match the kind.
UNDECLARED = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/unknown"})
EXECUTABLES = frozenset(
    {
        "application/x-executable",
        "application/x-msdownload",
        "application/x-sharedlib",
        "application/x-mach-binary",
    }
)
DETECTED_LABELS = {
    "application/zip": gettext_lazy("ZIP 压缩包"),
    "application/gzip": gettext_lazy("GZIP 压缩包"),
    "application/x-rar-compressed": gettext_lazy("RAR 压缩包"),
    "application/x-7z-compressed": gettext_lazy("7Z 压缩包"),
    "image/gif": gettext_lazy("GIF 图片"),
    "image/webp": gettext_lazy("WEBP 图片"),
    "image/bmp": gettext_lazy("BMP 图片"),
    "image/tiff": gettext_lazy("TIFF 图片"),
}

# Web pages, scripts and SVG, anywhere in the bytes: a browser that sniffs, or a reader that is
# shown the file as text, would run them. The markers are long enough (or, for ``<svg``, looked
# for only in the first KiB) that compressed image or PDF data matches them by chance about once
# in 10⁵ files of 20 MB.
ACTIVE_ANYWHERE = re.compile(
    rb"<(?:script|html|body|iframe|object|embed|frameset)[\s>/]"
    rb"|<!doctype\s+html|<\?xml-stylesheet|http://www\.w3\.org/2000/svg|javascript:\s*[a-z(]"
)
ACTIVE_IN_HEAD = re.compile(rb"<svg[\s>/]|<head[\s>/]|<meta[\s>/]|<!doctype|<a\s+href|<img\s|<style[\s>]")
HEAD_MARKUP_BYTES = 1024
OVERLAP_BYTES = 64  # longer than any marker, so a marker split across two chunks is still found


class UploadRefused(InvalidInput):
    """The file was not accepted; ``detail`` names the file and says what is wrong with it."""

    code, status, title = "upload_refused", 422, "上传的文件不能接受"


class VirusFound(UploadRefused):
    code, status, title = "virus_found", 422, "文件含有病毒"


class ScannerUnavailable(DomainError):
    """The virus scanner could not be asked; the upload is refused (fail closed)."""

    code, status, title = "scanner_unavailable", 503, "病毒扫描服务暂不可用"


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed ``upload_check``: its kind, the name the user gave (cleaned, for
    display only), its extension (one of the kind's), size and SHA-256."""

    kind: FileKind
    original_name: str
    extension: str
    size: int
    sha256: str

    @property
    def content_type(self) -> str:
        return self.kind.content_type


def upload_limit_bytes() -> int:
    """The size limit for uploaded materials (``ONEWINDOW_MAX_UPLOAD_MB``, default 20)."""
    return int(getattr(settings, "ONEWINDOW_MAX_UPLOAD_MB", 20)) * 1024 * 1024


def display_name(name: str | None) -> str:
    """The user's file name without any folder, control characters or quotes, at most 200 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>').strip()
    return cleaned[:200] or "file"


def kinds_text(kinds: Iterable[FileKind]) -> str:
    """``PDF 文件、JPG 图片、…（扩展名 .pdf、.jpg、…）`` for messages."""
    kinds = tuple(kinds)
    labels = "、".join(str(k.label) for k in kinds)
    extensions = "、".join(ext for k in kinds for ext in k.extensions)
    return _("%(labels)s（扩展名 %(extensions)s）") % {"labels": labels, "extensions": extensions}


def _refuse(message: str, name: str, **fields: object) -> UploadRefused:
    return UploadRefused(message, errors={"file": [message]}, file_name=name, **fields)


def upload_check(
    upload: File, *, kinds: tuple[FileKind, ...] = MATERIAL_KINDS, max_bytes: int | None = None
) -> CheckedUpload:
    """Check an upload's name, declared type and content together; return what was found.

    Refuses (``UploadRefused``, with a message naming the file): an empty or oversize file; an
    extension not among ``kinds``; a declared type that is neither "unknown" nor the extension's;
    an executable; HTML, script or SVG content anywhere in the bytes; content of another kind
    than the extension says (a ZIP named .pdf); a file that does not open as its kind (a truncated
    PDF or image, an OFD without OFD.xml, a PDF with an open password). With ``ONEWINDOW_CLAMD``
    set, a virus raises ``VirusFound`` and an unreachable scanner ``ScannerUnavailable``.

    The result is remembered on ``upload``, so a view may check before the service's transaction
    opens and the service's own check costs nothing."""
    max_bytes = upload_limit_bytes() if max_bytes is None else max_bytes
    memo_key = (tuple(k.key for k in kinds), max_bytes, clamd_url())
    memo = getattr(upload, "_onewindow_checked", None)
    if memo is not None and memo[0] == memo_key:
        return memo[1]
    name = display_name(upload.name)
    size = upload.size or 0
    if size == 0:
        raise _refuse(_("文件“%(name)s”是空的") % {"name": name}, name)
    if size > max_bytes:
        raise _refuse(
            _("文件“%(name)s”为 %(size).1f MB，超过 %(limit)d MB 上限")
            % {"name": name, "size": size / 1048576, "limit": max_bytes // 1048576},
            name,
        )
    extension = posixpath.splitext(name)[1].lower()
    kind = next((k for k in kinds if extension in k.extensions), None)
    if kind is None:
        raise _refuse(
            _("文件“%(name)s”不是可接受的类型：只接受 %(kinds)s")
            % {"name": name, "kinds": kinds_text(kinds)},
            name,
        )
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if declared not in UNDECLARED and declared not in kind.declared:
        raise _refuse(
            _("文件“%(name)s”不是可接受的类型：声明的类型为 %(declared)s，与扩展名 %(extension)s 不符")
            % {"name": name, "declared": declared[:100], "extension": extension},
            name,
        )
    head, sha256, active = _read_through(upload)
    detected = filetype.guess_mime(head)
    if detected in EXECUTABLES:
        raise _refuse(
            _("文件“%(name)s”不是可接受的类型：它是可执行程序，只接受 %(kinds)s")
            % {"name": name, "kinds": kinds_text(kinds)},
            name,
        )
    if active:
        raise _refuse(
            _("文件“%(name)s”不是可接受的类型：含有网页或脚本内容（HTML、SVG 或 JavaScript）")
            % {"name": name},
            name,
        )
    if detected != kind.detected or not head.startswith(kind.magic):
        raise _refuse(_content_mismatch(name, extension, kind, detected), name)
    STRUCTURE_CHECKS[kind.key](upload, name)
    url = clamd_url()
    if url:
        signature = clamd_scan(_chunks(upload), url=url, name=name)
        if signature:
            raise VirusFound(
                _("文件“%(name)s”含有病毒（%(signature)s），已拒收") % {"name": name, "signature": signature},
                errors={"file": [signature]},
                file_name=name,
                signature=signature,
                sha256=sha256,
                size=size,
            )
    upload.seek(0)
    checked = CheckedUpload(kind=kind, original_name=name, extension=extension, size=size, sha256=sha256)
    upload._onewindow_checked = (memo_key, checked)  # type: ignore[attr-defined]
    return checked


def _chunks(upload: File) -> Iterator[bytes]:
    upload.seek(0)
    yield from upload.chunks(CHUNK_BYTES)


def _read_through(upload: File) -> tuple[bytes, str, bool]:
    """One pass over the bytes: the head for type detection, the SHA-256, and whether any web or
    script markup appears (a marker split between two chunks is found in the overlap)."""
    digest = hashlib.sha256()
    head = b""
    tail = b""
    active = False
    for chunk in _chunks(upload):
        digest.update(chunk)
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
        if not active:
            window = (tail + chunk).lower()
            active = ACTIVE_ANYWHERE.search(window) is not None
            tail = window[-OVERLAP_BYTES:]
    active = active or ACTIVE_IN_HEAD.search(head[:HEAD_MARKUP_BYTES].lower()) is not None
    upload.seek(0)
    return head, digest.hexdigest(), active


def _content_mismatch(name: str, extension: str, kind: FileKind, detected: str | None) -> str:
    found = next((k.label for k in MATERIAL_KINDS if k.detected == detected), None)
    found = DETECTED_LABELS.get(detected or "", found)
    if found is None and detected:
        found = detected
    if found is None:
        return _("文件“%(name)s”不是可接受的类型：扩展名是 %(extension)s，但内容不是 %(kind)s") % {
            "name": name,
            "extension": extension,
            "kind": kind.label,
        }
    return _("文件“%(name)s”不是可接受的类型：扩展名是 %(extension)s，但内容是 %(found)s") % {
        "name": name,
        "extension": extension,
        "found": found,
    }


def _broken(name: str, kind: FileKind, reason: str = "") -> UploadRefused:
    message = _("文件“%(name)s”无法打开：不是完整有效的 %(kind)s（可能已损坏或未传完整）") % {
        "name": name,
        "kind": kind.label,
    }
    log.info("upload %s refused as a broken %s: %s", name, kind.key, reason[:200])
    return _refuse(message, name)


# Parsers of untrusted bytes raise many kinds of errors on malformed input; these are the ones
# pypdf, Pillow and zipfile are known to raise. Anything else is a bug to see, not to hide.
PARSE_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    AssertionError,
    SyntaxError,
    EOFError,
    OSError,
    RecursionError,
    OverflowError,
    MemoryError,
    NotImplementedError,
    struct.error,
    zlib.error,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
)


def _check_pdf(upload: File, name: str) -> None:
    # Imported here: a web process that never receives a PDF does not pay for pypdf.
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _refuse(
                _("文件“%(name)s”设有打开密码，窗口无法查看，请上传未加密的 PDF 文件") % {"name": name}, name
            )
        if len(reader.pages) < 1:
            raise _broken(name, PDF, "no pages")
        reader.pages[0].mediabox  # noqa: B018 - reading the first page proves the page tree resolves
    except (PyPdfError, *PARSE_ERRORS) as exc:
        raise _broken(name, PDF, f"{type(exc).__name__}: {exc}") from None
    finally:
        upload.seek(0)


def _check_image(kind: FileKind, upload: File, name: str) -> None:
    from PIL import Image

    fmt = {"jpeg": "JPEG", "png": "PNG"}[kind.key]
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=[fmt]) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _refuse(
                        _("图片“%(name)s”为 %(width)d×%(height)d 像素，过大，请缩小后上传")
                        % {"name": name, "width": width, "height": height},
                        name,
                    )
                image.verify()  # PNG: every chunk's CRC up to IEND
            if fmt == "JPEG":
                # Decoding at 1/8 scale reads every scan of the file at 1/64 of the memory.
                upload.seek(0)
                with Image.open(upload, formats=[fmt]) as image:
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                    image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, *PARSE_ERRORS) as exc:
        raise _broken(name, kind, f"{type(exc).__name__}: {exc}") from None
    finally:
        upload.seek(0)


OFD_ROOT = re.compile(rb"<(?:[\w.-]+:)?OFD[\s>/]")


def _check_ofd(upload: File, name: str) -> None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            if (
                len(entries) > MAX_ZIP_ENTRIES
                or sum(e.file_size for e in entries) > 10 * upload_limit_bytes()
            ):
                raise _broken(name, OFD, "too many or too large entries")
            if "OFD.xml" not in archive.namelist():
                raise _refuse(
                    _("文件“%(name)s”不是有效的 OFD 文件：缺少入口文件 OFD.xml") % {"name": name}, name
                )
            with archive.open("OFD.xml") as entry:
                text = entry.read(MAX_OFD_XML_BYTES)
            if OFD_ROOT.search(text) is None:
                raise _refuse(
                    _("文件“%(name)s”不是有效的 OFD 文件：OFD.xml 不是 OFD 入口文档") % {"name": name}, name
                )
            bad = archive.testzip()  # every entry's CRC: a truncated or altered container fails
            if bad is not None:
                raise _broken(name, OFD, f"bad entry {bad}")
    except PARSE_ERRORS as exc:
        raise _broken(name, OFD, f"{type(exc).__name__}: {exc}") from None
    finally:
        upload.seek(0)


STRUCTURE_CHECKS = {
    "pdf": _check_pdf,
    "jpeg": partial(_check_image, JPEG),
    "png": partial(_check_image, PNG),
    "ofd": _check_ofd,
}


# --- virus scanner (clamd) -------------------------------------------------------------------


def clamd_url() -> str:
    """``ONEWINDOW_CLAMD``: ``tcp://host:port`` or ``unix:///path/to/clamd.ctl``; empty = no scan."""
    return (getattr(settings, "ONEWINDOW_CLAMD", "") or "").strip()


def clamd_address(url: str) -> tuple[int, Any]:
    """The socket family and address of a clamd URL; ``ImproperlyConfigured`` when malformed."""
    parts = urlsplit(url)
    if parts.scheme == "unix" and parts.path:
        return socket.AF_UNIX, parts.path
    if parts.scheme == "tcp" and parts.hostname:
        try:
            port = parts.port
        except ValueError:
            port = None
        if port:
            return socket.AF_INET, (parts.hostname, port)
    raise ImproperlyConfigured(
        f"ONEWINDOW_CLAMD must be tcp://host:port or unix:///path/to/socket, not {url!r}"
    )


def check_clamd_setting(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """System check: ``ONEWINDOW_CLAMD`` is empty or a URL clamd can be reached at."""
    url = clamd_url()
    try:
        if url:
            clamd_address(url)
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="onewindow.E101")]
    return []


def clamd_scan(
    chunks: Iterable[bytes], *, url: str, name: str = "", timeout: float = CLAMD_TIMEOUT_SECONDS
) -> str:
    """Send the bytes to clamd with the INSTREAM command; return the signature found, or "" when clean.

    Protocol (clamd(8)): ``zINSTREAM\\0``, then chunks each prefixed by its length as a 4-byte
    big-endian integer, then a zero length; the answer is ``stream: OK`` or ``stream: <name> FOUND``
    ending in NUL. Anything else — no connection, a timeout, ``… ERROR`` (say the stream exceeded
    clamd's StreamMaxLength) — raises ``ScannerUnavailable``: a file that could not be scanned is
    not accepted."""
    try:
        family, address = clamd_address(url)
    except ImproperlyConfigured as exc:
        log.error("%s", exc)  # also reported by `onewindow check` (check_clamd_setting)
        raise _unavailable(name) from None
    try:
        if family == socket.AF_UNIX:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(address)
        else:
            sock = socket.create_connection(address, timeout=timeout)
        with sock:
            sock.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                for start in range(0, len(chunk), CHUNK_BYTES):
                    piece = chunk[start : start + CHUNK_BYTES]
                    sock.sendall(struct.pack("!L", len(piece)) + piece)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0") and len(reply) < 4096:
                received = sock.recv(4096)
                if not received:
                    break
                reply += received
    except OSError as exc:
        log.error("virus scanner %s unreachable: %s", url, exc)
        raise _unavailable(name) from None
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if answer.endswith(": OK"):
        return ""
    if answer.endswith(" FOUND"):
        return answer.split(":", 1)[-1].removesuffix(" FOUND").strip()[:200] or "unknown"
    log.error("virus scanner %s answered %r", url, answer[:200])
    raise _unavailable(name)


def _unavailable(name: str) -> ScannerUnavailable:
    return ScannerUnavailable(
        _("病毒扫描服务暂时无法使用，文件“%(name)s”未能检查，因此未被接收；请稍后重试")
        % {"name": name or "file"}
    )


# --- storing, replacing, cleaning up --------------------------------------------------------


def stored_name(checked: CheckedUpload) -> str:
    """A generated file name for storage (random, the kind's extension): nothing the user typed
    reaches the storage path. The field's ``upload_to`` adds the folder."""
    return f"{uuid.uuid4().hex}{checked.extension}"


def download_name(original_name: str, content_type: str) -> str:
    """The name a stored file is offered under: the user's name, with an extension that matches
    the stored type (files kept before these checks may carry any name)."""
    name = display_name(original_name)
    stem, extension = posixpath.splitext(name)
    kind = next((k for k in MATERIAL_KINDS if k.content_type == content_type), None)
    if kind is None:  # an unchecked file: never under a name a browser or desktop would open as a page
        return name if any(extension.lower() in k.extensions for k in MATERIAL_KINDS) else f"{name}.bin"
    return name if extension.lower() in kind.extensions else f"{stem or 'file'}{kind.extensions[0]}"


def served_content_type(content_type: str) -> str:
    """The type a stored file is served with: ours for the kinds we accept, else a download."""
    known = {k.content_type for k in MATERIAL_KINDS}
    return content_type if content_type in known else "application/octet-stream"


def _file_fields() -> list[tuple[type[models.Model], models.FileField]]:
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]


def upload_roots() -> list[str]:
    """The storage folders uploads are kept in: each ``FileField``'s fixed ``upload_to`` prefix
    (``materials/%Y/%m/`` → ``materials/``). Fields with a callable or empty prefix are skipped,
    so the cleanup never walks the whole storage."""
    roots = set()
    for _model, field in _file_fields():
        if isinstance(field.upload_to, str):
            root = field.upload_to.split("%")[0].split("{")[0]
            root = posixpath.dirname(root.rstrip("/") + "/") if root else ""
            if root.strip("/"):
                roots.add(root.strip("/") + "/")
    return sorted(roots)


def files_referenced(names: Iterable[str]) -> set[str]:
    """Those of ``names`` that some row's ``FileField`` refers to."""
    names = list(names)
    found: set[str] = set()
    for start in range(0, len(names), 500):
        batch = names[start : start + 500]
        for model, field in _file_fields():
            found.update(
                model._base_manager.filter(**{f"{field.attname}__in": batch}).values_list(
                    field.attname, flat=True
                )
            )
    return found


def discard_on_commit(storage: Storage, name: str) -> None:
    """Delete a replaced file once the transaction that replaced it commits (on a rollback the
    row still refers to it, so it stays), unless some row still refers to it."""
    if name:
        transaction.on_commit(partial(_discard, storage, name), robust=True)


def _discard(storage: Storage, name: str) -> None:
    if not files_referenced([name]):
        storage.delete(name)
        log.info("uploads: deleted replaced file %s", name)


@dataclass(frozen=True)
class CleanupReport:
    checked: int
    recent: int
    orphans: tuple[str, ...]
    deleted: int
    dry_run: bool

    def __str__(self) -> str:
        if self.dry_run:
            return (
                f"uploads cleanup (dry run): {self.checked} files checked, {len(self.orphans)} orphans "
                f"would be deleted, {self.recent} too recent to judge"
            )
        return (
            f"uploads cleanup: {self.checked} files checked, {self.deleted} orphans deleted, "
            f"{self.recent} too recent to judge"
        )


def _walk(storage: Storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield posixpath.join(folder, name)
    for sub in folders:
        yield from _walk(storage, posixpath.join(folder, sub))


def uploads_cleanup(
    *, older_than_minutes: int = DEFAULT_ORPHAN_MINUTES, dry_run: bool = False, storage: Storage | None = None
) -> CleanupReport:
    """Delete stored uploads that no row refers to and that are older than ``older_than_minutes``:
    files whose saving transaction rolled back, rows deleted with their application. Younger
    files are left alone, because a transaction that is still running may yet commit the row
    that refers to them. Idempotent; ``dry_run`` only reports."""
    storage = storage or default_storage
    cutoff = now() - timedelta(minutes=max(0, older_than_minutes))
    candidates: list[str] = []
    checked = recent = 0
    for root in upload_roots():
        for name in _walk(storage, root.rstrip("/")):
            checked += 1
            try:
                modified = storage.get_modified_time(name)
            except FileNotFoundError:
                continue  # deleted meanwhile
            if modified > cutoff:
                recent += 1
            else:
                candidates.append(name)
    referenced = files_referenced(candidates) if candidates else set()
    orphans = tuple(sorted(set(candidates) - referenced))
    deleted = 0
    if not dry_run:
        for name in orphans:
            storage.delete(name)
            log.info("uploads: deleted orphan %s", name)
            deleted += 1
    return CleanupReport(checked, recent, orphans, deleted, dry_run)


_last_cleanup: float | None = None


def uploads_cleanup_due(*, limit: int = 500) -> list[tuple[int, str]]:
    """Timer source for the worker (``core.timers``): clean up orphans at most once an hour per
    process. Upkeep, not a timer row: it reports only when it deleted something."""
    global _last_cleanup  # per-process pacing; several workers are harmless (idempotent)
    if _last_cleanup is not None and time.monotonic() - _last_cleanup < CLEANUP_INTERVAL_SECONDS:
        return []
    _last_cleanup = time.monotonic()
    report = uploads_cleanup()
    return [(0, str(report))][:limit] if report.deleted else []
