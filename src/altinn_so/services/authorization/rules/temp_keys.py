"""Temp keys of the link service ("lenketjeneste"): a key Altinn put in the URL when a user followed a link to the
service owner's site, naming the reportee the user chose. The owner trades it once for that reportee with
GetReporteeByTempKey (docs/behaviour/authorization.md, "Temp keys").

The emulator has no link service: tests and the admin API mint keys (``POST /_admin/temp-keys``). A key works once
and expires by the emulator's clock; an unknown, used or expired key is ErrorID 0 (D127).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from altinn_so.domain.errors import AltinnError, ErrorCode

DEFAULT_MINUTES = 10  # how long a minted key lives unless told otherwise


@dataclass(frozen=True)
class TempKey:
    key: str  # a GUID, lower case
    person: str  # the user who followed the link (SSN)
    reportee: str  # the party the user chose to act for (SSN or orgno)
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def to_dict(self) -> dict:
        return {"key": self.key, "person": self.person, "reportee": self.reportee, "created_at": self.created_at,
                "expires_at": self.expires_at, "used_at": self.used_at}

    @classmethod
    def from_dict(cls, data: dict) -> "TempKey":
        return cls(data["key"], data["person"], data["reportee"], _time(data["created_at"]),
                   _time(data["expires_at"]), _time(data["used_at"]) if data.get("used_at") else None)


def _time(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))


class TempKeyRepository(Protocol):
    def put_temp_key(self, key: TempKey) -> None: ...
    def get_temp_key(self, key: str) -> TempKey | None: ...
    def mark_used(self, key: TempKey) -> bool: ...  # False when another call used it first
    def list_temp_keys(self, newest: int | None = None) -> list[TempKey]: ...


def normalised(key: str | None) -> str | None:
    """The GUID in its canonical lower-case form, or None when it is not one."""
    try:
        return str(uuid.UUID((key or "").strip()))
    except ValueError:
        return None


def mint(store: TempKeyRepository, person: str, reportee: str, now: datetime,
         minutes: float = DEFAULT_MINUTES) -> TempKey:
    if minutes <= 0:
        raise ValueError("minutes must be more than 0")
    key = TempKey(str(uuid.uuid4()), person, reportee, now, now + timedelta(minutes=minutes))
    store.put_temp_key(key)
    return key


def redeem(store: TempKeyRepository, given: str | None, now: datetime) -> TempKey:
    """The key's record, now used; ErrorID 30004 without a key, 0 for one unknown, used or expired."""
    if not (given or "").strip():
        raise AltinnError(ErrorCode.ARGUMENT_NULL_EXCEPTION, "tempKey is required.")
    key = normalised(given)
    found = store.get_temp_key(key) if key else None
    if found is None:
        raise AltinnError(ErrorCode.GENERAL_ERROR, f"The temp key {given} is not valid.")
    if found.used_at is not None:
        raise AltinnError(ErrorCode.GENERAL_ERROR, f"The temp key {key} has been used already.")
    if now >= found.expires_at:
        raise AltinnError(ErrorCode.GENERAL_ERROR, f"The temp key {key} has expired.")
    used = replace(found, used_at=now)
    if not store.mark_used(used):
        raise AltinnError(ErrorCode.GENERAL_ERROR, f"The temp key {key} has been used already.")
    return used
