"""Reading request heads before a worker thread is spent on them.

cheroot hands a new connection to a worker thread as soon as it is accepted, and does the TLS handshake in
its one accepting thread: a connection that sends nothing (a browser's preconnect, a load balancer's warm
pool, a port scan) holds a thread for as long as it stays silent, one that sends its head a byte at a time
holds it indefinitely, and a silent one on HTTPS stops the accepting thread itself. Here every connection
waits in cheroot's selector, without a thread, until its request head has arrived whole: the TLS handshake
and the head are read without blocking as bytes come, and only a complete head goes to the pool. A head
must arrive within ``header_timeout`` of its first byte (else 408 and close), a connection with no request
is closed after ``idle_timeout``, and a body must arrive at ``body_min_rate`` bytes a second after a grace of
``header_timeout`` (else 408 and close).
"""

from __future__ import annotations

import io
import selectors
import socket
import ssl
import time
from dataclasses import dataclass

from cheroot import connections
from cheroot.makefile import StreamReader, StreamWriter

HEAD_END = b"\r\n\r\n"
MAX_HEAD_BYTES = 64 * 1024  # cheroot's own limit on a head's lines is larger; no SOAP client comes close


@dataclass(frozen=True)
class ConnectionLimits:
    header_timeout: float = 10.0  # seconds from a request's first byte (or the TLS handshake's) to its head's end
    idle_timeout: float = 75.0  # seconds a connection may stay open without a request (new or kept alive)
    body_min_rate: float = 1024.0  # bytes a second a body must keep up, after a grace of header_timeout


class RequestTimedOut(TimeoutError):
    """The front answered the request itself (408) and closed the connection: the body came too slowly.
    Raised from the body's reads, so that the application knows no answer of its own will reach the client."""

    status = 408


def _refusal(status: str) -> bytes:
    text = f"{status}: the request did not arrive in time\n".encode()
    return (f"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {len(text)}\r\n"
            f"Connection: close\r\n\r\n").encode() + text


class _PrefixedSocketIO(socket.SocketIO):
    """A socket's raw reader that first gives the bytes read ahead (the head), and then holds the body to a
    minimum rate: past its deadline a read answers 408 itself and fails."""

    def __init__(self, sock, limits: ConnectionLimits):
        super().__init__(sock, "rb")
        self.ahead = bytearray()
        self.limits = limits
        self._body_started = 0.0
        self._body_read = 0
        self.refused = False

    def start_request(self, head: bytes) -> None:
        self.ahead += head
        self._body_started = time.monotonic()
        self._body_read = 0

    def readinto(self, buffer) -> int:
        if self.refused:  # answered and shut: what cheroot still drains of the body is an end, not another error
            return 0
        if self.ahead:
            count = min(len(buffer), len(self.ahead))
            buffer[:count] = self.ahead[:count]
            del self.ahead[:count]
            return count
        limits = self.limits
        deadline = self._body_started + limits.header_timeout + self._body_read / limits.body_min_rate
        left = deadline - time.monotonic()
        sock = self._sock
        if left <= 0:
            self._refuse(sock)
        previous = sock.gettimeout()
        sock.settimeout(left if previous is None else min(previous, left))
        try:
            count = super().readinto(buffer)
        except TimeoutError:
            if time.monotonic() >= deadline:
                self._refuse(sock)
            raise
        finally:
            sock.settimeout(previous)
        self._body_read += count or 0
        return count

    def _refuse(self, sock) -> None:
        self.refused = True
        try:
            sock.sendall(_refusal("408 Request Timeout"))
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        raise RequestTimedOut("the request body arrived too slowly; answered 408 and closed the connection")


class _Reader(StreamReader):
    def __init__(self, raw: _PrefixedSocketIO, bufsize: int):
        super(StreamReader, self).__init__(raw, bufsize)  # (StreamReader's own makes a plain SocketIO)
        self.bytes_read = 0


def _makefile_for(limits: ConnectionLimits):
    def makefile(sock, mode="r", bufsize=io.DEFAULT_BUFFER_SIZE):
        if "r" in mode:
            return _Reader(_PrefixedSocketIO(sock, limits), bufsize)
        return StreamWriter(sock, mode, bufsize)
    return makefile


class _Waiting:
    """A connection in the selector: its TLS handshake and request head, as far as they have come."""

    __slots__ = ("sock", "address", "conn", "head", "handshaking", "since", "started", "events")

    def __init__(self, sock, address, conn=None, handshaking=False):
        self.sock = sock
        self.address = address
        self.conn = conn  # cheroot's HTTPConnection once the handshake is done (kept over keep-alive)
        self.head = bytearray()
        self.handshaking = handshaking
        self.since = time.monotonic()  # accepted, or its last response sent
        self.started: float | None = None  # the first byte of this request (or of the handshake)
        self.events = selectors.EVENT_READ

    def deadline(self, limits: ConnectionLimits) -> float:
        if self.started is None:
            return self.since + limits.idle_timeout
        return self.started + limits.header_timeout


class HeadFirstConnections(connections.ConnectionManager):
    """cheroot's connection manager, handing a connection to the pool only with a whole request head."""

    def __init__(self, server, limits: ConnectionLimits):
        super().__init__(server)
        self.limits = limits
        self.makefile = _makefile_for(limits)

    # -- from cheroot: a new connection, a connection back from a worker, the periodic expiry --

    def _from_server_socket(self, server_socket):
        try:
            sock, address = server_socket.accept()
        except OSError:  # the listener is closing, or a client gave up before accept: nothing to do
            return None
        connections.prevent_socket_inheritance(sock)
        sock.setblocking(False)
        if self.server.ssl_adapter is not None:
            sock = self.server.ssl_adapter.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
            waiting = _Waiting(sock, address, handshaking=True)
        else:
            waiting = _Waiting(sock, address, conn=self._connection(sock, address, {}))
        self._selector.register(sock.fileno(), selectors.EVENT_READ, data=waiting)
        return None  # nothing for the pool yet

    def put(self, conn):
        """A worker finished a request and keeps the connection: wait, again without a thread, for the next
        head (taking what the client already sent with the last one)."""
        waiting = _Waiting(conn.socket, (conn.remote_addr, conn.remote_port), conn=conn)
        while conn.rfile.has_data():
            waiting.head += conn.rfile.read1(MAX_HEAD_BYTES)
        if waiting.head:
            waiting.started = time.monotonic()
        try:
            conn.socket.setblocking(False)
        except OSError:
            conn.close()
            return
        if HEAD_END in waiting.head:
            self._hand_over(waiting)
            return
        self._selector.register(conn.socket.fileno(), selectors.EVENT_READ, data=waiting)

    def _run(self, expiration_interval):
        """cheroot's loop, with the waiting connections read here instead of handed to a worker."""
        last_expiration_check = time.monotonic()
        while not self._stop_requested:
            try:
                active = self._selector.select(timeout=expiration_interval)
            except OSError:
                self._remove_invalid_sockets()
                continue
            for fd, data in active:
                if data is self.server:
                    self._from_server_socket(self.server.socket)
                else:
                    self._advance(fd, data)
            now = time.monotonic()
            if now - last_expiration_check > expiration_interval:
                self._expire_waiting(now)
                last_expiration_check = now

    def _expire(self, threshold):  # cheroot's own expiry (by wall clock) is replaced by _expire_waiting
        pass

    # -- reading without blocking --

    def _advance(self, fd: int, waiting: _Waiting) -> None:
        try:
            if waiting.handshaking and not self._handshake(waiting):
                return
            while True:
                try:
                    chunk = waiting.sock.recv(65536)
                except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                    return
                if not chunk:  # the client closed the connection
                    self._drop(fd, waiting)
                    return
                if waiting.started is None:
                    waiting.started = time.monotonic()
                waiting.head += chunk
                if HEAD_END in waiting.head:
                    self._selector.unregister(fd)
                    self._hand_over(waiting)
                    return
                if len(waiting.head) > MAX_HEAD_BYTES:
                    self._refuse(fd, waiting, "431 Request Header Fields Too Large")
                    return
        except (OSError, ValueError):  # a reset, a TLS alert, a client speaking plain HTTP to HTTPS
            self._drop(fd, waiting)

    def _handshake(self, waiting: _Waiting) -> bool:
        """Go on with the TLS handshake; True once it is done (the connection is then an HTTPConnection)."""
        if waiting.started is None:
            waiting.started = time.monotonic()
        try:
            waiting.sock.do_handshake()
        except ssl.SSLWantReadError:
            self._watch(waiting, selectors.EVENT_READ)
            return False
        except ssl.SSLWantWriteError:
            self._watch(waiting, selectors.EVENT_WRITE)
            return False
        self._watch(waiting, selectors.EVENT_READ)
        waiting.handshaking = False
        waiting.started = None  # the handshake is not a request: the head's own clock starts at its first byte
        waiting.since = time.monotonic()
        waiting.conn = self._connection(waiting.sock, waiting.address,
                                        self.server.ssl_adapter.get_environ(waiting.sock))
        return True

    def _watch(self, waiting: _Waiting, events: int) -> None:
        if waiting.events != events:
            with self._selector._lock:  # cheroot's wrapper has no modify of its own
                self._selector._selector.modify(waiting.sock.fileno(), events, waiting)
            waiting.events = events

    def _connection(self, sock, address, ssl_env: dict):
        conn = self.server.ConnectionClass(self.server, sock, self.makefile)
        if isinstance(address, tuple) and len(address) >= 2:
            conn.remote_addr, conn.remote_port = address[0], address[1]
        conn.ssl_env = ssl_env
        return conn

    def _hand_over(self, waiting: _Waiting) -> None:
        conn = waiting.conn
        conn.socket.settimeout(self.server.timeout)
        conn.rfile.raw.start_request(bytes(waiting.head))
        conn.last_used = time.time()
        self.server.process_conn(conn)

    # -- ending connections --

    def _expire_waiting(self, now: float) -> None:
        for fd, waiting in list(self._selector.connections):
            if waiting is self.server or now < waiting.deadline(self.limits):
                continue
            if waiting.head and not waiting.handshaking:
                self._refuse(fd, waiting, "408 Request Timeout")
            else:  # nothing asked (or a handshake never finished): a silent close, as for any idle connection
                self._drop(fd, waiting)

    def _refuse(self, fd: int, waiting: _Waiting, status: str) -> None:
        try:
            waiting.sock.send(_refusal(status))  # small enough for an empty send buffer; a full one drops it
        except (OSError, ValueError):
            pass
        self._drop(fd, waiting)

    def _drop(self, fd: int, waiting: _Waiting) -> None:
        try:
            self._selector.unregister(fd)
        except (KeyError, ValueError):
            pass
        try:
            if waiting.conn is not None:
                waiting.conn.close()
            waiting.sock.close()
        except OSError:
            pass

    def close(self):
        for fd, waiting in list(self._selector.connections):
            if waiting is not self.server:
                self._drop(fd, waiting)
        self._selector.close()


def install(server, limits: ConnectionLimits) -> None:
    """Make a prepared cheroot server read heads with :class:`HeadFirstConnections`."""
    server._connections.close()
    server._connections = HeadFirstConnections(server, limits)
    server.keep_alive_conn_limit = None  # kept-alive connections wait in the selector, not in a thread
