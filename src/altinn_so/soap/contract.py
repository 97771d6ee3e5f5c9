"""Declaring an Altinn service once, and deriving each binding's endpoint from the declaration.

A ``ServiceContract`` lists operations with their versions, parameters,
return types and handlers. ``ServiceContract.endpoint(binding)`` derives the
wire names, actions, namespaces and WSDL names for one binding; spyne models
for the wrappers are generated from the result (``soap.spyne_app``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Mapping

from .bindings import BINDINGS, Binding, Credentials
from .namespaces import ALTINN_BASE

# What the streamed broker and archive operations take: Altinn's documented upload and download size.
STREAMED_MAX_BODY_BYTES = 1024 ** 3


@dataclass(frozen=True)
class Operation:
    """One versioned operation, e.g. SendStandaloneNotification V3.

    ``handler(call, args)`` receives the decoded body parameters (without
    credentials) as a dict and returns the result value: the value of the
    single ``{operation}Result`` element, or with ``results`` a dict of them.

    WCF message contracts (GetCorrespondenceStatusHistory) are operations with
    their own wrapper element names (``request_element``/``response_element``),
    several response members (``results``) and, on bindings that carry
    credentials in the body, credentials as SOAP headers (``header_credentials``).
    """

    name: str
    handler: Callable[[Any, dict], Any]
    params: tuple[tuple[str, Any], ...] = ()
    # Parameters naming the calling system (SystemUserCode), before ``params``: not on bindings where the
    # enterprise certificate alone says who calls (AEC, AEC2), whose operations have none.
    caller_params: tuple[tuple[str, Any], ...] = ()
    returns: Any = None
    version: int = 1
    bindings: frozenset[str] | None = None  # None: every binding of the service
    # binding key -> name, where Altinn broke its own pattern
    wire_names: Mapping[str, str] = field(default_factory=dict)
    credential_names: tuple[str, str] = ("systemUserName", "systemPassword")
    # The oldest operations declare their body credentials minOccurs=0 nillable; later ones minOccurs=1.
    optional_credentials: bool = False
    authenticated: bool = True
    request_element: str | None = None  # default: the wire name
    response_element: str | None = None  # default: wire name + "Response"
    results: tuple[tuple[str, Any], ...] = ()  # members of the response wrapper, instead of {op}Result
    header_credentials: tuple[str, str] | None = None  # e.g. ("SystemUserName", "SystemPassword")
    # A message contract's other SOAP headers (the streamed broker upload's FileName, Reference, Reportee): string
    # elements of the service namespace, handed to the handler among ``args`` by their names (None when absent).
    headers: tuple[str, ...] = ()
    # The largest request this operation takes, in bytes; None: the server's --max-body-bytes. An operation
    # with a limit of its own (the streamed broker and archive ones: STREAMED_MAX_BODY_BYTES) also gets large
    # MTOM parts as file-backed ``bodies.Blob`` values instead of bytes (see ``soap.mtom``).
    max_body_bytes: int | None = None

    def wire_name(self, binding: Binding) -> str:
        explicit = self.wire_names.get(binding.key)
        if explicit:
            return explicit
        return self.name + binding.op_suffix + (f"V{self.version}" if self.version > 1 else "")


@dataclass(frozen=True)
class BoundOperation:
    """An operation as it appears on one endpoint. Its names are read on every call: worked out once."""

    wire_name: str
    namespace: str  # of the request and response wrapper elements
    action: str
    reply_action: str
    fault_action: str
    operation: Operation
    body_credentials: tuple[str, str] | None  # the credential parameters in the body, if any
    header_credentials: tuple[str, str] | None = None  # credential elements in the SOAP header, if any
    params: tuple[tuple[str, Any], ...] = ()  # the body parameters after any credentials, on this binding

    @cached_property
    def message_headers(self) -> tuple[str, ...]:
        """Every SOAP header element of the request message, credentials and others, as WCF orders them."""
        return tuple(sorted({*(self.header_credentials or ()), *self.operation.headers}))

    @cached_property
    def request_element(self) -> str:
        return self.operation.request_element or self.wire_name

    @cached_property
    def response_element(self) -> str:
        return self.operation.response_element or f"{self.wire_name}Response"

    @cached_property
    def request_tag(self) -> str:
        return f"{{{self.namespace}}}{self.request_element}"

    @cached_property
    def response_tag(self) -> str:
        return f"{{{self.namespace}}}{self.response_element}"

    @cached_property
    def result_name(self) -> str:
        return f"{self.wire_name}Result"


def _test_handler(call, args):
    return None


TEST_OPERATION = Operation("Test", _test_handler, authenticated=False)


@dataclass(frozen=True)
class Endpoint:
    contract: "ServiceContract"
    binding: Binding
    path: str
    namespace: str
    port_type: str  # wsdl:portType name, e.g. INotificationAgencyExternalEC2
    binding_name: str  # wsdl:binding and wsdl:port name
    service_name: str  # wsdl:service name
    operations: tuple[BoundOperation, ...]

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1].removesuffix(".svc")

    @property
    def streams_large_bodies(self) -> bool:
        """Has it an operation with a size limit of its own (a streamed upload, whose binary values may be
        Blobs)?"""
        return any(operation.operation.max_body_bytes for operation in self.operations)

    def max_body_bytes(self, default: int) -> int:
        """The largest body this endpoint reads: the largest of its operations' limits."""
        return max(operation.operation.max_body_bytes or default for operation in self.operations)


@dataclass(frozen=True)
class ServiceContract:
    name: str  # e.g. NotificationAgencyExternal
    area: str  # first path segment, e.g. ServiceEngineExternal
    bindings: tuple[str, ...]
    namespaces: Mapping[str, str]  # binding family -> service contract namespace
    operations: tuple[Operation, ...]
    interface: str = ""  # contract interface without binding suffix; default "I" + name
    # binding family -> interface, where a service's families name their interfaces differently (PreFill:
    # IPreFillExternalBasic on Basic, IPreFillAgencyExternalEC on EC); default ``interface``
    interfaces: Mapping[str, str] = field(default_factory=dict)
    service_names: Mapping[str, str] = field(default_factory=dict)  # binding key -> wsdl:service name
    endpoint_names: Mapping[str, str] = field(default_factory=dict)  # binding key -> .svc stem
    # The real contract declares MTOM (wsoma:OptimizedMimeSerialization): an MTOM request is answered in MTOM.
    mtom: bool = False
    # After the binding's own part of the interface name: the streamed broker's IBrokerServiceExternalBasicStreamed
    # (portType) and IBrokerServiceExternalECStreamed (actions) put the binding before "Streamed".
    interface_suffix: str = ""

    def endpoint(self, binding_key: str) -> Endpoint:
        binding = BINDINGS[binding_key]
        namespace = self.namespaces[binding.family]
        interface = self.interfaces.get(binding.family) or self.interface or f"I{self.name}"
        action_interface = interface + binding.action_suffix + self.interface_suffix
        port_type = interface + binding.path_suffix + self.interface_suffix
        stem = self.endpoint_names.get(binding.key, self.name + binding.path_suffix)

        operations = [_bind_test(binding)]
        for operation in self.operations:
            if operation.bindings is not None and binding.key not in operation.bindings:
                continue
            wire = operation.wire_name(binding)
            prefix = f"{namespace}/{action_interface}/{wire}"
            carries_credentials = operation.authenticated and binding.body_credentials
            in_header = carries_credentials and operation.header_credentials is not None
            operations.append(BoundOperation(
                wire_name=wire, namespace=namespace, action=prefix, reply_action=prefix + "Response",
                fault_action=prefix + "AltinnFaultFault", operation=operation,
                body_credentials=operation.credential_names if carries_credentials and not in_header else None,
                header_credentials=operation.header_credentials if in_header else None,
                params=(() if binding.credentials is Credentials.CERTIFICATE else operation.caller_params)
                + operation.params,
            ))
        return Endpoint(
            contract=self, binding=binding, path=f"/{self.area}/{stem}.svc", namespace=namespace,
            port_type=port_type, binding_name=binding.port_prefix + port_type,
            service_name=self.service_names.get(binding.key, f"{self.name}{binding.path_suffix}SF"),
            operations=tuple(operations),
        )

    def endpoints(self) -> list[Endpoint]:
        return [self.endpoint(key) for key in self.bindings]


def _bind_test(binding: Binding) -> BoundOperation:
    prefix = f"{ALTINN_BASE}/IAltinnContractBase/Test"
    return BoundOperation(wire_name="Test", namespace=ALTINN_BASE, action=prefix, reply_action=prefix + "Response",
                          fault_action=prefix + "AltinnFaultFault", operation=TEST_OPERATION, body_credentials=None)


def requires_certificate(binding: Binding) -> bool:
    return binding.credentials in (Credentials.CERTIFICATE, Credentials.CERTIFICATE_AND_BODY)
