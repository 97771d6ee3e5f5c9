"""The binding table: how one Altinn service contract appears on each endpoint family.

Everything that differs between Basic, WS, EC, EC2, AEC and AEC2 is data here
(DESIGN.md, "Bindings"); services are declared once and their endpoints are
generated from these rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Credentials(Enum):
    BODY = "body"  # systemUserName/systemPassword as the first body parameters
    USERNAME_TOKEN = "username-token"  # WS-Security UsernameToken in the SOAP header
    CERTIFICATE_AND_BODY = "certificate+body"  # enterprise certificate and body credentials
    CERTIFICATE = "certificate"  # enterprise certificate only


@dataclass(frozen=True)
class Binding:
    key: str
    path_suffix: str  # NotificationAgencyExternal{suffix}.svc
    op_suffix: str  # SendStandaloneNotification{suffix}V2
    soap_version: int  # 11 or 12
    family: str  # contract-namespace family: "basic" (Basic and WS), "ec" (EC, EC2), "aec" (AEC, AEC2)
    credentials: Credentials
    port_prefix: str  # BasicHttpBinding_ / CustomBinding_
    # WCF quirk: EC2 and AEC2 keep the EC/AEC interface name in their actions.
    action_suffix: str

    @property
    def addressing(self) -> bool:
        """SOAP 1.2 bindings answer with WS-Addressing headers; Basic never does."""
        return self.soap_version == 12

    @property
    def body_credentials(self) -> bool:
        return self.credentials in (Credentials.BODY, Credentials.CERTIFICATE_AND_BODY)

    @property
    def content_type(self) -> str:
        return "text/xml" if self.soap_version == 11 else "application/soap+xml"


BASIC = Binding("basic", "Basic", "Basic", 11, "basic", Credentials.BODY, "BasicHttpBinding_", "Basic")
WS = Binding("ws", "", "", 12, "basic", Credentials.USERNAME_TOKEN, "CustomBinding_", "")
EC = Binding("ec", "EC", "EC", 12, "ec", Credentials.CERTIFICATE_AND_BODY, "CustomBinding_", "EC")
EC2 = Binding("ec2", "EC2", "EC", 12, "ec", Credentials.CERTIFICATE_AND_BODY, "CustomBinding_", "EC")
AEC = Binding("aec", "AEC", "AEC", 12, "aec", Credentials.CERTIFICATE, "CustomBinding_", "AEC")
AEC2 = Binding("aec2", "AEC2", "AEC", 12, "aec", Credentials.CERTIFICATE, "CustomBinding_", "AEC")

BINDINGS = {b.key: b for b in (BASIC, WS, EC, EC2, AEC, AEC2)}
