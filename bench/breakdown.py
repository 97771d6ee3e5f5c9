"""Where a call's time goes: the share of each stage of the in-process call that bench/cpu.py times.

Not a benchmark (cProfile slows small Python functions more than C code, so the shares are approximate):
a map for whoever makes a call cheaper next. Run ``python breakdown.py`` from this folder.

It also times the operation alone, without cProfile: the domain service called directly with the arguments
the SOAP layer gave it, in its own transaction, against cpu.py's floor. That bounds what any SOAP layer can
reach: the whole call costs at least the operation plus parsing the request and writing the reply.
"""

from __future__ import annotations

import cProfile
import logging
import os
import pstats

from altinn_so import logs
from common import per_call
from cpu import CALLS, caller, floors_for, make_app

# (label, file the function is in, function): cumulative time, so a stage includes what it calls
STAGES = {
    "SendStandaloneNotificationBasicV3": ("services/notification.py", "send"),
    "InsertCorrespondenceBasicV2": ("services/correspondence.py", "insert"),
    "SubmitAndInstantiatePrefilledFormTaskBasic": ("services/prefill/rules.py", "submit"),
    "GetArchivedFormTaskBasicDQ": ("services/download_queue/rules.py", "archived_form_task"),
    "GetArchivedFormTaskBasicV2": ("services/archive/rules.py", "archived_form_task"),
}
COMMON = [
    ("parse (lxml and the envelope)", "soap/envelope.py", "parse_envelope"),
    ("decode the body", "soap/codec.py", "decode"),
    ("response writing", "soap/wsgi.py", "_reply"),
    ("journal entry", "altinn_so/emulator.py", "record"),
    ("access log line", "altinn_so/logs.py", "log_call"),
    ("sync with other workers", "altinn_so/emulator.py", "sync"),
]
SQL = "<method 'execute' of 'sqlite3.Connection' objects>"


def shares(operation: str, calls: int = 2000) -> list[tuple[str, float]]:
    app = make_app()
    _, call = caller(app, operation)
    for _ in range(300):
        call()
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(calls):
        call()
    profile.disable()
    stats = pstats.Stats(profile).stats  # {(file, line, function): (calls, primitive, own, cumulative, callers)}

    def cumulative(path: str, function: str) -> float:
        return sum(v[3] for (file, _, name), v in stats.items() if file.endswith(path) and name == function)

    whole = cumulative("bench/cpu.py", "call")
    rows = [(label, cumulative(path, function)) for label, path, function in COMMON]
    rows.insert(2, ("the operation (domain rules and their SQL)", cumulative(*STAGES[operation])))
    rows.append(("of all that: SQL statements in SQLite",
                 sum(v[2] for (_, _, name), v in stats.items() if name == SQL)))
    return [(label, seconds / whole) for label, seconds in rows]


# The domain service method each operation's handler calls: (attribute of the emulator, method)
DOMAIN = {
    "SendStandaloneNotificationBasicV3": ("standalone_notifications", "send"),
    "InsertCorrespondenceBasicV2": ("correspondence", "insert"),
    "SubmitAndInstantiatePrefilledFormTaskBasic": ("prefill", "submit"),
    "SubmitSubscriptionBasic": ("subscription", "submit"),
    "GetArchivedFormTaskBasicDQ": ("download_queue", "archived_form_task"),
    "GetArchivedFormTaskBasicV2": ("archive_service", "archived_form_task"),
}


def operation_alone(operation: str) -> tuple[float, float, float]:
    """(whole call, the operation alone, the floor), seconds per call, timed in alternating rounds."""
    app = make_app()
    emulator = app.emulator
    service_name, method_name = DOMAIN[operation]
    service = getattr(emulator, service_name)
    method = getattr(service, method_name)
    seen = []

    def recording(*args, **kwargs):
        seen.append((args, kwargs))
        return method(*args, **kwargs)

    setattr(service, method_name, recording)
    request, call = caller(app, operation)
    response = call()
    setattr(service, method_name, method)
    args, kwargs = seen[0]

    def alone():
        with emulator.request_scope():
            method(*args, **kwargs)
            emulator.settle()

    floor, _ = floors_for(request, response)
    return per_call(call, alone, floor)


def main() -> None:
    logs.configure("json", "info")  # as bench/cpu.py: the access log formatted, into /dev/null
    logging.getLogger("altinn_so").handlers[0].setStream(open(os.devnull, "w"))  # noqa: SIM115
    for operation in CALLS:
        print(operation)
        for label, share in shares(operation):
            print(f"  {label:45s} {share * 100:5.1f} %")
    print("\nThe operation alone (no SOAP, no cProfile), against cpu.py's floor:")
    for operation in CALLS:
        whole, alone, floor = operation_alone(operation)
        print(f"  {operation:35s} whole call {whole * 1e6:4.0f} µs = {whole / floor:.2f}×; the operation alone "
              f"{alone * 1e6:4.0f} µs = {alone / floor:.2f}×; everything else {(whole - alone) / floor:.2f}×")


if __name__ == "__main__":
    main()
