"""An owner's folders over SFTP: uploads to /inbound become batches, /outbound is read and emptied, and nothing
else can be reached."""

from __future__ import annotations

import io
import socket

import paramiko
import pytest

from altinn_so.services import batch
from altinn_so.services.batch.rules import PROCESSED, RECEIVED, OutboundFile

from .conftest import OTHER_OWNER, OWNER, SYSTEM, connect, put, spool_files, wait_for

TEST_ROOT = "{urn:altinn-so:test}Batch"
BATCH_XML = b'<Batch xmlns="urn:altinn-so:test"><Item/><Item/></Batch>'


def _read_items(emulator, reading, file):
    """A reader for the tests' own root element: one item per child."""
    from lxml import etree

    reading.describe(kind="Correspondence")
    for position, element in enumerate(etree.parse(file).getroot(), 1):
        reading.done(reading.item(element.sourceline, position, etree.tostring(element).decode()), "seen")


def test_an_upload_closed_in_inbound_is_a_batch_that_is_then_read(sftp, emulator, monkeypatch):
    monkeypatch.setitem(batch.READERS, TEST_ROOT, _read_items)
    sftp.putfo(io.BytesIO(BATCH_XML), "/inbound/batch-1.xml")  # (paramiko stats the file afterwards: it must be there)

    [received] = emulator.batch_store.list_batches()
    assert (received.owner, received.system, received.file_name, received.size, received.state) == (
        OWNER, SYSTEM, "batch-1.xml", len(BATCH_XML), RECEIVED)
    with emulator.files.open(received.file) as stored:
        assert stored.read() == BATCH_XML
    assert sftp.listdir("/inbound") == []  # a delivered file is a batch now, no longer a file there
    assert spool_files(emulator) == []

    [done] = emulator.batch.process_waiting()
    assert (done.id, done.state, done.kind, done.items) == (received.id, PROCESSED, "Correspondence", 2)


def test_a_relative_path_is_read_from_the_root(sftp, emulator):
    put(sftp, "inbound/relative.xml", BATCH_XML)
    assert [b.file_name for b in emulator.batch_store.list_batches()] == ["relative.xml"]


@pytest.mark.parametrize("temporary", ["batch.xml.part", "batch.xml.tmp", ".batch.xml", "batch.xml.PART"])
def test_a_file_with_a_temporary_name_is_a_batch_only_once_renamed(sftp, emulator, temporary):
    put(sftp, f"/inbound/{temporary}", BATCH_XML)
    assert emulator.batch_store.list_batches() == []
    assert sftp.listdir("/inbound") == [temporary]  # still being written, as far as the emulator knows
    assert sftp.stat(f"/inbound/{temporary}").st_size == len(BATCH_XML)

    sftp.rename(f"/inbound/{temporary}", "/inbound/batch.xml")
    [received] = emulator.batch_store.list_batches()
    assert (received.file_name, received.size) == ("batch.xml", len(BATCH_XML))
    assert sftp.listdir("/inbound") == []
    assert spool_files(emulator) == []


def test_a_temporary_file_renamed_to_another_temporary_name_still_waits(sftp, emulator):
    put(sftp, "/inbound/a.part", BATCH_XML)
    sftp.rename("/inbound/a.part", "/inbound/a.tmp")
    assert emulator.batch_store.list_batches() == []
    sftp.rename("/inbound/a.tmp", "/inbound/a.xml")
    assert [b.file_name for b in emulator.batch_store.list_batches()] == ["a.xml"]


def test_a_temporary_file_never_renamed_is_dropped_when_the_session_ends(sftp_server, emulator):
    client = connect(sftp_server.port)
    put(client, "/inbound/never.part", BATCH_XML)
    assert len(spool_files(emulator)) == 1
    client.close()
    client.get_channel().get_transport().close()
    wait_for(lambda: spool_files(emulator) == [], "the server to drop the temporary file")
    assert emulator.batch_store.list_batches() == []


def test_a_temporary_file_may_be_removed_instead_of_renamed(sftp, emulator):
    put(sftp, "/inbound/gone.part", BATCH_XML)
    sftp.remove("/inbound/gone.part")
    assert sftp.listdir("/inbound") == []
    assert spool_files(emulator) == []
    with pytest.raises(FileNotFoundError):
        sftp.rename("/inbound/gone.part", "/inbound/gone.xml")
    assert emulator.batch_store.list_batches() == []


def test_an_upload_cut_off_before_close_is_not_processed(sftp_server, emulator):
    client = connect(sftp_server.port)
    transport = client.get_channel().get_transport()
    upload = client.open("/inbound/cut.xml", "wb")
    upload.write(b"<Batch>" + b"x" * 1_000_000)
    upload.flush()
    client.stat("/inbound/cut.xml")  # a round trip: the written bytes have arrived
    assert client.listdir("/inbound") == ["cut.xml"]  # a file still being written is listed
    assert len(spool_files(emulator)) == 1

    transport.sock.shutdown(socket.SHUT_RDWR)  # the line goes down: no close, no goodbye
    transport.sock.close()
    wait_for(lambda: spool_files(emulator) == [], "the server to drop the cut-off upload")
    assert emulator.batch_store.list_batches() == []
    transport.close()


# -- what is refused ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/inbound/../x.xml", "../x.xml", "/../inbound/x.xml", "/x.xml", "/etc/passwd",
                                  f"/{OTHER_OWNER}/inbound/x.xml", f"/{OTHER_OWNER.lower()}/inbound/x.xml",
                                  "/inbound/sub/x.xml", "/outbound/x.xml", "/inbound"])
def test_writing_anywhere_but_a_file_in_inbound_is_refused(sftp, emulator, path):
    with pytest.raises(PermissionError):
        put(sftp, path, BATCH_XML)
    assert emulator.batch_store.list_batches() == []
    assert spool_files(emulator) == []


@pytest.mark.parametrize("path", ["/..", "/inbound/../..", f"/{OTHER_OWNER}", f"/{OTHER_OWNER}/outbound", "/tmp"])
def test_listing_outside_the_two_folders_is_refused(sftp, path):
    with pytest.raises(PermissionError):
        sftp.listdir(path)


def test_links_folders_and_moves_across_folders_are_refused(sftp, emulator):
    put(sftp, "/inbound/a.part", BATCH_XML)
    refused = [
        lambda: sftp.mkdir("/inbound/sub"),
        lambda: sftp.mkdir("/mine"),
        lambda: sftp.rmdir("/inbound"),
        lambda: sftp.symlink("/outbound", "/inbound/link"),
        lambda: sftp.symlink("/etc/passwd", "/inbound/passwd"),
        lambda: sftp.readlink("/inbound/a.part"),
        lambda: sftp.rename("/inbound/a.part", "/outbound/a.xml"),
        lambda: sftp.rename("/inbound/a.part", "/a.xml"),
        lambda: sftp.rename("/inbound/a.part", "/inbound/../a.xml"),
        lambda: sftp.remove("/inbound"),
        lambda: sftp.open("/inbound/a.part", "rb"),
    ]
    for attempt in refused:
        with pytest.raises(PermissionError):
            attempt()
    assert sftp.listdir("/inbound") == ["a.part"]
    assert emulator.batch_store.list_batches() == []


# -- the outbound folder -------------------------------------------------------------------------------------

def _outbound(emulator, owner: str, name: str, data: bytes) -> OutboundFile:
    stored = emulator.files.put([data])
    return emulator.batch_store.add_outbound(OutboundFile(0, owner, name, stored.sha256, stored.size,
                                                          emulator.clock.now(), "genericbatch"))


def test_outbound_lists_and_reads_the_owners_files_and_deleting_one_marks_it_fetched(sftp, emulator):
    mine = _outbound(emulator, OWNER, "genericbatch-1.xml", b"<archived/>" * 1000)
    _outbound(emulator, OTHER_OWNER, "genericbatch-9.xml", b"<not-yours/>")

    assert sftp.listdir("/outbound") == ["genericbatch-1.xml"]
    assert sftp.stat("/outbound/genericbatch-1.xml").st_size == mine.size
    fetched = io.BytesIO()
    sftp.getfo("/outbound/genericbatch-1.xml", fetched)
    assert fetched.getvalue() == b"<archived/>" * 1000
    with pytest.raises(FileNotFoundError):  # ETT's file does not exist for TTD
        sftp.getfo("/outbound/genericbatch-9.xml", io.BytesIO())
    with pytest.raises(PermissionError):
        sftp.open("/outbound/genericbatch-1.xml", "r+b")

    sftp.remove("/outbound/genericbatch-1.xml")
    assert sftp.listdir("/outbound") == []
    [removed] = [o for o in emulator.batch_store.list_outbound() if o.owner == OWNER]
    assert removed.removed_at == emulator.clock.now()
    assert [o.name for o in emulator.batch_store.outbound_of(OTHER_OWNER)] == ["genericbatch-9.xml"]
    with pytest.raises(FileNotFoundError):
        sftp.remove("/outbound/genericbatch-1.xml")


def test_a_file_in_outbound_cannot_be_overwritten_or_renamed(sftp, emulator):
    _outbound(emulator, OWNER, "receipts-1.xml", b"<r/>")
    with pytest.raises(PermissionError):
        put(sftp, "/outbound/receipts-1.xml", b"<mine/>")
    with pytest.raises(PermissionError):
        sftp.rename("/outbound/receipts-1.xml", "/outbound/other.xml")
    fetched = io.BytesIO()
    sftp.getfo("/outbound/receipts-1.xml", fetched)
    assert fetched.getvalue() == b"<r/>"


def test_each_owner_sees_only_its_own_uploads_waiting(sftp_server, sftp, emulator):
    put(sftp, "/inbound/ttd.part", BATCH_XML)
    other = connect(sftp_server.port, "ett-system", "ett-password")
    try:
        assert other.listdir("/inbound") == []
        with pytest.raises(FileNotFoundError):
            other.rename("/inbound/ttd.part", "/inbound/ttd.xml")
    finally:
        other.get_channel().get_transport().close()
    assert emulator.batch_store.list_batches() == []


@pytest.mark.parametrize("start", [lambda channel: channel.exec_command("cat /etc/passwd"),
                                   lambda channel: channel.exec_command("scp -t /tmp"),
                                   lambda channel: channel.invoke_shell()])
def test_no_shell_command_or_scp_is_served(sftp_server, start):
    transport = paramiko.Transport(("127.0.0.1", sftp_server.port))
    transport.connect(username=SYSTEM, password="ttd-password")
    try:
        with pytest.raises(paramiko.SSHException, match="Channel closed"):
            start(transport.open_session())
    finally:
        transport.close()


def test_no_port_is_forwarded(sftp_server):
    transport = paramiko.Transport(("127.0.0.1", sftp_server.port))
    transport.connect(username=SYSTEM, password="ttd-password")
    try:
        with pytest.raises(paramiko.ChannelException):
            transport.open_channel("direct-tcpip", ("127.0.0.1", sftp_server.port), ("127.0.0.1", 0))
    finally:
        transport.close()
