"""The WSGI application that serves every Altinn endpoint.

It owns the HTTP edge (paths, methods, content types, size limits), reads the
envelope safely, picks the operation the way WCF does (by SOAPAction /
``action=`` / ``wsa:Action``, else by the body element), authenticates the
caller per binding, calls the contract's handler and writes the reply. Every
failure becomes a SOAP fault with an AltinnFault detail; nothing else leaves.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from ..domain.auth import AuthMode, Caller
from ..domain.errors import AltinnError, ErrorCode
from . import codec, mtom, writer
from .bodies import SPOOL_BYTES, SpooledBody, too_large
from .allowlist import AddressRestriction, authorization_restriction, refusal
from .bindings import Credentials
from .contract import BoundOperation, Endpoint
from .envelope import CONTENT_TYPE, RequestEnvelope, is_password_text, parse_envelope
from .plainstream import SpilledValues, parse_spilling
from ..front import RequestTimedOut
from ..journal import Exchange
from ..logs import log_call
from ..memory import give_back_free_memory
from ..store.failures import classify
from .faults import SoapFault
from .injected import DropConnection, InjectedFaults, drop as _drop
from .routes import Route, Routes, routes_of
from .security import client_certificate_orgno
from .streamed import StreamedReply

log = logging.getLogger("altinn_so.soap")

_LARGE_BODY = "altinn_so.large_body"  # set in environ by a call whose body passed _TRIM_AFTER_BYTES
# A body this large can have been a tree of megabytes (up to ~120 bytes of tree per byte of body, for bare
# elements); below it, what a tree leaves in glibc's arenas is reused by the next call and not worth a trim.
_TRIM_AFTER_BYTES = 64 * 1024
_MEDIA_VERSION = {"text/xml": 11, "application/soap+xml": 12}
# Without TLS client certificates (lenient mode), AEC/AEC2 read the caller's org number from this header.
LENIENT_ORGNO_HEADER = "HTTP_X_ENTERPRISE_CERTIFICATE_ORGNO"
CONTRACT_FILTER_MISMATCH = (
    "The message with Action '{action}' cannot be processed at the receiver, due to a ContractFilter mismatch at "
    "the EndpointDispatcher. This may be because of either a contract mismatch (mismatched Actions between sender "
    "and receiver) or a binding/security mismatch between the sender and the receiver. Check that sender and "
    "receiver have the same contract and the same binding (including security requirements, e.g. Message, "
    "Transport, None).")


@dataclass(frozen=True)
class WireSettings:
    max_body_bytes: int = 10 * 1024 * 1024  # of an operation with no limit of its own (Operation.max_body_bytes)
    # Bodies (and MTOM parts) above this size are spooled to a temporary file, not held in memory.
    spool_bytes: int = SPOOL_BYTES
    # True when the server runs TLS and asks for client certificates: EC/EC2 then require one.
    require_client_certificates: bool = False
    # Endpoints only some addresses may call (by path prefix): /AuthorizationExternal/ from loopback by default.
    address_restrictions: tuple[AddressRestriction, ...] = (authorization_restriction(),)


_UNSUPPORTED_DIGEST = object()  # a UsernameToken with a PasswordDigest, refused at login


@dataclass(frozen=True)
class _Credentials:
    username: str | None
    password: object
    mode: AuthMode
    orgno: str | None


@dataclass
class Call:
    """What a handler gets besides its arguments."""

    emulator: Any
    endpoint: Endpoint
    operation: BoundOperation
    caller: Caller | None
    environ: dict
    body: Any = None  # the request's body element, for a handler that must look at what the codec skipped


class SoapApplication:
    def __init__(self, emulator, routes: Routes | None = None, settings: WireSettings = WireSettings()):
        self.emulator = emulator
        self.routes = routes or routes_of(emulator.services)
        self.settings = settings

    def __call__(self, environ: dict, start_response):
        exchange = Exchange(method=environ.get("REQUEST_METHOD", "GET").upper(), path=environ.get("PATH_INFO") or "/",
                            at=self.emulator.clock.now())
        try:
            # The call's writes commit as one transaction when its operation returns (see _post).
            with self.emulator.request_scope():
                self.emulator.sync()
                exchange.at = self.emulator.clock.now()  # the clock another worker may have moved
                status, headers, body = self._answer(environ, exchange)
        except Exception as exc:  # the store failed (to commit, say): still no traceback for the client
            status, headers, body = self._unexpected(environ, exchange, exc)
        if exchange.service is not None:  # a SOAP call to one of our endpoints (not a WSDL download)
            self._record(exchange)
            log_call(exchange)
        if environ.get(_LARGE_BODY):  # its tree is gone now: the memory it took back to the system
            give_back_free_memory()
        start_response(_status_line(status), headers)
        if isinstance(body, _Streamed):
            return body  # (the server closes it when it is sent, and with it the request's spooled body)
        return [body]

    def _record(self, exchange: Exchange) -> None:
        """Journal the call, after its own writes have committed: the journal has a write lock of its own
        (see ``journal_database``), so neither waits for the other. The call has taken effect whether or not
        its entry is written, so a failure here is logged and the client still gets its answer."""
        try:
            self.emulator.record(exchange)
        except Exception:
            log.exception("could not journal the call to %s", exchange.path)

    def _answer(self, environ: dict, exchange: Exchange) -> tuple[int, list[tuple[str, str]], bytes]:
        """The response to one request, with what the journal needs to know of it in ``exchange``."""
        started = time.perf_counter()
        dropped = False
        try:
            status, headers, body = self.handle(environ, exchange)
        except DropConnection:
            dropped = True
            exchange.error_message = f"connection dropped by fault rule {exchange.fault_rule}"
            _drop(environ)
            status, headers, body = 500, [("Connection", "close"), ("Content-Length", "0")], b""
        except RequestTimedOut as exc:  # the front has answered 408 and closed: journal that, not a failure
            exchange.error_message = str(exc)
            status, headers, body = exc.status, [("Connection", "close"), ("Content-Length", "0")], b""
        except Exception as exc:  # the last line of defence: no traceback ever reaches the client
            status, headers, body = self._unexpected(environ, exchange, exc)
        exchange.status = 0 if dropped else status  # 0: the connection was dropped, no status was sent
        exchange.response_body = body.journal_text() if isinstance(body, _Streamed) else body
        exchange.duration_ms = (time.perf_counter() - started) * 1000
        return status, headers, body

    def _unexpected(self, environ: dict, exchange: Exchange, exc: Exception):
        """A server fault for what the call raised: the store's failure named (store.failures), anything else a
        bug, answered as Altinn answered its own (and its traceback logged)."""
        failure = classify(exc)
        if failure is None:
            log.exception("unexpected error serving %s", environ.get("PATH_INFO"))
            fault = SoapFault.unexpected()
        else:
            log.error("serving %s: %s", environ.get("PATH_INFO"), failure.describe())
            fault = SoapFault.store_failed(failure)
        exchange.error_id, exchange.error_message = fault.error.error_id, fault.error.message
        status, headers, body = self._fault_response(_client_version(environ, None), fault)
        exchange.status, exchange.response_body = status, body
        return status, headers, body

    # -- HTTP ---------------------------------------------------------------------------------------

    def handle(self, environ: dict, exchange: Exchange | None = None) -> tuple[int, list[tuple[str, str]], bytes]:
        exchange = exchange or Exchange(method=environ.get("REQUEST_METHOD", "GET").upper(),
                                        path=environ.get("PATH_INFO") or "/", at=self.emulator.clock.now())
        route = self.routes.find(environ.get("PATH_INFO") or "/")
        # (the SOAP version a fault is answered in is worked out only for faults: most calls have none)
        refused = refusal(self.settings.address_restrictions, environ.get("PATH_INFO") or "/",
                          environ.get("REMOTE_ADDR"))
        if refused is not None:  # before anything else, as Altinn's front refused the address before any service
            if route is not None and exchange.method == "POST":  # journaled like any call (a WSDL download is not)
                exchange.service, exchange.binding = route.endpoint.contract.name, route.endpoint.binding.key
            fault = SoapFault(AltinnError(ErrorCode.NOT_AUTHORIZED, refused), status=403)
            exchange.error_id, exchange.error_message = fault.error.error_id, fault.error.message
            return self._fault_response(_client_version(environ, route), fault)
        if route is None:
            return self._fault_response(_client_version(environ, route), SoapFault.protocol(
                f"There is no endpoint at {environ.get('PATH_INFO')}.", status=404, subcode="DestinationUnreachable"))
        method = exchange.method
        if method in ("GET", "HEAD"):
            return self._get(environ, route, method == "HEAD")
        exchange.service, exchange.binding = route.endpoint.contract.name, route.endpoint.binding.key
        if method != "POST":
            fault = SoapFault.protocol(f"The HTTP method {method} is not allowed; SOAP requests are POSTed.",
                                       status=405)
            exchange.error_id, exchange.error_message = fault.error.error_id, fault.error.message
            status, headers, body = self._fault_response(_client_version(environ, route), fault)
            return status, headers + [("Allow", "GET, HEAD, POST")], body
        try:
            return self._post(environ, route, exchange)
        except SoapFault as fault:
            exchange.error_id, exchange.error_message = fault.error.error_id, fault.error.message
            return self._fault_response(fault.reply_version or _client_version(environ, route), fault)

    def _get(self, environ: dict, route: Route, head: bool):
        query = {key.lower() for key in parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)}
        if query & {"wsdl", "singlewsdl"}:
            body = route.wsdl(_base_url(environ) + route.endpoint.path)
            headers = [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))]
            return 200, headers, b"" if head else body
        endpoint = route.endpoint
        text = (f"{endpoint.name}: Altinn II {endpoint.contract.name} on the {endpoint.binding.key.upper()} "
                f"binding (SOAP {endpoint.binding.soap_version / 10:.1f}), emulated by altinn-so.\n"
                f"WSDL: {_base_url(environ)}{endpoint.path}?wsdl\n").encode()
        return 200, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(text)))], \
            b"" if head else text

    def _post(self, environ: dict, route: Route, exchange: Exchange):
        endpoint = route.endpoint
        binding = endpoint.binding
        media, params = _content_type(environ)
        is_mtom = media == mtom.MULTIPART
        if not is_mtom and (media not in _MEDIA_VERSION or _MEDIA_VERSION[media] != binding.soap_version):
            raise _wrong_content_type(environ, binding.soap_version)
        body = SpooledBody.read(environ, endpoint.max_body_bytes(self.settings.max_body_bytes),
                                self.settings.spool_bytes, xml=not is_mtom)
        handed_over = False
        try:
            exchange.request_body = body.journal_text()
            parts = None
            if is_mtom:
                message = mtom.read_request(body, environ.get("CONTENT_TYPE", ""))
                if message.soap_version is not None and message.soap_version != binding.soap_version:
                    raise _wrong_content_type(environ, binding.soap_version, reply_version=message.soap_version)
                if message.action:
                    params = {**params, "action": message.action}
                request = parse_envelope(message.root, binding.soap_version)
                parts = message.resolve(request.envelope, body, self.settings.spool_bytes)
            else:
                if body.size == 0 or (not body.on_disk and not body.bytes().strip()):
                    raise SoapFault.protocol("The request has no body: a SOAP envelope was expected.", status=400)
                if body.on_disk and endpoint.streams_large_bodies:  # a plain streamed upload's base64 to a file
                    request, parts = parse_spilling(body, binding.soap_version, self.settings.spool_bytes)
                else:
                    handle = body.file
                    handle.seek(0)
                    if body.on_disk:
                        request = parse_envelope(handle, binding.soap_version, bounds=body.markup_bounds)
                    else:
                        request = parse_envelope(body.bytes(), binding.soap_version)
            try:
                status, headers, payload = self._serve(route, request, params, environ, exchange, body, parts,
                                                       is_mtom and endpoint.contract.mtom)
            except SoapFault as fault:  # answered with the headers the request asked for
                if binding.addressing:
                    fault.reply_headers, fault.relates_to = request.reply_headers, request.message_id
                raise
            if isinstance(payload, _Streamed):
                payload.closing.append(body)
                handed_over = True
            return status, headers, payload
        finally:
            if not handed_over:
                body.close()
            if body.size > _TRIM_AFTER_BYTES:
                environ[_LARGE_BODY] = True

    def _serve(self, route: Route, request: RequestEnvelope, params: dict, environ: dict, exchange: Exchange,
               body: SpooledBody, parts: "mtom.Parts | SpilledValues | None", as_mtom: bool):
        endpoint = route.endpoint
        operation = self._select_operation(route, request, params, environ)
        exchange.operation, exchange.base_operation = operation.wire_name, operation.operation.name
        own_limit = operation.operation.max_body_bytes
        limit = own_limit or self.settings.max_body_bytes
        if body.size > limit:
            raise too_large(limit, body.size)
        if parts is not None:
            parts.large = own_limit is not None  # only an operation with a limit of its own streams large parts
        try:
            args = codec.decode(route.models.operations[operation.wire_name].request, request.body_element,
                                reportees=exchange.reportees, skipped=exchange.warnings, parts=parts)
        except codec.DecodeError as exc:
            raise SoapFault.protocol(
                f"The formatter threw an exception while trying to deserialize the message: {exc}",
                subcode="DeserializationFailed") from None
        for name in operation.operation.headers:  # a message contract's headers that are no credentials
            args[name] = request.header_text(f"{{{operation.namespace}}}{name}")
        try:
            credentials = self._credentials(endpoint, operation, args, request, environ)
            if credentials is not None:
                self._claimed(credentials, exchange)
            faults = InjectedFaults.consult(self.emulator, exchange, operation)
            if faults.before is not None:
                return faults.apply(faults.before, route, operation, exchange)
            caller = self._authenticate(credentials) if credentials is not None else None
            call = Call(self.emulator, endpoint, operation, caller, environ, request.body_element)
            result = faults.adjust_result(operation.operation.handler(call, args))
        except AltinnError as error:
            raise SoapFault(error, action=operation.fault_action) from None
        # The call's writes are done: they commit now, so that the next writer waits for none of what follows.
        self.emulator.settle()
        if faults.after is not None:  # the call has taken effect; the rule answers instead of its reply
            return faults.apply(faults.after, route, operation, exchange)
        return self._reply(route, operation, request, result, as_mtom)

    # -- SOAP ---------------------------------------------------------------------------------------

    def _select_operation(self, route: Route, request: RequestEnvelope, params: dict,
                          environ: dict) -> BoundOperation:
        if route.endpoint.binding.soap_version == 11:
            action = environ.get("HTTP_SOAPACTION", "").strip().strip('"') or None
        else:
            http_action = params.get("action") or None
            if http_action and request.wsa_action and http_action != request.wsa_action:
                raise SoapFault.protocol(
                    f"The SOAP action specified on the message, '{request.wsa_action}', does not match the HTTP "
                    f"SOAP Action, '{http_action}'.", subcode="ActionMismatch")
            action = request.wsa_action or http_action
        body_tag = request.body_element.tag
        if action is None:
            operation = route.by_tag.get(body_tag)
            if operation is None:
                raise SoapFault.protocol(CONTRACT_FILTER_MISMATCH.format(action=""), subcode="ActionNotSupported")
            return operation
        operation = route.by_action.get(action)
        if operation is None:
            raise SoapFault.protocol(CONTRACT_FILTER_MISMATCH.format(action=action), subcode="ActionNotSupported")
        if body_tag != operation.request_tag:
            found = _split(body_tag)
            raise SoapFault.protocol(
                "OperationFormatter encountered an invalid Message body. Expected to find node type 'Element' with "
                f"name '{operation.request_element}' and namespace '{operation.namespace}'. Found node type 'Element' "
                f"with name '{found[1]}' and namespace '{found[0]}'", subcode="DeserializationFailed")
        return operation

    def _credentials(self, endpoint: Endpoint, operation: BoundOperation, args: dict, request: RequestEnvelope,
                     environ: dict) -> "_Credentials | None":
        """What the caller presents, by binding; None for operations that need no login (Test)."""
        if not operation.operation.authenticated:
            return None
        credentials = endpoint.binding.credentials
        username = password = None
        if operation.body_credentials:
            user_key, password_key = operation.body_credentials
            username, password = args.pop(user_key, None), args.pop(password_key, None)
        elif operation.header_credentials:
            username, password = (request.header_text(f"{{{operation.namespace}}}{name}")
                                  for name in operation.header_credentials)
        elif credentials is Credentials.USERNAME_TOKEN:
            token = request.username_token
            if token is not None:
                username, password = token.username, token.password
                if not is_password_text(token):
                    password = _UNSUPPORTED_DIGEST

        certificates = self.settings.require_client_certificates
        if credentials is Credentials.CERTIFICATE:
            mode = AuthMode.CERTIFICATE
        elif credentials is Credentials.CERTIFICATE_AND_BODY and certificates:
            mode = AuthMode.CERTIFICATE_AND_PASSWORD
        else:
            mode = AuthMode.PASSWORD
        orgno = None
        if mode is AuthMode.CERTIFICATE and not certificates:
            # Lenient mode: no TLS client certificates, so an AEC caller names its organisation in a header.
            orgno = environ.get(LENIENT_ORGNO_HEADER) or None
        elif mode is not AuthMode.PASSWORD:
            orgno = client_certificate_orgno(environ)
        return _Credentials(username, password, mode, orgno)

    def _claimed(self, credentials: "_Credentials", exchange: Exchange) -> None:
        """Who the caller says it is, before its credentials are checked: for the journal and fault rules."""
        catalog = self.emulator.catalog
        if credentials.username:
            exchange.caller = credentials.username
            system = catalog.get_system(credentials.username)
            exchange.owner = system.owner if system else None
        elif credentials.orgno:
            owner = catalog.get_owner_by_orgno(credentials.orgno)
            exchange.caller = exchange.owner = owner.code if owner else None

    def _authenticate(self, credentials: "_Credentials") -> Caller:
        if credentials.password is _UNSUPPORTED_DIGEST:
            raise AltinnError(ErrorCode.EXTERNAL_SYSTEM_AUTHENTICATION,
                              "Only UsernameToken passwords of type PasswordText are supported.")
        return self.emulator.authenticator.authenticate(credentials.username, credentials.password,
                                                        mode=credentials.mode, certificate_orgno=credentials.orgno)

    def _reply(self, route: Route, operation: BoundOperation, request: RequestEnvelope, result,
               as_mtom: bool = False):
        binding = route.endpoint.binding
        if operation.operation.results:
            value = result or {}
        elif operation.operation.returns is not None:
            value = {operation.result_name: result}
        else:
            value = {}
        body: list[str] = []
        response = writer.response_writer(route.models.operations[operation.wire_name].response,
                                          operation.response_tag)
        asked = request.reply_headers
        envelope = functools.partial(writer.envelope, binding.soap_version, reply_action=operation.reply_action,
                                     relates_to=request.message_id, addressing=binding.addressing and asked.addressing,
                                     security=binding.addressing and asked.security)
        if not as_mtom:
            files = writer.write_reply(response, value, body)
            payload = envelope(body)
            if files:  # file-backed values, sent as base64 read from their files
                reply = StreamedReply(payload, files)
                streamed = _Streamed(reply)
                streamed.closing.extend(blob.file for blob in files)
                return 200, [("Content-Type", CONTENT_TYPE[binding.soap_version]),
                             ("Content-Length", str(reply.size))], streamed
            return 200, [("Content-Type", CONTENT_TYPE[binding.soap_version]),
                         ("Content-Length", str(len(payload)))], payload
        with writer.collecting_parts(mtom.PartCollector()) as collector:
            response.write(value, body)
        reply = mtom.Reply(binding.soap_version, envelope(body), collector.parts)
        headers = [("Content-Type", reply.content_type), ("MIME-Version", "1.0"), ("Content-Length", str(reply.size))]
        if reply.size <= self.settings.spool_bytes:
            payload = reply.bytes()
            for file in reply.files:
                file.close()
            return 200, headers, payload
        streamed = _Streamed(reply)
        streamed.closing.extend(reply.files)
        return 200, headers, streamed

    def _fault_response(self, version: int, fault: SoapFault):
        payload = writer.fault_envelope(version, fault)
        return fault.status, [("Content-Type", CONTENT_TYPE[version]), ("Content-Length", str(len(payload)))], payload


class _Streamed:
    """A reply too large to hold in memory, sent in chunks (the WSGI iterable); closing it closes the request's
    spooled body, whose parts it may be reading."""

    def __init__(self, reply: "mtom.Reply | StreamedReply"):
        self.reply = reply
        self.closing: list = []

    def __iter__(self):
        return self.reply.chunks()

    def journal_text(self) -> bytes:
        return self.reply.journal_text()

    def close(self) -> None:
        for item in self.closing:
            item.close()


def _wrong_content_type(environ: dict, soap_version: int, reply_version: int | None = None) -> SoapFault:
    return SoapFault.protocol(
        f"Cannot process the message because the content type '{environ.get('CONTENT_TYPE', '')}' was not "
        f"the expected type '{CONTENT_TYPE[soap_version]}'.", status=415, reply_version=reply_version)


@lru_cache(maxsize=None)  # a few statuses, one on every call
def _status_line(status: int) -> str:
    """``503 Service Unavailable``: a reason phrase for every status, an injected one included."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:  # a status HTTP does not name (fault rules allow 100-599)
        return f"{status} Unknown"


def _content_type(environ: dict) -> tuple[str, dict]:
    raw = environ.get("CONTENT_TYPE", "")
    media, _, rest = raw.partition(";")
    params = {}
    for part in rest.split(";"):
        key, _, value = part.partition("=")
        if key.strip():
            params[key.strip().lower()] = value.strip().strip('"')
    return media.strip().lower(), params


def _client_version(environ: dict, route: Route | None) -> int:
    """The SOAP version to answer a fault in: what the client sent if we can tell, else the endpoint's."""
    media, _ = _content_type(environ)
    if media in _MEDIA_VERSION:
        return _MEDIA_VERSION[media]
    return route.endpoint.binding.soap_version if route else 11


def _base_url(environ: dict) -> str:
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST")
    if not host:
        host = environ.get("SERVER_NAME", "localhost")
        port = environ.get("SERVER_PORT")
        if port and port != ("443" if scheme == "https" else "80"):
            host = f"{host}:{port}"
    return f"{scheme}://{host}{environ.get('SCRIPT_NAME', '')}"


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag
