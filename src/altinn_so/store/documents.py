"""What every repository shares: entities kept as JSON documents beside the columns they are found by, UTC
timestamps that sort as text, id order, and the creation-ordered lookups of a service's elements.

Used by the core's repositories (``repositories``) and by each service's own store module.
"""

from __future__ import annotations

from datetime import datetime

import orjson

from ..domain.clock import utc_time
from .database import Database


def dump(data: dict) -> str:
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS).decode()


parse = orjson.loads


def timestamp(moment: datetime) -> str:
    """A UTC timestamp of fixed width (2026-11-28T08:39:18.382000Z), so that columns compare and sort as text."""
    return utc_time(moment).isoformat(timespec="microseconds")[:26] + "Z"


def load_with_id(load, data: str, row_id: int):
    """An entity stored as JSON next to its auto-numbered id (the column is the truth; the JSON has none)."""
    fields = parse(data)
    fields["id"] = row_id
    return load(fields)


def dump_without_id(entity) -> str:
    fields = entity.to_dict()
    fields["id"] = None
    return dump(fields)


def in_id_order(db: Database, select: str, params: tuple, newest: int | None) -> list[tuple]:
    """The rows of ``select`` (an id first) in id order; only the newest ``newest`` when given, which the
    database finds from the end of the table, without reading the rest."""
    if newest is None:
        return db.query(select + " ORDER BY id", params)
    return db.query(select + f" ORDER BY id DESC LIMIT {int(newest)}", params)[::-1]


def chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def owner_filters(owner, service, created_after, created_before, reportee) -> tuple[list[str], list]:
    clauses, params = ["owner=?"], [owner]
    if service is not None:
        clauses += ["service_code=?", "service_edition=?"]
        params += [service[0], service[1]]
    if created_after is not None:
        clauses.append("created_at > ?")
        params.append(timestamp(created_after))
    if created_before is not None:
        clauses.append("created_at < ?")
        params.append(timestamp(created_before))
    if reportee is not None:
        clauses.append("reportee=?")
        params.append(reportee)
    return clauses, params


def select_in_creation_order(db: Database, table: str, reference_column: str, clauses: list[str], params: list,
            references: list[str] | None, limit: int | None = None,
            after: tuple[datetime, int] | None = None) -> list[tuple]:
    """(id, data) of the first ``limit`` rows matching ``clauses`` (and one of ``references`` when given),
    in order of creation, after the row ``after`` (its creation time and id) when given.

    The order is the service index's (owner, service, edition, created_at; ties by id), so a query on a
    whole service reads the first ``limit`` entries and stops: its cost does not grow with the table.
    """
    clauses, params = list(clauses), list(params)
    if after is not None:
        clauses.append("(created_at > ? OR (created_at = ? AND id > ?))")
        params += [timestamp(after[0]), timestamp(after[0]), after[1]]
    base = f"SELECT id, created_at, data FROM {table} WHERE " + " AND ".join(clauses)  # noqa: S608 (our columns)
    tail = " ORDER BY created_at, id" + (f" LIMIT {int(limit)}" if limit is not None else "")
    if references is None:
        rows = db.query(base + tail, tuple(params))
    else:
        found: dict[int, tuple] = {}
        for chunk in chunks(list(dict.fromkeys(references))):
            sql = base + f" AND {reference_column} IN ({', '.join('?' * len(chunk))})" + tail
            found.update((row[0], row) for row in db.query(sql, tuple(params) + tuple(chunk)))
        rows = sorted(found.values(), key=lambda row: (row[1], row[0]))[:limit]
    return [(row[0], row[2]) for row in rows]
