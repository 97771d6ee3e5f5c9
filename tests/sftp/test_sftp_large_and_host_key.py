"""A 200 MB upload streams through the server (never held whole), and the host key stays the same across
restarts."""

from __future__ import annotations

import hashlib
import re

import paramiko

from altinn_so.certs import generate_certificates
from altinn_so.emulator import Emulator, Settings
from altinn_so.seeding import default_seed
from altinn_so.sftp import host_key_file, start_sftp

from .conftest import OWNER, connect, spool_files

BIG = 200 * 1024 * 1024
CHUNK = b"<Batch>" + bytes(range(256)) * 256  # 65,543 bytes of something that is not all one byte


class _Generated:
    """A file-like source of ``size`` bytes made as they are read: the client holds none of it."""

    def __init__(self, size: int):
        self.left = size
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        out = (CHUNK * (size // len(CHUNK) + 1))[:size]
        self.left -= size
        self.digest.update(out)
        return out


def _kilobytes(field: str) -> int:
    with open("/proc/self/status") as status:
        return int(re.search(rf"^{field}:\s+(\d+) kB", status.read(), re.M).group(1))


def test_a_200_mb_upload_streams_without_the_process_growing_by_it(sftp_server, emulator):
    client = connect(sftp_server.port)
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # the peak (VmHWM) starts again from now
        before = _kilobytes("VmRSS")
        source = _Generated(BIG)
        client.putfo(source, "/inbound/big.xml", file_size=BIG, confirm=False)
        peak = _kilobytes("VmHWM")
    finally:
        client.get_channel().get_transport().close()

    [received] = emulator.batch_store.list_batches()
    assert (received.owner, received.size, received.file) == (OWNER, BIG, source.digest.hexdigest())
    assert emulator.files.exists(received.file)
    assert spool_files(emulator) == []
    # Client and server share this process: either holding the file would add 200 MB.
    assert (peak - before) < 60 * 1024, f"the process grew by {(peak - before) // 1024} MB"


def _served_key(port: int) -> str:
    transport = paramiko.Transport(("127.0.0.1", port))
    try:
        transport.start_client()
        key = transport.get_remote_server_key()
        return f"{key.get_name()} {key.get_base64()}"
    finally:
        transport.close()


def test_the_host_key_is_kept_beside_a_database_file_and_served_again_after_a_restart(tmp_path):
    settings = Settings(database=str(tmp_path / "altinn.sqlite3"))
    assert host_key_file(settings) == str(tmp_path / "altinn.sqlite3.sftp-host-key")
    served = []
    for _ in range(2):
        emulator = Emulator(settings, seed=default_seed())
        server = start_sftp(emulator, "127.0.0.1", 0, host_key_file(settings))
        try:
            served.append(_served_key(server.port))
        finally:
            server.stop()
            emulator.close()
    assert served[0] == served[1]
    public = (tmp_path / "altinn.sqlite3.sftp-host-key.pub").read_text()
    assert public.startswith(served[0] + " ")
    assert (tmp_path / "altinn.sqlite3.sftp-host-key").stat().st_mode & 0o077 == 0


def test_where_the_host_key_lives_for_each_kind_of_store(tmp_path):
    assert host_key_file(Settings()) is None  # in memory: a key of the process's own
    assert host_key_file(Settings(database="sqlite:///" + str(tmp_path / "a.db"))) == str(tmp_path / "a.db") + \
        ".sftp-host-key"
    assert host_key_file(Settings(files_dir=str(tmp_path / "files"))) == str(tmp_path / "files" / "sftp-host-key")
    assert host_key_file(Settings(database="postgresql://u@h/db", files_dir=str(tmp_path))) == \
        str(tmp_path / "sftp-host-key")


def test_a_key_in_memory_is_new_for_each_server(emulator):
    keys = []
    for _ in range(2):
        server = start_sftp(emulator)
        try:
            keys.append(_served_key(server.port))
        finally:
            server.stop()
    assert keys[0] != keys[1]


def test_certs_writes_a_host_key_once_and_the_server_serves_it(tmp_path, emulator):
    made = generate_certificates(tmp_path, [])
    first = made.sftp_host_key.read_bytes()
    again = generate_certificates(tmp_path, [])
    assert again.sftp_host_key.read_bytes() == first  # kept: clients remember it
    server = start_sftp(emulator, "127.0.0.1", 0, made.sftp_host_key)
    try:
        assert (tmp_path / "sftp-host-key.pub").read_text().startswith(_served_key(server.port) + " ")
    finally:
        server.stop()
