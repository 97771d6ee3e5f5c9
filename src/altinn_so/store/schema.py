"""The schema, as lists of migrations; ``{id}`` stands for each database's auto-numbered primary key and
``{blob}`` for its byte-string type.

The core's tables (reference data, receipts, the outbox, the harness) are one list, ``MIGRATIONS``; each
service brings its own tables as a ``TableGroup`` with a list of its own. Every entry upgrades its list by
one version; a database applies the ones it has not seen when it is opened, and keeps each list's version
in its meta table. Entities are stored as JSON documents (the seed-file form) next to the columns they are
found by.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableGroup:
    """A service's tables: its migrations (oldest first), which of its tables hold state created by calls
    (emptied by a reset, saved by a snapshot), which hold reference data from the seed (emptied by a reset and
    written again from the seed), and which number their rows (a snapshot keeps the numbering).

    A service's first migration may find its tables made already by the core list of an older release (the
    correspondence tables were core tables until schema 7): it creates them ``IF NOT EXISTS``.
    """

    name: str  # the service's key; its version is kept as meta ``schema_version:<name>``
    migrations: tuple[str, ...]
    runtime_tables: tuple[str, ...] = ()
    numbered_tables: tuple[str, ...] = ()
    seed_tables: tuple[str, ...] = ()  # reference data its seed sections write: a reset writes them anew

    @property
    def version_key(self) -> str:
        return f"schema_version:{self.name}"

# The request journal as the newest migration made it: plain columns, its bodies bytes as received and sent.
_JOURNAL = """
    CREATE TABLE journal (id {id}, at TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL,
                          binding TEXT, service TEXT, operation TEXT, base_operation TEXT, caller TEXT, owner TEXT,
                          reportees TEXT NOT NULL, status INTEGER NOT NULL, outcome TEXT NOT NULL,
                          error_id INTEGER, error_message TEXT, duration_ms DOUBLE PRECISION NOT NULL,
                          fault_rule INTEGER, request {blob} NOT NULL, response {blob} NOT NULL);
    CREATE INDEX journal_at ON journal (at);
"""
# Where each entry's request and response bodies start and end in the stream of all bodies journaled since
# the journal was last cleared: the bodies of the entries from one to the newest add up to the newest's end
# minus its start, which is how the journal keeps no more than a given number of bytes (``SqlJournal``).
_JOURNAL_BODY_OFFSETS = """
    ALTER TABLE journal ADD COLUMN body_start BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE journal ADD COLUMN body_end BIGINT NOT NULL DEFAULT 0;
"""

# What a call's body lost without a fault (elements skipped as unknown, as WCF skips them): a JSON list, or NULL
# when nothing was (``journal.JournalEntry.warnings``).
_JOURNAL_WARNINGS = """
    ALTER TABLE journal ADD COLUMN warnings TEXT;
"""

# Reportee elements (``domain.elements``): the reportees' worklists, shared by the services that fill them.
_REPORTEE_ELEMENTS = """
    CREATE TABLE IF NOT EXISTS reportee_elements (id {id}, owner TEXT NOT NULL, service_code TEXT NOT NULL,
                                    service_edition INTEGER NOT NULL, reportee TEXT NOT NULL, kind TEXT NOT NULL,
                                    status TEXT NOT NULL, created_at TEXT NOT NULL, data TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS reportee_elements_reportee ON reportee_elements (reportee, id);
"""

# The end user's side of forms (``domain.elements``, ``domain.archive``): attachment bytes kept apart from the
# elements' documents, the archive of submitted form tasks and each one's shipment status log.
_FORM_ARCHIVE = """
    CREATE TABLE IF NOT EXISTS element_attachments (id {id}, element_id INTEGER NOT NULL, data {blob} NOT NULL);
    CREATE TABLE IF NOT EXISTS archived_form_tasks (archive_reference TEXT PRIMARY KEY, element_id INTEGER NOT NULL,
                                      owner TEXT NOT NULL, service_code TEXT NOT NULL,
                                      service_edition INTEGER NOT NULL, reportee TEXT NOT NULL,
                                      archived_at TEXT NOT NULL, data TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS shipment_status (id {id}, archive_reference TEXT NOT NULL, at TEXT NOT NULL,
                                                data TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS shipment_status_reference ON shipment_status (archive_reference, id);
"""

MIGRATIONS: list[str] = [
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    CREATE TABLE persons (ssn TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE organisations (orgno TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE users (username TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE service_owners (code TEXT PRIMARY KEY, orgno TEXT NOT NULL, data TEXT NOT NULL);
    CREATE INDEX service_owners_orgno ON service_owners (orgno);
    CREATE TABLE systems (username TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE services (code TEXT NOT NULL, edition INTEGER NOT NULL, data TEXT NOT NULL,
                           PRIMARY KEY (code, edition));
    CREATE TABLE templates (name TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE lockouts (username TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until TEXT);
    CREATE TABLE outbox (id {id}, notification_id INTEGER NOT NULL,
                         reportee TEXT NOT NULL, channel TEXT NOT NULL, origin TEXT NOT NULL,
                         service_owner TEXT NOT NULL, template TEXT NOT NULL, data TEXT NOT NULL);
    CREATE INDEX outbox_reportee ON outbox (reportee);
    CREATE INDEX outbox_origin ON outbox (origin);
    """,
    """
    CREATE TABLE receipts (id {id}, parent_id INTEGER NOT NULL, type TEXT NOT NULL,
                           last_changed TEXT NOT NULL, data TEXT NOT NULL);
    CREATE INDEX receipts_parent ON receipts (parent_id);
    CREATE INDEX receipts_type_changed ON receipts (type, last_changed);
    CREATE TABLE receipt_references (receipt_id INTEGER NOT NULL, type TEXT NOT NULL, value TEXT NOT NULL);
    CREATE INDEX receipt_references_lookup ON receipt_references (type, value);
    CREATE INDEX receipt_references_receipt ON receipt_references (receipt_id);
    """,
    """
    CREATE TABLE journal (id {id}, at TEXT NOT NULL, operation TEXT,
                          binding TEXT, caller TEXT, owner TEXT, reportees TEXT NOT NULL, outcome TEXT NOT NULL,
                          data TEXT NOT NULL);
    CREATE INDEX journal_at ON journal (at);
    CREATE TABLE fault_rules (id {id}, data TEXT NOT NULL);
    CREATE TABLE snapshots (id {id}, created_at TEXT NOT NULL, label TEXT, data TEXT NOT NULL);
    """,
    """
    ALTER TABLE outbox ADD COLUMN scheduled_at TEXT;
    ALTER TABLE outbox ADD COLUMN delivery TEXT NOT NULL DEFAULT 'pending';
    CREATE INDEX outbox_due ON outbox (delivery, scheduled_at);
    """,
    """
    ALTER TABLE journal ADD COLUMN base_operation TEXT;
    """,
    # The journal becomes plain columns, its bodies bytes as received and sent: one INSERT per call, no JSON.
    # Its old entries are not carried over (it is a test harness's record, not emulated state).
    "DROP TABLE journal;" + _JOURNAL,
    _JOURNAL_BODY_OFFSETS,
    _JOURNAL_WARNINGS,
    _REPORTEE_ELEMENTS,
    _FORM_ARCHIVE,
]

# A SQLite file keeps its request journal in a database of its own beside it (``database.journal_database``),
# so that journalling a call never queues behind another worker's writes to the emulated state; the store's
# own journal table is then left empty (PostgreSQL uses it). The journal database's schema:
JOURNAL_MIGRATIONS: list[str] = [MIGRATIONS[0], _JOURNAL, _JOURNAL_BODY_OFFSETS, _JOURNAL_WARNINGS]

# Seed data: the reference data a seed file describes.
SEED_TABLES = ("persons", "organisations", "users", "service_owners", "systems", "services", "templates")
# State created by calls.
RUNTIME_TABLES = ("outbox", "lockouts", "sequences", "receipts", "receipt_references", "reportee_elements",
                  "element_attachments", "archived_form_tasks", "shipment_status")
# What a test sets up around the emulated Altinn: kept by reset() and restore, cleared on their own.
HARNESS_TABLES = ("journal", "fault_rules", "snapshots")
# Tables whose primary key is an auto-numbered id.
NUMBERED_TABLES = ("outbox", "receipts", "journal", "fault_rules", "snapshots", "reportee_elements",
                   "element_attachments", "shipment_status")
