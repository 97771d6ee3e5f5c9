"""Reading a request body from ``environ["wsgi.input"]`` without holding a large one in memory.

A body is read in chunks into a ``SpooledBody``: in memory up to ``spool_bytes`` (``WireSettings``), in an
anonymous temporary file beyond it, never more than the limit it is read with (HTTP 413 past it, whether
the client sent a Content-Length or chunks). While it is read its size and SHA-256 are counted, so that the
journal can record a large body by those two (``journal_text``) instead of its bytes.

``Blob`` is a window onto such a file: how a binary value larger than the spool threshold reaches an
operation that declared a size limit of its own (``Operation.max_body_bytes``), and how such an operation
hands a large binary result back. It is read on demand (``open()``, ``chunks()``); ``read()`` gives all of it
as bytes, for the rare caller that wants them. Everything here is plain WSGI: any server in front works.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from typing import BinaryIO, Iterator

from ..xmllimits import MarkupBounds, markup_bounds
from .faults import SoapFault

CHUNK = 256 * 1024
SPOOL_BYTES = 1024 * 1024  # the default threshold: bodies and binary parts above it live in a file


def _disk_file() -> BinaryIO:
    """The temporary file a body moves to once it passes the threshold (removed when closed; tests watch it)."""
    return tempfile.TemporaryFile(prefix="altinn-so-body-")


class SpooledBody:
    """One request body: ``size``, ``sha256``, and its bytes in memory or in a temporary file (``on_disk``)."""

    def __init__(self, spool_bytes: int = SPOOL_BYTES):
        self._spool_bytes = spool_bytes
        self._memory = io.BytesIO()
        self._file: BinaryIO | None = None
        self._value: bytes | None = None
        self._hash = None  # counted from the moment the body moves to disk; a body in memory is hashed if asked
        self.size = 0
        # Upper bounds on its elements and attributes (xmllimits), counted as a body on disk is written: its
        # structure is then checked without reading the file once more. None for a body that is not one XML
        # document (MTOM: its XML is the root part, checked on its own).
        self.markup_bounds: MarkupBounds | None = markup_bounds()
        self.closing: list = []  # files made from this body (decoded values): they go when it does

    @classmethod
    def read(cls, environ: dict, limit: int, spool_bytes: int = SPOOL_BYTES, xml: bool = True) -> "SpooledBody":
        """The body of ``environ``; a fault naming ``limit`` once it is larger (413), or a bad Content-Length."""
        body = cls(spool_bytes)
        if not xml:
            body.markup_bounds = None
        stream = environ["wsgi.input"]
        length = environ.get("CONTENT_LENGTH")
        try:
            if length:
                try:
                    size = int(length)
                except ValueError:
                    raise SoapFault.protocol(f"Invalid Content-Length '{length}'.", status=400) from None
                if size > limit:
                    raise too_large(limit, size)
                if size <= spool_bytes:  # the usual case: read whole, at once, and kept as it came
                    body._read_small(stream, size)
                    return body
                left = size
                while left > 0:
                    chunk = stream.read(min(CHUNK, left))
                    if not chunk:
                        break  # the client sent less than it announced: what came is the body
                    body._write(chunk)
                    left -= len(chunk)
            else:
                while True:
                    chunk = stream.read(min(CHUNK, limit + 1 - body.size))
                    if not chunk:
                        break
                    body._write(chunk)
                    if body.size > limit:
                        raise too_large(limit)
        except BaseException:
            body.close()
            raise
        return body

    def _read_small(self, stream, size: int) -> None:
        chunks, left = [], size
        while left > 0:
            chunk = stream.read(left)
            if not chunk:
                break  # the client sent less than it announced: what came is the body
            chunks.append(chunk)
            left -= len(chunk)
        self._value = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        self.size = len(self._value)
        self._memory = io.BytesIO(self._value)

    def _write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self._file is None and self.size > self._spool_bytes:
            self._file = _disk_file()
            self._hash = hashlib.sha256(self._memory.getbuffer())
            self._file.write(self._memory.getbuffer())
            if self.markup_bounds is not None:
                self.markup_bounds.add(self._memory.getvalue())
            self._memory = io.BytesIO()
        elif self._file is not None and self.markup_bounds is not None:
            self.markup_bounds.add(chunk)
        if self._hash is not None:
            self._hash.update(chunk)
        (self._file or self._memory).write(chunk)
        self._value = None

    @property
    def on_disk(self) -> bool:
        return self._file is not None

    @property
    def sha256(self) -> str:
        if self._hash is None:  # in memory all along
            return hashlib.sha256(self.bytes()).hexdigest()
        return self._hash.hexdigest()

    @property
    def file(self) -> BinaryIO:
        """The body as a seekable file (positioned anywhere: seek before reading)."""
        return self._file if self._file is not None else self._memory

    def bytes(self) -> bytes:
        """All of it in memory: only for a body that is in memory already, or one the caller bounded."""
        if self._file is None:
            if self._value is None:  # (read twice on every call: for the journal and for the parser)
                self._value = self._memory.getvalue()
            return self._value
        return self.slice(0, self.size)

    def slice(self, offset: int, length: int) -> bytes:
        handle = self.file
        handle.seek(offset)
        return handle.read(length)

    def blob(self, offset: int, length: int) -> "Blob":
        return Blob(self.file, offset, length)

    def journal_text(self) -> bytes:
        """What the journal keeps of this body: its bytes, or for one on disk a placeholder with size and hash."""
        if self._file is None:
            return self.bytes()
        return placeholder("request", self.size, self.sha256)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        for file in self.closing:
            file.close()
        self.closing = []
        self._memory = io.BytesIO()
        self._value = None


def placeholder(what: str, size: int, sha256: str) -> bytes:
    return f"[{what} body of {size} bytes, SHA-256 {sha256}: too large to keep in the journal]".encode()


def too_large(limit: int, size: int | None = None) -> SoapFault:
    said = f"The request of {size} bytes" if size is not None else "The request"
    return SoapFault.protocol(f"{said} exceeds the maximum message size of {limit} bytes.", status=413)


@dataclass(frozen=True)
class Blob:
    """``length`` bytes from ``offset`` of a seekable ``file``: a large binary value that stays where it is."""

    file: BinaryIO
    offset: int
    length: int

    def __len__(self) -> int:
        return self.length

    def chunks(self, size: int = CHUNK) -> Iterator[bytes]:
        position, left = self.offset, self.length
        while left > 0:
            self.file.seek(position)  # (seek each time: another reader may share the file)
            chunk = self.file.read(min(size, left))
            if not chunk:
                raise OSError(f"the spooled body ended {left} bytes early")
            position += len(chunk)
            left -= len(chunk)
            yield chunk

    def read(self) -> bytes:
        return b"".join(self.chunks())

    def sha256(self) -> str:
        digest = hashlib.sha256()
        for chunk in self.chunks():
            digest.update(chunk)
        return digest.hexdigest()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Blob":
        return cls(io.BytesIO(data), 0, len(data))

    @classmethod
    def from_path(cls, path: str | os.PathLike) -> "Blob":
        return cls.from_file(open(path, "rb"))  # noqa: SIM115 (a Blob reads it for as long as it lives)

    @classmethod
    def from_file(cls, handle: BinaryIO) -> "Blob":
        """All of an open file (``FileStore.open``): a handler returns it to stream a file in its reply,
        which closes the file once it is sent."""
        return cls(handle, 0, os.fstat(handle.fileno()).st_size)
