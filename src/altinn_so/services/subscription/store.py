"""The subscriptions' tables and their repository, on any ``Database`` (SQLite or PostgreSQL).

``next_schedule_at`` is the subscription's next activation date as a UTC timestamp (NULL once it has none): the
clock's job finds what is due with one indexed read. ``subscription_activations`` has one row per subscription and
period, its unique key the last guard against activating a period twice. The form tasks are core reportee
elements (``store.schema``), not kept here."""

from __future__ import annotations

from datetime import datetime

from altinn_so.domain.values import evolve
from altinn_so.store.database import Database
from altinn_so.store.documents import dump_without_id, in_id_order, load_with_id, timestamp
from altinn_so.store.schema import TableGroup

from .rules import Activation, Subscription

TABLES = TableGroup(
    "subscription",
    migrations=(
        """
        CREATE TABLE subscriptions (
            id {id}, owner TEXT NOT NULL, service_code TEXT NOT NULL, service_edition INTEGER NOT NULL,
            reportee TEXT NOT NULL, created_at TEXT NOT NULL, next_schedule_at TEXT, data TEXT NOT NULL);
        CREATE INDEX subscriptions_next_schedule ON subscriptions (next_schedule_at);
        CREATE TABLE subscription_activations (
            id {id}, subscription_id INTEGER NOT NULL, period INTEGER NOT NULL, data TEXT NOT NULL);
        CREATE UNIQUE INDEX subscription_activations_period
            ON subscription_activations (subscription_id, period);
        """,
    ),
    runtime_tables=("subscriptions", "subscription_activations"),
    numbered_tables=("subscriptions", "subscription_activations"),
)


def _next(subscription: Subscription) -> str | None:
    moment = subscription.next_schedule_at
    return timestamp(moment) if moment is not None else None


class SqlSubscriptions:
    def __init__(self, db: Database):
        self._db = db

    def add_subscription(self, subscription: Subscription) -> Subscription:
        with self._db.transaction() as conn:
            new_id = conn.insert_one(
                "subscriptions", ("owner", "service_code", "service_edition", "reportee", "created_at",
                                  "next_schedule_at", "data"),
                (subscription.owner, subscription.service_code, subscription.service_edition, subscription.reportee,
                 timestamp(subscription.created_at), _next(subscription), dump_without_id(subscription)))
        return evolve(subscription, id=new_id)

    def put_subscription(self, subscription: Subscription) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE subscriptions SET next_schedule_at=?, data=? WHERE id=?",
                         (_next(subscription), dump_without_id(subscription), subscription.id))

    def get_subscription(self, subscription_id: int) -> Subscription | None:
        rows = self._db.query("SELECT id, data FROM subscriptions WHERE id=?", (subscription_id,))
        return load_with_id(Subscription.from_dict, rows[0][1], rows[0][0]) if rows else None

    def next_due(self, now: datetime) -> Subscription | None:
        rows = self._db.query(
            "SELECT id, data FROM subscriptions WHERE next_schedule_at IS NOT NULL AND next_schedule_at <= ? "
            "ORDER BY next_schedule_at, id LIMIT 1", (timestamp(now),))
        return load_with_id(Subscription.from_dict, rows[0][1], rows[0][0]) if rows else None

    def list_subscriptions(self, newest: int | None = None) -> list[Subscription]:
        return [load_with_id(Subscription.from_dict, data, i)
                for i, data in in_id_order(self._db, "SELECT id, data FROM subscriptions", (), newest)]

    def add_activation(self, activation: Activation) -> Activation:
        with self._db.transaction() as conn:
            new_id = conn.insert_one("subscription_activations", ("subscription_id", "period", "data"),
                                     (activation.subscription_id, activation.period, dump_without_id(activation)))
        return evolve(activation, id=new_id)

    def list_activations(self, newest: int | None = None) -> list[Activation]:
        return [load_with_id(Activation.from_dict, data, i)
                for i, data in in_id_order(self._db, "SELECT id, data FROM subscription_activations", (), newest)]
