"""A batch file with an element of a million attributes (issue 19): refused before libxml2 gathers them, with
the limit named in the batch log, and the process's peak memory barely moved."""

from __future__ import annotations

from support.batchfiles import CORRESPONDENCE_NS, correspondence
from support.bombs import attribute_bomb, namespace_bomb

MiB = 1024 * 1024


def _kilobytes(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def _batch(bomb: bytes) -> bytes:
    head = (f'<?xml version="1.0" encoding="utf-8"?>\n<Correspondences xmlns="{CORRESPONDENCE_NS}">\n'
            "<SystemUserCode>TTD_BATCH</SystemUserCode><ShipmentReference>1</ShipmentReference>").encode()
    return head + correspondence(1).encode().replace(b"<ServiceCode>", bomb + b"<ServiceCode>", 1) + \
        b"</Correspondences>\n"


def test_a_batch_with_an_attribute_bomb_is_refused_naming_the_limit(emulator):
    for bomb, limit in ((attribute_bomb(9 * MiB), "attributes_per_element"),
                        (namespace_bomb(3 * MiB), "namespaces_per_element")):
        ref = emulator.files.put(iter([_batch(bomb)]))
        batch = emulator.batch.receive("TTD", "ttd-system", "bomb.xml", ref.sha256, ref.size)
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # the peak (VmHWM) starts again from here
        before = _kilobytes("VmRSS")
        emulator.batch.process_waiting()
        peak = _kilobytes("VmHWM") - before
        assert peak * 1024 < 50 * MiB, f"the peak grew {peak // 1024} MiB"
        assert emulator.batch_store.get_batch(batch.id).state == "Refused"
        (issue,) = emulator.batch_store.issues_of(batch.id)
        assert limit in issue.description, issue
    assert emulator.correspondence_store.list_correspondences() == []
