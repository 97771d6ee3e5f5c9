"""LogConsentUsage: a service owner reports that a data consumer used a consent's authorization code
(docs/behaviour/authorization.md, "LogConsentUsage"). The emulator keeps each report, for the admin listing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.domain.ids import is_national_id, is_organisation_number


@dataclass(frozen=True)
class ConsentUsage:
    owner: str  # the reporting service owner's code
    service_code: str
    service_edition: int
    data_consumer: str  # the organisation (or person) that used the consent
    authorization_code: str  # the consent's GUID
    used_at: datetime  # usageDateTime, or when it was logged
    logged_at: datetime
    id: int | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "owner": self.owner, "service_code": self.service_code,
                "service_edition": self.service_edition, "data_consumer": self.data_consumer,
                "authorization_code": self.authorization_code, "used_at": self.used_at,
                "logged_at": self.logged_at}

    @classmethod
    def from_dict(cls, data: dict) -> "ConsentUsage":
        def moment(value):
            return value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return cls(data["owner"], data["service_code"], int(data["service_edition"]), data["data_consumer"],
                   data["authorization_code"], moment(data["used_at"]), moment(data["logged_at"]), data.get("id"))


class ConsentUsageRepository(Protocol):
    def add_usage(self, usage: ConsentUsage) -> int: ...
    def list_usages(self, newest: int | None = None) -> list[ConsentUsage]: ...


@dataclass(frozen=True)
class UsageReport:
    service_code: str | None
    service_edition: int | None
    data_consumer: str | None
    authorization_code: str | None
    used_at: datetime | None = None


def log_usage(store: ConsentUsageRepository, catalog, owner: str, report: UsageReport, now: datetime) -> ConsentUsage:
    """Check the report and keep it. 30004 for a missing field, 30003 for a service the emulator does not offer,
    60012 for a data consumer that is no organisation or national identity number, 0 for a code not a GUID."""
    code = (report.service_code or "").strip()
    consumer = (report.data_consumer or "").strip()
    for name, value in (("serviceCode", code), ("serviceEditionCode", report.service_edition),
                        ("dataConsumer", consumer), ("authorizationCode", report.authorization_code)):
        if value in (None, ""):
            raise AltinnError(ErrorCode.ARGUMENT_NULL_EXCEPTION, f"{name} is required.")
    if catalog.get_service(code, report.service_edition) is None:
        raise AltinnError(ErrorCode.NOT_A_VALID_SERVICE,
                          f"No service {code} edition {report.service_edition} exists.")
    if not (is_organisation_number(consumer) or is_national_id(consumer)):
        raise AltinnError(ErrorCode.INVALID_REPORTEE_NUMBER,
                          f"dataConsumer {consumer} is no organisation number or national identity number.")
    try:
        authorization_code = str(uuid.UUID(str(report.authorization_code)))
    except ValueError:
        raise AltinnError(ErrorCode.GENERAL_ERROR,
                          f"authorizationCode {report.authorization_code} is not a GUID.") from None
    usage = ConsentUsage(owner, code, report.service_edition, consumer, authorization_code,
                         report.used_at or now, now)
    usage_id = store.add_usage(usage)
    return ConsentUsage(**{**usage.__dict__, "id": usage_id})
