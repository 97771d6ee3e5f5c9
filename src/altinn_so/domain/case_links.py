"""How an element joins a collaboration case (docs/behaviour/cases.md), for the services that make elements.

PreFill, Subscription and Correspondence take a ``caseId``; they ask ``CaseLinks.check`` whether the calling
owner may put an element of that reportee in that case. The case service connects its check at start; an
emulator without it refuses every case id with 60001, as Altinn refused an id it did not know.
"""

from __future__ import annotations

from typing import Callable

from .errors import AltinnError, ErrorCode

# (owner code, case id, reportee number) -> None, or an AltinnError saying why not
CaseCheck = Callable[[str, int, str], None]


class CaseLinks:
    def __init__(self):
        self._check: CaseCheck | None = None

    def connect(self, check: CaseCheck) -> None:
        self._check = check

    def check(self, owner: str, case_id: int, reportee: str) -> None:
        if self._check is None:
            raise AltinnError(ErrorCode.INVALID_CASE_ID,
                              f"Case {case_id} does not exist: this emulator offers no collaboration cases.")
        self._check(owner, case_id, reportee)
