"""Where a call's time goes: the share of each stage of the in-process call that bench/cpu.py times.

Not a benchmark (cProfile slows small Python functions more than C code, so the shares are approximate):
a map for whoever makes a call cheaper next. Run ``python breakdown.py`` from this folder.
"""

from __future__ import annotations

import cProfile
import logging
import os
import pstats

from altinn_so import logs
from cpu import CALLS, caller, make_app

# (label, file the function is in, function): cumulative time, so a stage includes what it calls
STAGES = {
    "SendStandaloneNotificationBasicV3": ("services/notification.py", "send"),
    "InsertCorrespondenceBasicV2": ("services/correspondence.py", "insert"),
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


def main() -> None:
    logs.configure("json", "info")  # as bench/cpu.py: the access log formatted, into /dev/null
    logging.getLogger("altinn_so").handlers[0].setStream(open(os.devnull, "w"))  # noqa: SIM115
    for operation in CALLS:
        print(operation)
        for label, share in shares(operation):
            print(f"  {label:45s} {share * 100:5.1f} %")


if __name__ == "__main__":
    main()
