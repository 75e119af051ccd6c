"""The inventory overlay in the store: staff edits (:class:`~web.models.ZoneEdit`) and the
revision counter every worker checks (:class:`~web.models.StoreRevision`).

The pure logic (checking values, applying the overlay, its CSV) is :mod:`valleys.overlay`; this
module only reads and writes the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import pandas as pd
from sqlalchemy import func, select

from valleys.overlay import overlay_frame
from web.extensions import db
from web.models import StoreRevision, ZoneEdit

#: the counter's name in :class:`~web.models.StoreRevision`
INVENTORY = "inventory"


def revision() -> int:
    """The inventory's revision (0: no edit was ever stored)."""
    value = db.session.execute(
        select(StoreRevision.value).where(StoreRevision.name == INVENTORY)
    ).scalar()
    return int(value or 0)


def _bump() -> int:
    row = db.session.get(StoreRevision, INVENTORY, with_for_update=True)
    if row is None:
        row = StoreRevision(name=INVENTORY, value=0)
        db.session.add(row)
    row.value = int(row.value or 0) + 1
    return row.value


def zone_revision(zone_id: str) -> int:
    """The id of the zone's last edit (0: never edited): what an edit form is based on."""
    value = db.session.execute(
        select(func.max(ZoneEdit.id)).where(ZoneEdit.zone_id == zone_id)
    ).scalar()
    return int(value or 0)


def _row(edit: ZoneEdit) -> dict[str, str]:
    return {
        "zone_id": edit.zone_id, "column": edit.column, "old_value": edit.old_value or "",
        "new_value": edit.new_value or "", "changed_by": edit.changed_by or "",
        "changed_at": edit.changed_at.isoformat(timespec="seconds"), "source": edit.source,
    }


def overlay_table() -> tuple[pd.DataFrame, int]:
    """Every stored edit in order, as an overlay table (:mod:`valleys.overlay`), and the
    revision it is at (read in one transaction)."""
    current = revision()
    edits = db.session.execute(select(ZoneEdit).order_by(ZoneEdit.id)).scalars()
    return overlay_frame(_row(e) for e in edits), current


def history(zone_id: str) -> list[ZoneEdit]:
    """A zone's edits, newest first."""
    return list(db.session.execute(
        select(ZoneEdit).where(ZoneEdit.zone_id == zone_id).order_by(ZoneEdit.id.desc())
    ).scalars())


def last_edit(zone_id: str) -> ZoneEdit | None:
    """A zone's newest edit, or ``None``."""
    return db.session.execute(
        select(ZoneEdit).where(ZoneEdit.zone_id == zone_id).order_by(ZoneEdit.id.desc()).limit(1)
    ).scalar()


def record(zone_id: str, changes: Mapping[str, tuple[str, str]], *, by: str, source: str,
           at: datetime) -> list[ZoneEdit]:
    """Store one change set of a zone (column -> (old, new)) and raise the revision; commits."""
    rows = [
        ZoneEdit(zone_id=zone_id, column=column, old_value=old, new_value=new, changed_by=by,
                 changed_at=at, source=source)
        for column, (old, new) in changes.items()
    ]
    db.session.add_all(rows)
    _bump()
    db.session.commit()
    return rows


def import_rows(rows: Iterable[Mapping[str, str]]) -> int:
    """Append overlay rows (checked already) that the store lacks; return how many; commits.

    A row the store has (same zone, column, values, author, time and source) is skipped, so
    importing an export again changes nothing.
    """
    have = {tuple(r.values()) for r in (_row(e) for e in db.session.execute(select(ZoneEdit)).scalars())}
    added = 0
    for row in rows:
        at = datetime.fromisoformat(row["changed_at"])
        candidate = {**row, "changed_at": at.isoformat(timespec="seconds")}
        key = tuple(candidate[c] for c in ("zone_id", "column", "old_value", "new_value",
                                           "changed_by", "changed_at", "source"))
        if key in have:
            continue
        if at.tzinfo is None:
            from web.models import CASABLANCA

            at = at.replace(tzinfo=CASABLANCA)
        db.session.add(ZoneEdit(zone_id=row["zone_id"], column=row["column"],
                                old_value=row["old_value"], new_value=row["new_value"],
                                changed_by=row["changed_by"], changed_at=at, source=row["source"]))
        have.add(key)
        added += 1
    if added:
        _bump()
    db.session.commit()
    return added
