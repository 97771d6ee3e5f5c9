"""Files on disk, named by the SHA-256 of their content (``domain.files.FileStore``).

``put`` writes to a temporary file in the same directory (``.partial-*``), hashing as it goes, and renames
it to its hash only once every byte is written: a file under a hash is always whole, and a writer that
stops half-way (a client gone mid-upload, a crash) leaves no file anyone can see. Two uploads of the same
content are one file (the second rename replaces it with the same bytes; a reader of it keeps what it
opened). Leftovers of a crash (``.partial-*`` files nobody has written to for ``STALE_SECONDS``) are
removed when a store opens; a fresh one may be another worker's upload in progress.

Files are immutable, so a snapshot needs only the hashes it refers to to stay on disk: ``pinned`` says
which those are (``Emulator`` passes the snapshots' hashes), and neither ``delete`` nor ``sweep`` removes
them. Several processes may share one directory (gunicorn workers, or hosts on a shared filesystem): a
rename is atomic, and two writers of one hash write the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import BinaryIO, Callable, Iterable

from ..domain.files import FileRef

STALE_SECONDS = 15 * 60  # a .partial file untouched this long belongs to a writer that is gone
_PARTIAL = ".partial-"
_HASH = re.compile(r"[0-9a-f]{64}")


class DiskFileStore:
    def __init__(self, directory: str | os.PathLike, *, pinned: Callable[[], set[str]] = set,
                 temporary: bool = False):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._pinned = pinned
        self._temporary = temporary  # a directory of this store's own, removed at close
        self.remove_leftovers()

    def _path(self, sha256: str) -> Path:
        if not _HASH.fullmatch(sha256):  # (never a path outside the directory, whatever a caller passes)
            raise KeyError(sha256)
        return self.directory / sha256

    def put(self, chunks: Iterable[bytes]) -> FileRef:
        digest, size = hashlib.sha256(), 0
        handle = tempfile.NamedTemporaryFile(dir=self.directory, prefix=_PARTIAL, delete=False)  # noqa: SIM115
        try:
            with handle:
                for chunk in chunks:
                    digest.update(chunk)
                    handle.write(chunk)
                    size += len(chunk)
            # (no fsync: like the database, the store survives a restart of the emulator, not a power cut)
            # Replaced even when the hash is there: the same bytes, and the file is there when this returns
            # even if a delete of that content ran meanwhile.
            os.replace(handle.name, self._path(digest.hexdigest()))
        except BaseException:
            try:
                os.unlink(handle.name)
            except FileNotFoundError:
                pass
            raise
        return FileRef(digest.hexdigest(), size)

    def open(self, sha256: str) -> BinaryIO:
        try:
            return open(self._path(sha256), "rb")  # noqa: SIM115 (the caller reads and closes it)
        except FileNotFoundError:
            raise KeyError(sha256) from None

    def exists(self, sha256: str) -> bool:
        try:
            return self._path(sha256).is_file()
        except KeyError:
            return False

    def size(self, sha256: str) -> int:
        try:
            return self._path(sha256).stat().st_size
        except FileNotFoundError:
            raise KeyError(sha256) from None

    def delete(self, sha256: str) -> None:
        if sha256 in self._pinned():
            return
        try:
            self._path(sha256).unlink()
        except (FileNotFoundError, KeyError):
            pass

    def hashes(self) -> set[str]:
        """Every file stored (not those still being written)."""
        if not self.directory.is_dir():
            return set()
        return {entry.name for entry in os.scandir(self.directory) if _HASH.fullmatch(entry.name)}

    def sweep(self, keep: set[str] = frozenset()) -> int:
        """Remove every file neither in ``keep`` nor pinned: how many went."""
        stored = self.hashes()
        if not stored:
            return 0
        removed = 0
        for sha256 in stored - set(keep) - self._pinned():
            try:
                (self.directory / sha256).unlink()
                removed += 1
            except FileNotFoundError:
                pass
        return removed

    def remove_leftovers(self, older_than: float = STALE_SECONDS) -> int:
        removed, now = 0, time.time()
        for entry in os.scandir(self.directory):
            if entry.name.startswith(_PARTIAL):
                try:
                    if now - entry.stat().st_mtime >= older_than:
                        os.unlink(entry.path)
                        removed += 1
                except FileNotFoundError:
                    pass
        return removed

    def close(self) -> None:
        if self._temporary:
            shutil.rmtree(self.directory, ignore_errors=True)
