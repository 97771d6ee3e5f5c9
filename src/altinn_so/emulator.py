"""One emulated Altinn: its store, clock, seed data and domain services.

Like a moto backend, an ``Emulator`` holds all state; the SOAP layer (and
later the admin API) only calls into it. Tests create one per test for fresh
state, or call ``reset()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .domain.auth import LockoutPolicy, SystemAuthenticator
from .domain.clock import Clock
from .domain.correspondence import CorrespondenceService, CorrespondenceSettings
from .domain.notifications.engine import NotificationEngine, NotificationSettings
from .domain.notifications.standalone import StandaloneNotificationService, StandaloneSettings
from .domain.receipts import ReceiptService
from .seeding import Seed, apply_seed, compose_seed
from .store.sqlite import RUNTIME_TABLES, SEED_TABLES, Database, SqliteCatalog, SqliteCorrespondences, \
    SqliteLockouts, SqliteOutbox, SqliteReceipts, SqliteRegistry


@dataclass(frozen=True)
class Settings:
    database: str = ":memory:"  # or a file path: state then survives a restart
    seed_files: tuple[str, ...] = ()
    include_default_seed: bool = True
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
    notifications: NotificationSettings = field(default_factory=NotificationSettings)
    standalone: StandaloneSettings = field(default_factory=StandaloneSettings)
    correspondence: CorrespondenceSettings = field(default_factory=CorrespondenceSettings)


class Emulator:
    def __init__(self, settings: Settings = Settings(), *, clock: Clock | None = None, seed: Seed | None = None):
        self.settings = settings
        self.clock = clock or Clock()
        self.seed = seed if seed is not None else compose_seed(list(settings.seed_files),
                                                               include_default=settings.include_default_seed)
        self.db = Database(settings.database)
        self.registry = SqliteRegistry(self.db)
        self.catalog = SqliteCatalog(self.db)
        self.lockouts = SqliteLockouts(self.db)
        self.outbox = SqliteOutbox(self.db)
        self.receipt_store = SqliteReceipts(self.db)
        self.correspondence_store = SqliteCorrespondences(self.db)
        # Seed entities are (re)written on every start; state created by calls is kept.
        with self.db.transaction():
            apply_seed(self.seed, self.catalog, self.registry)

        self.authenticator = SystemAuthenticator(self.catalog, self.lockouts, self.clock, settings.lockout)
        self.notifications = NotificationEngine(self.registry, self.catalog, self.clock, settings.notifications)
        self.standalone_notifications = StandaloneNotificationService(
            self.notifications, self.outbox, self.db.transaction, settings.standalone)
        self.receipts = ReceiptService(self.receipt_store, self.clock, self.db.transaction)
        self.correspondence = CorrespondenceService(
            self.correspondence_store, self.receipts, self.notifications, self.outbox, self.registry, self.catalog,
            self.clock, self.db.transaction, lambda: self.db.next_value("simple_service"), settings.correspondence)

    def reset(self) -> None:
        """Back to the seed: everything created by calls is gone."""
        with self.db.transaction():
            self.db.clear(RUNTIME_TABLES + SEED_TABLES)
            apply_seed(self.seed, self.catalog, self.registry)

    def close(self) -> None:
        self.db.close()
