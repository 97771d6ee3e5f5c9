"""Writing response envelopes as text, compiled once per response contract.

Every successful call ends here, so this is on the hot path: instead of building an lxml tree and
serialising it, each response model is compiled into small functions that append strings. The output
follows WCF's habits (see the real samples): the operation's namespace is the default one, each result
element declares the prefixes its content uses (``a``, ``b``, ... and ``i`` for ``xsi:nil``).

It reads the same plans as ``codec`` (member order, namespaces, nillability), so a contract is still
declared once. Faults are written here too, into the same envelope.
"""

from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Callable

from ..domain.values import NOT_XML
from .bodies import Blob
from .codec import COMPILING, format_value, plan_for
from .envelope import ENVELOPE_NS, utc_timestamp
from .faults import FAULT_LANG, SOAP12_CODES, SoapFault, fault_detail
from .namespaces import ALTINN_FAULT, WSA, WSSE, WSU, XSI
from .types.common import AltinnFault

Writer = Callable[[object, list], None]

_PREFIXES = "abcdefghjklmnopqrtuvwxyz"  # no i (xsi) and no s (the envelope)
INLINE_BYTES = 1024  # as WCF's MTOM writer: binary values up to this size stay inline (base64)


def escape(text: str) -> str:
    """Text content as XML; a carriage return is kept as a character reference, as lxml writes it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def text_of(value) -> str:
    if type(value) is str:
        return escape(value)
    return escape(format_value(value))


# -- compiling ------------------------------------------------------------------------------------

def _split(tag: str) -> tuple[str, str]:
    namespace, _, local = tag[1:].partition("}")
    return namespace, local


def _namespaces(member, found: dict, seen: set) -> bool:
    """Collect the namespaces of ``member`` and everything under it (in document order) into ``found``;
    True if any element in there can be written as nil."""
    found.setdefault(_split(member.tag)[0], None)
    nil = member.nillable
    plan = member.plan
    if plan is not None and id(plan) not in seen:
        seen.add(id(plan))
        for child in plan.members:
            nil = _namespaces(child, found, seen) or nil
    return nil


def _member_writer(member, prefixes: dict[str, str], declarations: str = "", nil_declarations: str = "") -> Writer:
    namespace, local = _split(member.tag)
    prefix = prefixes[namespace]
    name = f"{prefix}:{local}" if prefix else local
    start, end, empty = f"<{name}{declarations}>", f"</{name}>", f"<{name}{declarations}/>"
    nil = f'<{name}{declarations}{nil_declarations} i:nil="true"/>' if member.nillable else None

    if member.plan is None and member.is_binary:
        open_tag = f"<{name}{declarations}>"

        def write_binary(value, out: list) -> None:
            if value is None:
                if nil is not None:
                    out.append(nil)
                return
            collector = getattr(_XOP, "collector", None)
            if collector is not None and len(value) > INLINE_BYTES:  # an MTOM reply: a part of its own
                out.append(open_tag)
                out.append(collector.include(value))
                out.append(end)
                return
            if isinstance(value, Blob):
                streamed = getattr(_XOP, "streamed", None)
                if streamed is not None:  # a plain reply: the value is sent as base64 read from its file
                    out.append(start)
                    out.append(f"{STREAM_MARK}{len(streamed)}\ue000")
                    out.append(end)
                    streamed.append(value)
                    return
                value = value.read()
            out.append(start)
            out.append(text_of(value))
            out.append(end)

        return write_binary

    if member.plan is None:
        def write_primitive(value, out: list) -> None:
            if value is None:
                if nil is not None:
                    out.append(nil)
                return
            out.append(start)
            out.append(escape(value) if type(value) is str else text_of(value))
            out.append(end)

        return write_primitive

    # Shared by every element of this type and scope, and filled in after this writer exists:
    # a recursive contract (a receipt's sub-receipts) refers to its own list while it is compiled.
    key = (id(member.plan), tuple(sorted(prefixes.items())))
    children: list[tuple[str, bool, Writer]] | None = _CHILDREN.get(key)
    compile_children = children is None
    if compile_children:
        children = _CHILDREN[key] = []

    def write_complex(value, out: list) -> None:
        if value is None:
            if nil is not None:
                out.append(nil)
            return
        out.append(start)
        opened = len(out)
        if type(value) is dict:
            get = value.get
        else:
            def get(key, _value=value):
                return getattr(_value, key, None)
        for key, repeated, write in children:
            item = get(key)
            if repeated:
                for entry in item or ():
                    write(entry, out)
            else:
                write(item, out)
        if len(out) == opened:
            out[-1] = empty
        else:
            out.append(end)

    if compile_children:
        children.extend((child.name, child.repeated, _member_writer(child, prefixes))
                        for child in member.plan.members)
    return write_complex


_CHILDREN: dict = {}  # used only while compiling, under codec.COMPILING

# While an MTOM reply is written, the thread's collector of binary parts (``mtom.PartCollector``).
_XOP = threading.local()


# Where a file-backed binary value (``Blob``) goes in a plain reply: a mark the reply replaces by the value's
# base64 text as it sends it (``streamed.StreamedReply``), so that the value is never whole in memory.
# (Private-use characters XML may carry, and a nonce no value can guess.)
STREAM_MARK = f"\ue000altinn-so-streamed-{uuid.uuid4().hex}-"


def write_reply(response: "ResponseWriter", value: dict, out: list) -> list:
    """Write a plain reply's body into ``out``: the Blobs it marked (``STREAM_MARK``), in order."""
    _XOP.streamed = streamed = []
    try:
        response.write(value, out)
    finally:
        _XOP.streamed = None
    return streamed


@contextmanager
def collecting_parts(collector):
    """Write binary values over ``INLINE_BYTES`` as ``xop:Include`` references into ``collector``."""
    _XOP.collector = collector
    try:
        yield collector
    finally:
        _XOP.collector = None


def _result_writer(member, default_namespace: str) -> Writer:
    """A direct child of the response element: it declares every prefix its content uses, as WCF does."""
    found: dict[str, None] = {}
    uses_nil = _namespaces(member, found, set())
    prefixes = {default_namespace: ""}
    declarations = []
    for namespace in found:
        if namespace not in prefixes:
            prefixes[namespace] = _PREFIXES[len(declarations)]
            declarations.append(f' xmlns:{prefixes[namespace]}="{namespace}"')
    xsi = f' xmlns:i="{XSI}"' if uses_nil else ""
    if member.plan is None:  # a plain value needs xsi only to be nil
        return _member_writer(member, prefixes, "".join(declarations), xsi)
    return _member_writer(member, prefixes, xsi + "".join(declarations))


class ResponseWriter:
    """Writes the body element of one operation's response."""

    def __init__(self, model, tag: str):
        namespace, local = _split(tag)
        plan = plan_for(model)
        self._start, self._end = f'<{local} xmlns="{namespace}">', f"</{local}>"
        self._empty = f'<{local} xmlns="{namespace}"/>'
        self._members = [(m.name, m.repeated, _result_writer(m, namespace)) for m in plan.members]

    def write(self, value: dict, out: list) -> None:
        if not self._members:
            out.append(self._empty)
            return
        out.append(self._start)
        for key, repeated, write in self._members:
            item = value.get(key)
            if repeated:
                for entry in item or ():
                    write(entry, out)
            else:
                write(item, out)
        out.append(self._end)


_WRITERS: dict = {}


def response_writer(model, tag: str) -> ResponseWriter:
    writer = _WRITERS.get((model, tag))
    if writer is None:
        with COMPILING:  # _CHILDREN's lists are filled in while compiling: one thread at a time (see codec)
            writer = _WRITERS.get((model, tag))
            if writer is None:
                writer = _WRITERS[(model, tag)] = ResponseWriter(model, tag)
    return writer


# -- the envelope -------------------------------------------------------------------------------------

def envelope(soap_version: int, body: list, *, reply_action: str | None = None, relates_to: str | None = None,
             addressing: bool = False, security: bool = False, replace_unsafe: bool = False) -> bytes:
    """A response envelope around ``body`` (the pieces a ResponseWriter appended), as UTF-8, with WCF's
    WS-Addressing headers (``addressing``) and WS-Security timestamp (``security``) when asked. Characters XML
    cannot carry are an error, or with ``replace_unsafe`` become U+FFFD."""
    env = ENVELOPE_NS[soap_version]
    if addressing or security:
        head = f'<s:Envelope xmlns:s="{env}"' + (f' xmlns:a="{WSA}"' if addressing else "") + "><s:Header>"
        if addressing:
            head += (f'<a:Action s:mustUnderstand="1">{escape(reply_action or "")}</a:Action>'
                     + (f"<a:RelatesTo>{escape(relates_to)}</a:RelatesTo>" if relates_to else ""))
        if security:
            created = datetime.now(timezone.utc)  # the wall clock: clients check it against their own
            head += (f'<o:Security xmlns:o="{WSSE}" s:mustUnderstand="1"><u:Timestamp xmlns:u="{WSU}" u:Id="_0">'
                     f"<u:Created>{utc_timestamp(created)}</u:Created>"
                     f"<u:Expires>{utc_timestamp(created + timedelta(minutes=5))}</u:Expires>"
                     "</u:Timestamp></o:Security>")
        head += "</s:Header><s:Body>"
    else:
        head = f'<s:Envelope xmlns:s="{env}"><s:Body>'
    document = head + "".join(body) + "</s:Body></s:Envelope>"
    if NOT_XML.search(document):
        if not replace_unsafe:
            raise ValueError("the response holds characters XML cannot carry")
        document = NOT_XML.sub("\ufffd", document)
    return document.encode("utf-8")


# -- faults ---------------------------------------------------------------------------------------

_ALTINN_FAULT = f"{{{ALTINN_FAULT}}}AltinnFault"


def fault_envelope(soap_version: int, fault: SoapFault) -> bytes:
    """The whole response for ``fault``: WCF's Fault element (``faultcode``/``faultstring``/``detail`` on SOAP
    1.1; ``Code``/``Reason``/``Detail`` on 1.2, with WS-Addressing) around the AltinnFault detail."""
    reason = f'xml:lang="{FAULT_LANG}">{escape(fault.reason)}'
    if soap_version == 11:
        # a QName in text content needs its prefix declared in scope
        code = (f'<faultcode xmlns:a="{WSA}">a:{escape(fault.subcode)}</faultcode>' if fault.subcode
                else f"<faultcode>s:{fault.code}</faultcode>")
        opening, closing = f"<s:Fault>{code}<faultstring {reason}</faultstring><detail>", "</detail></s:Fault>"
    else:
        value = SOAP12_CODES[fault.code]
        code = f"<s:Value>s:{value}</s:Value>"
        if fault.code != "VersionMismatch":
            code += (f'<s:Subcode><s:Value xmlns:a="{WSA}">a:{escape(fault.subcode)}</s:Value></s:Subcode>'
                     if fault.subcode else f"<s:Subcode><s:Value>s:{value}</s:Value></s:Subcode>")
        opening = f"<s:Fault><s:Code>{code}</s:Code><s:Reason><s:Text {reason}</s:Text></s:Reason><s:Detail>"
        closing = "</s:Detail></s:Fault>"
    body = [opening]
    response_writer(AltinnFault, _ALTINN_FAULT).write(fault_detail(fault.error), body)
    body.append(closing)
    # A fault's message may quote what the client sent (a path with a NUL in it, say): quoted, not refused.
    headers = fault.reply_headers if soap_version == 12 else None
    return envelope(soap_version, body, reply_action=fault.action, relates_to=fault.relates_to,
                    addressing=bool(headers and headers.addressing), security=bool(headers and headers.security),
                    replace_unsafe=True)
