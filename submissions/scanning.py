"""Virus scanning of evidence files with ClamAV's clamd (CLAMD_SOCKET or CLAMD_TCP).

A file is streamed to clamd with its INSTREAM command, read through Django's storage API
(never by filesystem path: evidence may live in S3). clamd answers "stream: OK", or
"stream: <signature> FOUND", or an error; anything but a clear answer is a ScannerError, and
the caller tries again later. https://docs.clamav.net/manual/Usage/Scanning.html#clamd
"""

import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File

# clamd reads the stream in chunks, each preceded by its length (4 bytes, network order).
CHUNK_BYTES = 64 * 1024
MAX_REPLY_BYTES = 4096


class ScannerError(Exception):
    """clamd could not be reached or did not give a verdict; the scan should be retried."""


@dataclass(frozen=True)
class ScanResult:
    infected: bool
    signature: str = ""


def scanner_configured() -> bool:
    return bool(settings.CLAMD_SOCKET or settings.CLAMD_TCP)


def _connect() -> socket.socket:
    timeout = settings.CLAMD_TIMEOUT
    if settings.CLAMD_SOCKET:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(timeout)
        try:
            connection.connect(settings.CLAMD_SOCKET)
        except OSError as error:
            connection.close()
            raise ScannerError(f"clamd at {settings.CLAMD_SOCKET}: {error}") from error
        return connection
    if not settings.CLAMD_TCP:
        raise ScannerError("no virus scanner is configured (CLAMD_SOCKET or CLAMD_TCP)")
    host, port = settings.CLAMD_TCP.rsplit(":", 1)
    try:
        return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)
    except OSError as error:
        raise ScannerError(f"clamd at {settings.CLAMD_TCP}: {error}") from error


def _read_reply(connection: socket.socket) -> str:
    reply = b""
    while not reply.endswith(b"\0") and len(reply) < MAX_REPLY_BYTES:
        data = connection.recv(MAX_REPLY_BYTES)
        if not data:
            break
        reply += data
    return reply.rstrip(b"\0").decode("utf-8", errors="replace").strip()


def _verdict(reply: str) -> ScanResult:
    if reply == "stream: OK":
        return ScanResult(infected=False)
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        return ScanResult(infected=True, signature=reply[len("stream: ") : -len(" FOUND")])
    raise ScannerError(f"clamd answered {reply!r}")


def scan_chunks(chunks: Iterable[bytes]) -> ScanResult:
    """Send the bytes to clamd and return its verdict."""
    with _connect() as connection:
        try:
            connection.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                for start in range(0, len(chunk), CHUNK_BYTES):
                    piece = chunk[start : start + CHUNK_BYTES]
                    connection.sendall(struct.pack("!L", len(piece)) + piece)
            connection.sendall(struct.pack("!L", 0))
            reply = _read_reply(connection)
        except OSError as error:
            # clamd closes the stream early when it is over its StreamMaxLength.
            raise ScannerError(f"clamd stopped reading the file: {error}") from error
    return _verdict(reply)


def scan_file(file: File) -> ScanResult:
    """Scan a stored file (a FieldFile), opened through its storage."""
    with file.open("rb") as handle:
        return scan_chunks(handle.chunks(CHUNK_BYTES))
