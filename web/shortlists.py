"""Compute, store and read back shortlists for the pages and the API (no scoring here: the
engine is :func:`matching.shortlist.make_shortlist`, the same as the command line's)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import numpy as np
from flask import abort, current_app, has_request_context, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import CursorResult, delete, func

from matching.export.registry import DOWNLOADS, Format
from valleys.errors import TechValleyError
from web import pipeline
from web.data import get_data
from web.extensions import client_ip, db
from web.models import Shortlist, Staff, now
from web.shortlist_search import search_text

#: the formats the web app offers as downloads, from the one format registry (media type,
#: extension and headers, such as the HTML export's Content-Security-Policy, are on each)
EXPORT_FORMATS: Mapping[str, Format] = DOWNLOADS
#: how many past investors "Investors like you" shows
SIMILAR_INVESTORS_K = 5


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: numpy scalars and arrays as Python, NaN and inf as ``None``.

    >>> jsonable({"a": np.float64("nan"), "b": (np.int64(2), 1.5)})
    {'a': None, 'b': [2, 1.5]}
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, np.ndarray)):
        return [jsonable(v) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "model_dump"):  # pydantic
        return jsonable(value.model_dump(mode="json"))
    return str(value)


#: computed shortlists kept per app, by (requirements, draws, dataset version)
RESULT_CACHE_SIZE = 256


class ResultCache:
    """A small thread-safe LRU of computed shortlists (as JSON text, so callers get a fresh copy).

    The engine is deterministic for a given requirement, draw count, seed and dataset, so an
    identical request (the same preset from the form, a client retrying) need not recompute.
    """

    def __init__(self, size: int = RESULT_CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            text = self._items.get(key)
            if text is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
        return json.loads(text)

    def put(self, key: str, value: dict[str, Any]) -> None:
        text = json.dumps(value)
        with self._lock:
            self._items[key] = text
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def _cache() -> ResultCache:
    return current_app.extensions.setdefault("techvalley_results", ResultCache())


def _requested_draws(document: dict[str, Any]) -> int | None:
    robustness = document.get("robustness")
    if isinstance(robustness, dict):
        draws = robustness.get("draws")
        if isinstance(draws, int) and not isinstance(draws, bool):
            return draws
    return None


def compute(document: dict[str, Any], *, source: str) -> dict[str, Any]:
    """The shortlist of a requirements document on the app's dataset.

    Raises :class:`~valleys.errors.TechValleyError` (422) for an invalid document, including a
    robustness draw count above ``TECHVALLEY_API_MAX_DRAWS``.
    """
    from matching.requirements import parse_requirements
    from matching.shortlist import make_shortlist

    if not isinstance(document, dict):
        raise TechValleyError(
            f"{source}: the requirements must be a JSON object (a mapping of fields), "
            f"not {type(document).__name__}"
        )
    max_draws = int(current_app.config["TECHVALLEY_API_MAX_DRAWS"])
    asked = _requested_draws(document)
    too_many = asked is not None and asked > max_draws
    if too_many:
        limit = f"robustness.draws: at most {max_draws} on this service (got {asked})"
        try:  # one detail per problem: the schema's too, not only the limit
            parse_requirements(document, columns=get_data().columns, source=source)
        except TechValleyError as exc:
            raise TechValleyError(exc.message, details=[*exc.details, limit]) from None
        raise TechValleyError(
            f"{source}: robustness.draws is {asked}, above this service's limit of {max_draws}; "
            f"ask for {max_draws} or fewer",
            details=[limit],
        )
    data = get_data()
    draws = asked if asked is not None else int(current_app.config["TECHVALLEY_API_ROBUSTNESS_DRAWS"])
    try:
        # the pipeline's revision: its committed projects are past investors too
        key = json.dumps([document, draws, data.version, pipeline.revision()], sort_keys=True,
                         allow_nan=False)
    except (TypeError, ValueError):
        key = None
    cached = _cache().get(key) if key is not None else None
    if cached is not None:
        return cached
    requirements = parse_requirements(document, columns=data.columns, source=source)
    try:
        result = make_shortlist(requirements, data.table, robustness_draws=draws)
    except TechValleyError:
        raise
    except (KeyError, TypeError) as exc:  # an engine gap must not become a 500 for a user
        current_app.logger.exception("shortlist engine failed")
        raise TechValleyError(f"{source}: the shortlist could not be computed ({exc})") from exc
    similar = similar_investors(requirements)
    if similar is not None:
        result["similar_investors"] = similar
    result = jsonable(result)
    if key is not None:
        _cache().put(key, result)
    return result


def similar_investors(requirements: Any) -> dict[str, Any] | None:
    """"Investors like you": the :data:`SIMILAR_INVESTORS_K` past investors of
    ``TECHVALLEY_PAST_INVESTORS`` nearest to ``requirements`` (parsed), the zones they chose and
    their suggested weights (:func:`matching.neighbours.similar_investors`); ``None`` without
    past investors.

    Returns ``k``, ``neighbours`` [{investor, distance, chosen, chosen_name, activity,
    headcount}], ``chosen_zones`` [{site_id, name, count}], ``suggested_criteria`` [{column,
    direction, weight}], ``notes`` and ``synthetic`` (the file says it is a synthetic example).
    """
    from matching.neighbours import nearest_investors

    data = get_data()
    past = pipeline.past_investors(data)  # the file's and the pipeline's committed projects
    if past is None:
        return None
    try:
        found = nearest_investors(requirements, past.checked, k=SIMILAR_INVESTORS_K, sites=data.table)
    except (TechValleyError, ValueError, KeyError) as exc:  # checked at start: a gap, not the user's
        current_app.logger.warning("investors like you left out: %s", exc)
        return None
    found.pop("features", None)  # the model's inner columns: not for the page or the API
    found["synthetic"] = past.synthetic
    return found


def for_viewer(result: dict[str, Any], *, staff: bool | None = None) -> dict[str, Any]:
    """``result`` as a viewer may see it: past investors' names are the agency's records, shown
    to staff only; anyone else sees each one's activity, size and chosen zone, not its name.
    """
    similar = result.get("similar_investors")
    if staff is None:
        staff = bool(getattr(current_user, "is_authenticated", False))
    if staff or not isinstance(similar, dict):
        return result
    neighbours = [dict(n, investor=None) for n in similar.get("neighbours") or [] if isinstance(n, dict)]
    return dict(result, similar_investors=dict(similar, neighbours=neighbours))


#: expired anonymous shortlists one save deletes at most (a save never pays for a big purge)
PURGE_BATCH = 100


def client_network(address: str) -> str:
    """The unit a daily cap counts: an IPv4 address, or an IPv6 address's /64 network (one
    subscriber's usual allocation, which it can roam freely).

    >>> client_network("2001:db8:1:2:aaaa::1"), client_network("192.0.2.7")
    ('2001:db8:1:2::/64', '192.0.2.7')
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_key() -> str:
    """The current client as stored with an anonymous save: a keyed hash (HMAC-SHA256 with the
    app's secret key) of :func:`client_network`, so the store never holds the address and the
    hash of an IPv4 address cannot be reversed by trying all 2**32 of them."""
    key = str(current_app.secret_key).encode()
    return hmac.new(key, client_network(client_ip()).encode(), hashlib.sha256).hexdigest()[:32]


def stored_bytes(document: dict[str, Any]) -> int:
    """The size of ``document`` as stored (compact UTF-8 JSON)."""
    return len(json.dumps(jsonable(document), ensure_ascii=False, separators=(",", ":")).encode())


@dataclass(frozen=True)
class Quota:
    """Where a client stands against ``TECHVALLEY_ANON_SAVES_PER_DAY``."""

    limit: int
    used: int
    #: seconds until the client may save again (0 while it may)
    retry_after: int

    @property
    def exceeded(self) -> bool:
        return self.used >= self.limit


def anonymous_quota(key: str, *, at: datetime | None = None) -> Quota:
    """Count the anonymous saves of client ``key`` in the 24 hours before ``at``."""
    at = at or now()
    limit = int(current_app.config["TECHVALLEY_ANON_SAVES_PER_DAY"])
    since = at - timedelta(days=1)
    mine = db.select(Shortlist.created_at).where(
        Shortlist.client_key == key, Shortlist.created_by_id.is_(None), Shortlist.created_at > since
    )
    used = db.session.execute(db.select(func.count()).select_from(mine.subquery())).scalar_one()
    retry_after = 0
    if used >= limit:
        # the client may save again when its (used - limit + 1)-th oldest save leaves the window
        oldest = db.session.execute(
            mine.order_by(Shortlist.created_at).offset(used - limit).limit(1)
        ).scalar_one_or_none()
        ends = (oldest or at) + timedelta(days=1)
        retry_after = max(1, math.ceil((ends - at).total_seconds()))
    return Quota(limit=limit, used=used, retry_after=retry_after)


def retention_days() -> int:
    return int(current_app.config["TECHVALLEY_ANON_RETENTION_DAYS"])


def expires_at(record: Shortlist) -> datetime | None:
    """When ``record`` expires (``None``: never: saved by staff, kept, or expiry turned off)."""
    return record.expires_at(retention_days())


def is_expired(record: Shortlist) -> bool:
    return record.expired(retention_days())


def purge_expired(*, limit: int | None = PURGE_BATCH, at: datetime | None = None) -> int:
    """Delete up to ``limit`` expired anonymous shortlists (oldest first; all with ``None``).

    Returns how many were deleted; the caller commits.
    """
    days = retention_days()
    if days <= 0:
        return 0
    cutoff = (at or now()) - timedelta(days=days)
    expired = (
        db.select(Shortlist.id)
        .where(Shortlist.created_by_id.is_(None), Shortlist.kept.is_(False), Shortlist.created_at <= cutoff)
        .order_by(Shortlist.created_at)
        .limit(limit)
    )
    # a DELETE answers a CursorResult (with rowcount); Session.execute is typed as any Result
    outcome = cast(CursorResult[Any], db.session.execute(
        delete(Shortlist).where(Shortlist.id.in_(expired)).execution_options(synchronize_session=False)
    ))
    return int(outcome.rowcount or 0)


def _without_repeated_about(document: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """``result`` without ``requirements.about`` when it repeats the document's ``about`` (the
    engine echoes the whole requirement, free-form ``about`` included, and the row keeps the
    document already); :func:`full_result` puts it back."""
    echoed = result.get("requirements")
    about = document.get("about")
    if about is None or not isinstance(echoed, dict) or echoed.get("about") != about:
        return result
    return dict(result, requirements={k: v for k, v in echoed.items() if k != "about"})


def full_result(record: Shortlist) -> dict[str, Any]:
    """The shortlist as it was computed (``requirements.about`` restored from the document)."""
    result = record.result
    echoed = result.get("requirements") if isinstance(result, dict) else None
    stored = record.requirements if isinstance(record.requirements, dict) else {}
    if isinstance(echoed, dict) and "about" not in echoed and stored.get("about") is not None:
        return dict(result, requirements=dict(echoed, about=stored["about"]))
    return result


def save(
    document: dict[str, Any],
    result: dict[str, Any],
    *,
    staff: Staff | None = None,
    client: str | None = None,
) -> Shortlist:
    """Store a shortlist as computed: reopening it shows this result, never a recomputation.

    An anonymous save (no ``staff``) records ``client`` (:func:`client_key`) and first deletes
    a batch of expired anonymous shortlists (:func:`purge_expired`): the store grows only
    through saves, so purging on save bounds it without a scheduled job.
    """
    data = get_data()
    name = document.get("name") if isinstance(document.get("name"), str) else ""
    staff_id = staff.id if staff is not None and getattr(staff, "id", None) else None
    stored_document = jsonable(document)
    if staff_id is None:
        purge_expired()
    record = Shortlist(
        name=(name or "")[:500],
        requirements=stored_document,
        dataset_version=data.version,
        result=_without_repeated_about(stored_document, result),
        created_at=now(),
        created_by_id=staff_id,
        client_key=client if staff_id is None else None,
    )
    record.search_text = search_text(record.name, stored_document)
    db.session.add(record)
    db.session.commit()
    return record


def get_or_404(shortlist_id: str) -> Shortlist:
    record = db.session.get(Shortlist, shortlist_id) if len(shortlist_id) <= 32 else None
    if record is None:
        abort(404, description=_("no saved shortlist with id %(id)s", id=repr(shortlist_id)))
    return record


def by_token_or_404(token: str) -> Shortlist:
    record = db.session.execute(
        db.select(Shortlist).filter_by(share_token=token)
    ).scalar_one_or_none() if len(token) <= 64 else None
    if record is None:
        abort(404, description=_("this share link does not exist: check that it was copied whole"))
    return record


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute address of ``endpoint``: under ``TECHVALLEY_PUBLIC_URL`` when it is set,
    else from the request (whose ``Host`` header the client chose)."""
    base = current_app.config.get("TECHVALLEY_PUBLIC_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    path = url_for(endpoint, **values)
    root = request.script_root if has_request_context() else ""
    if root and path.startswith(root):
        path = path[len(root):]
    return str(base).rstrip("/") + path


def share_url(record: Shortlist) -> str:
    return public_url("match.shared", token=record.share_token)


def payload(record: Shortlist) -> dict[str, Any]:
    """The API view of a stored shortlist: its result plus ``id``, ``url`` and what it was made of."""
    body = dict(for_viewer(full_result(record)))
    body.update(
        id=record.id,
        url=share_url(record),
        created_at=record.created_at.isoformat(),
        dataset_version=record.dataset_version,
        revoked=bool(record.revoked),
        expires_at=_iso(expires_at(record)),
    )
    return body


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def expired_message(record: Shortlist) -> str:
    """Why an expired shortlist no longer opens (410), with the day it expired."""
    ends = expires_at(record)
    day = ends.date().isoformat() if ends is not None else "?"
    return _(
        "this shortlist expired on %(day)s: shortlists saved without a staff account are kept "
        "%(days)s days; compute it again, or ask the investment team to save it",
        day=day, days=retention_days(),
    )


#: the ``saved_by`` filter of the staff list (page and API)
SAVED_BY = ("staff", "anonymous")


def saved_by_filter(select: Any, saved_by: str | None) -> Any:
    """``select`` of shortlists narrowed to those saved by staff or anonymously (``None``: all).

    400 for any other value.
    """
    if saved_by in (None, "", "all"):
        return select
    if saved_by not in SAVED_BY:
        abort(400, description=_("?saved_by=%(value)s is not a filter: use staff, anonymous or all",
                                   value=repr(saved_by[:40])))
    if saved_by == "staff":
        return select.where(Shortlist.created_by_id.is_not(None))
    return select.where(Shortlist.created_by_id.is_(None))


#: the longest name a rename takes (the match form's limit)
MAX_NAME = 200


def rename(record: Shortlist, name: str) -> None:
    """Give ``record`` a new name (checked by the form; the caller commits)."""
    record.name = name
    record.search_text = search_text(name, record.requirements)


def newest() -> Any:
    """Saved shortlists, newest first (the id breaks ties, so pages never skip a row)."""
    return db.select(Shortlist).order_by(Shortlist.created_at.desc(), Shortlist.id.desc())


def summary(record: Shortlist) -> dict[str, Any]:
    """A saved shortlist as the staff list shows it."""
    ends = expires_at(record)
    return {
        "id": record.id,
        "name": record.name,
        "created_at": record.created_at.isoformat(),
        "dataset_version": record.dataset_version,
        "revoked": bool(record.revoked),
        "url": share_url(record),
        "saved_by": "anonymous" if record.anonymous else "staff",
        "kept": bool(record.kept),
        "expires_at": ends.isoformat() if ends is not None else None,
        "expired": is_expired(record),
    }


def export(result: dict[str, Any], fmt: str, *, top: int | None = None, lang: str = "en") -> tuple[bytes, str]:
    """The bytes of an export (the same as the command line's) and their media type.

    Serve them with the ``headers`` of ``EXPORT_FORMATS[fmt]``.
    """
    if fmt not in EXPORT_FORMATS:
        abort(404, description=_("no export format %(format)s; use one of %(formats)s",
                                   format=repr(fmt), formats=", ".join(EXPORT_FORMATS)))
    spec = EXPORT_FORMATS[fmt]
    content = spec.render(result, get_data().sites, top=top, lang=lang)
    if isinstance(content, str):
        content = content.encode("utf-8")
    return content, spec.media_type


def dumps(value: Any) -> str:
    """Compact JSON for hidden form fields."""
    return json.dumps(jsonable(value), ensure_ascii=False, separators=(",", ":"))
