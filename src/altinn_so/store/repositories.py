"""The repositories the domain uses, on any ``Database`` (SQLite or PostgreSQL), in portable SQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ..domain.archive import ARCHIVE_REFERENCE_PREFIX, ArchivedFormTask, ShipmentStatusEntry
from ..domain.elements import ReporteeElement
from ..domain.catalog import AgencySystem, NotificationTemplate, Service, ServiceOwner
from ..domain.notifications.model import Channel, OutboxFilter, OutboxMessage
from ..domain.receipts import OWNER_PARTY, PARTY, Receipt
from ..domain.registry import Organisation, Person, SelfRegisteredUser
from ..domain.values import evolve
from ..injection import FaultRule
from ..journal import MAX_BODY_BYTES, Exchange, JournalEntry, JournalFilter, plain_warnings
from ..secrets import mask_secrets
from .database import Database
from .documents import chunks, dump, dump_without_id, in_id_order, load_with_id, parse, timestamp


class _Documents:
    """A table of JSON documents keyed by a few columns: the shape of every seed entity.

    Lookups by key are cached per process (see ``Database.cached``); every write marks reference data changed.
    """

    def __init__(self, db: Database, table: str, keys: tuple[str, ...], load):
        self._db = db
        self._table = table
        self._load = load
        where = " AND ".join(f"{key}=?" for key in keys)
        self._get = f"SELECT data FROM {table} WHERE {where}"
        columns = ", ".join((*keys, "data"))
        self._put = (f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * (len(keys) + 1))}) "
                     f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET data = excluded.data")
        self._all = f"SELECT {', '.join(keys)}, data FROM {table}"
        self._key_count = len(keys)

    def get(self, *key):
        return self._db.cached((self._table, key), lambda: self._read(key))

    def _read(self, key: tuple):
        rows = self._db.query(self._get, key)
        return self._load(parse(rows[0][0])) if rows else None

    def put(self, entity, *key) -> None:
        with self._db.transaction() as conn:
            conn.execute(self._put, (*key, dump(entity.to_dict())))
            conn.changed()

    def all(self) -> list:
        # In key order, sorted here: a database's own text order follows its collation (PostgreSQL's is the
        # server's locale), and every store must list alike. Seed tables are small.
        rows = sorted(self._db.query(self._all), key=lambda row: row[:self._key_count])
        return [self._load(parse(row[-1])) for row in rows]


class SqlRegistry:
    def __init__(self, db: Database):
        self._persons = _Documents(db, "persons", ("ssn",), Person.from_dict)
        self._organisations = _Documents(db, "organisations", ("orgno",), Organisation.from_dict)
        self._users = _Documents(db, "users", ("username",), SelfRegisteredUser.from_dict)

    def get_person(self, ssn: str) -> Person | None:
        return self._persons.get(ssn)

    def get_organisation(self, orgno: str) -> Organisation | None:
        return self._organisations.get(orgno)

    def get_user(self, username: str) -> SelfRegisteredUser | None:
        return self._users.get(username)

    def put_person(self, person: Person) -> None:
        self._persons.put(person, person.ssn)

    def put_organisation(self, organisation: Organisation) -> None:
        self._organisations.put(organisation, organisation.orgno)

    def put_user(self, user: SelfRegisteredUser) -> None:
        self._users.put(user, user.username)

    def list_persons(self) -> list[Person]:
        return self._persons.all()

    def list_organisations(self) -> list[Organisation]:
        return self._organisations.all()

    def list_users(self) -> list[SelfRegisteredUser]:
        return self._users.all()


class SqlCatalog:
    def __init__(self, db: Database):
        self._db = db
        self._owners = _Documents(db, "service_owners", ("code",), ServiceOwner.from_dict)
        self._systems = _Documents(db, "systems", ("username",), AgencySystem.from_dict)
        self._services = _Documents(db, "services", ("code", "edition"), Service.from_dict)
        self._templates = _Documents(db, "templates", ("name",), NotificationTemplate.from_dict)

    def get_owner(self, code: str) -> ServiceOwner | None:
        return self._owners.get(code)

    def get_owner_by_orgno(self, orgno: str) -> ServiceOwner | None:
        def read():
            # the first code in Python's order, not the database's collation (see _Documents.all)
            rows = self._db.query("SELECT code, data FROM service_owners WHERE orgno=?", (orgno,))
            return ServiceOwner.from_dict(parse(min(rows)[1])) if rows else None

        return self._db.cached(("service_owners.orgno", orgno), read)

    def get_system(self, username: str) -> AgencySystem | None:
        return self._systems.get(username)

    def get_service(self, code: str, edition: int) -> Service | None:
        return self._services.get(code, edition)

    def get_template(self, name: str) -> NotificationTemplate | None:
        return self._templates.get(name)

    def put_owner(self, owner: ServiceOwner) -> None:
        # the orgno column sits between the key and the document
        with self._db.transaction() as conn:
            conn.execute("INSERT INTO service_owners (code, orgno, data) VALUES (?, ?, ?) ON CONFLICT (code) "
                         "DO UPDATE SET orgno = excluded.orgno, data = excluded.data",
                         (owner.code, owner.orgno, dump(owner.to_dict())))
            conn.changed()

    def put_system(self, system: AgencySystem) -> None:
        self._systems.put(system, system.username)

    def put_service(self, service: Service) -> None:
        self._services.put(service, service.code, service.edition)

    def put_template(self, template: NotificationTemplate) -> None:
        self._templates.put(template, template.name)

    def list_owners(self) -> list[ServiceOwner]:
        return self._owners.all()

    def list_systems(self) -> list[AgencySystem]:
        return self._systems.all()

    def list_services(self) -> list[Service]:
        return self._services.all()

    def list_templates(self) -> list[NotificationTemplate]:
        return self._templates.all()


class SqlLockouts:
    def __init__(self, db: Database):
        self._db = db

    def get_lockout(self, username: str) -> tuple[int, datetime | None]:
        return self._db.cached(("lockouts", username), lambda: self._read(username))

    def _read(self, username: str) -> tuple[int, datetime | None]:
        rows = self._db.query("SELECT failures, locked_until FROM lockouts WHERE username=?", (username,))
        if not rows:
            return 0, None
        failures, until = rows[0]
        return failures, datetime.fromisoformat(until) if until else None

    def update_lockout(self, username: str, change) -> tuple[int, datetime | None]:
        """Apply ``change(failures, locked_until) -> (failures, locked_until)`` atomically (concurrent
        failed logins on several workers all count) and return the new state."""
        with self._db.transaction() as conn:
            before = self._read(username)
            failures, locked_until = after = change(*before)
            if after == before:
                return after
            if failures == 0 and locked_until is None:
                conn.execute("DELETE FROM lockouts WHERE username=?", (username,))
            else:
                conn.execute("INSERT INTO lockouts (username, failures, locked_until) VALUES (?, ?, ?) "
                             "ON CONFLICT (username) DO UPDATE SET failures = excluded.failures, "
                             "locked_until = excluded.locked_until",
                             (username, failures, locked_until.isoformat() if locked_until else None))
            conn.changed()
        return after


class SqlReporteeElements:
    """The reportees' worklists (``domain.elements``)."""

    def __init__(self, db: Database):
        self._db = db

    def add_element(self, element: ReporteeElement) -> ReporteeElement:
        with self._db.transaction() as conn:
            new_id = conn.insert_one(
                "reportee_elements", ("owner", "service_code", "service_edition", "reportee", "kind", "status",
                                      "created_at", "data"),
                (element.owner, element.service_code, element.service_edition, element.reportee, element.kind,
                 element.status, timestamp(element.created_at), dump_without_id(element)))
        return evolve(element, id=new_id)

    def put_element(self, element: ReporteeElement) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE reportee_elements SET status=?, data=? WHERE id=?",
                         (element.status, dump_without_id(element), element.id))

    def get_element(self, element_id: int) -> ReporteeElement | None:
        rows = self._db.query("SELECT id, data FROM reportee_elements WHERE id=?", (element_id,))
        return load_with_id(ReporteeElement.from_dict, rows[0][1], rows[0][0]) if rows else None

    def elements_of(self, reportee: str) -> list[ReporteeElement]:
        return [load_with_id(ReporteeElement.from_dict, data, i) for i, data in self._db.query(
            "SELECT id, data FROM reportee_elements WHERE reportee=? ORDER BY id", (reportee,))]

    def list_elements(self, newest: int | None = None) -> list[ReporteeElement]:
        return [load_with_id(ReporteeElement.from_dict, data, i)
                for i, data in in_id_order(self._db, "SELECT id, data FROM reportee_elements", (), newest)]

    def add_attachment_data(self, element_id: int, data: bytes) -> int:
        with self._db.transaction() as conn:
            return conn.insert_one("element_attachments", ("element_id", "data"), (element_id, data))

    def attachment_data(self, attachment_id: int) -> bytes | None:
        rows = self._db.query("SELECT data FROM element_attachments WHERE id=?", (attachment_id,))
        return bytes(rows[0][0]) if rows else None

    def element_of_attachment(self, attachment_id: int) -> int | None:
        rows = self._db.query("SELECT element_id FROM element_attachments WHERE id=?", (attachment_id,))
        return rows[0][0] if rows else None


class SqlArchive:
    """The archive of submitted form tasks and their shipment status logs (``domain.archive``)."""

    # Archive references count on from here, so that they look like Altinn's (AR + seven or more digits).
    _FIRST_NUMBER = 1_000_000

    def __init__(self, db: Database):
        self._db = db

    def next_archive_reference(self) -> str:
        return f"{ARCHIVE_REFERENCE_PREFIX}{self._FIRST_NUMBER + self._db.next_value('archive_reference')}"

    def next_form_references(self, count: int) -> list[int]:
        return self._db.next_values("archived_form", count) if count else []

    def add_archived(self, task: ArchivedFormTask) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO archived_form_tasks (archive_reference, element_id, owner, service_code, "
                "service_edition, reportee, archived_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (task.archive_reference, task.element_id, task.owner, task.service_code, task.service_edition,
                 task.reportee, timestamp(task.archived_at), dump(task.to_dict())))

    def get_archived(self, archive_reference: str) -> ArchivedFormTask | None:
        rows = self._db.query("SELECT data FROM archived_form_tasks WHERE archive_reference=?", (archive_reference,))
        return ArchivedFormTask.from_dict(parse(rows[0][0])) if rows else None

    def list_archived(self, newest: int | None = None) -> list[ArchivedFormTask]:
        sql = "SELECT data FROM archived_form_tasks ORDER BY archived_at DESC, archive_reference DESC"
        rows = self._db.query(sql + (f" LIMIT {int(newest)}" if newest is not None else ""))
        return [ArchivedFormTask.from_dict(parse(data)) for (data,) in reversed(rows)]

    def archived_of_element(self, element_id: int) -> ArchivedFormTask | None:
        rows = self._db.query("SELECT data FROM archived_form_tasks WHERE element_id=?", (element_id,))
        return ArchivedFormTask.from_dict(parse(rows[0][0])) if rows else None

    def archived_of_owner(self, owner: str, service_code: str | None = None, service_edition: int | None = None,
                          since: datetime | None = None, until: datetime | None = None,
                          limit: int | None = None) -> list[ArchivedFormTask]:
        where, values = ["owner=?"], [owner]
        for clause, value in (("service_code=?", service_code), ("service_edition=?", service_edition),
                              ("archived_at>=?", timestamp(since) if since else None),
                              ("archived_at<=?", timestamp(until) if until else None)):
            if value is not None:
                where.append(clause)
                values.append(value)
        sql = (f"SELECT data FROM archived_form_tasks WHERE {' AND '.join(where)} "
               "ORDER BY archived_at, archive_reference" + (f" LIMIT {int(limit)}" if limit is not None else ""))
        return [ArchivedFormTask.from_dict(parse(data)) for (data,) in self._db.query(sql, tuple(values))]

    def log_shipment(self, entry: ShipmentStatusEntry) -> None:
        with self._db.transaction() as conn:
            conn.insert_one("shipment_status", ("archive_reference", "at", "data"),
                            (entry.archive_reference, timestamp(entry.at), dump(entry.to_dict())))

    def shipment_log(self, archive_reference: str) -> list[ShipmentStatusEntry]:
        return [ShipmentStatusEntry.from_dict(parse(data)) for (data,) in self._db.query(
            "SELECT data FROM shipment_status WHERE archive_reference=? ORDER BY id", (archive_reference,))]


_OUTBOX_COLUMNS = ("notification_id", "reportee", "channel", "origin", "service_owner", "template", "data",
                   "scheduled_at")


class SqlOutbox:
    def __init__(self, db: Database):
        self._db = db

    def next_notification_ids(self, count: int) -> list[int]:
        return self._db.next_values("notification", count)

    def add_messages(self, messages: list[OutboxMessage]) -> list[OutboxMessage]:
        stored = []
        with self._db.transaction() as conn:
            for chunk in chunks(messages, 100):  # one statement per chunk: the cost is per statement
                ids = conn.insert("outbox", _OUTBOX_COLUMNS, [
                    (message.notification_id, message.reportee, message.channel.value, message.origin,
                     message.service_owner, message.template, dump_without_id(message), timestamp(message.scheduled_at))
                    for message in chunk])
                stored += [evolve(message, id=new_id) for new_id, message in zip(ids, chunk)]
        return stored

    def list_messages(self, where: OutboxFilter = OutboxFilter(), newest: int | None = None) -> list[OutboxMessage]:
        clauses, params = [], []
        for column, value in (("reportee", where.reportee), ("origin", where.origin),
                              ("service_owner", where.service_owner), ("template", where.template),
                              ("channel", where.channel.value if where.channel else None)):
            if value is not None:
                clauses.append(f"{column}=?")
                params.append(value)
        sql = "SELECT id, data FROM outbox" + (" WHERE " + " AND ".join(clauses) if clauses else "")
        return [load_with_id(OutboxMessage.from_dict, data, i)
                for i, data in in_id_order(self._db, sql, tuple(params), newest)]

    def messages_of(self, origins: list[str]) -> dict[str, list[OutboxMessage]]:
        found: dict[str, list[OutboxMessage]] = {origin: [] for origin in origins}
        for chunk in chunks(list(found)):
            rows = self._db.query(f"SELECT id, data FROM outbox WHERE origin IN ({', '.join('?' * len(chunk))}) "
                                  "ORDER BY id", tuple(chunk))
            for message in (load_with_id(OutboxMessage.from_dict, data, i) for i, data in rows):
                found[message.origin].append(message)
        return found

    def clear_messages(self) -> int:
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM outbox").rowcount

    def claim_due(self, now: datetime, channels: set[Channel], limit: int = 100) -> list[OutboxMessage]:
        """Pending messages whose time has come, marked as being sent so that no other worker sends them too."""
        if not channels:
            return []
        marks = ", ".join("?" * len(channels))
        with self._db.transaction() as conn:
            rows = conn.execute(
                f"SELECT id, data FROM outbox WHERE delivery='pending' AND scheduled_at <= ? AND channel IN ({marks}) "
                f"ORDER BY scheduled_at, id LIMIT ?", (timestamp(now), *[c.value for c in channels], limit)).fetchall()
            conn.executemany("UPDATE outbox SET delivery='sending' WHERE id=?", [(row[0],) for row in rows])
        return [load_with_id(OutboxMessage.from_dict, row[1], row[0]) for row in rows]

    def finish_delivery(self, message: OutboxMessage, *, sent_at: datetime | None, error: str | None) -> None:
        updated = replace(message, sent_at=sent_at, delivery_error=error)
        with self._db.transaction() as conn:
            conn.execute("UPDATE outbox SET delivery=?, data=? WHERE id=?",
                         ("sent" if error is None else "failed", dump_without_id(updated), message.id))


class SqlReceipts:
    def __init__(self, db: Database):
        self._db = db

    def add_receipt(self, receipt: Receipt) -> Receipt:
        with self._db.transaction() as conn:
            new_id = conn.insert_one("receipts", ("parent_id", "type", "last_changed", "data"),
                                     (receipt.parent_id, receipt.type, timestamp(receipt.last_changed),
                                      dump_without_id(receipt)))
            self._write_references(conn, new_id, receipt)
        return evolve(receipt, id=new_id)

    def save_receipt(self, receipt: Receipt) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE receipts SET last_changed=?, data=? WHERE id=?",
                         (timestamp(receipt.last_changed), dump_without_id(receipt), receipt.id))
            conn.execute("DELETE FROM receipt_references WHERE receipt_id=?", (receipt.id,))
            self._write_references(conn, receipt.id, receipt)

    @staticmethod
    def _write_references(conn, receipt_id: int, receipt: Receipt) -> None:
        if receipt.references:  # one statement for all: the cost is per statement
            conn.execute("INSERT INTO receipt_references VALUES " + ", ".join(["(?, ?, ?)"] * len(receipt.references)),
                         tuple(value for r in receipt.references for value in (receipt_id, r.type, r.value)))

    def get_receipt(self, receipt_id: int) -> Receipt | None:
        found = self._load("SELECT id, data FROM receipts WHERE id=?", (receipt_id,))
        return found[0] if found else None

    def children_of(self, receipt_id: int) -> list[Receipt]:
        return self._load("SELECT id, data FROM receipts WHERE parent_id=? ORDER BY id", (receipt_id,))

    def find_by_reference(self, reference_type: str, value: str) -> list[Receipt]:
        return self._load("SELECT r.id, r.data FROM receipts r JOIN receipt_references x ON x.receipt_id = r.id "
                          "WHERE x.type=? AND x.value=? ORDER BY r.id DESC", (reference_type, value))

    def children_of_each(self, receipt_ids: list[int]) -> dict[int, list[Receipt]]:
        found: dict[int, list[Receipt]] = {receipt_id: [] for receipt_id in receipt_ids}
        for chunk in chunks(list(found)):
            for child in self._load(f"SELECT id, data FROM receipts WHERE parent_id IN ({', '.join('?' * len(chunk))}) "
                                    "ORDER BY id", tuple(chunk)):
                found[child.parent_id].append(child)
        return found

    def list_changed(self, receipt_type: str, since: datetime | None, until: datetime | None,
                     party: str) -> list[Receipt]:
        # Only what the caller may see, found by SQL: a caller's list of one type is then read alone, not
        # every owner's receipts of that type (and their sub-receipts) parsed and thrown away.
        sql = ("SELECT id, data FROM receipts r WHERE type=? AND parent_id=0 AND EXISTS (SELECT 1 FROM "
               "receipt_references x WHERE x.receipt_id = r.id AND x.type IN (?, ?) AND x.value = ?)")
        params = [receipt_type, OWNER_PARTY, PARTY, party]
        if since is not None:
            sql += " AND last_changed >= ?"
            params.append(timestamp(since))
        if until is not None:
            sql += " AND last_changed <= ?"
            params.append(timestamp(until))
        return self._load(sql + " ORDER BY id", tuple(params))

    def list_receipts(self, newest: int | None = None) -> list[Receipt]:
        return [load_with_id(Receipt.from_dict, data, i)
                for i, data in in_id_order(self._db, "SELECT id, data FROM receipts", (), newest)]

    def _load(self, sql: str, params: tuple) -> list[Receipt]:
        return [load_with_id(Receipt.from_dict, data, i) for i, data in self._db.query(sql, params)]


_JOURNAL_COLUMNS = ("id", "at", "method", "path", "binding", "service", "operation", "base_operation", "caller",
                    "owner", "reportees", "status", "outcome", "error_id", "error_message", "duration_ms",
                    "fault_rule", "request", "response", "warnings")
# An entry's bodies start where the newest entry's ended (the journal's writers take turns: see ``record``).
_PREVIOUS_END = "COALESCE((SELECT body_end FROM journal ORDER BY id DESC LIMIT 1), 0)"
_JOURNAL_WRITTEN = _JOURNAL_COLUMNS[1:] + (("body_start", _PREVIOUS_END), ("body_end", f"{_PREVIOUS_END} + ?"))


class SqlJournal:
    """The newest ``keep`` calls, and of those no more than ``max_body_bytes`` of request and response bodies
    (the newest call always), as ``MemoryJournal`` keeps them. Each call is one INSERT (the journal is on
    every call's path); older rows are deleted in batches, or at once after a large call, and hidden from
    reads until then."""

    TRIM_EVERY = 64

    def __init__(self, db: Database, keep: int = 10_000, max_body_bytes: int = MAX_BODY_BYTES,
                 keep_secrets: bool = False):
        self._db = db
        self._keep = keep
        self._max_body_bytes = max_body_bytes
        self._mask = not keep_secrets  # passwords never reach the store's disk (``journal``'s docstring)

    def record(self, exchange: Exchange) -> int:
        request = mask_secrets(exchange.request_body) if self._mask else exchange.request_body
        size = len(request) + len(exchange.response_body)
        # A write transaction: it queues with the other journal writers, so entries' bodies never overlap.
        with self._db.transaction() as conn:
            new_id = conn.insert_one(
                "journal", _JOURNAL_WRITTEN,
                (timestamp(exchange.at), exchange.method, exchange.path, exchange.binding, exchange.service,
                 exchange.operation, exchange.base_operation, exchange.caller, exchange.owner,
                 " " + " ".join(exchange.reportees) + " ", exchange.status, exchange.outcome, exchange.error_id,
                 exchange.error_message, round(exchange.duration_ms, 3), exchange.fault_rule,
                 request, exchange.response_body,
                 dump(list(plain_warnings(exchange.warnings))) if exchange.warnings else None, size))
            # Between trims the table holds at most TRIM_EVERY entries, or their bodies' bytes, more than it keeps.
            if new_id % self.TRIM_EVERY == 0 or size > self._max_body_bytes // self.TRIM_EVERY:
                self._trim(conn, new_id)
        return new_id

    def _trim(self, conn: Database, newest: int) -> None:
        # The oldest entry kept: the bodies from its start to the newest's end fit, or it is the newest. Entries'
        # starts grow with their ids, so the search reads only the rows it is about to delete.
        end = conn.query("SELECT body_end FROM journal WHERE id = ?", (newest,))[0][0]
        first = conn.query("SELECT id FROM journal WHERE id > ? AND (body_start >= ? OR id = ?) ORDER BY id LIMIT 1",
                           (newest - self._keep, end - self._max_body_bytes, newest))[0][0]
        conn.execute("DELETE FROM journal WHERE id < ?", (first,))

    def list_entries(self, where: JournalFilter = JournalFilter()) -> list[JournalEntry]:
        clauses, params = self._where(where)
        sql = f"SELECT {', '.join(_JOURNAL_COLUMNS)} FROM journal WHERE " + " AND ".join(clauses)
        sql += " ORDER BY id DESC"
        if where.limit or where.offset:  # (an offset needs a limit on SQLite: the largest number both take)
            sql += f" LIMIT {int(where.limit or 2 ** 63 - 1)} OFFSET {int(where.offset)}"
        rows = self._db.query(sql, tuple(params))
        return [_journal_entry(row) for row in reversed(rows)]

    def count_entries(self, where: JournalFilter = JournalFilter()) -> int:
        clauses, params = self._where(where)
        return self._db.query("SELECT COUNT(*) FROM journal WHERE " + " AND ".join(clauses), tuple(params))[0][0]

    def _where(self, where: JournalFilter) -> tuple[list[str], list]:
        clauses, params = [self._kept], []
        if where.operation is not None:
            clauses.append("(lower(operation)=lower(?) OR lower(base_operation)=lower(?))")
            params += [where.operation, where.operation]
        for column, value in (("binding", where.binding), ("outcome", where.outcome)):
            if value is not None:
                clauses.append(f"{column}=?")
                params.append(value)
        if where.caller is not None:
            clauses.append("(caller=? OR owner=?)")
            params += [where.caller, where.caller]
        if where.reportee is not None:
            # stored space-delimited (' a b '); matched exactly, as SQLite's LIKE would not (it ignores case)
            clauses.append(self._db.contains("reportees"))
            params.append(" " + where.reportee + " ")
        if where.since is not None:
            clauses.append("at >= ?")
            params.append(timestamp(where.since))
        if where.warnings is not None:
            clauses.append("warnings IS NOT NULL" if where.warnings else "warnings IS NULL")
        return clauses, params

    def get_entry(self, entry_id: int) -> JournalEntry | None:
        rows = self._db.query(f"SELECT {', '.join(_JOURNAL_COLUMNS)} FROM journal WHERE id=? AND {self._kept}",
                              (entry_id,))
        return _journal_entry(rows[0]) if rows else None

    @property
    def _kept(self) -> str:
        """The entries a reader sees: those a trim would keep now."""
        newest = "(SELECT MAX(id) FROM journal)"
        end = "(SELECT body_end FROM journal ORDER BY id DESC LIMIT 1)"
        return (f"id > {newest} - {int(self._keep)} "
                f"AND (body_start >= {end} - {int(self._max_body_bytes)} OR id = {newest})")

    def clear_entries(self) -> int:
        with self._db.transaction() as conn:
            visible = conn.execute(f"DELETE FROM journal WHERE {self._kept}").rowcount
            conn.execute("DELETE FROM journal")  # and the trimmed ones not yet gone
            return visible


def _journal_entry(row: tuple) -> JournalEntry:
    fields = dict(zip(_JOURNAL_COLUMNS, row))
    fields["at"] = datetime.fromisoformat(fields["at"].replace("Z", "+00:00"))
    fields["reportees"] = tuple(fields["reportees"].split())
    fields["request"] = bytes(fields["request"]).decode("utf-8", "replace")
    fields["response"] = bytes(fields["response"]).decode("utf-8", "replace")
    fields["warnings"] = tuple(parse(fields["warnings"])) if fields["warnings"] else ()
    return JournalEntry(**fields)


class SqlFaultRules:
    def __init__(self, db: Database):
        self._db = db

    def add_rule(self, rule: FaultRule) -> FaultRule:
        with self._db.transaction() as conn:
            new_id = conn.insert_one("fault_rules", ("data",), (dump_without_id(rule),))
            conn.changed()
        return evolve(rule, id=new_id)

    def list_rules(self) -> list[FaultRule]:
        return [load_with_id(FaultRule.from_dict, data, i)
                for i, data in self._db.query("SELECT id, data FROM fault_rules ORDER BY id")]

    def cached_rules(self) -> list[FaultRule]:
        """The rules as of this request's start: every call checks them, few calls find any."""
        return self._db.cached("fault_rules", self.list_rules)

    def save_rule(self, rule: FaultRule) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE fault_rules SET data=? WHERE id=?", (dump_without_id(rule), rule.id))
            conn.changed()

    def delete_rule(self, rule_id: int) -> bool:
        with self._db.transaction() as conn:
            deleted = conn.execute("DELETE FROM fault_rules WHERE id=?", (rule_id,)).rowcount > 0
            conn.changed()
            return deleted

    def clear_rules(self) -> int:
        with self._db.transaction() as conn:
            deleted = conn.execute("DELETE FROM fault_rules").rowcount
            conn.changed()
            return deleted


class SqlSnapshots:
    def __init__(self, db: Database):
        self._db = db

    def add_snapshot(self, label: str | None, created_at: datetime, data: dict) -> int:
        with self._db.transaction() as conn:
            return conn.insert_one("snapshots", ("created_at", "label", "data"),
                                   (created_at.isoformat(), label, dump(data)))

    def get_snapshot(self, snapshot_id: int) -> dict | None:
        rows = self._db.query("SELECT data FROM snapshots WHERE id=?", (snapshot_id,))
        return parse(rows[0][0]) if rows else None

    def list_snapshots(self) -> list[dict]:
        return [{"id": i, "created_at": at, "label": label}
                for i, at, label in self._db.query("SELECT id, created_at, label FROM snapshots ORDER BY id")]

    def delete_snapshot(self, snapshot_id: int) -> bool:
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM snapshots WHERE id=?", (snapshot_id,)).rowcount > 0
