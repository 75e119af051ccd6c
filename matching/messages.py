"""The engine's sentences as data: a stable code, its parameters and the English text.

Every explanation, exclusion reason, warning, hint and assumption of a shortlist is a
:class:`Message`. Its ``code`` (``constraint.failed``, ``criterion.strongest``...) names one
template of :data:`matching.phrases.PHRASES` (the table :data:`matching.phrases.CODES` maps each
template key to its code); its ``params`` are plain JSON values (column ids, operators, limits,
numbers with their ``unit``); its ``text`` is the English template filled with the parameters,
each written the way :data:`_SLOT_FORMATS` says. A page renders a message in another language
from ``code`` and ``params``; the English strings of the shortlist (``explanation``,
``reasons``, ``warnings``, ``hint``, ``assumptions``) are the messages' texts.

Examples
--------
>>> m = message("constraint.failed", column="rent_mad_m2_month", value=140.0,
...             unit="MAD/m²/month", op=">", limit=120)
>>> m.text
'rent_mad_m2_month 140 MAD/m²/month > 120'
>>> m.as_json()["params"]["limit"]
120
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from matching.phrases import CODES, FIXED, PHRASES, phrase_of, slots_of

__all__ = ["KEYS", "Message", "either", "from_text", "limit_text", "message", "number",
           "with_unit"]

#: the template key of :data:`matching.phrases.PHRASES` of each code
KEYS: dict[str, str] = {code: key for key, code in CODES.items()}


def number(value: float) -> str:
    """A number the English way: thousands commas, at most two decimals.

    >>> number(1759609.0), number(18.684), number(0.004)
    ('1,759,609', '18.68', '0.004')
    """
    if value == math.floor(value) and abs(value) < 1e15:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) >= 0.01 else f"{value:.3g}"


def with_unit(value: Any, unit: str) -> str:
    """A number with its unit (``140 MAD/m²/month``, ``12%``); text quoted (``'planned'``)."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        text = number(float(value))
        return f"{text}{unit}" if unit == "%" else f"{text} {unit}".rstrip()
    return repr(value) if isinstance(value, str) else str(value)


def limit_text(value: Any) -> str:
    """A constraint's limit: numbers the English way, a list joined with commas."""
    if isinstance(value, list):
        return ", ".join(limit_text(v) for v in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(float(value))
    return str(value)


def either(values: Sequence[Any]) -> str:
    """``CRM`` / ``CRM or BPO`` / ``CRM, BPO or KPO``."""
    words = [limit_text(v) for v in values]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _constraint_text(value: Any) -> str:
    if not isinstance(value, Mapping):  # a parsed sentence keeps the text
        return str(value)
    column, op, limit = value["column"], value["op"], value["value"]
    if op in ("in", "not in"):
        return f"{column} {op} [{limit_text(limit if isinstance(limit, list) else [limit])}]"
    return f"{column} {op} {limit_text(limit)}"


def _spec(spec: str) -> Callable[[Any], str]:
    """Numbers through a format spec; text (a parsed sentence's slot) as it is."""
    def write(value: Any) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return format(value, spec)
        return str(value)
    return write


def _joined(value: Any) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _quoted_limit(value: Any) -> str:
    return repr(value) if isinstance(value, str) else limit_text(value)


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return _joined(value)
    return str(value)


_AREA = _spec(",.0f")
#: how each slot of a template is written from a parameter of the same name; ``value`` uses
#: the ``unit`` parameter too (see :func:`_slots`)
_SLOT_FORMATS: dict[str, Callable[[Any], str]] = {
    "limit": _quoted_limit,
    "values": limit_text,
    "alternatives": lambda v: either(v) if isinstance(v, list) else str(v),
    "constraint": _constraint_text,
    "sigma": _spec("g"),
    "m2_per_seat": _spec("g"),
    "ratio": _spec(".3f"),
    "score": _spec(".3f"),
    "zone_score": _spec(".3f"),
    "salary": _spec(",.0f"),
    "size": _spec(",.0f"),
    "cap": _spec(".0%"),
    "rate": _spec(".0%"),
    "as_of": lambda v: str(v)[:4],  # a dated fact shows its year: "90 MAD/m²/month (2007)"
}
def _share(value: Any) -> str:
    """A share as a percentage, up to two decimals: 0.0448 -> 4.48%, 0.35 -> 35%."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{100 * value:.2f}".rstrip("0").rstrip(".") + "%"
    return str(value)


_MAD = _spec(",.0f")
#: the formats of one code that differ from :data:`_SLOT_FORMATS`
_CODE_FORMATS: dict[str, dict[str, Callable[[Any], str]]] = {
    "assumption.income_tax_computed": {
        "cnss_rate": _share, "amo_rate": _share, "low_rate": _share, "expenses_rate": _share,
        "effective_rate": _share, "ceiling": _MAD, "threshold": _MAD, "expenses_cap": _MAD},
    "assumption.training_grant": {"rate": _spec(".1%")},
    "assumption.zone_class_not_in_rules": {"zone_class": repr},
}


def _area(value: Any) -> str:
    return f"{_AREA(value)} m²" if isinstance(value, (int, float)) else str(value)


_SLOT_FORMATS["area"] = _area


def _value_with_unit(params: Mapping[str, Any]) -> str:
    return with_unit(params["value"], params.get("unit", ""))


def _bound_with_unit(name: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda params: with_unit(params[name], params.get("unit", ""))


def _slot_writer(name: str, write: Callable[[Any], str]) -> Callable[[Mapping[str, Any]], str]:
    return lambda params: write(params[name])


def _writers(code: str) -> tuple[tuple[str, Callable[[Mapping[str, Any]], str]], ...]:
    """How each slot of the code's template is written from the parameters."""
    formats = _CODE_FORMATS.get(code, {})
    writers: list[tuple[str, Callable[[Mapping[str, Any]], str]]] = []
    fixed = FIXED.get(KEYS[code], {})
    for name in slots_of(PHRASES[KEYS[code]]):
        if name in fixed:
            continue
        if name == "value":  # a number with its unit, or a zone's text cell, quoted
            writers.append((name, _value_with_unit))
        elif name in ("floor", "target"):  # a threshold's ends, in the column's unit
            writers.append((name, _bound_with_unit(name)))
        else:
            writers.append((name, _slot_writer(name, formats.get(name, _SLOT_FORMATS.get(
                name, _plain)))))
    return tuple(writers)


#: per code, its template, its fixed slots and how to write each of its other slots (made
#: once: messages are many)
_TEMPLATES = {code: (PHRASES[key], FIXED.get(key, {}), _writers(code))
              for code, key in KEYS.items()}


class Message(NamedTuple):
    """One sentence of the engine as data: ``code``, ``params`` (plain JSON values), ``text``
    (the English template of the code, filled). A tuple: made by the thousand, cheaply."""

    code: str
    params: dict[str, Any]
    text: str

    def as_json(self) -> dict[str, Any]:
        """``{"code", "params", "text"}``, as the shortlist JSON holds it."""
        return {"code": self.code, "params": self.params, "text": self.text}


def message(code: str, /, **params: Any) -> Message:
    """The message ``code`` with its parameters, its English text written from them.

    >>> message("value.missing", column="airports_km").text
    'airports_km missing'
    >>> message("constraint.failed", column="status", value="planned", op="!=",
    ...         limit="operating").text
    "status 'planned' != 'operating'"
    """
    template, fixed, writers = _TEMPLATES[code]
    return Message(code, params,
                   template % {**fixed, **{name: write(params) for name, write in writers}})


def from_text(text: str) -> Message | None:
    """The message of a sentence a template of :mod:`matching.phrases` wrote (its parameters
    are then the slots' texts), or ``None``; for sentences written with
    :func:`matching.phrases.say` before they were messages.

    >>> from_text("activity CRM: criteria and constraints from the preset unless given "
    ...           "(rationale in docs/requirements.md)").params
    {'activity': 'CRM'}
    """
    found = phrase_of(text)
    if found is None:
        return None
    key, slots = found
    return Message(CODES[key], dict(slots), text)
