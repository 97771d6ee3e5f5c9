"""What Altinn knew about service owners: their agency systems, services and notification templates."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Protocol

from .ids import is_organisation_number
from .state_machine import StateMachine
from .values import check_keys, optional_text, whole_number

LANGUAGES = {1033: "English", 1044: "Norwegian Bokmål", 2068: "Norwegian Nynorsk"}

_SHORT_NAME = re.compile(r"^[A-Za-z0-9]{1,11}$")


@dataclass(frozen=True)
class ServiceOwner:
    code: str  # three letters, e.g. "ACN"
    orgno: str
    name: str
    short_name: str | None = None  # SMS sender when UseServiceOwnerShortNameAsSenderOfSms
    # The PEM of its RSA encryption certificate: the download queue encrypts an encrypted service's data to it
    # (a seed file names the file: ``encryption_certificate_file``, docs/seed-format.md).
    encryption_certificate: str | None = None

    @property
    def sms_sender_name(self) -> str | None:
        """The short name, if it is a valid SMS originator (at most 11 letters and digits)."""
        if self.short_name and _SHORT_NAME.match(self.short_name):
            return self.short_name
        return None

    @classmethod
    def from_dict(cls, data: dict) -> "ServiceOwner":
        check_keys(data, set(cls.__dataclass_fields__) | {"systems", "services"}, "service owner")
        orgno = str(data["orgno"])
        if not is_organisation_number(orgno):
            raise ValueError(f"{orgno!r} is not a valid organisation number")
        certificate = data.get("encryption_certificate")
        if certificate is not None and (not isinstance(certificate, str) or "-----BEGIN CERTIFICATE-----"
                                        not in certificate):
            raise ValueError("encryption_certificate must be the text of a PEM certificate "
                             "(a seed file names a file with encryption_certificate_file)")
        return cls(code=str(data["code"]), orgno=orgno, name=str(data.get("name", "")),
                   short_name=optional_text(data.get("short_name"), "short_name") or None,
                   encryption_certificate=certificate)

    def to_dict(self) -> dict:
        out = {"code": self.code, "orgno": self.orgno, "name": self.name}
        if self.short_name:
            out["short_name"] = self.short_name
        if self.encryption_certificate:
            out["encryption_certificate"] = self.encryption_certificate
        return out


@dataclass(frozen=True)
class AgencySystem:
    """A registered agency system: the ``systemUserName``/``systemPassword`` pair a service owner calls with."""

    username: str
    password: str
    owner: str  # ServiceOwner.code
    system_user_code_prefix: str = ""  # SystemUserCode values start with this (default: the owner code)
    # OpenSSH public key lines ("ssh-ed25519 AAAA... comment") the system may also log in to SFTP with
    ssh_public_keys: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict, owner: str | None = None) -> "AgencySystem":
        check_keys(data, set(cls.__dataclass_fields__), "system")
        owner_code = str(data.get("owner") or owner or "")
        if not owner_code:
            raise ValueError("no owner")
        return cls(username=str(data["username"]), password=str(data["password"]), owner=owner_code,
                   system_user_code_prefix=str(data.get("system_user_code_prefix") or owner_code),
                   ssh_public_keys=ssh_public_key_lines(data.get("ssh_public_keys") or ()))

    def to_dict(self) -> dict:
        return {"username": self.username, "password": self.password, "owner": self.owner,
                "system_user_code_prefix": self.system_user_code_prefix,
                "ssh_public_keys": list(self.ssh_public_keys)}


_SSH_KEY_TYPE = re.compile(r"(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9@.-]+)")


def ssh_public_key_lines(value) -> tuple[str, ...]:
    """The seed's ``ssh_public_keys``: each an OpenSSH public key line (type, base64 key, optional comment).
    Only its shape is checked here; the SFTP server reads the key itself."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise ValueError("ssh_public_keys must be a list of OpenSSH public key lines")
    lines = []
    for line in value:
        parts = str(line).split()
        if len(parts) < 2 or not _SSH_KEY_TYPE.fullmatch(parts[0]):
            raise ValueError(f"ssh_public_keys: {str(line)[:40]!r} is not an OpenSSH public key line "
                             "(\"ssh-ed25519 AAAA... comment\")")
        try:
            base64.b64decode(parts[1], validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"ssh_public_keys: the key of {str(line)[:40]!r} is not base64") from None
        lines.append(" ".join(parts))
    return tuple(lines)


SERVICE_KINDS = ("correspondence", "correspondence-template", "form", "collaboration", "broker", "lookup")


@dataclass(frozen=True)
class FormDefinition:
    """One form of a form service's form set: what a prefill, a submission and an archived form name it by."""

    data_format_id: str  # DataFormatID, e.g. "5703"
    data_format_version: int  # DataFormatVersion
    name: str
    main: bool = True  # the form set's main form; a sub-form (False) hangs under it (ParentReference)
    schema: str | None = None  # the form's XML Schema, as text: a form's XML must be valid against it

    @property
    def key(self) -> tuple[str, int]:
        return self.data_format_id, self.data_format_version

    @classmethod
    def from_dict(cls, data: dict) -> "FormDefinition":
        check_keys(data, set(cls.__dataclass_fields__), "form")
        main = data.get("main", True)
        if not isinstance(main, bool):
            raise ValueError(f"main must be true or false, not {main!r}")
        schema = data.get("schema")
        if schema is not None and not isinstance(schema, str):
            raise ValueError("schema must be the text of an XML Schema")
        data_format_id = optional_text(data["data_format_id"], "data_format_id")
        if not data_format_id:
            raise ValueError("data_format_id must not be empty")
        return cls(data_format_id=data_format_id,
                   data_format_version=whole_number(data["data_format_version"], "data_format_version"),
                   name=str(data.get("name", "")), main=main, schema=schema)

    def to_dict(self) -> dict:
        out = {"data_format_id": self.data_format_id, "data_format_version": self.data_format_version,
               "name": self.name, "main": self.main}
        if self.schema is not None:
            out["schema"] = self.schema
        return out


SOAP_VERSIONS = ("1.1", "1.2")
ATTACHMENTS_IN_ZIP, ATTACHMENTS_INLINE = "zip", "inline"


@dataclass(frozen=True)
class PushReceiver:
    """The service owner's own OnlineBatchReceiver, to which each submission of a form service is pushed
    (docs/behaviour/push.md): where it listens, which SOAP it speaks, the credentials Altinn presents, whether
    attachments travel in a ZIP beside the batch or inline in it, and how failures are retried.

    One receiver is one URL of one owner: services naming the same URL share its sequence numbers and queue."""

    url: str
    soap_version: str = "1.1"
    username: str = ""
    password: str = ""
    attachments: str = ATTACHMENTS_IN_ZIP
    failed_attempts: int = 5  # attempts in all for a batch the receiver answers FAILED, before it is an Error
    retry_seconds: int = 60  # after FAILED, the next attempt this long after (on the emulator's clock)
    queue_retry_seconds: int = 300  # in queue mode (after a fault), the head is retried this often
    timeout_seconds: int = 30  # of one call: connecting, sending, and waiting for the reply

    @classmethod
    def from_dict(cls, data) -> "PushReceiver":
        if not isinstance(data, dict):
            raise ValueError("push must be a mapping with at least url")
        check_keys(data, set(cls.__dataclass_fields__), "push receiver")
        url = optional_text(data.get("url"), "push url") or ""
        if not re.match(r"^https?://[^/\s]+", url):
            raise ValueError(f"push url must be an http:// or https:// URL, not {url!r}")
        version = str(data.get("soap_version", "1.1"))
        if version not in SOAP_VERSIONS:
            raise ValueError(f"push soap_version must be one of {list(SOAP_VERSIONS)}, not {version!r}")
        attachments = str(data.get("attachments", ATTACHMENTS_IN_ZIP))
        if attachments not in (ATTACHMENTS_IN_ZIP, ATTACHMENTS_INLINE):
            raise ValueError(f"push attachments must be {ATTACHMENTS_IN_ZIP!r} or {ATTACHMENTS_INLINE!r}, "
                             f"not {attachments!r}")
        defaults = cls(url=url)
        return cls(url=url, soap_version=version, username=optional_text(data.get("username"), "username") or "",
                   password=optional_text(data.get("password"), "password") or "", attachments=attachments,
                   failed_attempts=whole_number(data.get("failed_attempts", defaults.failed_attempts),
                                                "failed_attempts", 1, 100),
                   retry_seconds=whole_number(data.get("retry_seconds", defaults.retry_seconds), "retry_seconds",
                                              0, 86400),
                   queue_retry_seconds=whole_number(data.get("queue_retry_seconds", defaults.queue_retry_seconds),
                                                    "queue_retry_seconds", 0, 86400),
                   timeout_seconds=whole_number(data.get("timeout_seconds", defaults.timeout_seconds),
                                                "timeout_seconds", 1, 3600))

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


# The fields only a form service has: its form set, and how its submissions reach the service owner.
_FORM_FIELDS = ("forms", "download_queue", "shipment_metadata", "encrypted", "push", "batch_delivery", "batch_pdf")


@dataclass(frozen=True)
class Service:
    code: str
    edition: int
    owner: str  # ServiceOwner.code
    name: str
    kind: str = "correspondence"  # correspondence | form | collaboration | broker | lookup
    names: dict[int, str] = field(default_factory=dict)  # per language, falls back to ``name``
    # A form service's form set (its main form first), whether its submissions are queued for the download
    # queue, the keys of the shipment metadata each submission carries, and whether its data is encrypted to
    # the service owner's certificate.
    forms: tuple[FormDefinition, ...] = ()
    download_queue: bool = False
    shipment_metadata: tuple[str, ...] = ()
    encrypted: bool = False
    push: PushReceiver | None = None  # the owner's receiver each submission is pushed to, if any
    # A broker service's: how many days an uploaded file is kept, downloaded or not (None: the broker's default)
    retention_days: int | None = None
    # The batch interface (docs/behaviour/batch.md): a form service's submissions written to the owner's outbound
    # folder as genericbatch files (with the form set's PDF as a formtask_pdf attachment when ``batch_pdf``), and a
    # correspondence service's read and confirmed messages as correspondence.confirmations files.
    batch_delivery: bool = False
    batch_pdf: bool = False
    confirmation_batches: bool = False
    # A collaboration service's states, events, conditions and notice templates (docs/behaviour/cases.md)
    state_machine: StateMachine | None = None

    def name_in(self, language: int | None) -> str:
        return self.names.get(language or 0, self.name)

    def form(self, data_format_id: str, data_format_version: int) -> FormDefinition | None:
        return next((f for f in self.forms if f.key == (data_format_id, data_format_version)), None)

    @classmethod
    def from_dict(cls, data: dict) -> "Service":
        check_keys(data, set(cls.__dataclass_fields__), "service")
        kind = str(data.get("kind", "correspondence"))
        if kind not in SERVICE_KINDS:
            raise ValueError(f"unknown kind {kind!r}; one of {list(SERVICE_KINDS)}")
        names = data.get("names") or {}
        if not isinstance(names, dict):
            raise ValueError("names must be a mapping of language id to name")
        given = [name for name in _FORM_FIELDS if data.get(name) not in (None, [], False)]
        if given and kind != "form":
            raise ValueError(f"{', '.join(given)} belong to a form service (kind: form), not to kind {kind!r}")
        if data.get("push") is not None and data.get("encrypted"):
            raise ValueError("an encrypted service cannot have a push receiver: the emulator does not push encrypted "
                             "data (docs/behaviour/push.md)")
        if data.get("batch_pdf") and not data.get("batch_delivery"):
            raise ValueError("batch_pdf adds a PDF to the batch delivery: it needs batch_delivery: true")
        if data.get("confirmation_batches") and kind != "correspondence":
            raise ValueError(f"confirmation_batches belongs to a correspondence service, not to kind {kind!r}")
        machine = data.get("state_machine")
        if machine is not None and kind != "collaboration":
            raise ValueError(f"state_machine belongs to a collaboration service, not to kind {kind!r}")
        retention = data.get("retention_days")
        if retention is not None and kind != "broker":
            raise ValueError(f"retention_days belongs to a broker service (kind: broker), not to kind {kind!r}")
        return cls(code=str(data["code"]), edition=whole_number(data["edition"], "edition"), owner=str(data["owner"]),
                   name=str(data.get("name", "")), kind=kind,
                   names={whole_number(k, "a language id of names"): str(v) for k, v in names.items()},
                   forms=_forms(data.get("forms")), download_queue=_flag(data, "download_queue"),
                   shipment_metadata=_keys(data.get("shipment_metadata")), encrypted=_flag(data, "encrypted"),
                   push=None if data.get("push") is None else PushReceiver.from_dict(data["push"]),
                   retention_days=None if retention is None else whole_number(retention, "retention_days", 1),
                   batch_delivery=_flag(data, "batch_delivery"), batch_pdf=_flag(data, "batch_pdf"),
                   confirmation_batches=_flag(data, "confirmation_batches"),
                   state_machine=None if machine is None else StateMachine.from_dict(machine))

    def to_dict(self) -> dict:
        out = {"code": self.code, "edition": self.edition, "owner": self.owner, "name": self.name,
               "kind": self.kind}
        if self.names:
            out["names"] = {str(k): v for k, v in self.names.items()}
        if self.kind == "form":
            out.update(forms=[form.to_dict() for form in self.forms], download_queue=self.download_queue,
                       shipment_metadata=list(self.shipment_metadata), encrypted=self.encrypted)
            if self.push is not None:
                out["push"] = self.push.to_dict()
            if self.batch_delivery:
                out.update(batch_delivery=True, batch_pdf=self.batch_pdf)
        if self.confirmation_batches:
            out["confirmation_batches"] = True
        if self.retention_days is not None:
            out["retention_days"] = self.retention_days
        if self.state_machine is not None:
            out["state_machine"] = self.state_machine.to_dict()
        return out


def _forms(value) -> tuple[FormDefinition, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ValueError("forms must be a list of forms")
    forms = tuple(FormDefinition.from_dict(item) for item in value)
    keys = [form.key for form in forms]
    if len(set(keys)) != len(keys):
        raise ValueError("two forms have the same data_format_id and data_format_version")
    if forms and sum(form.main for form in forms) != 1:
        raise ValueError("a form set has exactly one main form (main: true); the others are sub-forms")
    return tuple(sorted(forms, key=lambda form: not form.main))


def _flag(data: dict, name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, not {value!r}")
    return value


def _keys(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(key, str) and key for key in value):
        raise ValueError("shipment_metadata must be a list of key names")
    if len(set(value)) != len(value):
        raise ValueError("shipment_metadata names a key twice")
    return tuple(value)


@dataclass(frozen=True)
class TemplateText:
    """The texts of one template in one language. A channel without text is not offered."""

    sms: str | None = None
    email_subject: str | None = None
    email_body: str | None = None

    @property
    def has_email(self) -> bool:
        return self.email_body is not None or self.email_subject is not None


# A reminder later than this is no reminder a test waits for (and stays within the calendar).
MAX_REMINDER_DAYS = 3650


@dataclass(frozen=True)
class NotificationTemplate:
    """A notification template ("varselmal"), selected by NotificationType, channel and language."""

    name: str
    texts: dict[int, TemplateText]
    owner: str | None = None  # None: usable by every service owner (like the DPV templates)
    email_sender: str | None = None
    reminder_days: int | None = None  # a reminder ("revarsel") this many days after the first notice

    def available_to(self, owner_code: str) -> bool:
        return self.owner is None or self.owner == owner_code

    @classmethod
    def from_dict(cls, data: dict) -> "NotificationTemplate":
        check_keys(data, {"name", "languages", "owner", "email_sender", "reminder_days"}, "template")
        texts = {}
        languages = data.get("languages") or {}
        if not isinstance(languages, dict):
            raise ValueError("template languages must be a mapping of language id to texts")
        for language, text in languages.items():
            language = int(language)
            if language not in LANGUAGES:
                raise ValueError(f"unknown language {language} (use 1033, 1044 or 2068)")
            check_keys(text, set(TemplateText.__dataclass_fields__), f"template text of language {language}")
            texts[language] = TemplateText(**{field: optional_text(text.get(field), field)
                                              for field in TemplateText.__dataclass_fields__})
        reminder = data.get("reminder_days")
        return cls(name=str(data["name"]), texts=texts, owner=optional_text(data.get("owner"), "owner") or None,
                   email_sender=optional_text(data.get("email_sender"), "email_sender") or None,
                   reminder_days=whole_number(reminder, "reminder_days", 0, MAX_REMINDER_DAYS)
                   if reminder is not None else None)

    def to_dict(self) -> dict:
        out: dict = {"name": self.name, "languages": {}}
        for language, text in sorted(self.texts.items()):
            out["languages"][language] = {k: v for k, v in text.__dict__.items() if v is not None}
        for key in ("owner", "email_sender", "reminder_days"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


class CatalogRepository(Protocol):
    def get_owner(self, code: str) -> ServiceOwner | None: ...
    def get_owner_by_orgno(self, orgno: str) -> ServiceOwner | None: ...
    def get_system(self, username: str) -> AgencySystem | None: ...
    def get_service(self, code: str, edition: int) -> Service | None: ...
    def get_template(self, name: str) -> NotificationTemplate | None: ...
    def put_owner(self, owner: ServiceOwner) -> None: ...
    def put_system(self, system: AgencySystem) -> None: ...
    def put_service(self, service: Service) -> None: ...
    def put_template(self, template: NotificationTemplate) -> None: ...
