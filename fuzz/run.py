"""Robustness sweeps: look for the answers a client must never get.

A client must get an operation's reply or a fault naming its mistake; never a logged traceback, Altinn's
catch-all "non-functional error" (what an exception inside the emulator becomes), a 5xx without a SOAP fault,
or a hang. Two sweeps search for them:

* ``soap``: runs the conformance, wire and admin suites once to record every SOAP request they make, replays
  them to build up state, then takes up to N requests of each operation that succeed and sends each again
  with one change at a time: every value swapped for an empty, huge, mistyped or calendar-edge one, or nil;
  every element left out, repeated, or given an unknown child; the body cut short.
  Each operation and binding also gets the four hostile bodies of tests/support/bombs.py (an element of a
  million attributes, millions of empty siblings, one 9 MB text node, namespace declarations by the hundred
  thousand; ``--bomb-bytes``), with the process's memory watched: a bomb must not raise the peak resident set
  by more than 150 MB, nor leave more than 50 MB behind.
* ``admin``: every admin route with every method, odd bodies (malformed, nested, huge) and odd query values.
* ``data``: every field of the default seed, and of a fault rule of each action type, set in turn to an odd JSON
  value or left out, loaded through the admin API; each rule it takes is then tried on a SOAP call.

Not a test: it takes minutes and its inputs come from running the suite. tests/wire/test_hostile_values.py keeps
a net under what it found. Run from the repository root: ``python fuzz/run.py soap|admin|data|all``.
It prints each kind of problem once, with an example, and exits 1 if it found any.
"""

from __future__ import annotations

import argparse
import collections
import copy
import io
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the requests' mutations are the hostile-values test's

from altinn_so.app import EmulatorApp  # noqa: E402
from altinn_so.emulator import Emulator, Settings  # noqa: E402
from altinn_so.seeding import default_seed  # noqa: E402
from support.bombs import BOMBS, planted  # noqa: E402
from support.mutations import variants  # noqa: E402

NON_FUNCTIONAL = b"suffered from a non-functional error"


class Probe:
    """An emulator in process, and what it logged at ERROR while answering one request."""

    def __init__(self):
        self.emulator = Emulator(Settings(), seed=default_seed())
        self.app = EmulatorApp(self.emulator)
        self.errors: list[str] = []
        probe = self

        class Catch(logging.Handler):
            def emit(self, record):
                if record.levelno >= logging.ERROR:
                    probe.errors.append(self.format(record))

        handler = Catch()
        handler.setFormatter(logging.Formatter("%(message)s\n%(exc_text)s"))
        logging.getLogger("altinn_so").addHandler(handler)
        logging.getLogger("altinn_so").setLevel(logging.INFO)
        logging.getLogger("altinn_so.access").propagate = False

    def call(self, environ: dict, body: bytes = b"") -> tuple[int, bytes, float, list[str]]:
        self.errors.clear()
        self.emulator.db.execute("DELETE FROM lockouts")  # wrong passwords in one probe would lock out the next
        environ = {"REQUEST_METHOD": "POST", "QUERY_STRING": "", "SERVER_NAME": "localhost", "SERVER_PORT": "80",
                   "wsgi.url_scheme": "http", **environ, "CONTENT_LENGTH": str(len(body)),
                   "wsgi.input": io.BytesIO(body)}
        statuses = []
        started = time.perf_counter()
        reply = b"".join(self.app(environ, lambda status, headers: statuses.append(status)))
        return int(statuses[0].split()[0]), reply, time.perf_counter() - started, list(self.errors)


class Findings:
    def __init__(self):
        self.count = collections.Counter()
        self.examples: dict[str, str] = {}

    def check(self, what: str, status: int, reply: bytes, seconds: float, errors: list[str], *, soap: bool,
              any_answer: bool = False) -> None:
        """``any_answer``: a fault rule chose the answer (an empty 503, a dropped connection ...)."""
        if errors:
            problem = "logged: " + errors[0].strip().splitlines()[-1]
        elif any_answer:
            return
        elif soap and NON_FUNCTIONAL in reply:
            problem = "the non-functional error"
        elif status >= 500 and (not soap or b"Fault" not in reply):
            problem = f"{status} without a fault"
        elif seconds > 2:
            problem = "slow"
        else:
            return
        self.count[problem] += 1
        detail = errors[0] if errors else reply.decode("utf-8", "replace")
        self.examples.setdefault(problem, f"{what}\n    {detail[-600:]}")

    def report(self, calls: int) -> bool:
        print(f"{calls} calls, {sum(self.count.values())} problems")
        for problem, count in self.count.most_common():
            print(f"- {problem} ({count}x), e.g. {self.examples[problem]}")
        return not self.count


# -- SOAP ---------------------------------------------------------------------------------------------------

def record_corpus(directory: Path) -> list[dict]:
    env = {**os.environ, "ALTINN_SO_FUZZ_CORPUS": str(directory),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "fuzz"), os.environ.get("PYTHONPATH")]))}
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "record_requests",
                    "tests/conformance", "tests/wire", "tests/admin"], cwd=ROOT, env=env, check=False,
                   stdout=subprocess.DEVNULL)
    return [json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))]


def sweep_variants(body: bytes):
    """Each value and element changed in turn (support.mutations), and the body cut short."""
    yield from variants(body)
    for cut in sorted(random.sample(range(1, len(body)), min(5, len(body) - 1))):
        yield f"cut at byte {cut}", body[:cut]


MiB = 1024 * 1024


def _kib(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def bomb_sweep(probe: Probe, findings: Findings, what: str, request: dict, size: int) -> int:
    """Each bomb planted in ``request``: checked as any variant is, and for the memory it took and kept."""
    calls = 0
    for kind, bomb in BOMBS.items():
        try:
            body = planted(request["body"].encode(), bomb(size))
        except ValueError:  # an operation without content to plant in
            continue
        before = _kib("VmRSS")
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # the peak (VmHWM) starts again from here
        status, reply, seconds, errors = probe.call(request["environ"], body)
        peak, kept = (_kib("VmHWM") - before) * 1024, (_kib("VmRSS") - before) * 1024
        calls += 1
        findings.check(f"{what}: {kind} bomb", status, reply, seconds, errors, soap=True)
        if peak > 150 * MiB or kept > 50 * MiB:
            findings.check(f"{what}: {kind} bomb (peak +{peak // MiB} MiB, kept {kept // MiB} MiB)", 500, b"",
                           0, [f"memory: peak +{peak // MiB} MiB, kept +{kept // MiB} MiB"], soap=True)
    return calls


def soap_sweep(per_operation: int, bomb_bytes: int = 9 * MiB) -> bool:
    with tempfile.TemporaryDirectory(prefix="altinn-so-fuzz-") as directory:
        print("recording the requests the test suite makes ...", flush=True)
        corpus = record_corpus(Path(directory))
    probe, findings, calls = Probe(), Findings(), 0
    for request in corpus:  # state like the tests built it: receipts and correspondences to find
        probe.call(request["environ"], request["body"].encode())
    by_operation = collections.defaultdict(list)
    for request in corpus:
        environ = request["environ"]
        by_operation[(environ["PATH_INFO"], environ.get("HTTP_SOAPACTION") or environ.get("CONTENT_TYPE"))].append(
            request)
    print(f"{len(corpus)} requests recorded, {len(by_operation)} operations and bindings; sweeping ...", flush=True)
    for (path, action), requests in sorted(by_operation.items(), key=str):
        working = [r for r in requests if probe.call(r["environ"], r["body"].encode())[0] == 200]
        if working and bomb_bytes:
            calls += bomb_sweep(probe, findings, f"{path} {action}", working[0], bomb_bytes)
        for request in random.sample(working, min(per_operation, len(working))):
            for change, body in sweep_variants(request["body"].encode()):
                calls += 1
                findings.check(f"{path} {action}: {change}", *probe.call(request["environ"], body), soap=True)
    return findings.report(calls)


# -- the admin API --------------------------------------------------------------------------------------------

ADMIN_PATHS = ["/health", "/ready", "/journal", "/journal/1", "/journal/abc", "/journal/" + "9" * 23, "/outbox",
               "/outbox/deliver", "/reset", "/snapshots", "/snapshots/1/restore", "/snapshots/" + "9" * 23 + "/restore",
               "/snapshots/1", "/seed", "/state", "/state/persons", "/state/nope", "/clock", "/clock/advance",
               "/correspondences/1/read", "/correspondences/" + "9" * 23 + "/confirm", "/faults", "/faults/1",
               "/faults/presets", "/", "/nope"]
ADMIN_BODIES = [b"", b"{", b"null", b"[]", b'"x"', b"1", b"\xff\xfe", b"\x00\x01", b'{"a":' * 500 + b"1" + b"}" * 500,
                b'{"now": "abc"}', b'{"now": "9999-12-31T23:59:59Z"}', b'{"now": "0001-01-01T00:00:00Z"}',
                b'{"days": 1e400}', b'{"days": "x"}', b'{"hours": 1e308}', b'{"frozen": "yes"}',
                b'{"label": "' + b"x" * 100_000 + b'"}', b'{"action": {"type": "http_status", "status": 99999}}',
                b'{"action": {"type": "altinn_fault", "error_id": 100000000000000000000}}', b"persons: 5",
                b"- a\n- b", b'persons:\n  - ssn: "\\0"\n']
ADMIN_QUERY = ["operation", "binding", "caller", "reportee", "outcome", "since", "limit", "bodies", "channel",
               "origin", "template", "service_owner"]
ADMIN_VALUES = ["", "abc", "-1", "0", "99999999999999999999999", "NaN", "%00", "æ", "9999-12-31T23:59:59Z",
                "0001-01-01T00:00:00", "2026-13-01", "x" * 3000]


def admin_sweep() -> bool:
    probe, findings, calls = Probe(), Findings(), 0
    for path in ADMIN_PATHS:
        for method in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"):
            tries = [("", body) for body in [b"", *ADMIN_BODIES]] + \
                    [(f"{key}={value}", b"") for key in ADMIN_QUERY for value in ADMIN_VALUES]
            for query, body in tries:
                calls += 1
                environ = {"REQUEST_METHOD": method, "PATH_INFO": "/_admin" + path, "QUERY_STRING": query,
                           "CONTENT_TYPE": "application/json"}
                findings.check(f"{method} /_admin{path}?{query} {body[:40]!r}", *probe.call(environ, body), soap=False)
                if method not in ("GET", "HEAD"):  # what a call changed, undone
                    probe.emulator.reset()
                    probe.emulator.change_clock(_wall_clock)
    return findings.report(calls)


# -- seed data and fault rules ---------------------------------------------------------------------------------

JSON_VALUES = [None, "", 0, -1, 1.5, True, [], {}, "x" * 3000, [1, 2], {"a": 1}, "9" * 30, 10 ** 30, "æøå",
               "2026-13-45", "\u0000", "<delete>"]
RULES = [
    {"match": {"operation": "InsertCorrespondence", "binding": "basic", "caller": "ttd-system",
               "reportee": "23917710120", "nth": 1}, "action": {"type": "altinn_fault", "preset": "general"},
     "times": 1, "when": "before"},
    {"action": {"type": "altinn_fault", "error_id": 30008, "message": "m", "extended": "e", "localized": "l"},
     "times": 2, "when": "after"},
    {"action": {"type": "receipt_status", "status": "Rejected", "text": "t"}},
    {"action": {"type": "http_status", "status": 503}},
    {"action": {"type": "drop_connection"}},
    {"action": {"type": "malformed_response"}},
    {"action": {"type": "delay", "ms": 1}, "times": None},
]
INSERT = ROOT / "bench" / "requests" / "InsertCorrespondenceBasicV2.xml"
INSERT_ENVIRON = {"PATH_INFO": "/ServiceEngineExternal/CorrespondenceAgencyExternalBasic.svc",
                  "CONTENT_TYPE": "text/xml; charset=utf-8",
                  "HTTP_SOAPACTION": '"http://www.altinn.no/services/ServiceEngine/Correspondence/2009/10/'
                                     'ICorrespondenceAgencyExternalBasic/InsertCorrespondenceBasicV2"'}


def _field_paths(node, prefix=()):
    """Paths to every field of a JSON-like value (the first two entries of a list)."""
    children = node.items() if isinstance(node, dict) else enumerate(node[:2]) if isinstance(node, list) else ()
    for key, child in children:
        yield prefix + (key,)
        yield from _field_paths(child, prefix + (key,))


def _with(data, path: tuple, value):
    changed = copy.deepcopy(data)
    node = changed
    for key in path[:-1]:
        node = node[key]
    if value == "<delete>":
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return changed


def data_sweep() -> bool:
    import yaml
    from importlib import resources

    probe, findings, calls = Probe(), Findings(), 0
    seed = yaml.safe_load(resources.files("altinn_so").joinpath("seed/default.yaml").read_text(encoding="utf-8"))
    admin = {"REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/json"}
    for path in _field_paths(seed):
        for value in JSON_VALUES:
            body = json.dumps(_with(seed, path, value), default=str).encode()
            calls += 1
            findings.check(f"seed {path} = {value!r:.40}", *probe.call({**admin, "PATH_INFO": "/_admin/seed"}, body),
                           soap=False)
            probe.emulator.reset()
    insert = INSERT.read_bytes()
    for rule in RULES:
        for path in [(), *_field_paths(rule)]:
            for value in JSON_VALUES if path else [None]:
                changed = _with(rule, path, value) if path else rule
                calls += 1
                status, *answer = probe.call({**admin, "PATH_INFO": "/_admin/faults"}, json.dumps(changed).encode())
                findings.check(f"rule {changed}", status, *answer, soap=False)
                if status == 201:
                    calls += 1
                    findings.check(f"a call under rule {changed}", *probe.call(INSERT_ENVIRON, insert), soap=True,
                                   any_answer=True)
                probe.call({**admin, "REQUEST_METHOD": "DELETE", "PATH_INFO": "/_admin/faults"})
    return findings.report(calls)


def _wall_clock(clock) -> None:
    clock.set(datetime.now(timezone.utc))
    clock.resume()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sweep", choices=["soap", "admin", "data", "all"])
    parser.add_argument("--per-operation", type=int, default=2, metavar="N",
                        help="requests of each operation and binding to vary (default 2)")
    parser.add_argument("--seed", type=int, default=1, help="for the random choices (default 1)")
    parser.add_argument("--bomb-bytes", type=int, default=9 * MiB, metavar="N",
                        help="size of each hostile body sent to each operation (default 9 MiB; 0: none)")
    args = parser.parse_args()
    random.seed(args.seed)
    clean = True
    if args.sweep in ("admin", "all"):
        print("admin API:", flush=True)
        clean &= admin_sweep()
    if args.sweep in ("data", "all"):
        print("seed data and fault rules:", flush=True)
        clean &= data_sweep()
    if args.sweep in ("soap", "all"):
        print("SOAP:", flush=True)
        clean &= soap_sweep(args.per_operation, args.bomb_bytes)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
