"""Fast bulk loading: PostgreSQL ``COPY … FROM STDIN`` (psycopg 3), batched INSERTs on SQLite.

Rows are dicts keyed by column name; missing columns take the model field's default. Ids are
assigned by the caller (so related rows can point at them) and the sequences are moved past
them afterwards — or, with ``assign_ids=False``, left to the table's identity column. Used by the
simulator (``bench.simulate``) and by the statistics rollups (``stats.rollup``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db import connection, models
from django.db.models import NOT_PROVIDED

_EMPTY_JSON = {dict: "{}", list: "[]"}


class BulkWriter:
    def __init__(self, model: type[models.Model], *, assign_ids: bool = True) -> None:
        self.model = model
        self.table = model._meta.db_table
        self.fields = [f for f in model._meta.concrete_fields if assign_ids or not f.primary_key]
        self.columns = [f.column for f in self.fields]
        self.defaults = {}
        for field in self.fields:
            if field.default is not NOT_PROVIDED:
                self.defaults[field.column] = field.default() if callable(field.default) else field.default
            elif field.null:
                self.defaults[field.column] = None
            elif isinstance(field, (models.CharField, models.TextField, models.FileField)):
                self.defaults[field.column] = ""
        self.json_columns = {f.column for f in self.fields if isinstance(f, models.JSONField)}
        self.json_indexes = [i for i, c in enumerate(self.columns) if c in self.json_columns]
        self.column_defaults = [(c, self.defaults.get(c)) for c in self.columns]
        self.prep = {
            f.column: f
            for f in self.fields
            if isinstance(f, (models.DateTimeField, models.DateField, models.DecimalField))
        }

    def _values(self, row: dict[str, Any]) -> list[Any]:
        # The hot loop of a million-case run: one list comprehension over (column, default), then
        # JSON only for the JSON columns (the empty dict and list, by far the commonest, cached).
        get = row.get
        values = [get(column, default) for column, default in self.column_defaults]
        for index in self.json_indexes:
            value = values[index]
            if value is not None and not isinstance(value, str):
                values[index] = (
                    _EMPTY_JSON.get(type(value))
                    if not value and type(value) in _EMPTY_JSON
                    else json.dumps(value, ensure_ascii=False, default=str)
                )
        return values

    def write(self, rows: Iterable[dict[str, Any]]) -> int:
        count = 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                quoted = ", ".join(f'"{c}"' for c in self.columns)
                sql = f'COPY "{self.table}" ({quoted}) FROM STDIN'
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(self._values(row))
                        count += 1
                return count
            placeholders = ", ".join("%s" for _ in self.columns)
            # Table and column names come from the model, never from input.
            sql = f'INSERT INTO "{self.table}" ({", ".join(self.columns)}) VALUES ({placeholders})'  # noqa: S608
            batch: list[list[Any]] = []
            for row in rows:
                values = self._values(row)
                for i, column in enumerate(self.columns):
                    field = self.prep.get(column)
                    if field is not None and values[i] is not None:
                        values[i] = field.get_db_prep_save(values[i], connection)
                batch.append(values)
                count += 1
                if len(batch) >= 5000:
                    cursor.executemany(sql, batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql, batch)
        return count

    def next_id(self) -> int:
        last = self.model.objects.order_by("-pk").values_list("pk", flat=True).first()
        return (last or 0) + 1

    def reset_sequence(self) -> None:
        if connection.vendor != "postgresql":
            return  # SQLite's rowid follows the largest id by itself
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{self.table}\"', 'id'), "  # noqa: S608
                f'COALESCE((SELECT MAX(id) FROM "{self.table}"), 1))'
            )


def drop_secondary_indexes(models_: Iterable[type[models.Model]]) -> list[str]:
    """Drop the plain indexes of these tables (PostgreSQL; not primary keys, not unique, not
    backing a constraint) and return their definitions for ``create_indexes``: building an index
    once over the loaded rows is several times faster than maintaining it row by row. Call it in
    the load's transaction, so that a failed load gives the indexes back."""
    tables = [m._meta.db_table for m in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nspname, ci.relname, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            JOIN pg_class ci ON ci.oid = i.indexrelid
            JOIN pg_class ct ON ct.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = ct.relnamespace
            WHERE ct.relname = ANY(%s) AND n.nspname = current_schema()
              AND NOT i.indisprimary AND NOT i.indisunique
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY ct.relname, ci.relname
            """,
            [tables],
        )
        found = cursor.fetchall()
        for schema, name, _definition in found:
            cursor.execute(f'DROP INDEX "{schema}"."{name}"')
    return [definition for _schema, _name, definition in found]


def _run_pending_checks(cursor: Any) -> None:
    """Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: their checks are pending until the
    commit, and PostgreSQL refuses to alter or index a table with pending trigger events. Check
    them now, then defer again."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def drop_foreign_keys(models_: Iterable[type[models.Model]]) -> list[str]:
    """Drop the foreign keys of these tables (PostgreSQL) and return the statements that add them
    back (``add_foreign_keys``). Django's keys are checked by a trigger call per inserted row,
    deferred to the commit: for a load of tens of millions of rows that queue of checks takes a
    third of the run. Added back after the load, each key is checked once, by one set-wise query
    over the table. Call it in the load's transaction, so that a failed load gives the keys back."""
    tables = [m._meta.db_table for m in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT ct.relname, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            JOIN pg_class ct ON ct.oid = c.conrelid
            JOIN pg_namespace n ON n.oid = ct.relnamespace
            WHERE c.contype = 'f' AND ct.relname = ANY(%s) AND n.nspname = current_schema()
            ORDER BY ct.relname, c.conname
            """,
            [tables],
        )
        found = cursor.fetchall()
        # Dropping a key alters both of its tables (rows inserted earlier in the transaction may
        # have checks pending on either).
        _run_pending_checks(cursor)
        for table, name, _definition in found:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    return [
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}' for table, name, definition in found
    ]


def add_foreign_keys(statements: Iterable[str]) -> None:
    """Add back the keys ``drop_foreign_keys`` dropped; PostgreSQL checks the loaded rows against
    each one as it is added, and the load fails (and rolls back) on the first row without its
    parent."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        for statement in statements:
            cursor.execute(statement)


def create_indexes(definitions: Iterable[str]) -> None:
    """Recreate indexes from ``pg_get_indexdef`` definitions (see ``drop_secondary_indexes``)."""
    with connection.cursor() as cursor:
        _run_pending_checks(cursor)
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in definitions:
            cursor.execute(definition)
