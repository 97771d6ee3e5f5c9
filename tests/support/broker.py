"""What the broker's tests share: a rights register the test fills, and small ZIP files."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime

TTD_ORGNO = "310001007"  # the sender: Testdepartementet (ttd-system)
ETT_ORGNO = "310002003"  # the recipient: Etaten for testing (ett-system)
BROKER = ("5690", 1)  # the default seed's broker service


@dataclass(frozen=True)
class Rule:
    right: str
    condition: str | None = None
    valid_to: datetime | None = None


class Rights:
    """A rights register the test fills: reportee -> rules, for the seed's broker service only."""

    def __init__(self):
        self.rules: dict[str, list[Rule]] = {}

    def add(self, reportee: str, right: str, condition: str | None = None, valid_to=None) -> None:
        self.rules.setdefault(reportee, []).append(Rule(right, condition, valid_to))

    def remove(self, reportee: str) -> None:
        self.rules.pop(reportee, None)

    def rules_for(self, service_code, service_edition, reportee, at):
        return list(self.rules.get(reportee, ())) if (service_code, service_edition) == BROKER else []


def sender_and_recipient(emulator) -> Rights:
    """TTD may send (Write), ETT may receive (Read), as the broker's service owner would register them."""
    register = Rights()
    register.add(TTD_ORGNO, "Write")
    register.add(ETT_ORGNO, "Read")
    emulator.broker.rights = register
    return register


def a_zip(text: str = "hello broker", name: str = "hello.txt") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text)
    return buffer.getvalue()
