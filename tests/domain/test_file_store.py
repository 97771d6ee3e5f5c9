"""The file store: content-addressed, whole or absent, shared by equal uploads, kept while a snapshot needs it."""

from __future__ import annotations

import hashlib
import os
import time

import pytest

from altinn_so.domain.files import FileRef
from altinn_so.emulator import Emulator, Settings, files_directory
from altinn_so.store.files import STALE_SECONDS, DiskFileStore

DATA = bytes(range(256)) * 4096  # 1 MiB
SHA = hashlib.sha256(DATA).hexdigest()


def listing(store: DiskFileStore) -> list[str]:
    return sorted(os.listdir(store.directory))


def test_a_file_is_named_by_its_hash_and_read_back_as_it_was(tmp_path):
    store = DiskFileStore(tmp_path / "files")
    ref = store.put(DATA[i:i + 100_000] for i in range(0, len(DATA), 100_000))
    assert ref == FileRef(SHA, len(DATA))
    assert listing(store) == [SHA]
    assert store.exists(SHA) and store.size(SHA) == len(DATA)
    with store.open(SHA) as handle:
        assert handle.read() == DATA


def test_two_uploads_of_one_content_share_one_file(tmp_path):
    store = DiskFileStore(tmp_path)
    assert store.put([DATA]) == store.put([DATA[:10], DATA[10:]])
    assert listing(store) == [SHA]


def test_a_writer_that_stops_half_way_leaves_nothing(tmp_path):
    store = DiskFileStore(tmp_path)

    def cut_off():
        yield DATA[:1000]
        raise ConnectionResetError("the client went away")

    with pytest.raises(ConnectionResetError):
        store.put(cut_off())
    assert listing(store) == []


def test_unknown_and_malformed_hashes_are_not_found(tmp_path):
    store = DiskFileStore(tmp_path)
    (tmp_path / "secret").write_text("outside the store's names")
    for name in ("0" * 64, "../secret", "secret", SHA.upper()):
        assert not store.exists(name)
        with pytest.raises(KeyError):
            store.open(name)
    store.delete("../secret")
    assert (tmp_path / "secret").exists()


def test_delete_and_sweep_keep_what_is_pinned(tmp_path):
    pinned: set[str] = set()
    store = DiskFileStore(tmp_path, pinned=lambda: pinned)
    kept, other, third = store.put([b"kept"]), store.put([b"other"]), store.put([b"third"])
    pinned.add(kept.sha256)
    store.delete(kept.sha256)
    store.delete(other.sha256)
    assert store.hashes() == {kept.sha256, third.sha256}
    assert store.sweep(keep={third.sha256}) == 0
    assert store.sweep() == 1
    assert store.hashes() == {kept.sha256}


def test_leftovers_of_a_crash_go_at_start_but_not_a_write_in_progress(tmp_path):
    stale, fresh = tmp_path / ".partial-crashed", tmp_path / ".partial-writing"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    old = time.time() - STALE_SECONDS - 1
    os.utime(stale, (old, old))
    DiskFileStore(tmp_path)
    assert sorted(os.listdir(tmp_path)) == [".partial-writing"]


# -- in the emulator ----------------------------------------------------------------------------------

def test_where_the_files_live(tmp_path):
    assert files_directory(Settings(database=str(tmp_path / "a.db"))) == (f"{tmp_path / 'a.db'}.files", False)
    assert files_directory(Settings(database=f"sqlite:///{tmp_path}/a.db")) == (f"{tmp_path}/a.db.files", False)
    assert files_directory(Settings(database=":memory:")) == (None, True)
    assert files_directory(Settings(database=":memory:", files_dir="/srv/files")) == ("/srv/files", False)
    one, _ = files_directory(Settings(database="postgresql://u@h/one"))
    two, _ = files_directory(Settings(database="postgresql://u@h/two"))
    assert one != two and one.startswith(os.path.join(os.path.dirname(one), "altinn-so-files-"))


def test_in_memory_the_directory_is_temporary(clock):
    emulator = Emulator(Settings(), clock=clock)
    directory = emulator.files.directory
    emulator.files.put([DATA])
    assert directory.is_dir()
    emulator.close()
    assert not directory.exists()


def test_beside_a_file_the_directory_stays(clock, tmp_path):
    emulator = Emulator(Settings(database=str(tmp_path / "state.db")), clock=clock)
    emulator.files.put([DATA])
    emulator.close()
    again = Emulator(Settings(database=str(tmp_path / "state.db")), clock=clock)
    assert again.files.exists(SHA)
    again.close()


@pytest.fixture
def with_files(clock, database_url, tmp_path):
    emulator = Emulator(Settings(database=database_url, files_dir=str(tmp_path / "files")), clock=clock)
    yield emulator
    emulator.close()


def test_reset_removes_the_files(with_files):
    with_files.files.put([DATA])
    with_files.reset()
    assert with_files.files.hashes() == set()


def test_a_snapshot_keeps_its_files_through_reset_and_restore(with_files):
    first = with_files.files.put([b"before the snapshot"])
    snapshot = with_files.snapshot("with a file")
    later = with_files.files.put([b"after the snapshot"])
    with_files.reset()
    assert with_files.files.hashes() == {first.sha256}
    with_files.files.put([b"after the snapshot"])
    assert with_files.restore(snapshot)
    assert with_files.files.hashes() == {first.sha256}  # what came after the snapshot is gone
    with with_files.files.open(first.sha256) as handle:
        assert handle.read() == b"before the snapshot"
    assert not with_files.files.exists(later.sha256)
    with_files.snapshots.delete_snapshot(snapshot)
    with_files.reset()
    assert with_files.files.hashes() == set()
