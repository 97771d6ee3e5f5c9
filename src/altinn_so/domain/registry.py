"""The reportee register: persons (with their KRR contact data), organisations and self-registered users.

Each entity converts to and from the plain-dict form used by the seed file and
by the store, so there is exactly one data format for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from .errors import AltinnError, ErrorCode
from .ids import is_national_id, is_organisation_number, parse_national_id
from .values import as_list, check_keys, whole_number


@dataclass(frozen=True)
class PostalAddress:
    address1: str = ""
    address2: str = ""
    address3: str = ""
    postal_code: str = ""
    postal_area: str = ""

    @classmethod
    def from_dict(cls, data: dict | None) -> "PostalAddress":
        data = check_keys(data or {}, set(cls.__dataclass_fields__), "address")
        return cls(**{k: str(data.get(k) or "") for k in cls.__dataclass_fields__})

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass(frozen=True)
class Person:
    ssn: str
    first_name: str
    last_name: str
    middle_name: str = ""
    birth_date: date | None = None
    address: PostalAddress = field(default_factory=PostalAddress)
    # Contact data from the common contact register (KRR); None = no KRR data.
    email: str | None = None
    mobile: str | None = None
    reserved: bool = False  # reserved against digital communication in KRR
    confidential_address: bool = False  # "strengt fortrolig adresse"
    digital_mailbox: str | None = None  # digital post provider (e.g. "digipost", "eboks"), None: no mailbox

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)

    @property
    def effective_birth_date(self) -> date | None:
        if self.birth_date:
            return self.birth_date
        parsed = parse_national_id(self.ssn)
        return parsed.birth_date if parsed else None

    @classmethod
    def from_dict(cls, data: dict) -> "Person":
        check_keys(data, set(cls.__dataclass_fields__), "person")
        ssn = str(data["ssn"])
        if not is_national_id(ssn):
            raise ValueError(f"{ssn!r} is not a valid national identity number (mod 11)")
        birth = data.get("birth_date")
        if isinstance(birth, str):
            birth = date.fromisoformat(birth)
        return cls(
            ssn=ssn,
            first_name=str(data.get("first_name", "")),
            middle_name=str(data.get("middle_name") or ""),
            last_name=str(data.get("last_name", "")),
            birth_date=birth,
            address=PostalAddress.from_dict(data.get("address")),
            email=_opt_str(data.get("email")),
            mobile=_opt_str(data.get("mobile")),
            reserved=bool(data.get("reserved", False)),
            confidential_address=bool(data.get("confidential_address", False)),
            digital_mailbox=_opt_str(data.get("digital_mailbox")),
        )

    def to_dict(self) -> dict:
        out: dict = {"ssn": self.ssn, "first_name": self.first_name, "last_name": self.last_name}
        if self.middle_name:
            out["middle_name"] = self.middle_name
        if self.birth_date:
            out["birth_date"] = self.birth_date.isoformat()
        if self.address.to_dict():
            out["address"] = self.address.to_dict()
        for key in ("email", "mobile"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.reserved:
            out["reserved"] = True
        if self.confidential_address:
            out["confidential_address"] = True
        if self.digital_mailbox:
            out["digital_mailbox"] = self.digital_mailbox
        return out


@dataclass(frozen=True)
class OrganisationContact:
    """A person's "contact information for the organisation", with the services they want notices for."""

    name: str
    email: str | None = None
    mobile: str | None = None
    ssn: str | None = None
    services: tuple[tuple[str, int], ...] = ()  # (service code, edition) the person reads for the org

    def follows(self, service_code: str, edition: int) -> bool:
        return (service_code, edition) in self.services

    @classmethod
    def from_dict(cls, data: dict) -> "OrganisationContact":
        check_keys(data, set(cls.__dataclass_fields__), "contact")
        ssn = data.get("ssn")
        if ssn is not None and (not isinstance(ssn, str) or not is_national_id(ssn)):
            raise ValueError(f"contact {data.get('name')!r}: ssn {ssn!r} must be a quoted, valid national identity "
                             "number")
        return cls(
            name=str(data.get("name", "")),
            email=_opt_str(data.get("email")),
            mobile=_opt_str(data.get("mobile")),
            ssn=ssn,
            services=tuple(_service_ref(s) for s in as_list(data.get("services"), "contact services")),
        )

    def to_dict(self) -> dict:
        out: dict = {"name": self.name}
        for key in ("email", "mobile", "ssn"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.services:
            out["services"] = [f"{code}:{edition}" for code, edition in self.services]
        return out


@dataclass(frozen=True)
class Organisation:
    orgno: str
    name: str
    address: PostalAddress = field(default_factory=PostalAddress)
    # Official notification addresses from the organisation's profile (KoFuVi).
    emails: tuple[str, ...] = ()
    mobiles: tuple[str, ...] = ()
    parent: str | None = None  # orgno of the main unit, for sub-units
    contacts: tuple[OrganisationContact, ...] = ()

    @classmethod
    def from_dict(cls, data: dict) -> "Organisation":
        check_keys(data, set(cls.__dataclass_fields__), "organisation")
        orgno = str(data["orgno"])
        if not is_organisation_number(orgno):
            raise ValueError(f"{orgno!r} is not a valid organisation number (mod 11)")
        return cls(
            orgno=orgno,
            name=str(data.get("name", "")),
            address=PostalAddress.from_dict(data.get("address")),
            emails=tuple(str(e) for e in as_list(data.get("emails"), "emails")),
            mobiles=tuple(str(m) for m in as_list(data.get("mobiles"), "mobiles")),
            parent=_opt_str(data.get("parent")),
            contacts=tuple(OrganisationContact.from_dict(c) for c in as_list(data.get("contacts"), "contacts")),
        )

    def to_dict(self) -> dict:
        out: dict = {"orgno": self.orgno, "name": self.name}
        if self.address.to_dict():
            out["address"] = self.address.to_dict()
        if self.emails:
            out["emails"] = list(self.emails)
        if self.mobiles:
            out["mobiles"] = list(self.mobiles)
        if self.parent:
            out["parent"] = self.parent
        if self.contacts:
            out["contacts"] = [c.to_dict() for c in self.contacts]
        return out


@dataclass(frozen=True)
class SelfRegisteredUser:
    username: str
    name: str
    email: str | None = None
    mobile: str | None = None

    @classmethod
    def from_dict(cls, data: dict) -> "SelfRegisteredUser":
        check_keys(data, set(cls.__dataclass_fields__), "user")
        return cls(
            username=str(data["username"]),
            name=str(data.get("name", "")),
            email=_opt_str(data.get("email")),
            mobile=_opt_str(data.get("mobile")),
        )

    def to_dict(self) -> dict:
        out: dict = {"username": self.username, "name": self.name}
        for key in ("email", "mobile"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


Reportee = Person | Organisation | SelfRegisteredUser


class RegistryRepository(Protocol):
    def get_person(self, ssn: str) -> Person | None: ...
    def get_organisation(self, orgno: str) -> Organisation | None: ...
    def get_user(self, username: str) -> SelfRegisteredUser | None: ...
    def put_person(self, person: Person) -> None: ...
    def put_organisation(self, organisation: Organisation) -> None: ...
    def put_user(self, user: SelfRegisteredUser) -> None: ...


def resolve_reportee(registry: RegistryRepository, number: str | None) -> Reportee:
    """The reportee a ``ReporteeNumber`` names: national id, organisation number or username.

    Raises 40016 for an 11-digit number that fails the national-id check and
    60012 when nobody can be identified (docs/behaviour/notifications.md).
    """
    number = (number or "").strip()
    if not number:
        raise AltinnError(ErrorCode.INVALID_REPORTEE_NUMBER,
                          "ReporteeNumber is missing: no reportee can be identified.")
    if len(number) == 11 and number.isdigit():
        if not is_national_id(number):
            raise AltinnError(ErrorCode.INVALID_SSN, f"Invalid SSN: {number} is not a valid national identity number.")
        found: Reportee | None = registry.get_person(number)
    elif len(number) == 9 and number.isdigit():
        found = registry.get_organisation(number) if is_organisation_number(number) else None
    else:
        found = registry.get_user(number)
    if found is None:
        raise AltinnError(ErrorCode.INVALID_REPORTEE_NUMBER,
                          f"No reportee could be identified from ReporteeNumber {number}.")
    return found


def reportee_number(reportee: Reportee) -> str:
    if isinstance(reportee, Person):
        return reportee.ssn
    if isinstance(reportee, Organisation):
        return reportee.orgno
    return reportee.username


def _opt_str(value) -> str | None:
    return None if value is None or value == "" else str(value)


def _service_ref(value) -> tuple[str, int]:
    """``"4255:10"`` or ``{"code": "4255", "edition": 10}`` -> ``("4255", 10)``."""
    if isinstance(value, dict):
        code, edition = str(value["code"]), value["edition"]
    else:
        code, _, edition = str(value).partition(":")
    if not code.strip():
        raise ValueError(f"contact service {value!r} names no service code")
    return code, whole_number(edition or 1, "contact service edition")
