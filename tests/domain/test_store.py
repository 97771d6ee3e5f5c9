"""Persistence on every store: repositories round-trip, transactions roll back, state survives a restart,
processes sharing a store see each other's changes."""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from datetime import timedelta

import pytest

from altinn_so.domain.auth import LOCKED_OUT, AuthMode, Caller
from altinn_so.domain.errors import AltinnError
from altinn_so.domain.notifications.model import Channel, OutboxFilter, OutboxMessage
from altinn_so.emulator import Emulator, Settings
from altinn_so.seeding import default_seed
from altinn_so.store.database import SqliteDatabase, journal_database, open_database
from altinn_so.journal import MAX_BODY_BYTES, Exchange, JournalFilter, MemoryJournal
from altinn_so.store.repositories import SqlCatalog, SqlJournal, SqlLockouts, SqlOutbox, SqlRegistry
from altinn_so.store.schema import JOURNAL_MIGRATIONS, MIGRATIONS
from altinn_so.soap.codec import Skipped

from altinn_so.domain.catalog import AgencySystem

from .factories import FULL, MAIN, NOW, SERVICE_A, SUB_UNIT, TEMPLATES, TTD, USER, request

SEED = default_seed()
OLA = "23917710120"


def message(**overrides) -> OutboxMessage:
    base = OutboxMessage(
        notification_id=1, origin="standalone", service_owner="TTD", reportee=FULL.ssn,
        recipient_name="Ola", channel=Channel.EMAIL, address="ola@example.no", sender="noreply@altinn.no",
        subject="S", body="B", template="Plain", language=1044, created_at=NOW, scheduled_at=NOW,
        missing_tokens=(1,), truncated=False)
    return replace(base, **overrides)


def open_emulator(url, clock) -> Emulator:
    return Emulator(Settings(database=url), clock=clock, seed=SEED)


def send_one(emu: Emulator, reportee=OLA):
    return emu.standalone_notifications.send(
        Caller(owner=emu.catalog.get_owner("TTD")),
        [request(reportee, "Email", template="TokenTextOnly", tokens=["a", "b"])], allow_priority_transport=False)


class TestRepositories:
    def test_registry_round_trip(self, db):
        registry = SqlRegistry(db)
        for entity, put in ((FULL, registry.put_person), (MAIN, registry.put_organisation),
                            (SUB_UNIT, registry.put_organisation), (USER, registry.put_user)):
            put(entity)
        assert registry.get_person(FULL.ssn) == FULL
        assert registry.get_organisation(MAIN.orgno) == MAIN
        assert registry.get_organisation(SUB_UNIT.orgno) == SUB_UNIT
        assert registry.get_user(USER.username) == USER
        assert registry.get_person("00000000000") is None
        assert registry.get_organisation("000000000") is None
        assert registry.get_user("nobody") is None
        assert [o.orgno for o in registry.list_organisations()] == sorted([MAIN.orgno, SUB_UNIT.orgno])

    def test_put_replaces(self, db):
        registry = SqlRegistry(db)
        registry.put_person(FULL)
        registry.put_person(replace(FULL, email=None, reserved=True))
        stored = registry.get_person(FULL.ssn)
        assert stored.email is None and stored.reserved is True
        assert len(registry.list_persons()) == 1

    def test_text_keys_are_in_one_order_on_every_store(self, db):
        """Code point order, as SQLite compares text: PostgreSQL's own follows the server's locale."""
        catalog = SqlCatalog(db)
        for code in ("b", "a", "B", "A"):
            catalog.put_owner(replace(TTD, code=code))
        assert [owner.code for owner in catalog.list_owners()] == ["A", "B", "a", "b"]
        assert catalog.get_owner_by_orgno(TTD.orgno).code == "A"  # of several owners with one orgno, the first

    def test_catalog_round_trip(self, db):
        catalog = SqlCatalog(db)
        catalog.put_owner(TTD)
        system = AgencySystem("ttd-system", "pw", "TTD", "TTD_X")
        catalog.put_system(system)
        catalog.put_service(SERVICE_A)
        for template in TEMPLATES:
            catalog.put_template(template)
        assert catalog.get_owner("TTD") == TTD
        assert catalog.get_owner_by_orgno(TTD.orgno) == TTD
        assert catalog.get_owner_by_orgno("999999999") is None
        assert catalog.get_system("ttd-system") == system
        assert catalog.get_service("1000", 1) == SERVICE_A
        assert catalog.get_service("1000", 9) is None
        for template in TEMPLATES:
            assert catalog.get_template(template.name) == template
        assert catalog.get_template("nope") is None

    def test_lockouts(self, db):
        lockouts = SqlLockouts(db)
        assert lockouts.get_lockout("s") == (0, None)
        assert lockouts.update_lockout("s", lambda f, u: (f + 3, u)) == (3, None)
        assert lockouts.get_lockout("s") == (3, None)
        assert lockouts.update_lockout("s", lambda f, u: (f + 2, NOW + timedelta(minutes=15))) == \
            (5, NOW + timedelta(minutes=15))
        assert lockouts.get_lockout("s") == (5, NOW + timedelta(minutes=15))
        lockouts.update_lockout("s", lambda f, u: (0, None))
        assert lockouts.get_lockout("s") == (0, None)
        assert db.query("SELECT COUNT(*) FROM lockouts") == [(0,)]

    def test_sequences_are_independent(self, db):
        assert [db.next_value("a"), db.next_value("a"), db.next_value("b"), db.next_value("a")] == [1, 2, 1, 3]

    def test_meta(self, db):
        assert db.get_meta("schema_version") == str(len(MIGRATIONS))
        assert db.get_meta("missing") is None
        db.set_meta("k", "v")
        assert db.get_meta("k") == "v"


class TestOutbox:
    def test_ids_are_assigned_in_order(self, db):
        outbox = SqlOutbox(db)
        stored = outbox.add_messages([message(), message(channel=Channel.SMS, address="+4791234567")])
        assert [m.id for m in stored] == [1, 2]
        assert outbox.list_messages() == stored

    def test_message_round_trip(self, db):
        original = message(is_reminder=True, from_profile=True, truncated=True, missing_tokens=(0, 2),
                           scheduled_at=NOW + timedelta(days=7), subject=None)
        (stored,) = SqlOutbox(db).add_messages([original])
        assert stored == replace(original, id=stored.id)
        assert OutboxMessage.from_dict(stored.to_dict()) == stored

    def test_filters(self, db):
        outbox = SqlOutbox(db)
        outbox.add_messages([
            message(),
            message(channel=Channel.SMS, address="+4791234567"),
            message(reportee=MAIN.orgno, origin="correspondence:1", service_owner="ETT", template="Other"),
        ])
        assert len(outbox.list_messages(OutboxFilter(reportee=FULL.ssn))) == 2
        assert len(outbox.list_messages(OutboxFilter(channel=Channel.SMS))) == 1
        assert len(outbox.list_messages(OutboxFilter(origin="correspondence:1"))) == 1
        assert len(outbox.list_messages(OutboxFilter(service_owner="TTD"))) == 2
        assert len(outbox.list_messages(OutboxFilter(template="Other"))) == 1
        assert len(outbox.list_messages(OutboxFilter(reportee=FULL.ssn, channel=Channel.EMAIL))) == 1
        assert outbox.list_messages(OutboxFilter(reportee="x")) == []
        ttd = [m.id for m in outbox.list_messages(OutboxFilter(service_owner="TTD"))]
        assert [m.id for m in outbox.list_messages(OutboxFilter(service_owner="TTD"), newest=1)] == ttd[-1:]

    def test_clear(self, db):
        outbox = SqlOutbox(db)
        outbox.add_messages([message(), message()])
        assert outbox.clear_messages() == 2
        assert outbox.list_messages() == []

    def test_notification_ids(self, db):
        outbox = SqlOutbox(db)
        assert outbox.next_notification_ids(3) == [1, 2, 3] and outbox.next_notification_ids(2) == [4, 5]


class TestTransactions:
    def test_commit(self, db):
        with db.transaction():
            SqlOutbox(db).add_messages([message()])
        assert len(SqlOutbox(db).list_messages()) == 1

    def test_exception_rolls_back(self, db):
        outbox = SqlOutbox(db)
        with pytest.raises(RuntimeError):
            with db.transaction():
                outbox.add_messages([message()])
                db.next_value("notification")
                SqlRegistry(db).put_person(FULL)
                raise RuntimeError("boom")
        assert outbox.list_messages() == []
        assert SqlRegistry(db).get_person(FULL.ssn) is None
        assert db.next_value("notification") == 1

    def test_failure_in_a_nested_block_rolls_back_everything(self, db):
        outbox = SqlOutbox(db)
        with pytest.raises(AltinnError):
            with db.transaction():
                outbox.add_messages([message()])
                with db.transaction():
                    outbox.add_messages([message()])
                    raise AltinnError(0, "inner")
        assert outbox.list_messages() == []

    def test_failure_after_a_nested_block_rolls_it_back(self, db):
        outbox = SqlOutbox(db)
        with pytest.raises(RuntimeError):
            with db.transaction():
                with db.transaction():
                    outbox.add_messages([message()])
                raise RuntimeError
        assert outbox.list_messages() == []

    def test_nested_blocks_join_the_outer_transaction(self, db):
        outbox = SqlOutbox(db)
        with db.transaction():
            try:
                with db.transaction():
                    outbox.add_messages([message()])
                    raise RuntimeError
            except RuntimeError:
                pass
            outbox.add_messages([message()])
        assert len(outbox.list_messages()) == 2   # no savepoints: the inner block is part of the outer one

    def test_the_database_is_usable_after_a_rollback(self, db):
        with pytest.raises(RuntimeError):
            with db.transaction():
                raise RuntimeError
        with db.transaction():
            SqlOutbox(db).add_messages([message()])
        assert len(SqlOutbox(db).list_messages()) == 1


class TestCache:
    """Reference data cached per process: never a value older than what the store holds."""

    def test_a_value_loaded_while_another_thread_commits_a_change_is_not_kept(self, db):
        def change_in_another_thread():
            def change():
                with db.transaction():
                    db.changed()
            other = threading.Thread(target=change)
            other.start()
            other.join()
            return "read before the change"

        assert db.cached("key", change_in_another_thread) == "read before the change"
        assert db.cached("key", lambda: "read after it") == "read after it"

    def test_what_an_open_transaction_changed_is_not_shown_to_other_threads(self, db):
        seen = []
        with db.transaction():
            db.changed()
            assert db.cached("key", lambda: "uncommitted") == "uncommitted"
            other = threading.Thread(target=lambda: seen.append(db.cached("key", lambda: "committed")))
            other.start()
            other.join()
        assert seen == ["committed"]

    def test_a_value_loaded_in_quiet_times_is_kept(self, db):
        assert db.cached("key", lambda: "first") == "first"
        assert db.cached("key", lambda: "second") == "first"


class TestRequestScope:
    """A request's write transactions commit together, when it settles or its scope ends."""

    @pytest.fixture
    def two(self, persistent_url):
        """The store seen by this process and by another one (another worker or host)."""
        here, there = open_database(persistent_url), open_database(persistent_url)
        yield here, there
        here.close()
        there.close()

    def test_writes_commit_together_as_the_scope_ends(self, two):
        here, there = two
        with here.request_scope():
            with here.transaction():
                SqlOutbox(here).add_messages([message()])
            with here.transaction():
                SqlOutbox(here).add_messages([message(notification_id=2)])
            assert SqlOutbox(here).list_messages() != []  # the request sees its own writes
            assert SqlOutbox(there).list_messages() == []  # nobody else does yet
        assert [m.notification_id for m in SqlOutbox(there).list_messages()] == [1, 2]

    def test_a_later_block_that_fails_is_undone_alone(self, db):
        outbox = SqlOutbox(db)
        with db.request_scope():
            with db.transaction():
                outbox.add_messages([message()])
            with pytest.raises(AltinnError):
                with db.transaction():
                    outbox.add_messages([message(notification_id=2)])
                    db.next_value("notification")
                    raise AltinnError(0, "the second step fails")
        assert [m.notification_id for m in outbox.list_messages()] == [1]
        assert db.next_value("notification") == 1

    def test_a_first_block_that_fails_rolls_back_and_holds_nothing(self, two):
        here, there = two
        with here.request_scope():
            with pytest.raises(RuntimeError):
                with here.transaction():
                    SqlOutbox(here).add_messages([message()])
                    raise RuntimeError
            with there.transaction():  # the write lock is free: another writer goes ahead at once
                SqlOutbox(there).add_messages([message(notification_id=7)])
        assert [m.notification_id for m in SqlOutbox(here).list_messages()] == [7]

    def test_what_was_done_commits_even_when_the_request_then_fails(self, db):
        with pytest.raises(RuntimeError):
            with db.request_scope():
                with db.transaction():
                    SqlOutbox(db).add_messages([message()])
                raise RuntimeError("answering failed")
        assert len(SqlOutbox(db).list_messages()) == 1

    def test_settle_commits_early_and_the_scope_goes_on(self, two):
        here, there = two
        with here.request_scope():
            with here.transaction():
                SqlOutbox(here).add_messages([message()])
            here.settle()
            assert len(SqlOutbox(there).list_messages()) == 1
            with here.transaction():
                SqlOutbox(here).add_messages([message(notification_id=2)])
            assert len(SqlOutbox(there).list_messages()) == 1
        assert len(SqlOutbox(there).list_messages()) == 2

    def test_nested_scopes_are_one(self, two):
        here, there = two
        with here.request_scope():
            with here.request_scope():
                with here.transaction():
                    SqlOutbox(here).add_messages([message()])
            assert SqlOutbox(there).list_messages() == []
        assert len(SqlOutbox(there).list_messages()) == 1

    def test_another_thread_waits_for_the_scope_then_writes(self, db):
        """Threads share an in-memory database's one connection: the open transaction is the scope's alone."""
        outbox = SqlOutbox(db)
        other_done = threading.Event()

        def other_writer():
            with db.transaction():
                outbox.add_messages([message(notification_id=9)])
            other_done.set()

        with db.request_scope():
            with db.transaction():
                outbox.add_messages([message()])
            thread = threading.Thread(target=other_writer)
            thread.start()
            assert not other_done.wait(0.2)  # it queues behind the open transaction ...
        thread.join(10)
        assert other_done.is_set()  # ... and goes on once the scope has committed
        assert sorted(m.notification_id for m in outbox.list_messages()) == [1, 9]

    def test_a_commit_that_fails_loses_the_request_and_frees_the_lock(self, db, monkeypatch):
        end = db._end

        def failing_commit(session, statement):
            if statement == "COMMIT":
                raise RuntimeError("the disk is full")
            end(session, statement)

        monkeypatch.setattr(db, "_end", failing_commit)
        with pytest.raises(RuntimeError, match="the disk is full"):
            with db.request_scope():
                with db.transaction():
                    SqlOutbox(db).add_messages([message()])
        monkeypatch.setattr(db, "_end", end)
        assert SqlOutbox(db).list_messages() == []
        other = threading.Thread(target=lambda: SqlOutbox(db).add_messages([message(notification_id=2)]))
        other.start()
        other.join(10)
        assert not other.is_alive()  # the write lock was given back
        assert [m.notification_id for m in SqlOutbox(db).list_messages()] == [2]

    def test_a_write_outside_any_scope_commits_at_once(self, two):
        here, there = two
        with here.transaction():
            SqlOutbox(here).add_messages([message()])
        assert len(SqlOutbox(there).list_messages()) == 1


class TestRestart:
    def test_outbox_and_sequences_survive_a_restart(self, persistent_url, clock):
        path = persistent_url
        emu = open_emulator(path, clock)
        send_one(emu)
        emu.close()

        emu = open_emulator(path, clock)
        try:
            stored = emu.outbox.list_messages()
            assert [(m.id, m.notification_id, m.address) for m in stored] == [(1, 1, "ola.nordmann@example.no")]
            (outcome,) = send_one(emu)
            assert (outcome.messages[0].id, outcome.messages[0].notification_id) == (2, 2)
        finally:
            emu.close()

    def test_lock_out_survives_a_restart(self, persistent_url, clock):
        path = persistent_url
        emu = open_emulator(path, clock)
        for _ in range(5):
            with pytest.raises(AltinnError):
                emu.authenticator.authenticate("ttd-system", "wrong", mode=AuthMode.PASSWORD)
        emu.close()

        emu = open_emulator(path, clock)
        try:
            with pytest.raises(AltinnError) as caught:
                emu.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
            assert caught.value.message == LOCKED_OUT
        finally:
            emu.close()

    def test_rolled_back_work_is_not_on_disk(self, persistent_url, clock):
        path = persistent_url
        emu = open_emulator(path, clock)
        with pytest.raises(AltinnError):
            emu.standalone_notifications.send(
                Caller(owner=emu.catalog.get_owner("TTD")),
                [request(OLA, "Email", template="TokenTextOnly"), request("nobody", "Email")],
                allow_priority_transport=False)
        emu.close()

        emu = open_emulator(path, clock)
        try:
            assert emu.outbox.list_messages() == []
            assert emu.db.query("SELECT COUNT(*) FROM sequences") == [(0,)]
        finally:
            emu.close()

    def test_seed_is_rewritten_on_start_but_other_entities_are_kept(self, persistent_url, clock):
        path = persistent_url
        emu = open_emulator(path, clock)
        emu.registry.put_person(replace(emu.registry.get_person(OLA), first_name="Endret"))
        emu.registry.put_person(FULL)  # not in the seed
        emu.close()

        emu = open_emulator(path, clock)
        try:
            assert emu.registry.get_person(OLA).first_name == "Ola"
            assert emu.registry.get_person(FULL.ssn) == FULL
        finally:
            emu.close()

    def test_schema_is_not_migrated_twice(self, persistent_url):
        db = open_database(persistent_url)
        db.set_meta("marker", "kept")
        db.close()
        db = open_database(persistent_url)
        try:
            assert db.get_meta("schema_version") == str(len(MIGRATIONS))
            assert db.get_meta("marker") == "kept"
        finally:
            db.close()

    def test_a_sqlite_file_is_in_wal_mode(self, tmp_path):
        db = SqliteDatabase(str(tmp_path / "plain.db"))
        try:
            assert db.query("PRAGMA journal_mode") == [("wal",)]  # workers read while one writes
        finally:
            db.close()


class TestReset:
    def test_reset_clears_runtime_state_and_restores_the_seed(self, emulator):
        send_one(emulator)
        for _ in range(5):
            with pytest.raises(AltinnError):
                emulator.authenticator.authenticate("ttd-system", "wrong", mode=AuthMode.PASSWORD)
        emulator.registry.put_person(replace(emulator.registry.get_person(OLA), first_name="Endret"))
        emulator.registry.put_person(FULL)

        emulator.reset()

        assert emulator.outbox.list_messages() == []
        assert emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
        assert emulator.registry.get_person(OLA).first_name == "Ola"
        assert emulator.registry.get_person(FULL.ssn) is None
        (outcome,) = send_one(emulator)
        assert outcome.messages[0].notification_id == 1

    def test_reset_restarts_outbox_message_ids(self, emulator):
        send_one(emulator)
        emulator.reset()
        (outcome,) = send_one(emulator)
        assert outcome.messages[0].id == 1


class TestSnapshotOfTables:
    def test_numbering_goes_on_from_the_snapshot_after_a_restore(self, db):
        outbox = SqlOutbox(db)
        with db.transaction():
            outbox.add_messages([message(), message(), message()])
        db.execute("DELETE FROM outbox WHERE id = 3")  # the newest row is gone; its id stays used
        db.load(db.dump(("outbox",)))
        with db.transaction():
            (added,) = outbox.add_messages([message()])
        assert added.id == 4
        assert [m.id for m in outbox.list_messages()] == [1, 2, 4]

    def test_a_snapshot_without_numbering_goes_on_after_its_highest_id(self, db):
        """A table the snapshotted store had never numbered: its rows' ids are taken, the next comes after."""
        outbox = SqlOutbox(db)
        with db.transaction():
            outbox.add_messages([message(), message(), message()])
        dumped = db.dump(("outbox",))
        dumped["sequences"]["outbox"] = None
        db.load(dumped)
        with db.transaction():
            (added,) = outbox.add_messages([message()])
        assert added.id == 4


class TestSharing:
    """Several processes on one store (gunicorn workers, or hosts sharing PostgreSQL): two emulators on one
    database stand in for two processes; each request begins with ``sync()``."""

    @pytest.fixture
    def pair(self, persistent_url, clock):
        first = open_emulator(persistent_url, clock)
        second = Emulator(Settings(database=persistent_url), seed=SEED)  # adopts the clock the first shares
        yield first, second
        first.close()
        second.close()

    def test_a_change_of_reference_data_reaches_the_other_process(self, pair):
        first, second = pair
        assert second.registry.get_person(OLA).first_name == "Ola"  # now cached in the second
        first.registry.put_person(replace(first.registry.get_person(OLA), first_name="Endret"))
        assert second.registry.get_person(OLA).first_name == "Ola"  # until its next request
        second.sync()
        assert second.registry.get_person(OLA).first_name == "Endret"

    def test_a_reset_reaches_the_other_process(self, pair):
        first, second = pair
        second.registry.put_person(FULL)
        first.sync()
        assert first.registry.get_person(FULL.ssn) == FULL
        second.reset()
        first.sync()
        assert first.registry.get_person(FULL.ssn) is None

    def test_the_clock_is_shared(self, pair, clock):
        first, second = pair
        assert second.clock.now() == clock.now() and second.clock.frozen
        first.clock.advance(timedelta(days=3))
        second.sync()
        assert second.clock.now() == clock.now()
        second.clock.resume()
        first.sync()
        assert not first.clock.frozen

    def test_two_workers_moving_the_clock_at_once_both_count(self, pair, clock):
        first, second = pair
        start = clock.now()
        first.change_clock(lambda shared: shared.advance(timedelta(days=3)))
        second.change_clock(lambda shared: shared.advance(timedelta(days=1)))  # without a sync in between
        first.sync()
        assert first.clock.now() == second.clock.now() == start + timedelta(days=4)

    def test_a_restore_brings_back_the_state_and_its_clock_for_every_process(self, pair, clock):
        first, second = pair
        snapshot = first.snapshot()
        send_one(first)
        first.clock.advance(timedelta(days=2))
        first.restore(snapshot)
        second.sync()
        assert second.outbox.list_messages() == [] and second.clock.now() == clock.now()

    def test_a_new_process_adopts_the_shared_clock(self, persistent_url, clock):
        first = open_emulator(persistent_url, clock)
        try:
            first.clock.advance(timedelta(hours=5))
            late = Emulator(Settings(database=persistent_url), seed=SEED)
            assert late.clock.frozen and late.clock.now() == clock.now()
            late.close()
        finally:
            first.close()

    def test_ids_are_unique_across_processes(self, pair):
        first, second = pair
        ids = [m.id for emu in (first, second, first, second) for m in send_one(emu)[0].messages]
        assert ids == [1, 2, 3, 4]

    def test_a_process_that_changed_nothing_keeps_its_cache(self, pair):
        first, second = pair
        second.registry.get_person(OLA)
        send_one(first)  # calls change state, not reference data
        assert second.db.refresh() is False

    def test_an_in_memory_database_is_not_shared(self, clock):
        emu = Emulator(clock=clock, seed=SEED)
        try:
            assert emu.db.shared is False and emu.db.refresh() is False
        finally:
            emu.close()


class TestJournal:
    @pytest.fixture(params=["in the store", "in memory"])
    def journal(self, request, db):
        """Make a journal keeping ``keep`` entries and ``max_body_bytes`` of their bodies: ``SqlJournal`` (SQLite
        and PostgreSQL) or ``MemoryJournal``."""
        if request.param == "in the store":
            return lambda keep=10_000, max_body_bytes=MAX_BODY_BYTES: SqlJournal(db, keep, max_body_bytes)
        return MemoryJournal

    def test_both_journals_filter_alike(self, journal):
        kept = journal()
        later = NOW + timedelta(hours=1)
        calls = [
            Exchange(method="POST", path="/a", at=NOW, binding="basic", operation="InsertCorrespondenceBasicV2",
                     base_operation="InsertCorrespondence", caller="ttd-system", owner="TTD", reportees=[FULL.ssn],
                     status=200, request_body=b"<a/>", response_body=b"<b/>"),
            Exchange(method="POST", path="/b", at=later, binding="ws", operation="Test", status=500, error_id=0,
                     reportees=["310001007", "50%_x"], request_body=b"\xff", response_body=b"",
                     warnings=[Skipped("Notification", "urn:c", "/Op/Notifications"),
                               {"name": "X", "namespace": "", "parent": "/Op"}]),
        ]
        first, second = (kept.record(call) for call in calls)
        cases = [
            (JournalFilter(), [first, second]),
            (JournalFilter(operation="insertcorrespondence"), [first]),
            (JournalFilter(operation="INSERTCORRESPONDENCEBASICV2"), [first]),
            (JournalFilter(binding="ws"), [second]),
            (JournalFilter(caller="TTD"), [first]),
            (JournalFilter(caller="ttd-system"), [first]),
            (JournalFilter(reportee="310001007"), [second]),
            (JournalFilter(reportee="50%_x"), [second]),
            (JournalFilter(reportee="50%"), []),
            (JournalFilter(reportee="50%_X"), []),  # exactly: SQLite's LIKE would have ignored the case
            (JournalFilter(reportee=FULL.ssn[:-1]), []),
            (JournalFilter(outcome="fault"), [second]),
            (JournalFilter(since=later), [second]),
            (JournalFilter(since=later + timedelta(microseconds=1)), []),
            (JournalFilter(limit=1), [second]),
            (JournalFilter(warnings=True), [second]),
            (JournalFilter(warnings=False), [first]),
            (JournalFilter(offset=1), [first]),
            (JournalFilter(offset=1, limit=1), [first]),
            (JournalFilter(offset=2), []),
            (JournalFilter(binding="ws", offset=1), []),
        ]
        for where, expected in cases:
            assert [entry.id for entry in kept.list_entries(where)] == expected, where
            if not where.limit and not where.offset:
                assert kept.count_entries(where) == len(expected), where
        assert kept.count_entries(JournalFilter(limit=1, offset=1)) == 2  # what matches, whatever the page
        entry = kept.get_entry(second)
        assert (entry.at, entry.reportees, entry.request, entry.outcome) == \
            (later, ("310001007", "50%_x"), "\ufffd", "fault")
        assert kept.get_entry(first).to_dict() == {
            "id": first, "at": NOW.isoformat(), "method": "POST", "path": "/a", "binding": "basic", "service": None,
            "operation": "InsertCorrespondenceBasicV2", "base_operation": "InsertCorrespondence",
            "caller": "ttd-system", "owner": "TTD", "reportees": [FULL.ssn], "status": 200, "outcome": "ok",
            "error_id": None, "error_message": None, "duration_ms": 0.0, "fault_rule": None, "request": "<a/>",
            "response": "<b/>", "warnings": []}
        assert kept.get_entry(second).to_dict()["warnings"] == [
            {"name": "Notification", "namespace": "urn:c", "parent": "/Op/Notifications"},
            {"name": "X", "namespace": "", "parent": "/Op"}]

    def test_ids_go_on_after_a_clear_and_only_the_newest_are_kept(self, journal):
        kept = journal(keep=3)
        ids = self.record(kept, 5)
        assert [entry.id for entry in kept.list_entries()] == ids[-3:] == [3, 4, 5]
        assert kept.get_entry(2) is None and kept.get_entry(3).id == 3
        assert kept.clear_entries() == 3 and kept.list_entries() == []
        assert self.record(kept, 1) == [6]

    def test_the_bodies_kept_are_bounded_too(self, journal):
        kept = journal(keep=100, max_body_bytes=1000)
        big = Exchange(method="POST", path="/x", at=NOW, status=200, request_body=b"x" * 250, response_body=b"y" * 50)
        assert [kept.record(big) for _ in range(5)] == [1, 2, 3, 4, 5]
        assert [entry.id for entry in kept.list_entries()] == [3, 4, 5]  # 900 of 1000 bytes
        assert kept.get_entry(2) is None and kept.get_entry(3).request == "x" * 250
        huge = Exchange(method="POST", path="/x", at=NOW, status=200, request_body=b"z" * 5000)
        assert kept.record(huge) == 6 and [entry.id for entry in kept.list_entries()] == [6]  # the newest stays
        assert kept.record(big) == 7 and [entry.id for entry in kept.list_entries()] == [7]
        assert kept.clear_entries() == 1 and kept.record(big) == 8 and len(kept.list_entries()) == 1
        assert [kept.record(big) for _ in range(3)] == [9, 10, 11]
        assert [entry.id for entry in kept.list_entries(JournalFilter(limit=2))] == [10, 11]
        assert [entry.id for entry in kept.list_entries()] == [9, 10, 11]  # counted afresh after the clear

    def record(self, journal, count: int) -> list[int]:
        return [journal.record(Exchange(method="POST", path="/x", at=NOW, binding="basic", operation="Test",
                                        status=200, request_body=b"<a/>", response_body=b"<b/>"))
                for _ in range(count)]

    def test_only_the_newest_entries_are_kept(self, db):
        journal = SqlJournal(db, keep=5)
        ids = self.record(journal, 130)
        assert [entry.id for entry in journal.list_entries()] == ids[-5:]
        assert journal.get_entry(ids[-6]) is None and journal.get_entry(ids[-5]).request == "<a/>"
        # older rows go in batches, so the table stays small
        assert db.query("SELECT COUNT(*) FROM journal")[0][0] <= 5 + SqlJournal.TRIM_EVERY

    def test_a_large_call_trims_the_table_at_once(self, db):
        journal = SqlJournal(db, keep=1000, max_body_bytes=64_000)
        small = Exchange(method="POST", path="/x", at=NOW, status=200, request_body=b"a" * 100)
        self.record(journal, 10)
        assert db.query("SELECT COUNT(*) FROM journal") == [(10,)]  # small calls: trimmed in batches
        journal.record(small)
        large = Exchange(method="POST", path="/x", at=NOW, status=200, request_body=b"b" * 40_000)
        assert journal.record(large) == 12 and db.query("SELECT COUNT(*) FROM journal") == [(12,)]  # all fit
        assert journal.record(large) == 13
        assert [row[0] for row in db.query("SELECT id FROM journal ORDER BY id")] == [13]  # deleted, not just hidden
        assert journal.record(small) == 14 and [entry.id for entry in journal.list_entries()] == [13, 14]

    def test_writers_side_by_side_account_for_every_body(self, persistent_url):
        """Each entry's bodies start where the previous entry's ended, however many workers write at once."""
        store = open_database(persistent_url)
        journal_db = journal_database(store)
        sizes = [10 * n for n in range(1, 41)]
        barrier = threading.Barrier(4)

        def write(mine: list[int]) -> None:
            journal = SqlJournal(journal_db)  # each thread writes on a connection of its own
            barrier.wait()
            for size in mine:
                journal.record(Exchange(method="POST", path="/x", at=NOW, status=200, request_body=b"r" * size))

        writers = [threading.Thread(target=write, args=(sizes[n::4],)) for n in range(4)]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join(30)
        try:
            rows = journal_db.query("SELECT body_start, body_end, length(request) FROM journal ORDER BY id")
            assert len(rows) == len(sizes)
            assert [start for start, _, _ in rows] == [0] + [end for _, end, _ in rows[:-1]]
            assert all(end - start == size for start, end, size in rows) and rows[-1][1] == sum(sizes)
        finally:
            journal_db.close()
            store.close()

    def test_clearing_counts_what_was_visible_and_keeps_numbering(self, db):
        journal = SqlJournal(db, keep=5)
        ids = self.record(journal, 70)
        assert journal.clear_entries() == 5
        assert db.query("SELECT COUNT(*) FROM journal") == [(0,)]
        assert self.record(journal, 1) == [ids[-1] + 1]  # an id a test holds never names another call


class TestForkedWorkers:
    @pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
    def test_a_forked_worker_opens_connections_of_its_own(self, tmp_path):
        """As gunicorn's workers are made: a connection opened before the fork is the parent's alone."""
        db = SqliteDatabase(str(tmp_path / "state.db"))
        parent = db._connection()
        read, write = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover - runs in the child
            try:
                db.set_meta("written by", "the child")
                ok = db._connection() is not parent and db.get_meta("written by") == "the child"
                os.write(write, b"ok" if ok else b"shared the parent's connection")
            finally:
                os._exit(0)
        os.close(write)
        os.waitpid(child, 0)
        try:
            assert os.read(read, 100) == b"ok"
            assert db._connection() is parent and db.get_meta("written by") == "the child"
        finally:
            os.close(read)
            db.close()


class TestJournalDatabase:
    """Where a store keeps its request journal (see ``journal_database``)."""

    def entry(self) -> Exchange:
        return Exchange(method="POST", path="/x", at=NOW, binding="basic", operation="Test", status=200,
                        request_body=b"<a/>", response_body=b"<b/>")

    @pytest.mark.parametrize("name, journal", [("altinn.db", "altinn.journal.db"), ("store", "store.journal.db"),
                                               ("state.sqlite3", "state.journal.sqlite3")])
    def test_a_sqlite_file_keeps_it_in_a_file_beside_it(self, tmp_path, name, journal):
        db = SqliteDatabase(str(tmp_path / name))
        kept = journal_database(db)
        try:
            assert kept is not db and kept.url == str(tmp_path / journal)
            assert kept.get_meta("schema_version") == str(len(JOURNAL_MIGRATIONS))
            entry_id = SqlJournal(kept).record(self.entry())
            assert SqlJournal(kept).get_entry(entry_id).request == "<a/>"
            assert db.query("SELECT COUNT(*) FROM journal") == [(0,)]  # not in the store's own file
        finally:
            kept.close()
            db.close()

    def test_its_writes_do_not_wait_for_the_store_s_write_lock(self, persistent_url):
        """A worker journals a call while another holds the store's write lock (and the other way round)."""
        here, there = open_database(persistent_url), open_database(persistent_url)
        journal = journal_database(there)
        recorded = []
        try:
            assert journal is not there
            with here.transaction():
                SqlOutbox(here).add_messages([message()])
                writer = threading.Thread(target=lambda: recorded.append(SqlJournal(journal).record(self.entry())))
                writer.start()
                writer.join(10)
                assert recorded == [1]  # written and committed while the store's transaction is open
            in_the_store = SqlJournal(here).list_entries()  # PostgreSQL: the journal table of the same database
            assert [entry.id for entry in in_the_store] == ([1] if "postgres" in persistent_url else [])
        finally:
            journal.close()
            here.close()
            there.close()

    def test_postgresql_commits_do_not_wait_for_the_disk(self, database_url):
        if "postgres" not in database_url:
            pytest.skip("a PostgreSQL setting (SQLite files are written with synchronous=OFF)")
        db = open_database(database_url)
        try:
            assert db.query("SHOW synchronous_commit") == [("off",)]
        finally:
            db.close()

    def test_in_memory_it_is_the_store_itself(self):
        db = SqliteDatabase(":memory:")
        try:
            assert journal_database(db) is db
        finally:
            db.close()

    def test_workers_on_one_file_share_it(self, tmp_path, clock):
        path = str(tmp_path / "altinn.db")
        first, second = open_emulator(path, clock), open_emulator(path, clock)
        try:
            ids = [first.journal.record(self.entry()), second.journal.record(self.entry())]
            assert [entry.id for entry in first.journal.list_entries()] == ids == [1, 2]
        finally:
            first.close()
            second.close()


class TestUpgrade:
    def test_a_journal_file_of_an_older_schema_keeps_its_entries(self, tmp_path):
        """Journal schema 2 had no body offsets: its entries stay, counted as bodies of no size."""
        path = str(tmp_path / "altinn.journal.db")
        old = SqliteDatabase(path, migrations=JOURNAL_MIGRATIONS[:2])
        with old.transaction():
            old.execute("INSERT INTO journal (at, method, path, reportees, status, outcome, duration_ms, request, "
                        "response) VALUES ('2026-03-02T09:00:00Z', 'POST', '/old', ' ', 200, 'ok', 1.5, X'61', X'62')")
        old.close()
        db = SqliteDatabase(path, migrations=JOURNAL_MIGRATIONS)
        try:
            assert db.get_meta("schema_version") == str(len(JOURNAL_MIGRATIONS))
            journal = SqlJournal(db, max_body_bytes=100)
            assert journal.record(Exchange(method="POST", path="/new", at=NOW, status=200, request_body=b"x" * 60)) == 2
            assert [entry.path for entry in journal.list_entries()] == ["/old", "/new"]
            journal.record(Exchange(method="POST", path="/newer", at=NOW, status=200, request_body=b"y" * 60))
            assert [entry.path for entry in journal.list_entries()] == ["/newer"]
        finally:
            db.close()

    def test_a_journal_file_without_warnings_keeps_its_entries(self, tmp_path):
        """Journal schema 3 had no warnings: its entries stay, with none."""
        path = str(tmp_path / "altinn.journal.db")
        old = SqliteDatabase(path, migrations=JOURNAL_MIGRATIONS[:3])
        insert_v3 = "INSERT INTO journal (at, method, path, reportees, status, outcome, duration_ms, request, " \
            "response, body_start, body_end) VALUES ('2026-03-02T09:00:00Z', 'POST', '/old', ' ', 200, 'ok', 1.5, " \
            "X'61', X'62', 0, 2)"
        with old.transaction():
            old.execute(insert_v3)
        old.close()
        db = SqliteDatabase(path, migrations=JOURNAL_MIGRATIONS)
        try:
            assert db.get_meta("schema_version") == str(len(JOURNAL_MIGRATIONS)) == "4"
            journal = SqlJournal(db)
            journal.record(Exchange(method="POST", path="/new", at=NOW, status=200,
                                    warnings=[Skipped("X", "urn:x", "/Op")]))
            assert [(entry.path, entry.warnings) for entry in journal.list_entries()] == [
                ("/old", ()), ("/new", ({"name": "X", "namespace": "urn:x", "parent": "/Op"},))]
            assert [entry.path for entry in journal.list_entries(JournalFilter(warnings=False))] == ["/old"]
        finally:
            db.close()

    def test_a_store_of_an_older_schema_is_upgraded_on_start(self, persistent_url, clock):
        """Schema 5 had the journal as JSON documents; opening it upgrades to the current schema."""
        db = open_database(persistent_url)
        old = MIGRATIONS[2].split("CREATE TABLE fault_rules")[0]  # the journal as schema 3 made it ...
        with db.transaction():
            db.execute("DROP TABLE journal")
            for statement in filter(str.strip, old.format(id=db.id_column, blob=db.blob_type).split(";")):
                db.execute(statement)
            db.execute("ALTER TABLE journal ADD COLUMN base_operation TEXT")  # ... and schema 5 extended it
            db.set_meta("schema_version", "5")
        db.close()

        emu = open_emulator(persistent_url, clock)
        try:
            assert emu.db.get_meta("schema_version") == str(len(MIGRATIONS))
            columns = [row[0] for row in emu.db.query(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'journal'")] \
                if "postgresql" in persistent_url else [row[1] for row in emu.db.query("PRAGMA table_info(journal)")]
            assert "request" in columns and "data" not in columns
            send_one(emu)
            assert len(emu.outbox.list_messages()) == 1  # the rest of the store is untouched and works
        finally:
            emu.close()
