"""The SFTP server: asyncssh speaks SSH and SFTP; this module only says who may log in and what each owner's
folders hold (docs/behaviour/sftp.md).

asyncssh runs on an event loop in a thread of its own; everything that touches the emulator's store (logins,
listings, recording a batch) runs on a small thread pool beside it, so that a slow write never stalls the other
connections. An upload is spooled to a file beside the file store while it arrives, then moved into the store
in chunks: a file of any size streams and is never held in memory.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

with warnings.catch_warnings():  # asyncssh still names DSA, which cryptography marks deprecated on import
    warnings.simplefilter("ignore")
    import asyncssh

from ..certs import ensure_ssh_host_key
from . import login
from .folders import INBOUND, OUTBOUND, Place, Refused, canonical, is_temporary, place_of

log = logging.getLogger("altinn_so.sftp")

SPOOL_PREFIX = ".partial-sftp-"  # the file store removes .partial-* files a crash left behind when it opens
COPY_CHUNK = 1024 * 1024
STORE_THREADS = 4
_LOGIN_KEY = "altinn_so_login"
_FOLDER_MODE, _INBOUND_FILE_MODE, _OUTBOUND_FILE_MODE = 0o40755, 0o100200, 0o100440


class _Upload:
    """A file an owner is writing (or wrote to a temporary name) in /inbound: its bytes so far, on disk."""

    def __init__(self, name: str, directory: Path):
        self.name = name
        self.size = 0
        self.spool = tempfile.NamedTemporaryFile(dir=directory, prefix=SPOOL_PREFIX, delete=False)  # noqa: SIM115

    def write(self, offset: int, data: bytes) -> None:
        self.spool.seek(offset)
        self.spool.write(data)
        self.size = max(self.size, offset + len(data))

    def discard(self) -> None:
        self.spool.close()
        try:
            os.unlink(self.spool.name)
        except FileNotFoundError:
            pass


class _Download:
    def __init__(self, stream):
        self.stream = stream


class OwnerFolders(asyncssh.SFTPServer):
    """One SFTP session of a logged-in owner: ``/inbound`` to upload to, ``/outbound`` to fetch from. Nothing
    else exists; no real directory is behind either."""

    def __init__(self, chan, emulator, executor: ThreadPoolExecutor):
        super().__init__(chan)
        self._login: login.Login = chan.get_connection().get_extra_info(_LOGIN_KEY)
        self._emulator = emulator
        self._executor = executor
        self._writing: set[_Upload] = set()  # open for writing now
        self._waiting: dict[str, _Upload] = {}  # closed under a temporary name: a rename completes them
        self._received: dict[str, int] = {}  # name -> size of what this session delivered (clients stat it)

    async def _store(self, work, *args):
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, *args)

    # -- paths ----------------------------------------------------------------------------------------

    def realpath(self, path: bytes) -> bytes:
        try:
            return canonical(path).encode()
        except Refused as exc:
            raise asyncssh.SFTPPermissionDenied(str(exc)) from None

    async def stat(self, path: bytes) -> asyncssh.SFTPAttrs:
        place = _place(path)
        if place.is_folder:
            return asyncssh.SFTPAttrs(type=asyncssh.FILEXFER_TYPE_DIRECTORY, permissions=_FOLDER_MODE, size=0)
        if place.folder == INBOUND:
            size = self._inbound_size(place.name)
            if size is None:
                raise asyncssh.SFTPNoSuchFile(f"{place.path}: no such file")
            return _file_attrs(size, _INBOUND_FILE_MODE)
        outbound = await self._outbound(place)
        return _file_attrs(outbound.size, _OUTBOUND_FILE_MODE, outbound.created_at.timestamp())

    lstat = stat  # there are no links

    def _inbound_size(self, name: str) -> int | None:
        for upload in (*self._writing, *self._waiting.values()):
            if upload.name == name:
                return upload.size
        return self._received.get(name)

    async def scandir(self, path: bytes):
        place = _place(path)
        if not place.is_folder:
            raise asyncssh.SFTPNoSuchFile(f"{place.path} is not a folder")
        folder = asyncssh.SFTPAttrs(type=asyncssh.FILEXFER_TYPE_DIRECTORY, permissions=_FOLDER_MODE, size=0)
        for name in (b".", b".."):
            yield asyncssh.SFTPName(name, attrs=folder)
        if place.folder is None:
            for name in (INBOUND, OUTBOUND):
                yield asyncssh.SFTPName(name.encode(), attrs=folder)
        elif place.folder == INBOUND:  # only what is still being written: a delivered file is a batch now
            for upload in (*self._writing, *self._waiting.values()):
                yield asyncssh.SFTPName(upload.name.encode(), attrs=_file_attrs(upload.size, _INBOUND_FILE_MODE))
        else:
            for outbound in await self._store(self._emulator.batch_store.outbound_of, self._login.owner):
                yield asyncssh.SFTPName(outbound.name.encode(), attrs=_file_attrs(
                    outbound.size, _OUTBOUND_FILE_MODE, outbound.created_at.timestamp()))

    # -- files ----------------------------------------------------------------------------------------

    async def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs):
        place = _place(path)
        if place.is_folder:
            raise asyncssh.SFTPPermissionDenied(f"{place.path} is a folder")
        writes = pflags & (asyncssh.FXF_WRITE | asyncssh.FXF_APPEND | asyncssh.FXF_CREAT | asyncssh.FXF_TRUNC)
        if place.folder == INBOUND:
            if pflags & asyncssh.FXF_READ or not writes:
                raise asyncssh.SFTPPermissionDenied("/inbound is write-only: files there cannot be read")
            upload = _Upload(place.name, self._emulator.files.directory)
            self._writing.add(upload)
            return upload
        if writes:
            raise asyncssh.SFTPPermissionDenied("/outbound is read-only: upload to /inbound")
        outbound = await self._outbound(place)
        return _Download(await self._store(self._emulator.files.open, outbound.file))

    def open56(self, path: bytes, desired_access: int, flags: int, attrs: asyncssh.SFTPAttrs):
        writes = desired_access & (asyncssh.ACE4_WRITE_DATA | asyncssh.ACE4_APPEND_DATA)
        return self.open(path, asyncssh.FXF_WRITE | asyncssh.FXF_CREAT if writes else asyncssh.FXF_READ, attrs)

    def write(self, file_obj, offset: int, data: bytes) -> int:
        if not isinstance(file_obj, _Upload):
            raise asyncssh.SFTPPermissionDenied("/outbound is read-only")
        file_obj.write(offset, data)
        return len(data)

    def read(self, file_obj, offset: int, size: int) -> bytes:
        if not isinstance(file_obj, _Download):
            raise asyncssh.SFTPPermissionDenied("/inbound is write-only: files there cannot be read")
        file_obj.stream.seek(offset)
        return file_obj.stream.read(size)

    def fstat(self, file_obj) -> asyncssh.SFTPAttrs:
        if isinstance(file_obj, _Upload):
            return _file_attrs(file_obj.size, _INBOUND_FILE_MODE)
        return _file_attrs(os.fstat(file_obj.stream.fileno()).st_size, _OUTBOUND_FILE_MODE)

    def fsetstat(self, file_obj, attrs: asyncssh.SFTPAttrs) -> None:
        """Accepted and ignored (clients set times and modes after an upload); nothing here has either."""

    def setstat(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
        if _place(path).folder != INBOUND:
            raise asyncssh.SFTPPermissionDenied("only files in /inbound take attributes (which are ignored)")

    async def close(self, file_obj) -> None:
        if isinstance(file_obj, _Download):
            file_obj.stream.close()
            return
        self._writing.discard(file_obj)
        file_obj.spool.close()
        if self.channel.is_closing():  # the connection went before the client closed the file: not complete
            log.info("SFTP upload %r of %s cut off after %d bytes: not processed", file_obj.name,
                     self._login.owner, file_obj.size)
            file_obj.discard()
        elif is_temporary(file_obj.name):
            self._wait_for_rename(file_obj.name, file_obj)
        else:
            await self._deliver(file_obj, file_obj.name)

    def _wait_for_rename(self, name: str, upload: _Upload) -> None:
        upload.name = name
        replaced = self._waiting.pop(name, None)
        if replaced is not None and replaced is not upload:
            replaced.discard()
        self._waiting[name] = upload

    async def _deliver(self, upload: _Upload, name: str) -> None:
        """A complete file: into the file store, and a batch that waits to be read."""
        try:
            batch = await self._store(self._record, upload.spool.name, name)
        except Exception:
            log.exception("SFTP upload %r of %s could not be recorded", name, self._login.owner)
            raise asyncssh.SFTPFailure("the file could not be recorded") from None
        finally:
            upload.discard()
        self._received[name] = batch.size
        log.info("SFTP upload %r of %s (%s, %d bytes) is batch %d", name, self._login.owner, self._login.system,
                 batch.size, batch.id)

    def _record(self, spool: str, name: str):
        emulator = self._emulator
        with open(spool, "rb") as stream:
            stored = emulator.files.put(iter(lambda: stream.read(COPY_CHUNK), b""))
        emulator.sync()
        with emulator.request_scope():
            return emulator.batch.receive(self._login.owner, self._login.system, name, stored.sha256, stored.size)

    async def remove(self, path: bytes) -> None:
        place = _place(path)
        if place.is_folder:
            raise asyncssh.SFTPPermissionDenied(f"{place.path} is a folder")
        if place.folder == INBOUND:
            upload = self._waiting.pop(place.name, None)
            if upload is None:
                raise asyncssh.SFTPNoSuchFile(f"{place.path}: no such file waiting to be renamed")
            upload.discard()  # the owner gave up on a temporary file
            return
        outbound = await self._outbound(place)
        await self._store(self._removed, outbound)

    def _removed(self, outbound) -> None:
        emulator = self._emulator
        emulator.sync()
        with emulator.request_scope():
            emulator.batch_store.save_outbound(replace(outbound, removed_at=emulator.clock.now()))

    async def rename(self, oldpath: bytes, newpath: bytes) -> None:
        old, new = _place(oldpath), _place(newpath)
        if old.folder != INBOUND or new.folder != INBOUND or old.is_folder or new.is_folder:
            raise asyncssh.SFTPPermissionDenied("files can only be renamed within /inbound")
        upload = self._waiting.pop(old.name, None)
        if upload is None:
            raise asyncssh.SFTPNoSuchFile(f"{old.path}: no such file waiting to be renamed")
        if is_temporary(new.name):
            self._wait_for_rename(new.name, upload)
        else:
            await self._deliver(upload, new.name)

    posix_rename = rename

    async def _outbound(self, place: Place):
        if place.folder != OUTBOUND or place.name is None:
            raise asyncssh.SFTPNoSuchFile(f"{place.path}: no such file")
        for outbound in await self._store(self._emulator.batch_store.outbound_of, self._login.owner):
            if outbound.name == place.name:
                return outbound
        raise asyncssh.SFTPNoSuchFile(f"{place.path}: no such file")

    # -- what is never allowed --------------------------------------------------------------------------

    def mkdir(self, path: bytes, attrs) -> None:
        raise asyncssh.SFTPPermissionDenied("folders cannot be made: there are only /inbound and /outbound")

    def rmdir(self, path: bytes) -> None:
        raise asyncssh.SFTPPermissionDenied("folders cannot be removed")

    def symlink(self, oldpath: bytes, newpath: bytes) -> None:
        raise asyncssh.SFTPPermissionDenied("links are not allowed")

    def link(self, oldpath: bytes, newpath: bytes) -> None:
        raise asyncssh.SFTPPermissionDenied("links are not allowed")

    def readlink(self, path: bytes) -> bytes:
        raise asyncssh.SFTPPermissionDenied("there are no links")

    def statvfs(self, path: bytes):
        raise asyncssh.SFTPOpUnsupported("statvfs is not supported")

    def fstatvfs(self, file_obj):
        raise asyncssh.SFTPOpUnsupported("statvfs is not supported")

    def lock(self, file_obj, offset: int, length: int, flags: int) -> None:
        raise asyncssh.SFTPOpUnsupported("locks are not supported")

    def unlock(self, file_obj, offset: int, length: int) -> None:
        raise asyncssh.SFTPOpUnsupported("locks are not supported")

    def exit(self) -> None:
        """The session ended: files still open or waiting under a temporary name were never complete."""
        for upload in (*self._writing, *self._waiting.values()):
            log.info("SFTP upload %r of %s not completed before the session ended: not processed", upload.name,
                     self._login.owner)
            upload.discard()
        self._writing.clear()
        self._waiting.clear()


def _place(path: bytes) -> Place:
    try:
        return place_of(path)
    except Refused as exc:
        raise asyncssh.SFTPPermissionDenied(str(exc)) from None


def _file_attrs(size: int, mode: int, mtime: float | None = None) -> asyncssh.SFTPAttrs:
    stamp = int(mtime) if mtime is not None else None
    return asyncssh.SFTPAttrs(type=asyncssh.FILEXFER_TYPE_REGULAR, size=size, permissions=mode, mtime=stamp,
                              atime=stamp)


class _Gate(asyncssh.SSHServer):
    """One connection's login: an agency system's password, or a public key the seed names for it."""

    def __init__(self, emulator, executor: ThreadPoolExecutor, connections: set):
        self._emulator = emulator
        self._executor = executor
        self._connections = connections
        self._conn = None

    def connection_made(self, conn) -> None:
        self._conn = conn
        self._connections.add(conn)

    def connection_lost(self, exc) -> None:
        self._connections.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        return True  # every login needs a password or a key

    def password_auth_supported(self) -> bool:
        return True

    def public_key_auth_supported(self) -> bool:
        return True

    async def _store(self, work, *args):
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, *args)

    async def validate_password(self, username: str, password: str) -> bool:
        return self._logged_in(await self._store(login.by_password, self._emulator, username, password))

    async def validate_public_key(self, username: str, key) -> bool:
        for line in await self._store(login.public_keys_of, self._emulator, username):
            try:
                known = asyncssh.import_public_key(line)
            except (asyncssh.KeyImportError, ValueError):
                log.warning("an SSH public key of system %r in the seed cannot be read: ignored", username)
                continue
            if known.public_data == key.public_data:
                return self._logged_in(await self._store(login.by_public_key, self._emulator, username))
        log.info("SFTP login of %r refused: the key is not one the seed names for it", username)
        return False

    def _logged_in(self, found: login.Login | None) -> bool:
        if found is None:
            return False
        self._conn.set_extra_info(**{_LOGIN_KEY: found})
        return True


def host_key(path: str | os.PathLike | None):
    """The server's host key: the one at ``path`` (made there once if missing), or a new one kept in memory."""
    if path is None:
        return asyncssh.generate_private_key("ssh-ed25519")
    return asyncssh.read_private_key(str(ensure_ssh_host_key(path)))


class SftpServer:
    """A running SFTP listener (``start_sftp``): its address, and ``stop()``."""

    def __init__(self, emulator, host: str, port: int, host_key_path: str | os.PathLike | None):
        self.host = host
        self.host_key_path = host_key_path
        self._key = host_key(host_key_path)
        self.host_key_public = self._key.export_public_key().decode().strip()
        self._executor = ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="altinn-so-sftp-store")
        self._connections: set = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="altinn-so-sftp", daemon=True)
        self._thread.start()
        try:
            self._acceptor = asyncio.run_coroutine_threadsafe(self._listen(emulator, host, port), self._loop).result()
        except BaseException:
            self._end_loop()
            raise
        self.port = self._acceptor.get_port()

    async def _listen(self, emulator, host: str, port: int):
        return await asyncssh.listen(
            host, port, server_factory=lambda: _Gate(emulator, self._executor, self._connections),
            server_host_keys=[self._key],
            sftp_factory=lambda chan: OwnerFolders(chan, emulator, self._executor), allow_scp=False,
            agent_forwarding=False, x11_forwarding=False, login_timeout=60)

    def stop(self) -> None:
        """Stop listening and end every session (files still being written are not processed)."""
        if self._loop.is_closed():
            return
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=30)
        self._end_loop()

    async def _close(self) -> None:
        self._acceptor.close()
        await self._acceptor.wait_closed()
        for conn in list(self._connections):
            conn.close()
        for conn in list(self._connections):
            await conn.wait_closed()

    def _end_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._loop.close()
        self._executor.shutdown(wait=True)


def start_sftp(emulator, host: str = "127.0.0.1", port: int = 0,
               host_key_path: str | os.PathLike | None = None) -> SftpServer:
    """Serve ``emulator``'s SFTP folders on ``host``:``port`` (0: a free port, see ``.port``) in a thread of its
    own, until ``.stop()``. ``host_key_path``: the host key's file (made there if missing); None: a key made
    now and kept in memory."""
    return SftpServer(emulator, host, port, host_key_path)
