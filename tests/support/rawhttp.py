"""A client that speaks HTTP over a raw socket, for what zeep and requests cannot do: send half a request and hang
up, as a client that disconnects mid-upload does, and then the same request whole."""

from __future__ import annotations

import socket
import time

from altinn_so.journal import JournalFilter


def post_head(path: str, host: str, content_type: str, length: int, soap_action: str | None = None) -> bytes:
    action = f'SOAPAction: "{soap_action}"\r\n' if soap_action else ""
    return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\n{action}"
            f"Content-Length: {length}\r\n\r\n").encode()


def send_half_and_hang_up(url: str, emulator, path: str, body: bytes, content_type: str,
                          soap_action: str | None = None) -> list[int]:
    """Send the head and half of ``body``, close the connection, and wait (at most 10 s) until the server has
    journalled the call: the statuses of the journal's entries."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as client:
        client.sendall(post_head(path, host, content_type, len(body), soap_action) + body[:len(body) // 2])
    deadline = time.monotonic() + 10
    while not emulator.journal.list_entries(JournalFilter()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [entry.status for entry in emulator.journal.list_entries(JournalFilter())]


def send_whole(url: str, path: str, body: bytes, content_type: str, soap_action: str | None = None) -> bytes:
    """Send the request whole and read the reply up to the end of its SOAP envelope."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as client:
        client.sendall(post_head(path, host, content_type, len(body), soap_action) + body)
        reply = b""
        while b"</s:Envelope>" not in reply:
            chunk = client.recv(65536)
            if not chunk:
                break
            reply += chunk
    return reply


def status_of(reply: bytes) -> int:
    return int(reply.split(b"\r\n", 1)[0].split()[1])
