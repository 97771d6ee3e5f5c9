"""A 200 MB batch file is read as a stream, never whole (docs/behaviour/batch.md): checked and read with the
process's peak memory growing by a small part of the file, whether it is refused or read."""

from __future__ import annotations

import pytest

from support.batchfiles import CORRESPONDENCE_NS, correspondence

BIG = 200 * 1024 * 1024
_FILLER = b"<!-- " + b"x" * (1024 * 1024 - 9) + b" -->\n"  # 1 MiB of comment: allowed anywhere, read and dropped


def _kilobytes(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def _chunks(tail: str):
    head = (f'<?xml version="1.0" encoding="utf-8"?>\n<Correspondences xmlns="{CORRESPONDENCE_NS}">\n'
            "<SystemUserCode>TTD_BATCH</SystemUserCode><ShipmentReference>1</ShipmentReference>").encode()
    yield head + correspondence(1).encode()
    for _ in range(BIG // len(_FILLER) + 1):
        yield _FILLER
    yield (tail + "</Correspondences>\n").encode()


@pytest.mark.slow
@pytest.mark.parametrize("tail, state, created", [
    ("", "Processed", 1),
    ("<Unexpected/>", "Refused", 0),  # a schema error at the very end: nothing before it is created either
], ids=["read", "refused-at-the-end"])
def test_a_200_mb_batch_is_streamed(emulator, tail, state, created):
    ref = emulator.files.put(_chunks(tail))
    assert ref.size > BIG
    batch = emulator.batch.receive("TTD", "ttd-system", "stor.xml", ref.sha256, ref.size)
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # the peak (VmHWM) starts again from here
    before = _kilobytes("VmRSS")
    emulator.batch.process_waiting()
    peak = _kilobytes("VmHWM")
    read = emulator.batch_store.get_batch(batch.id)
    assert read.state == state
    assert len(emulator.correspondence_store.list_correspondences()) == created
    assert (peak - before) * 1024 < 60 * 1024 * 1024, f"peak grew {(peak - before) // 1024} MiB"
