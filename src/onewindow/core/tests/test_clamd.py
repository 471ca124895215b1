"""The virus-scanner hook: clamd's INSTREAM protocol against a tiny fake clamd on a local socket."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.core.tests import samples
from onewindow.core.uploads import (
    ScannerUnavailable,
    VirusFound,
    check_clamd_setting,
    clamd_scan,
    upload_check,
)

# The standard anti-virus test string; the fake clamd "finds" it as real clamd does.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class FakeClamd:
    """Answers INSTREAM like clamd: reads the length-prefixed chunks up to a zero length, keeps
    what it received, and replies ``stream: OK`` or ``stream: Eicar-Test-Signature FOUND``."""

    def __init__(self, server: socket.socket, reply: bytes | None = None) -> None:
        self.server = server
        self.reply = reply
        self.received: list[bytes] = []
        self.commands: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read(self, conn: socket.socket, n: int) -> bytes:
        data = b""
        while len(data) < n:
            more = conn.recv(n - len(data))
            if not more:
                raise ConnectionError("client closed")
            data += more
        return data

    def _serve(self) -> None:
        conn, _ = self.server.accept()
        with conn:
            self.commands.append(self._read(conn, len(b"zINSTREAM\0")))
            content = b""
            while True:
                (length,) = struct.unpack("!L", self._read(conn, 4))
                if length == 0:
                    break
                content += self._read(conn, length)
            self.received.append(content)
            if self.reply is not None:
                answer = self.reply
            elif EICAR in content:
                answer = b"stream: Eicar-Test-Signature FOUND\0"
            else:
                answer = b"stream: OK\0"
            conn.sendall(answer)

    def join(self) -> None:
        self.thread.join(timeout=10)


def listening_socket() -> socket.socket:
    """A TCP socket on a free loopback port, for a ``FakeClamd``."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    return server


@pytest.fixture
def tcp_server() -> Iterator[socket.socket]:
    server = listening_socket()
    yield server
    server.close()


def url_of(server: socket.socket) -> str:
    host, port = server.getsockname()
    return f"tcp://{host}:{port}"


def test_a_clean_stream_is_reported_clean_and_arrives_whole_in_length_prefixed_chunks(tcp_server):
    clamd = FakeClamd(tcp_server)
    content = samples.pdf() * 200  # more than one 64 KiB chunk
    assert clamd_scan([content], url=url_of(tcp_server)) == ""
    clamd.join()
    assert clamd.commands == [b"zINSTREAM\0"] and clamd.received == [content]


def test_a_found_virus_is_reported_with_its_signature(tcp_server):
    clamd = FakeClamd(tcp_server)
    assert clamd_scan([b"%PDF-1.4 ", EICAR], url=url_of(tcp_server)) == "Eicar-Test-Signature"
    clamd.join()


def test_the_scanner_is_reached_over_a_unix_socket_too(tmp_path):
    path = str(tmp_path / "clamd.ctl")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    try:
        clamd = FakeClamd(server)
        assert clamd_scan([EICAR], url=f"unix://{path}") == "Eicar-Test-Signature"
        clamd.join()
    finally:
        server.close()


def test_an_unreachable_scanner_refuses_the_upload_fail_closed(tcp_server):
    url = url_of(tcp_server)
    tcp_server.close()  # nothing listens there any more
    with pytest.raises(ScannerUnavailable) as caught:
        clamd_scan([b"x"], url=url, name="营业执照.pdf")
    assert caught.value.status == 503 and "营业执照.pdf" in str(caught.value)


def test_an_error_answer_from_the_scanner_refuses_the_upload(tcp_server):
    clamd = FakeClamd(tcp_server, reply=b"INSTREAM size limit exceeded. ERROR\0")
    with pytest.raises(ScannerUnavailable):
        clamd_scan([b"x"], url=url_of(tcp_server))
    clamd.join()


def test_with_the_setting_on_an_upload_carrying_a_virus_is_refused(tcp_server, settings):
    settings.ONEWINDOW_CLAMD = url_of(tcp_server)
    clamd = FakeClamd(tcp_server)
    infected = samples.pdf() + EICAR  # a PDF reader ignores what follows %%EOF; the scanner does not
    with pytest.raises(VirusFound) as caught:
        upload_check(SimpleUploadedFile("申请书.pdf", infected, "application/pdf"))
    clamd.join()
    assert "申请书.pdf" in str(caught.value) and "Eicar-Test-Signature" in str(caught.value)
    assert caught.value.fields["signature"] == "Eicar-Test-Signature"


def test_with_the_setting_on_a_clean_upload_is_scanned_and_accepted(tcp_server, settings):
    settings.ONEWINDOW_CLAMD = url_of(tcp_server)
    clamd = FakeClamd(tcp_server)
    checked = upload_check(SimpleUploadedFile("申请书.pdf", samples.pdf(), "application/pdf"))
    clamd.join()
    assert checked.kind.key == "pdf" and clamd.received == [samples.pdf()]


def test_without_the_setting_nothing_is_sent_to_any_scanner(settings, monkeypatch):
    settings.ONEWINDOW_CLAMD = ""
    monkeypatch.setattr("onewindow.core.uploads.clamd_scan", None)  # would fail if called
    assert upload_check(SimpleUploadedFile("a.pdf", samples.pdf(), "application/pdf")).kind.key == "pdf"


@pytest.mark.parametrize("value", ["127.0.0.1:3310", "tcp://127.0.0.1", "http://x:1", "unix://"])
def test_a_malformed_scanner_address_is_reported_by_the_system_check_and_refuses_uploads(value, settings):
    settings.ONEWINDOW_CLAMD = value
    assert [e.id for e in check_clamd_setting()] == ["onewindow.E101"]
    with pytest.raises(ScannerUnavailable):
        upload_check(SimpleUploadedFile("a.pdf", samples.pdf(), "application/pdf"))
