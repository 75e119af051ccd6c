"""The store's schema upgrade: a store made by an older version gains the new columns in place."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, inspect, text

from valleys.errors import TechValleyError
from web.store import upgrade_schema


def _old_store(path):
    engine = create_engine(f"sqlite:///{path}")
    old = MetaData()
    Table("thing", old, Column("id", Integer, primary_key=True), Column("name", String(20)))
    old.create_all(engine)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO thing (id, name) VALUES (1, 'kept')"))
    return engine


def test_missing_columns_are_added_with_their_defaults_and_indexes(tmp_path):
    engine = _old_store(tmp_path / "old.sqlite3")
    new = MetaData()
    Table(
        "thing", new,
        Column("id", Integer, primary_key=True),
        Column("name", String(20)),
        Column("version", Integer, nullable=False, server_default="0", index=True),
        Column("note", String(50), nullable=True),
    )
    Table("other", new, Column("id", Integer, primary_key=True))

    added = upgrade_schema(engine, new)

    assert added == ["thing.version", "thing.note"]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT id, name, version, note FROM thing")).all() == [
            (1, "kept", 0, None)
        ]
    inspector = inspect(engine)
    assert "other" in inspector.get_table_names()
    assert any(ix["column_names"] == ["version"] for ix in inspector.get_indexes("thing"))
    assert upgrade_schema(engine, new) == []  # idempotent


def test_a_column_that_cannot_be_added_in_place_is_refused_by_name(tmp_path):
    engine = _old_store(tmp_path / "old.sqlite3")
    new = MetaData()
    Table(
        "thing", new,
        Column("id", Integer, primary_key=True),
        Column("name", String(20)),
        Column("required", Integer, nullable=False),
    )
    with pytest.raises(TechValleyError, match="'thing' lacks the column 'required'"):
        upgrade_schema(engine, new)


def test_the_app_upgrades_a_store_made_before_the_new_columns(tiny_data_path, tmp_path):
    from tests.web.conftest import make_app

    instance = tmp_path / "instance"
    instance.mkdir()
    engine = create_engine(f"sqlite:///{instance / 'techvalley.sqlite3'}")
    with engine.begin() as connection:  # the staff table as the first release made it
        connection.execute(text(
            "CREATE TABLE staff (id INTEGER PRIMARY KEY, email VARCHAR(254) UNIQUE, "
            "password_hash VARCHAR(255), created_at DATETIME)"
        ))
    app = make_app(tiny_data_path, instance)
    with app.app_context():
        from web.extensions import db

        columns = {c["name"] for c in inspect(db.engine).get_columns("staff")}
    model_columns = {c.name for c in db.metadata.tables["staff"].columns}
    assert model_columns <= columns
