"""The store's schema: tables made on start, and columns added since a store was made.

The store has no migration tool: its changes so far only add tables and columns. On start,
:func:`upgrade_schema` creates missing tables (``create_all``) and adds each column that a model
declares but an existing table lacks (``ALTER TABLE ... ADD COLUMN``), with the column's
``server_default`` so existing rows get a value. A column added later must therefore be
nullable or carry a ``server_default``; anything else (a rename, a type change) needs a real
migration and is refused here with a message rather than half-applied.
"""

from __future__ import annotations

from sqlalchemy import Engine, MetaData, inspect, text
from sqlalchemy.schema import CreateColumn

from valleys.errors import TechValleyError


def upgrade_schema(engine: Engine, metadata: MetaData) -> list[str]:
    """Create missing tables and add missing columns; return the columns added (``table.column``).

    Raises
    ------
    valleys.errors.TechValleyError
        A missing column that is neither nullable nor has a server default (it cannot be added
        to a table that has rows).
    """
    metadata.create_all(engine)
    added: list[str] = []
    inspector = inspect(engine)
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in present:
                    continue
                if not column.nullable and column.server_default is None:
                    raise TechValleyError(
                        f"the store's table {table.name!r} lacks the column {column.name!r}, "
                        "which cannot be added in place (no default): back up the database and "
                        "recreate it, or add the column by hand"
                    )
                ddl = CreateColumn(column).compile(dialect=engine.dialect)
                connection.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN {ddl}'))
                added.append(f"{table.name}.{column.name}")
            for index in table.indexes:  # the indexes of added columns
                index.create(connection, checkfirst=True)
    return added


__all__ = ["upgrade_schema"]
