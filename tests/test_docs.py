"""The repository's documentation stands on its own: nothing cites a document outside it, every relative link
resolves, and every decision the code and tests cite exists in docs/behaviour/decisions.md."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Spelled in pieces so that this file does not match itself.
OUTSIDE = (re.compile("catal" + "ogue", re.I), re.compile("\u00a7"))
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _tracked(*patterns: str) -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z", "--", *patterns], cwd=ROOT, capture_output=True, check=True)
    names = [name for name in listed.stdout.decode().split("\0") if name]
    if not names:  # not a git checkout (an unpacked archive): every file
        names = [str(p.relative_to(ROOT)) for pattern in patterns for p in ROOT.glob(pattern)]
    return [ROOT / name for name in names if (ROOT / name).is_file()]


def _texts() -> list[Path]:
    return [path for path in _tracked("src", "tests", "docs", "examples", "README.md")
            if path.suffix in (".py", ".md", ".yaml", ".toml", ".txt", ".tsv")]


def test_nothing_cites_a_document_outside_the_repository():
    found = []
    for path in _texts():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(pattern.search(line) for pattern in OUTSIDE):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not found, "cite docs/behaviour/ instead:\n" + "\n".join(found)


def test_every_relative_link_in_the_docs_resolves():
    broken = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for target in LINK.findall(path.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
                continue
            if not (path.parent / target).exists():
                broken.append(f"{path.relative_to(ROOT)}: {target}")
    assert not broken, broken


def test_every_cited_behaviour_page_and_decision_exists():
    decisions = set(re.findall(r"^\| (D\d+) \|", (ROOT / "docs/behaviour/decisions.md").read_text(encoding="utf-8"),
                               re.M))
    assert decisions, "no decisions?"
    missing = []
    for path in _texts():
        text = path.read_text(encoding="utf-8")
        for page in re.findall(r"docs/behaviour/[\w.-]+\.md", text):
            if not (ROOT / page).exists():
                missing.append(f"{path.relative_to(ROOT)}: {page}")
        if "decision" in text or "docs/behaviour" in text:
            for cited in re.findall(r"\bD(\d{1,3})\b", text):
                if f"D{cited}" not in decisions:
                    missing.append(f"{path.relative_to(ROOT)}: D{cited}")
    assert not missing, missing


def _services_table() -> dict[str, tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("<!-- services-table: begin -->", 1)[1].split("<!-- services-table: end -->", 1)[0]
    rows = {}
    for line in table.strip().splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0]] = (cells[1], cells[2])
    return rows


# The statuses of what is emulated but not served over SOAP, and the service (with no contract) that does it
_NOT_OVER_SOAP = {"emulated (Altinn calls the owner)": "push", "emulated (files over SFTP)": "batch"}


def test_the_readme_says_what_is_emulated_for_every_service():
    from altinn_so.services import SERVICES

    rows = _services_table()
    emulated = {name.split(" ")[0] for name, (status, _) in rows.items() if status == "emulated"}
    served = {contract.name for service in SERVICES for contract in service.contracts}
    assert emulated == served  # what the table calls emulated is exactly what the emulator serves
    for name, (status, bindings) in rows.items():
        assert status in ("emulated", "out of scope") or status.startswith("planned: ") or (
            _NOT_OVER_SOAP.get(status) in {s.key for s in SERVICES if not s.contracts}), name
        if status == "emulated":
            for contract in (c for s in SERVICES for c in s.contracts if c.name == name.split(" ")[0]):
                for binding in contract.bindings:
                    assert binding.upper() in bindings.upper(), (name, binding)
    everything = " ".join(rows)
    for family in ("PreFill", "Subscription", "DownloadQueue", "RegisterSRR", "BrokerService", "ServiceOwnerArchive",
                   "ArchiveCommon", "ReceiveOnlineBatchExternalAttachment", "BatchLogging", "CaseAgencySystem",
                   "ContextHandler", "AdministrationExternal", "AuthorizationDecisionPoint", "AgencyDataExchange",
                   "TTPArchive"):
        assert family in everything, family
