"""One emulated Altinn: its store, clock, seed data, the domain core, and the services it offers.

Like a moto backend, an ``Emulator`` holds all state; the SOAP layer and the
admin API only call into it. Tests create one per test for fresh state, or
call ``reset()``. The services come from ``altinn_so.services.SERVICES`` (or a
tuple given): each adds its tables and its domain objects (see ``AltinnService``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from functools import partial
from datetime import datetime
from typing import Any, Callable, Mapping

from .domain.case_links import CaseLinks
from .domain.auth import LockoutPolicy, SystemAuthenticator
from .domain.clock import Clock
from .domain.notifications.engine import NotificationEngine, NotificationSettings
from .domain.receipts import ReceiptService
from .domain.worklist import FormXml, WorklistService
from .formxml import field_values, form_xml_problem, set_field_texts
from .injection import FaultInjector
from .journal import MAX_BODY_BYTES, Exchange, MemoryJournal
from .seeding import CORE_SECTIONS, Seed, apply_seed, compose_seed, parse_seed, read_seed_text
from .store.database import journal_database, open_database
from .store.files import DiskFileStore
from .service import AltinnService, SeedSection
from .store.repositories import SqlArchive, SqlCatalog, SqlFaultRules, SqlJournal, SqlLockouts, SqlOutbox, \
    SqlReceipts, SqlRegistry, SqlReporteeElements, SqlSnapshots
from .store.schema import RUNTIME_TABLES, SEED_TABLES

_CLOCK_KEY = "clock"  # meta row holding the shared clock's state


@dataclass(frozen=True)
class Settings:
    database: str = ":memory:"  # a file path (state survives a restart) or a postgresql:// URL
    seed_files: tuple[str, ...] = ()
    include_default_seed: bool = True
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
    notifications: NotificationSettings = field(default_factory=NotificationSettings)
    # A service's settings by its key (``{"correspondence": CorrespondenceSettings(status_limit=2)}``); a service
    # not named here takes its defaults.
    service_settings: Mapping[str, Any] = field(default_factory=dict)
    journal_limit: int = 10_000  # newest calls kept in the request journal
    journal_max_body_bytes: int = MAX_BODY_BYTES  # and of those, request and response bytes kept at most
    # False: passwords in journaled bodies are masked (``secrets``), so a journal can be shared; True: raw bytes.
    journal_keep_secrets: bool = False
    # Where uploaded files live (``store.files``); None: see ``files_directory``.
    files_dir: str | None = None


def files_directory(settings: Settings) -> tuple[str | None, bool]:
    """Where the emulator keeps files, and whether that directory is its own (removed at close).

    Beside a SQLite file, ``<file>.files``; for PostgreSQL, a directory in the system's temporary directory
    named after the URL, which every worker on this host shares (several hosts must each be given
    ``--files-dir`` on a filesystem they share); for ``:memory:``, None: a temporary directory, made when
    the first file is stored."""
    if settings.files_dir:
        return settings.files_dir, False
    database = settings.database
    if database.startswith(("postgresql://", "postgres://")):
        name = hashlib.sha256(database.encode()).hexdigest()[:16]
        return os.path.join(tempfile.gettempdir(), f"altinn-so-files-{name}"), False
    if database.startswith("sqlite:///"):
        database = database[len("sqlite:///"):] or ":memory:"
    if database == ":memory:":
        return None, True
    return f"{database}.files", False


def _seed_sections(services: tuple[AltinnService, ...]) -> dict[str, SeedSection]:
    """The seed sections of ``services`` by name: no two alike, none named like a core section."""
    sections: dict[str, SeedSection] = {}
    for service in services:
        for section in service.seed_sections:
            if section.name in sections or section.name in CORE_SECTIONS:
                raise ValueError(f"service {service.key!r} reads a seed section {section.name!r} that another "
                                 "service or the core reads too")
            sections[section.name] = section
    return sections


class Emulator:
    """All emulated state. Several emulators (worker processes, or hosts sharing PostgreSQL) may share one
    database; each request starts with ``sync()`` so that each sees the others' changes, the clock included.

    A clock passed in is shared with the others from now on; without one, the emulator adopts the clock already
    in the database (frozen, set or advanced by a test), or starts one on the wall clock.
    """

    def __init__(self, settings: Settings = Settings(), *, clock: Clock | None = None, seed: Seed | None = None,
                 services: tuple[AltinnService, ...] | None = None):
        if services is None:
            from .services import SERVICES as services
        self.settings = settings
        self.services = tuple(services)
        unknown = set(settings.service_settings) - {service.key for service in self.services}
        if unknown:
            raise ValueError(f"settings for services the emulator does not offer: {sorted(unknown)}")
        self._seed_sections = _seed_sections(self.services)
        self.clock = clock or Clock()
        self.seed = seed if seed is not None else compose_seed(list(settings.seed_files),
                                                               include_default=settings.include_default_seed,
                                                               services=self.services)
        unread = set(self.seed.sections) - set(self._seed_sections)
        if unread:  # a seed composed for other services: its sections would be lost without a word
            raise ValueError(f"the seed has sections no service of this emulator reads: {sorted(unread)}")
        groups = tuple(service.tables for service in self.services if service.tables is not None)
        self.db = open_database(settings.database, groups)
        self.runtime_tables = RUNTIME_TABLES + tuple(table for group in groups for table in group.runtime_tables)
        self.seed_tables = SEED_TABLES + tuple(table for group in groups for table in group.seed_tables)
        self.registry = SqlRegistry(self.db)
        self.catalog = SqlCatalog(self.db)
        self.lockouts = SqlLockouts(self.db)
        self.outbox = SqlOutbox(self.db)
        self.receipt_store = SqlReceipts(self.db)
        self.reportee_elements = SqlReporteeElements(self.db)
        self.case_links = CaseLinks()  # the case service connects its check (docs/behaviour/cases.md)
        if self.db.shared:  # every process sharing the store sees every call
            self.journal_db = journal_database(self.db)
            self.journal = SqlJournal(self.journal_db, keep=settings.journal_limit,
                                      max_body_bytes=settings.journal_max_body_bytes,
                                      keep_secrets=settings.journal_keep_secrets)
        else:  # the store is this process's alone, and so is its journal: no SQL on every call's path
            self.journal_db = None
            self.journal = MemoryJournal(keep=settings.journal_limit, max_body_bytes=settings.journal_max_body_bytes,
                                         keep_secrets=settings.journal_keep_secrets)
        self.faults = FaultInjector(SqlFaultRules(self.db), self.db.transaction)
        self.snapshots = SqlSnapshots(self.db)
        self.authenticator = SystemAuthenticator(self.catalog, self.lockouts, self.clock, settings.lockout)
        self.notifications = NotificationEngine(self.registry, self.catalog, self.clock, settings.notifications)
        self.receipts = ReceiptService(self.receipt_store, self.clock, self.db.transaction)
        self.archive = SqlArchive(self.db)
        self.worklist = WorklistService(self.reportee_elements, self.archive, self.receipts, self.registry,
                                        self.catalog, self.clock, self.db.transaction,
                                        FormXml(form_xml_problem, field_values, set_field_texts),
                                        self._archive_listeners)
        self._files: DiskFileStore | None = None
        for service in self.services:
            self._build(service)

        # Seed entities are (re)written on every start; state created by calls is kept.
        with self.db.transaction():
            self._apply_seed(self.seed)
            shared = self.db.get_meta(_CLOCK_KEY)
            if clock is None and shared is not None:
                self.clock.load(json.loads(shared))
            else:
                self._share_clock(self.clock.state())
        self.clock.on_change = self._share_clock
        self.db.refresh()

    def _build(self, service: AltinnService) -> None:
        """Keep each of the service's domain objects as an attribute of its name (``self.correspondence``)."""
        if service.build is None:
            return
        settings = self.settings.service_settings.get(service.key, service.default_settings)
        for name, component in service.build(self, settings).items():
            if hasattr(self, name):
                raise ValueError(f"service {service.key!r} names a component {name!r}, which the emulator has")
            setattr(self, name, component)

    @property
    def files(self) -> DiskFileStore:
        """The file store (``domain.files.FileStore``), opened on first use."""
        if self._files is None:
            directory, temporary = files_directory(self.settings)
            if directory is None:
                directory = tempfile.mkdtemp(prefix="altinn-so-files-")
            self._files = DiskFileStore(directory, pinned=self._snapshot_files, temporary=temporary)
        return self._files

    def _snapshot_files(self) -> set[str]:
        """The hashes the snapshots refer to: they stay on disk while a snapshot may be restored."""
        pinned: set[str] = set()
        for listed in self.snapshots.list_snapshots():
            data = self.snapshots.get_snapshot(listed["id"]) or {}
            pinned.update(data.get("files", ()))
        return pinned

    def _has_files(self) -> bool:
        """Whether any file may be stored, without making a directory to find out."""
        if self._files is not None:
            return True
        directory, _ = files_directory(self.settings)
        return directory is not None and os.path.isdir(directory)

    def _archive_listeners(self) -> list[Callable]:
        return [partial(service.on_archived, self) for service in self.services if service.on_archived]

    @property
    def has_due_work(self) -> bool:
        """Whether any service has work the clock makes due (else the server needs no scheduler)."""
        return any(service.due_work is not None for service in self.services)

    def run_due_work(self) -> int:
        """Do what the clock has made due (each service's ``due_work``): how many things were done.

        Each service takes its own transactions, one per thing done: what is due may be much (a clock moved
        years on), and one transaction around it all would hold the store's write lock from every other call."""
        done = 0
        for service in self.services:
            if service.due_work is not None:
                done += service.due_work(self)
        return done

    def _apply_seed(self, seed: Seed) -> None:
        """Write the seed's entities, the core's and each service section's (inside a transaction)."""
        apply_seed(seed, self.catalog, self.registry)
        for name, entities in seed.sections.items():
            section = self._seed_sections[name]
            for entity in entities.values():
                section.put(self, entity)

    def sync(self) -> None:
        """See what other workers changed: call at the start of each request (one small query)."""
        if self.db.refresh():
            shared = self.db.get_meta(_CLOCK_KEY)
            if shared is not None:
                self.clock.load(json.loads(shared))

    def change_clock(self, change: Callable[[Clock], None]) -> None:
        """Apply ``change`` to the shared clock as stored, under the write lock: two workers moving the
        clock at once both count (each changing its own copy, one would overwrite the other)."""
        with self.db.transaction():
            shared = self.db.get_meta(_CLOCK_KEY)
            if shared is not None:
                self.clock.load(json.loads(shared))
            change(self.clock)
        self.run_due_work()

    def _share_clock(self, state: dict) -> None:
        with self.db.transaction():
            self.db.set_meta(_CLOCK_KEY, json.dumps(state))
            self.db.changed()

    def request_scope(self):
        """Around one SOAP call's work: what it writes commits as one transaction (see ``Database``)."""
        return self.db.request_scope()

    def settle(self) -> None:
        """Commit what the current call wrote so far (before it waits, so that no other writer waits too)."""
        self.db.settle()

    def record(self, exchange: Exchange) -> None:
        """Journal one SOAP call."""
        self.journal.record(exchange)

    def reset(self) -> None:
        """Back to the start-up seed: everything created by calls (or loaded since) is gone.

        The journal, fault rules and snapshots belong to the test harness and stay; clear them on their own.
        """
        with self.db.transaction():
            self.db.clear(self.runtime_tables + self.seed_tables)
            self._apply_seed(self.seed)
            self.db.changed()
        if self._has_files():  # no state refers to a file now: only the snapshots' stay
            self.files.sweep()

    def load_seed(self, text: str, source: str = "request") -> Seed:
        """Add seed data at runtime (YAML or JSON, the seed file format). References may name anything
        already in the store; the data lasts until the next reset."""
        loaded = parse_seed(read_seed_text(text, source), source, self.services)
        loaded.check_references(source, known_owners={o.code for o in self.catalog.list_owners()},
                                known_organisations={o.orgno for o in self.registry.list_organisations()},
                                services=self.services)
        with self.db.transaction():
            self._apply_seed(loaded)
        return loaded

    def snapshot(self, label: str | None = None) -> int:
        """Save all emulated state (not the journal or fault rules) and the clock; returns the snapshot id."""
        data = {"store": self.db.dump(self.runtime_tables + self.seed_tables),
                # Files are immutable and named by their content: the snapshot pins the hashes on disk now.
                "files": sorted(self.files.hashes()) if self._has_files() else [],
                "clock": {"now": self.clock.now().isoformat(), "frozen": self.clock.frozen}}
        return self.snapshots.add_snapshot(label, self.clock.now(), data)

    def restore(self, snapshot_id: int) -> bool:
        data = self.snapshots.get_snapshot(snapshot_id)
        if data is None:
            return False
        with self.db.transaction():  # the state and its clock, seen by other workers together
            self.db.load(data["store"])
            self.db.changed()
            self.clock.freeze() if data["clock"]["frozen"] else self.clock.resume()
            self.clock.set(datetime.fromisoformat(data["clock"]["now"]))
        if self._has_files():  # files stored since the snapshot go, unless another snapshot needs them
            self.files.sweep(set(data.get("files", ())))
        return True

    def store_failure(self):
        """How the store fails now (``store.failures.StoreFailure``), or None when it works: the emulated state's
        database first, then the journal's where it has one of its own."""
        failure = self.db.failure()
        if failure is None and self.journal_db not in (None, self.db):
            failure = self.journal_db.failure()
        return failure

    def close(self) -> None:
        if self._files is not None:
            self._files.close()
        if self.journal_db not in (None, self.db):
            self.journal_db.close()
        self.db.close()
