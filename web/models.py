"""The stored records: staff accounts, saved shortlists, investor inquiries, login failures.

Times are stored in UTC and shown in ``Africa/Casablanca`` (see :func:`now`).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, TypeDecorator
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from web.extensions import db
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


class Staff(UserMixin, db.Model):
    """A staff account (investment-promotion staff); passwords are stored hashed (scrypt)."""

    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=now)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class Shortlist(db.Model):
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


class Inquiry(db.Model):
    """An investor's request to be contacted about a zone."""

    __tablename__ = "inquiry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zone_id: Mapped[str] = mapped_column(String(200), index=True)
    zone_name: Mapped[str] = mapped_column(String(500), default="")
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=now, index=True)


class LoginFailure(db.Model):
    """Failed logins counted per key (``email:<address>`` or ``ip:<address>``)."""

    __tablename__ = "login_failure"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[datetime] = mapped_column(AwareDateTime, default=now)
    locked_until: Mapped[datetime | None] = mapped_column(AwareDateTime, nullable=True)
