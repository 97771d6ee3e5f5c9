"""Command line: ``altinn-so serve``, ``health``, ``wsdl``, ``certs`` and ``seed example``."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import urllib.parse
from pathlib import Path

from .journal import MAX_BODY_BYTES

DEFAULT_PORT = 8080


def _serve(args: argparse.Namespace) -> int:
    from . import logs
    from .app import EmulatorApp
    from .delivery import Deliverer, DeliverySettings
    from .emulator import Emulator, Settings
    from .scheduler import DueWorkScheduler
    from .seeding import SeedError
    from .server import TlsSettings, tls_problem
    from .services.correspondence import CorrespondenceSettings
    from .soap.allowlist import authorization_restriction
    from .soap.wsgi import WireSettings

    if bool(args.tls_cert) != bool(args.tls_key):
        print("altinn-so: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    if args.tls_client_ca and not args.tls_cert:
        print("altinn-so: --tls-client-ca needs --tls-cert and --tls-key", file=sys.stderr)
        return 2
    if args.tls_cert:
        problem = tls_problem(TlsSettings(args.tls_cert, args.tls_key, args.tls_client_ca))
        if problem is not None:
            print(f"altinn-so: {problem}", file=sys.stderr)
            return 2
    if args.scheduler_interval <= 0:
        print("altinn-so: --scheduler-interval must be more than 0 seconds", file=sys.stderr)
        return 2
    if args.workers < 1 or args.threads < 1 or args.journal_limit < 1 or args.journal_max_bytes < 1:
        print("altinn-so: --workers, --threads, --journal-limit and --journal-max-bytes must be at least 1",
              file=sys.stderr)
        return 2
    if min(args.header_timeout, args.idle_timeout, args.body_min_rate) <= 0:
        print("altinn-so: --header-timeout, --idle-timeout and --body-min-rate must be more than 0", file=sys.stderr)
        return 2
    if args.sftp_port is None and (args.sftp_host or args.sftp_host_key):
        print("altinn-so: --sftp-host and --sftp-host-key need --sftp-port", file=sys.stderr)
        return 2
    # Only now, with the options known to be usable: a refusal leaves the process's logging as it was.
    logs.configure(args.log_format, args.log_level)
    database, temporary = args.db, None
    if args.workers > 1 and database in (":memory:", "sqlite:///:memory:", "sqlite:///"):
        # Workers are processes: they can only share a database that lives in a file. It gets a directory of
        # its own, removed whole at the end: SQLite, the writers' lock and the journal add files beside it.
        temporary = tempfile.mkdtemp(prefix="altinn-so-")
        database = os.path.join(temporary, "altinn.sqlite3")
    try:
        emulator = Emulator(Settings(database=database, seed_files=tuple(args.seed),
                                     include_default_seed=not args.no_default_seed,
                                     service_settings={
                                         "correspondence": CorrespondenceSettings(status_limit=args.status_limit)},
                                     journal_limit=args.journal_limit,
                                     journal_max_body_bytes=args.journal_max_bytes,
                                     journal_keep_secrets=args.journal_keep_secrets,
                                     files_dir=args.files_dir))
    except SeedError as exc:
        print(f"altinn-so: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - only the problems a user can fix become one line; others re-raise
        problem = _database_problem(exc, database)
        if problem is None:
            raise
        print(f"altinn-so: {problem}", file=sys.stderr)
        return 2
    tls = TlsSettings(args.tls_cert, args.tls_key, args.tls_client_ca) if args.tls_cert else None
    wire = WireSettings(max_body_bytes=args.max_body_bytes, require_client_certificates=bool(args.tls_client_ca),
                        address_restrictions=(authorization_restriction(args.authorization_allow),))
    deliverer = Deliverer(emulator.outbox, emulator.clock, DeliverySettings(
        smtp_host=args.smtp_host, smtp_port=args.smtp_port, smtp_starttls=args.smtp_starttls,
        smtp_username=args.smtp_user, smtp_password=args.smtp_password, sms_webhook=args.sms_webhook,
        interval_seconds=args.delivery_interval), sync=emulator.sync)
    scheduler = DueWorkScheduler(emulator, interval_seconds=args.scheduler_interval)
    app = EmulatorApp(emulator, wire=wire, deliver=deliverer.deliver_due if deliverer.settings.channels else None,
                      admin_token=args.admin_token or None)
    described = f"{database} (temporary, shared by the workers)" if temporary else _without_password(database)

    def ready(host: str, port: int) -> None:
        _print_endpoints("https" if tls else "http", host, port, described, args.workers, deliverer)
        if not args.admin_token and not _is_loopback(args.host):
            print(f"altinn-so: warning: the admin API listens on {args.host} without --admin-token: whoever reaches "
                  f"port {port} can reset the state, move the clock, add faults and read the journal; set "
                  f"ALTINN_SO_ADMIN_TOKEN", file=sys.stderr)
            sys.stderr.flush()

    sftp = _SftpListener(args, emulator)

    def start_background() -> None:  # in each process that serves (after the fork, with workers)
        deliverer.start()
        scheduler.start()
        sftp.start()

    def finish() -> None:
        sftp.stop()
        scheduler.stop()
        deliverer.stop()
        emulator.close()
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)

    if sftp.wanted:  # before anything listens (with workers, the one that will listen finds out too late)
        try:
            _try_listening(sftp.host, args.sftp_port)
        except OSError as exc:
            finish()
            print(f"altinn-so: {_listen_problem(exc, sftp.host, args.sftp_port)} (--sftp-port)", file=sys.stderr)
            return 2

    from .front import ConnectionLimits

    limits = ConnectionLimits(header_timeout=args.header_timeout, idle_timeout=args.idle_timeout,
                              body_min_rate=args.body_min_rate)
    if args.workers > 1:
        from .workers import serve_with_workers

        try:  # gunicorn would retry a taken address for five seconds, logging each try, then exit 1
            _try_listening(args.host, args.port)
        except OSError as exc:
            finish()
            print(f"altinn-so: {_listen_problem(exc, args.host, args.port)}", file=sys.stderr)
            return 2
        if sftp.wanted:
            sftp.one_of_workers(temporary or tempfile.gettempdir())

        serve_with_workers(app, args.host, args.port, workers=args.workers, threads=args.threads, tls=tls,
                           limits=limits, ready=ready, after_fork=start_background, before_exit=finish)
        return 0

    from .server import make_server, serve_forever

    server = make_server(app, args.host, args.port, threads=args.threads, tls=tls, limits=limits)
    try:
        server.prepare()
    except OSError as exc:
        finish()
        print(f"altinn-so: {_listen_problem(exc, args.host, args.port)}", file=sys.stderr)
        return 2
    ready(*server.bind_addr[:2])
    try:
        start_background()
    except OSError as exc:  # the SFTP port, taken since it was tried
        server.stop()
        finish()
        print(f"altinn-so: {_listen_problem(exc, sftp.host, args.sftp_port)} (--sftp-port)", file=sys.stderr)
        return 2
    try:
        serve_forever(server)
    finally:
        finish()
    return 0


class _SftpListener:
    """``serve --sftp-port``: one SFTP server for the whole emulator. With worker processes the first worker
    to take a lock file listens (a worker that replaces it after a crash takes the lock over); the batches it
    records are in the shared store, and every worker's scheduler reads them."""

    def __init__(self, args: argparse.Namespace, emulator):
        self.wanted = args.sftp_port is not None
        self.host = args.sftp_host or args.host
        self._port = args.sftp_port
        self._key = args.sftp_host_key
        self._emulator = emulator
        self._lock_path: str | None = None
        self._master = os.getpid()  # the process that made the lock file removes it
        self._lock = None
        self._server = None

    def one_of_workers(self, directory: str) -> None:
        """With workers: only the process that takes the lock in ``directory`` listens."""
        self._lock_path = os.path.join(directory, f"altinn-so-sftp-{os.getpid()}.lock")

    def start(self) -> None:
        if not self.wanted or (self._lock_path is not None and not self._take_lock()):
            return
        from .sftp import host_key_file, start_sftp

        key = self._key or host_key_file(self._emulator.settings)
        self._server = start_sftp(self._emulator, self.host, self._port, key)
        shown = f"[{self.host}]" if ":" in self.host else self.host
        print(f"sftp: sftp://{shown}:{self._server.port} (host key {self._server.host_key_public}"
              f"{f', kept in {key}' if key else ', in memory'})")
        sys.stdout.flush()

    def _take_lock(self) -> bool:
        import fcntl

        handle = open(self._lock_path, "a")  # noqa: SIM115 - held open as long as this process listens
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._lock = handle
        return True

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._lock is not None:
            self._lock.close()
            self._lock = None
        if self._lock_path is not None and os.getpid() == self._master:
            try:
                os.unlink(self._lock_path)
            except FileNotFoundError:
                pass


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__


def _database_problem(exc: Exception, database: str) -> str | None:
    """One line naming what is wrong with ``--db`` and what to do, or None for a problem that is not the user's
    (a bug: its traceback is what a report needs)."""
    import sqlite3

    shown = _without_password(database)
    if database.startswith(("postgresql://", "postgres://")):
        try:
            import psycopg
        except ImportError:
            return None
        if not isinstance(exc, psycopg.Error):
            return None
        reason = _first_line(exc)
        if "does not exist" in reason and "database" in reason:
            name = urllib.parse.urlsplit(database).path.lstrip("/")
            return (f"cannot open the database {shown}: {reason.split('FATAL:')[-1].strip()}; create it "
                    f"(createdb {name}, or CREATE DATABASE) or give --db a database that exists")
        return (f"cannot use the PostgreSQL database {shown}: {reason}; check that the server runs and that "
                f"the URL's user, password, host, port and database are right")
    if isinstance(exc, sqlite3.Error):
        from .store.database import damaged_file
        from .store.failures import DAMAGED, FULL, classify

        reason = _first_line(exc)
        failure = classify(exc)
        if failure is not None and failure.kind == DAMAGED:
            # the journal beside it (altinn.journal.db) may be the damaged one: name the file to restore
            path = database[len("sqlite:///"):] if database.startswith("sqlite:///") else database
            damaged = damaged_file(path) or path
            what = "is not an SQLite database" if "not a database" in reason else "is damaged"
            return (f"{damaged} {what} ({reason}); restore it, or start with a new path (--db): the emulator "
                    f"creates a new database there")
        if failure is not None and failure.kind == FULL:
            return f"cannot write the SQLite database {shown} ({reason}); free some space, or give --db another disk"
        if "unable to open" in reason or "readonly" in reason or "read-only" in reason:
            return (f"cannot write the SQLite database {shown} ({reason}); give --db a file in a directory "
                    f"that exists and that this user may write")
        return f"cannot use the SQLite database {shown} ({reason}); give --db another file"
    if isinstance(exc, OSError):  # the writers' lock file, the journal beside the database
        return (f"cannot write beside the database {shown} ({exc.strerror or _first_line(exc)}: "
                f"{exc.filename or ''}); give --db a file in a directory that this user may write")
    return None


def _is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or a name) is reachable only from this machine."""
    import ipaddress

    if host.lower() in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # another host name: it may well resolve to an address others reach
        return False


def _try_listening(host: str, port: int) -> None:
    """Bind the address as the server will (SO_REUSEADDR), and let it go: OSError if it cannot be had."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def _listen_problem(exc: OSError, host: str, port: int) -> str:
    import errno

    text = str(exc)
    if exc.errno == errno.EADDRINUSE or "in use" in text:
        return (f"cannot listen on {host}:{port}: the address is already in use; stop what listens there or "
                f"choose another --port (0 picks a free one)")
    if exc.errno == errno.EACCES or "ermission denied" in text:
        return (f"cannot listen on {host}:{port}: permission denied; ports below 1024 need privileges, "
                f"choose --port 1024 or above")
    reason = text.split("-- ", 1)[-1] if "-- " in text else text
    return f"cannot listen on {host}:{port} ({reason}); check --host and --port"


def _health(args: argparse.Namespace) -> int:
    """Ask the server this configuration serves (the container's health check): exit 0 if it answers."""
    import json
    import ssl
    import urllib.request

    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(args.host, args.host)
    shown = f"[{host}]" if ":" in host else host
    url = f"{'https' if args.tls_cert else 'http'}://{shown}:{args.port}/_admin/health"
    context = None
    if args.tls_cert:  # a probe of our own server on this machine: its certificate is a test CA's, perhaps for
        context = ssl.create_default_context()  # other names, so it is not checked
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, timeout=args.timeout, context=context) as response:  # noqa: S310
            answer = json.loads(response.read())
        status = answer.get("status") if isinstance(answer, dict) else None  # not our server's answer
    except (OSError, ValueError) as exc:
        print(f"altinn-so: {url}: {exc}", file=sys.stderr)
        return 1
    if status != "ok":
        print(f"altinn-so: {url}: status {status!r}", file=sys.stderr)
        return 1
    print(f"{url}: ok")
    return 0


def _without_password(url: str) -> str:
    """A database URL fit to print: ``postgresql://user:secret@host/db`` shows as ``user:***@``."""
    parts = urllib.parse.urlsplit(url)
    if not parts.password:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1)))


def _print_endpoints(scheme: str, host: str, port: int, database: str, workers: int, deliverer) -> None:
    from .services import default_routes

    shown = f"[{host}]" if ":" in host else host
    base = f"{scheme}://{shown}:{port}"
    processes = f", {workers} worker processes" if workers > 1 else ""
    print(f"altinn-so serving on {base} (database: {database}{processes})")
    for route in sorted(default_routes(), key=lambda r: r.endpoint.path):
        print(f"  {base}{route.endpoint.path}")
    print(f"admin: {base}/_admin/ (web page), {base}/_admin/health")
    if deliverer.settings.channels:
        print(f"delivering notifications: {', '.join(sorted(c.value for c in deliverer.settings.channels))}")
    sys.stdout.flush()


def _wsdl(args: argparse.Namespace) -> int:
    from .services import default_routes

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = args.base_url.rstrip("/")
    for route in default_routes():
        target = out / f"{route.endpoint.name}.wsdl"
        target.write_bytes(route.wsdl(base + route.endpoint.path))
        print(target)
    return 0


def _certs(args: argparse.Namespace) -> int:
    from .certs import CertificateError, generate_certificates
    from .seeding import SeedError, compose_seed
    from .services import SERVICES

    try:
        seed = compose_seed(args.seed, include_default=not args.no_default_seed, services=SERVICES)
        made = generate_certificates(args.out, seed.owners.values(), hosts=args.host)
    except (SeedError, CertificateError) as exc:
        print(f"altinn-so: {exc}", file=sys.stderr)
        return 2
    print(f"{'created' if made.ca_created else 'reused'} test CA: {made.ca_certificate}")
    print(f"server certificate: {made.server_certificate} (key {made.server_key})")
    for code, owner in sorted(made.owners.items()):
        print(f"enterprise certificate of {code} ({owner.orgno}): {owner.certificate} (cert+key: {owner.bundle}); "
              f"encryption certificate: {owner.encryption_certificate} (key {owner.encryption_key})")
    print(f"SFTP host key: {made.sftp_host_key} (public: {made.sftp_host_key}.pub)")
    print("\nserve with:\n  altinn-so serve "
          f"--tls-cert {made.server_certificate} --tls-key {made.server_key} --tls-client-ca {made.ca_certificate}"
          f" [--sftp-port 2222 --sftp-host-key {made.sftp_host_key}]")
    return 0


def _seed_example(args: argparse.Namespace) -> int:
    from .seed_example import example_seed

    sys.stdout.write(example_seed())
    return 0


def _version() -> str:
    """The installed distribution's version (what pip installed), else the package's own."""
    from importlib import metadata

    try:
        return metadata.version("altinn-so")
    except metadata.PackageNotFoundError:
        from . import __version__

        return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="altinn-so", description="Altinn II service-owner SOAP emulator")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the emulator")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 = any free)")
    serve.add_argument("--seed", action="append", default=[], metavar="FILE",
                       help="seed file on top of the embedded default (repeatable)")
    serve.add_argument("--no-default-seed", action="store_true", help="do not load the embedded default seed")
    serve.add_argument("--db", default=":memory:", metavar="PATH|URL",
                       help="SQLite database file, or a postgresql:// URL; state survives restarts "
                            "(default: SQLite in memory)")
    serve.add_argument("--files-dir", metavar="DIR",
                       help="directory of uploaded files, named by content hash (default: beside the SQLite "
                            "file as <file>.files; a temporary directory with SQLite in memory; for PostgreSQL a "
                            "directory in the system's temporary directory: several hosts must share one, give it)")
    serve.add_argument("--tls-cert", metavar="PEM", help="serve HTTPS with this server certificate")
    serve.add_argument("--tls-key", metavar="PEM", help="private key of --tls-cert")
    serve.add_argument("--tls-client-ca", metavar="PEM",
                       help="ask for client certificates issued by this CA; EC/EC2 then require one")
    serve.add_argument("--max-body-bytes", type=int, default=10 * 1024 * 1024, metavar="N",
                       help="largest request body accepted (default 10 MiB)")
    serve.add_argument("--header-timeout", type=float, default=10.0, metavar="SECONDS",
                       help="a request head must arrive whole this long after its first byte, else 408 and the "
                            "connection is closed (default 10 s)")
    serve.add_argument("--idle-timeout", type=float, default=75.0, metavar="SECONDS",
                       help="a connection that sends no request (new, or kept alive after one) is closed after this "
                            "long (default 75 s)")
    serve.add_argument("--body-min-rate", type=float, default=1024.0, metavar="BYTES/S",
                       help="a request body must arrive at least this fast, after a grace of --header-timeout, "
                            "else 408 and the connection is closed (default 1024)")
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help="worker processes sharing one store (default 1; more need a database file or "
                            "PostgreSQL: with SQLite in memory a temporary file is used)")
    serve.add_argument("--threads", type=int, default=16, help="threads per worker process (default 16)")
    serve.add_argument("--journal-limit", type=int, default=10_000, metavar="N",
                       help="calls the request journal keeps, newest first (default 10000)")
    serve.add_argument("--journal-max-bytes", type=int, default=MAX_BODY_BYTES, metavar="N",
                       help="request and response bytes the journal keeps at most; older calls go first, the "
                            "newest always stays (default 256 MiB)")
    serve.add_argument("--journal-keep-secrets", action="store_true",
                       help="keep passwords in journaled bodies as sent (default: their text is masked as ********, "
                            "so that a journal can be shared)")
    serve.add_argument("--admin-token", metavar="TOKEN",
                       help="require this token for every /_admin/ call but health and ready (Authorization: Bearer, "
                            "or the page's login); prefer ALTINN_SO_ADMIN_TOKEN, which ps does not show")
    serve.add_argument("--status-limit", type=int, default=1000, metavar="N",
                       help="correspondence status results per query before LimitReached (default 1000)")
    serve.add_argument("--log-format", choices=("json", "text"), default="json",
                       help="one JSON line per call (default), or plain text")
    serve.add_argument("--log-level", choices=("debug", "info", "warning", "error"), default="info")
    sftp = serve.add_argument_group("SFTP (the batch interface; off unless --sftp-port is given)")
    sftp.add_argument("--sftp-port", type=int, metavar="N",
                      help="serve each service owner's /inbound and /outbound folders over SFTP on this port "
                           "(0 = any free)")
    sftp.add_argument("--sftp-host", metavar="ADDRESS", help="address the SFTP server listens on (default: --host)")
    sftp.add_argument("--sftp-host-key", metavar="FILE",
                      help="the SFTP host key (OpenSSH private key; made there if missing; `altinn-so certs` writes "
                           "one). Default: beside a SQLite file as <file>.sftp-host-key, or in --files-dir; in "
                           "memory with SQLite in memory")
    serve.add_argument("--authorization-allow", action=_NetworksAction, type=_networks, default=[],
                       metavar="CIDR[,CIDR...]",
                       help="addresses that may call the /AuthorizationExternal/ endpoints (administration, decision "
                            "point), as Altinn allowed only registered addresses; repeatable, or comma-separated. "
                            "Default: loopback only (127.0.0.0/8, ::1). Others get HTTP 403 with AltinnFault 5")
    serve.add_argument("--scheduler-interval", type=float, default=1.0, metavar="SECONDS",
                       help="how often work the clock made due (subscriptions to activate) is done (default 1 s)")
    mail = serve.add_argument_group("delivery (off unless configured: nothing leaves the machine)")
    mail.add_argument("--smtp-host", help="send e-mail notifications through this SMTP server")
    mail.add_argument("--smtp-port", type=int, default=25)
    mail.add_argument("--smtp-starttls", action="store_true", help="upgrade the SMTP connection with STARTTLS")
    mail.add_argument("--smtp-user", help="SMTP login")
    mail.add_argument("--smtp-password", help="SMTP password")
    mail.add_argument("--sms-webhook", metavar="URL", help="POST each SMS notification as JSON to this URL")
    mail.add_argument("--delivery-interval", type=float, default=1.0, metavar="SECONDS",
                      help="how often due notifications are sent (default 1 s)")
    serve.set_defaults(run=_serve)

    health = commands.add_parser("health", help="check that the server this configuration runs answers "
                                                "(exit 0) - the container's health check")
    health.add_argument("--host", default="127.0.0.1", help="its listening address (0.0.0.0 is asked on 127.0.0.1)")
    health.add_argument("--port", type=int, default=DEFAULT_PORT)
    health.add_argument("--tls-cert", metavar="PEM", help="set when the server serves HTTPS (it is not verified)")
    health.add_argument("--timeout", type=float, default=2.0, metavar="SECONDS")
    health.set_defaults(run=_health)

    wsdl = commands.add_parser("wsdl", help="write every WSDL the emulator serves")
    wsdl.add_argument("--out", required=True, metavar="DIR")
    wsdl.add_argument("--base-url", default=f"http://localhost:{DEFAULT_PORT}",
                      help="address written into the WSDLs (default http://localhost:8080)")
    wsdl.set_defaults(run=_wsdl)

    certs = commands.add_parser("certs", help="create a test CA, a server certificate and enterprise certificates")
    certs.add_argument("--out", default="certs", metavar="DIR", help="where to write the PEM files (default certs/)")
    certs.add_argument("--host", action="append", default=[], metavar="NAME",
                       help="extra host name for the server certificate (repeatable)")
    certs.add_argument("--seed", action="append", default=[], metavar="FILE",
                       help="seed file whose service owners get certificates (repeatable)")
    certs.add_argument("--no-default-seed", action="store_true")
    certs.set_defaults(run=_certs)

    seed = commands.add_parser("seed", help="help with seed files")
    seed_commands = seed.add_subparsers(dest="seed_command", required=True)
    example = seed_commands.add_parser("example", help="print a commented example seed file with freshly drawn "
                                                       "valid organisation and national identity numbers")
    example.set_defaults(run=_seed_example)
    return parser


def _networks(text: str) -> list[str]:
    """``10.0.0.0/8,192.0.2.7`` as a list of blocks (checked here, so that a typo stops the server at once). A comma
    separates them, not the path separator, as IPv6 blocks hold colons (ALTINN_SO_AUTHORIZATION_ALLOW too)."""
    from .soap.allowlist import networks

    blocks = [part.strip() for part in text.split(",") if part.strip()]
    try:
        networks(blocks)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return blocks


class _NetworksAction(argparse.Action):
    """Each use adds its blocks; the first use on the command line replaces what the environment gave."""

    def __call__(self, parser, namespace, values, option_string=None):
        current = getattr(namespace, self.dest)
        setattr(namespace, self.dest, (list(current) if current is not self.default else []) + list(values))


ENV_PREFIX = "ALTINN_SO_"


def _defaults_from_environment(parser: argparse.ArgumentParser, environ=os.environ) -> None:
    """Every option of ``serve`` can come from ALTINN_SO_<OPTION> (the container image is configured so).

    Command-line options win. Repeatable options (--seed) take a list separated by ``os.pathsep``. Only
    ``serve`` reads them, and ``health``, which checks the server they configure: ``certs --host`` names the
    certificate's hosts, not an address to listen on.
    """
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in ("serve", "health"):
                _defaults_from_environment(action.choices[command], environ)
            continue
        if not action.option_strings or action.dest == "help":
            continue
        name = ENV_PREFIX + action.option_strings[-1].lstrip("-").replace("-", "_").upper()
        raw = environ.get(name)
        if raw is None or raw == "":
            continue
        if isinstance(action, argparse._StoreTrueAction):
            value = raw.strip().lower() in ("1", "true", "yes", "on")
        elif isinstance(action, argparse._AppendAction):
            value = [part for part in raw.split(os.pathsep) if part]
        else:
            try:
                value = action.type(raw) if action.type else raw
            except (TypeError, ValueError, argparse.ArgumentTypeError):
                parser.error(f"{name}={raw!r} is not a valid value for {action.option_strings[-1]}")
            if action.choices is not None and value not in action.choices:
                parser.error(f"{name}={raw!r}: choose from {', '.join(map(str, action.choices))}")
        action.default = value
        action.required = False


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    _defaults_from_environment(parser)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
