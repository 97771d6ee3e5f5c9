"""The repositories the domain uses, on any ``Database`` (SQLite or PostgreSQL), in portable SQL."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone

from ..domain.catalog import AgencySystem, NotificationTemplate, Service, ServiceOwner
from ..domain.correspondence.model import Correspondence, SdpShipment
from ..domain.notifications.model import Channel, OutboxFilter, OutboxMessage
from ..domain.receipts import Receipt
from ..domain.registry import Organisation, Person, SelfRegisteredUser
from ..injection import FaultRule
from ..journal import JournalEntry, JournalFilter
from .database import Database


def _dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _ts(moment: datetime) -> str:
    """A UTC timestamp of fixed width, so that columns compare and sort as text."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _like_literal(text: str) -> str:
    """``text`` matched literally inside a LIKE pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start:start + size]


class _Documents:
    """A table of JSON documents keyed by a few columns: the shape of every seed entity."""

    def __init__(self, db: Database, table: str, keys: tuple[str, ...], load):
        self._db = db
        self._load = load
        where = " AND ".join(f"{key}=?" for key in keys)
        self._get = f"SELECT data FROM {table} WHERE {where}"
        columns = ", ".join((*keys, "data"))
        self._put = (f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * (len(keys) + 1))}) "
                     f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET data = excluded.data")
        self._all = f"SELECT data FROM {table} ORDER BY {', '.join(keys)}"

    def get(self, *key):
        rows = self._db.query(self._get, key)
        return self._load(json.loads(rows[0][0])) if rows else None

    def put(self, entity, *key) -> None:
        with self._db.transaction() as conn:
            conn.execute(self._put, (*key, _dump(entity.to_dict())))

    def all(self) -> list:
        return [self._load(json.loads(row[0])) for row in self._db.query(self._all)]


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
        rows = self._db.query("SELECT data FROM service_owners WHERE orgno=? ORDER BY code LIMIT 1", (orgno,))
        return ServiceOwner.from_dict(json.loads(rows[0][0])) if rows else None

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
                         (owner.code, owner.orgno, _dump(owner.to_dict())))

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
        rows = self._db.query("SELECT failures, locked_until FROM lockouts WHERE username=?", (username,))
        if not rows:
            return 0, None
        failures, until = rows[0]
        return failures, datetime.fromisoformat(until) if until else None

    def set_lockout(self, username: str, failures: int, locked_until: datetime | None) -> None:
        with self._db.transaction() as conn:
            if failures == 0 and locked_until is None:
                conn.execute("DELETE FROM lockouts WHERE username=?", (username,))
            else:
                conn.execute("INSERT INTO lockouts (username, failures, locked_until) VALUES (?, ?, ?) "
                             "ON CONFLICT (username) DO UPDATE SET failures = excluded.failures, "
                             "locked_until = excluded.locked_until",
                             (username, failures, locked_until.isoformat() if locked_until else None))


class SqlOutbox:
    def __init__(self, db: Database):
        self._db = db

    def next_notification_id(self) -> int:
        return self._db.next_value("notification")

    def add_messages(self, messages: list[OutboxMessage]) -> list[OutboxMessage]:
        stored = []
        with self._db.transaction() as conn:
            for message in messages:
                new_id = conn.insert(
                    "INSERT INTO outbox (notification_id, reportee, channel, origin, service_owner, template, data, "
                    "scheduled_at) VALUES (?, ?, ?, ?, ?, ?, '', ?)",
                    (message.notification_id, message.reportee, message.channel.value, message.origin,
                     message.service_owner, message.template, _ts(message.scheduled_at)))
                saved = replace(message, id=new_id)
                conn.execute("UPDATE outbox SET data=? WHERE id=?", (_dump(saved.to_dict()), saved.id))
                stored.append(saved)
        return stored

    def list_messages(self, where: OutboxFilter = OutboxFilter()) -> list[OutboxMessage]:
        clauses, params = [], []
        for column, value in (("reportee", where.reportee), ("origin", where.origin),
                              ("service_owner", where.service_owner), ("template", where.template),
                              ("channel", where.channel.value if where.channel else None)):
            if value is not None:
                clauses.append(f"{column}=?")
                params.append(value)
        sql = "SELECT data FROM outbox" + (" WHERE " + " AND ".join(clauses) if clauses else "") + " ORDER BY id"
        return [OutboxMessage.from_dict(json.loads(r[0])) for r in self._db.query(sql, tuple(params))]

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
                f"ORDER BY scheduled_at, id LIMIT ?", (_ts(now), *[c.value for c in channels], limit)).fetchall()
            conn.executemany("UPDATE outbox SET delivery='sending' WHERE id=?", [(row[0],) for row in rows])
        return [OutboxMessage.from_dict(json.loads(row[1])) for row in rows]

    def finish_delivery(self, message: OutboxMessage, *, sent_at: datetime | None, error: str | None) -> None:
        updated = replace(message, sent_at=sent_at, delivery_error=error)
        with self._db.transaction() as conn:
            conn.execute("UPDATE outbox SET delivery=?, data=? WHERE id=?",
                         ("sent" if error is None else "failed", _dump(updated.to_dict()), message.id))



class SqlReceipts:
    def __init__(self, db: Database):
        self._db = db

    def add_receipt(self, receipt: Receipt) -> Receipt:
        with self._db.transaction() as conn:
            new_id = conn.insert("INSERT INTO receipts (parent_id, type, last_changed, data) VALUES (?, ?, ?, '')",
                                  (receipt.parent_id, receipt.type, _ts(receipt.last_changed)))
            stored = replace(receipt, id=new_id)
            self._write(conn, stored)
        return stored

    def save_receipt(self, receipt: Receipt) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE receipts SET last_changed=? WHERE id=?", (_ts(receipt.last_changed), receipt.id))
            self._write(conn, receipt)

    @staticmethod
    def _write(conn, receipt: Receipt) -> None:
        conn.execute("UPDATE receipts SET data=? WHERE id=?", (_dump(receipt.to_dict()), receipt.id))
        conn.execute("DELETE FROM receipt_references WHERE receipt_id=?", (receipt.id,))
        conn.executemany("INSERT INTO receipt_references VALUES (?, ?, ?)",
                         [(receipt.id, r.type, r.value) for r in receipt.references])

    def get_receipt(self, receipt_id: int) -> Receipt | None:
        rows = self._db.query("SELECT data FROM receipts WHERE id=?", (receipt_id,))
        return Receipt.from_dict(json.loads(rows[0][0])) if rows else None

    def children_of(self, receipt_id: int) -> list[Receipt]:
        return self._load("SELECT data FROM receipts WHERE parent_id=? ORDER BY id", (receipt_id,))

    def find_by_reference(self, reference_type: str, value: str) -> list[Receipt]:
        return self._load("SELECT r.data FROM receipts r JOIN receipt_references x ON x.receipt_id = r.id "
                          "WHERE x.type=? AND x.value=? ORDER BY r.id DESC", (reference_type, value))

    def list_changed(self, receipt_type: str, since: datetime | None, until: datetime | None) -> list[Receipt]:
        sql, params = "SELECT data FROM receipts WHERE type=?", [receipt_type]
        if since is not None:
            sql += " AND last_changed >= ?"
            params.append(_ts(since))
        if until is not None:
            sql += " AND last_changed <= ?"
            params.append(_ts(until))
        return self._load(sql + " ORDER BY id", tuple(params))

    def list_receipts(self) -> list[Receipt]:
        return self._load("SELECT data FROM receipts ORDER BY id", ())

    def _load(self, sql: str, params: tuple) -> list[Receipt]:
        return [Receipt.from_dict(json.loads(row[0])) for row in self._db.query(sql, params)]


class SqlCorrespondences:
    def __init__(self, db: Database):
        self._db = db

    def add_correspondence(self, correspondence: Correspondence) -> Correspondence:
        with self._db.transaction() as conn:
            new_id = conn.insert(
                "INSERT INTO correspondences (owner, service_code, service_edition, reportee, senders_reference, "
                "created_at, status, data) VALUES (?, ?, ?, ?, ?, ?, ?, '')",
                (correspondence.owner, correspondence.service_code, correspondence.service_edition,
                 correspondence.reportee, correspondence.senders_reference, _ts(correspondence.created_at),
                 correspondence.status.value))
            stored = replace(correspondence, id=new_id)
            conn.execute("UPDATE correspondences SET data=? WHERE id=?", (_dump(stored.to_dict()), stored.id))
        return stored

    def save_correspondence(self, correspondence: Correspondence) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE correspondences SET status=?, data=? WHERE id=?",
                         (correspondence.status.value, _dump(correspondence.to_dict()), correspondence.id))

    def get_correspondence(self, correspondence_id: int) -> Correspondence | None:
        rows = self._db.query("SELECT data FROM correspondences WHERE id=?", (correspondence_id,))
        return Correspondence.from_dict(json.loads(rows[0][0])) if rows else None

    def find_correspondences(self, owner: str, *, service=None, created_after=None, created_before=None,
                             reportee=None, senders_references=None, status=None) -> list[Correspondence]:
        clauses, params = _filters(owner, service, created_after, created_before, reportee)
        if status is not None:
            clauses.append("status=?")
            params.append(status)
        return [Correspondence.from_dict(json.loads(row[0]))
                for row in _select(self._db, "correspondences", "senders_reference", clauses, params,
                                   senders_references)]

    def list_correspondences(self) -> list[Correspondence]:
        return [Correspondence.from_dict(json.loads(row[0]))
                for row in self._db.query("SELECT data FROM correspondences ORDER BY id")]

    def add_sdp(self, shipment: SdpShipment) -> SdpShipment:
        with self._db.transaction() as conn:
            new_id = conn.insert(
                "INSERT INTO sdp_shipments (owner, service_code, service_edition, reportee, reference, created_at, "
                "data) VALUES (?, ?, ?, ?, ?, ?, '')",
                (shipment.owner, shipment.service_code, shipment.service_edition, shipment.reportee,
                 shipment.reference, _ts(shipment.created_at)))
            stored = replace(shipment, id=new_id)
            conn.execute("UPDATE sdp_shipments SET data=? WHERE id=?", (_dump(stored.to_dict()), stored.id))
        return stored

    def save_sdp(self, shipment: SdpShipment) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE sdp_shipments SET data=? WHERE id=?", (_dump(shipment.to_dict()), shipment.id))

    def list_sdp(self) -> list[SdpShipment]:
        return [SdpShipment.from_dict(json.loads(row[0]))
                for row in self._db.query("SELECT data FROM sdp_shipments ORDER BY id")]

    def find_sdp(self, owner: str, *, service=None, created_after=None, created_before=None, reportee=None,
                 references=None) -> list[SdpShipment]:
        clauses, params = _filters(owner, service, created_after, created_before, reportee)
        return [SdpShipment.from_dict(json.loads(row[0]))
                for row in _select(self._db, "sdp_shipments", "reference", clauses, params, references)]


def _filters(owner, service, created_after, created_before, reportee) -> tuple[list[str], list]:
    clauses, params = ["owner=?"], [owner]
    if service is not None:
        clauses += ["service_code=?", "service_edition=?"]
        params += [service[0], service[1]]
    if created_after is not None:
        clauses.append("created_at > ?")
        params.append(_ts(created_after))
    if created_before is not None:
        clauses.append("created_at < ?")
        params.append(_ts(created_before))
    if reportee is not None:
        clauses.append("reportee=?")
        params.append(reportee)
    return clauses, params


def _select(db: Database, table: str, reference_column: str, clauses: list[str], params: list,
            references: list[str] | None) -> list[tuple]:
    """Rows matching ``clauses``, and one of ``references`` when given, in id order."""
    base = f"SELECT id, data FROM {table} WHERE " + " AND ".join(clauses)  # noqa: S608 (our own columns)
    if references is None:
        return [(row[1],) for row in db.query(base + " ORDER BY id", tuple(params))]
    rows: dict[int, str] = {}
    for chunk in _chunks(list(dict.fromkeys(references))):
        sql = base + f" AND {reference_column} IN ({', '.join('?' * len(chunk))})"
        rows.update(db.query(sql, tuple(params) + tuple(chunk)))
    return [(rows[key],) for key in sorted(rows)]


class SqlJournal:
    def __init__(self, db: Database):
        self._db = db

    def add_entry(self, entry: JournalEntry, *, keep: int) -> JournalEntry:
        with self._db.transaction() as conn:
            new_id = conn.insert(
                "INSERT INTO journal (at, operation, base_operation, binding, caller, owner, reportees, outcome, "
                "data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '')",
                (_ts(entry.at), entry.operation, entry.base_operation, entry.binding, entry.caller, entry.owner,
                 " " + " ".join(entry.reportees) + " ", entry.outcome))
            stored = replace(entry, id=new_id)
            conn.execute("UPDATE journal SET data=? WHERE id=?", (_dump(stored.to_dict()), stored.id))
            conn.execute("DELETE FROM journal WHERE id <= ?", (stored.id - keep,))  # keep the newest
        return stored

    def list_entries(self, where: JournalFilter = JournalFilter()) -> list[JournalEntry]:
        clauses, params = [], []
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
            clauses.append("reportees LIKE ? ESCAPE '\\'")  # stored space-delimited: ' a b '
            params.append("% " + _like_literal(where.reportee) + " %")
        if where.since is not None:
            clauses.append("at >= ?")
            params.append(_ts(where.since))
        sql = "SELECT data FROM journal" + (" WHERE " + " AND ".join(clauses) if clauses else "")
        sql += " ORDER BY id DESC" + (f" LIMIT {int(where.limit)}" if where.limit else "")
        rows = self._db.query(sql, tuple(params))
        return [JournalEntry.from_dict(json.loads(row[0])) for row in reversed(rows)]

    def get_entry(self, entry_id: int) -> JournalEntry | None:
        rows = self._db.query("SELECT data FROM journal WHERE id=?", (entry_id,))
        return JournalEntry.from_dict(json.loads(rows[0][0])) if rows else None

    def clear_entries(self) -> int:
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM journal").rowcount


class SqlFaultRules:
    def __init__(self, db: Database):
        self._db = db

    def add_rule(self, rule: FaultRule) -> FaultRule:
        with self._db.transaction() as conn:
            stored = replace(rule, id=conn.insert("INSERT INTO fault_rules (data) VALUES ('')"))
            conn.execute("UPDATE fault_rules SET data=? WHERE id=?", (_dump(stored.to_dict()), stored.id))
        return stored

    def list_rules(self) -> list[FaultRule]:
        return [FaultRule.from_dict(json.loads(row[0]))
                for row in self._db.query("SELECT data FROM fault_rules ORDER BY id")]

    def save_rule(self, rule: FaultRule) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE fault_rules SET data=? WHERE id=?", (_dump(rule.to_dict()), rule.id))

    def delete_rule(self, rule_id: int) -> bool:
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM fault_rules WHERE id=?", (rule_id,)).rowcount > 0

    def clear_rules(self) -> int:
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM fault_rules").rowcount


class SqlSnapshots:
    def __init__(self, db: Database):
        self._db = db

    def add_snapshot(self, label: str | None, created_at: datetime, data: dict) -> int:
        with self._db.transaction() as conn:
            return conn.insert("INSERT INTO snapshots (created_at, label, data) VALUES (?, ?, ?)",
                               (created_at.isoformat(), label, _dump(data)))

    def get_snapshot(self, snapshot_id: int) -> dict | None:
        rows = self._db.query("SELECT data FROM snapshots WHERE id=?", (snapshot_id,))
        return json.loads(rows[0][0]) if rows else None

    def list_snapshots(self) -> list[dict]:
        return [{"id": i, "created_at": at, "label": label}
                for i, at, label in self._db.query("SELECT id, created_at, label FROM snapshots ORDER BY id")]

    def delete_snapshot(self, snapshot_id: int) -> bool:
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM snapshots WHERE id=?", (snapshot_id,)).rowcount > 0
