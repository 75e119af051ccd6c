"""The stored records: staff accounts, saved shortlists, investor inquiries, login failures.

Times are stored in UTC and shown in ``Africa/Casablanca`` (see :func:`now`).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from web.extensions import Model
from web.settings import TIMEZONE

CASABLANCA = ZoneInfo(TIMEZONE)


def now() -> datetime:
    """The current time in ``Africa/Casablanca`` (an aware datetime)."""
    return datetime.now(CASABLANCA)


class AwareDateTime(TypeDecorator):
    """Store aware datetimes as UTC; read them back aware, in ``Africa/Casablanca``.

    SQLite keeps no offset, so the value is normalised to UTC on the way in.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to an AwareDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(CASABLANCA)


def new_shortlist_id() -> str:
    """A random, unguessable shortlist id (32 hex digits)."""
    return uuid.uuid4().hex


def new_share_token() -> str:
    """A share token: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


class Staff(UserMixin, Model):
    """A staff account (investment-promotion staff); passwords are stored hashed (scrypt).

    ``session_version`` is part of the id a login session carries (:meth:`get_id`): raising it
    (:meth:`end_sessions`, done by logout and by every new password) ends every session of the
    account, copied cookies included.
    """

    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=now)
    # server_default: the store adds the column in place to a table made before it existed
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def get_id(self) -> str:
        """The session's user id: ``"<id>:<session_version>"``."""
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self) -> None:
        """End every login session of this account (the caller commits)."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class Shortlist(Model):
    """A saved shortlist: what was asked, on which data, and what was answered.

    Reopening one shows ``result`` as stored, never a recomputation.
    """

    __tablename__ = "shortlist"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_shortlist_id)
    name: Mapped[str] = mapped_column(String(500), default="")
    requirements: Mapped[dict] = mapped_column(JSON)
    dataset_version: Mapped[str] = mapped_column(String(64), default="")
    result: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=now, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    share_token: Mapped[str] = mapped_column(
        String(64), unique=True, index=True, default=new_share_token
    )
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(AwareDateTime, nullable=True)
    # the columns below came with the anonymous-save quotas: each has a server default or is
    # nullable, so web.store.upgrade_schema can add it to an older store
    #: an anonymous save's client, as a keyed hash of its IP address (never the address itself)
    client_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: staff kept this anonymous save: it does not expire
    kept: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    kept_at: Mapped[datetime | None] = mapped_column(AwareDateTime, nullable=True)
    #: what staff search finds it by (name, investor, ``about``), casefolded; ``None`` in rows
    #: saved before this column existed, until the first search fills it
    search_text: Mapped[str | None] = mapped_column(Text, nullable=True)

    # counts a client's saves of the last day (the daily cap)
    __table_args__ = (Index("ix_shortlist_client_key_created_at", "client_key", "created_at"),)

    @property
    def anonymous(self) -> bool:
        """Saved through the API without staff credentials (so it may expire)."""
        return self.created_by_id is None

    def expires_at(self, retention_days: int) -> datetime | None:
        """When this shortlist expires: ``None`` when it never does (saved by staff, kept, or
        ``retention_days`` is 0)."""
        if not self.anonymous or self.kept or retention_days <= 0:
            return None
        return self.created_at + timedelta(days=retention_days)

    def expired(self, retention_days: int, *, at: datetime | None = None) -> bool:
        """Whether this shortlist has expired (:meth:`expires_at` is past)."""
        ends = self.expires_at(retention_days)
        return ends is not None and ends <= (at or now())


class Inquiry(Model):
    """An investor's request to be contacted about a zone."""

    __tablename__ = "inquiry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zone_id: Mapped[str] = mapped_column(String(200), index=True)
    zone_name: Mapped[str] = mapped_column(String(500), default="")
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=now, index=True)
    # added later (nullable, so web.store.upgrade_schema adds them in place): unhandled while
    # handled_at is None; handled_by is the staff email, kept if the account goes
    handled_at: Mapped[datetime | None] = mapped_column(AwareDateTime, nullable=True, index=True)
    handled_by: Mapped[str | None] = mapped_column(String(254), nullable=True)


class LoginFailure(Model):
    """Failed logins counted per key (``email:<address>`` or ``ip:<address>``)."""

    __tablename__ = "login_failure"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[datetime] = mapped_column(AwareDateTime, default=now)
    locked_until: Mapped[datetime | None] = mapped_column(AwareDateTime, nullable=True)


class ZoneEdit(Model):
    """One staff change of one fact of a zone: the inventory overlay (:mod:`valleys.overlay`).

    Rows are never changed or deleted: the overlay is their sequence (the last value of a zone's
    column wins), and the history a zone page shows.
    """

    __tablename__ = "zone_edit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zone_id: Mapped[str] = mapped_column(String(200), index=True)
    column: Mapped[str] = mapped_column(String(100))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    changed_by: Mapped[str] = mapped_column(String(254), default="")
    changed_at: Mapped[datetime] = mapped_column(AwareDateTime, default=now, index=True)
    source: Mapped[str] = mapped_column(Text)


class StoreRevision(Model):
    """A counter raised by every change of a shared table (``name``: ``inventory``): each
    worker compares it with the one it loaded, one cheap query per request."""

    __tablename__ = "store_revision"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Project(Model):
    """An investor project of the jobs pipeline (:mod:`web.pipeline`, :mod:`matching.pipeline`).

    ``ramp`` is ``[[year, jobs], ...]``, the jobs each year adds; ``version`` rises with every
    save (two staff editing one project: the second save, based on an older version, is refused).
    """

    __tablename__ = "project"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    activity: Mapped[str] = mapped_column(String(10), default="")
    ramp: Mapped[list] = mapped_column(JSON, default=list)
    floor_area_m2: Mapped[float | None] = mapped_column(Float, nullable=True)
    stage: Mapped[str] = mapped_column(String(20), default="lead", index=True)
    #: the zone chosen (``None``: not yet)
    zone_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    #: zone ids considered (the chosen one may be among them)
    considered: Mapped[list] = mapped_column(JSON, default=list)
    inquiry_id: Mapped[int | None] = mapped_column(ForeignKey("inquiry.id", ondelete="SET NULL"),
                                                   nullable=True)
    #: ids of saved shortlists made for it
    shortlist_ids: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime, default=now)
    updated_by: Mapped[str] = mapped_column(String(254), default="")


class ProjectStage(Model):
    """One stage a project reached: when, who, and why when it went back. Never changed."""

    __tablename__ = "project_stage"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(AwareDateTime, default=now)
    changed_by: Mapped[str] = mapped_column(String(254), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
