"""Large files as a service's rules see them: put once, named by their content, read back as a stream.

A file is immutable and named by the SHA-256 of its bytes, so two uploads of the same content are one file.
The rules keep a ``FileRef`` (its hash and size) in their own state and ask the store for the bytes when a
caller downloads them; they never see where or how the bytes are kept (``store.files.DiskFileStore``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Iterable, Protocol


@dataclass(frozen=True)
class FileRef:
    sha256: str  # 64 lower-case hex digits: the file's name in the store
    size: int


class FileStore(Protocol):
    def put(self, chunks: Iterable[bytes]) -> FileRef:
        """Store the bytes ``chunks`` yields; the file exists (under its hash) only once all of them came."""

    def open(self, sha256: str) -> BinaryIO:
        """The file's bytes, to read as a stream (close it when done); ``KeyError`` for a hash not stored."""

    def exists(self, sha256: str) -> bool: ...

    def size(self, sha256: str) -> int: ...

    def delete(self, sha256: str) -> None:
        """Remove the file unless a snapshot still needs it; only once no state refers to the hash (content
        shared by two uploads is one file: the rules delete it when neither refers to it any more)."""
