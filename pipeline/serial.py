"""Records <-> JSON, generically, so the store keeps working when records gain fields.

Consumes frozen dataclass records of `pipeline.records` (and anything built the same way: dataclasses
whose fields are str/int/float/bool/None, StrEnums, paths, tuples, lists, sets, dicts and nested
dataclasses).
Produces JSON text (`dumps`) and, back, records rebuilt from their type hints (`rebuild`).

Rebuilding is tolerant in one direction only: keys the record no longer has are ignored, fields the
stored data lacks take their defaults; a field with no default that the data lacks raises
`RecordMismatch` (the caller treats that as a cache miss and recomputes).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from enum import Enum
from functools import lru_cache
from pathlib import PurePath
from typing import Any, TypeVar

T = TypeVar("T")


class RecordMismatch(ValueError):
    """Stored data cannot be rebuilt into the record type as it is defined now."""


def to_data(record: Any, drop: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A dataclass record as a JSON-able dict (nested records included), without the `drop` keys."""
    if not dataclasses.is_dataclass(record) or isinstance(record, type):
        raise TypeError(f"not a dataclass record: {type(record).__name__}")
    data = dataclasses.asdict(record)
    for key in drop:
        data.pop(key, None)
    return data


def _default(value: Any) -> Any:
    if isinstance(value, PurePath):
        return value.as_posix()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot store a {type(value).__name__} in a record")


def dumps(record: Any, drop: frozenset[str] = frozenset()) -> str:
    """Compact, key-sorted JSON of a record (stable text for equal records)."""
    return json.dumps(to_data(record, drop), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default)


@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def rebuild(cls: type[T], data: Any, **override: Any) -> T:
    """The record of type `cls` described by `data` (a dict from `to_data` / JSON); `override` sets
    fields directly (e.g. the path-dependent `review_id`)."""
    if not isinstance(data, dict):
        raise RecordMismatch(f"{cls.__name__}: expected an object, got {type(data).__name__}")
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in override:
            kwargs[f.name] = override[f.name]
        elif f.name in data:
            kwargs[f.name] = _convert(hints[f.name], data[f.name], f"{cls.__name__}.{f.name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise RecordMismatch(f"{cls.__name__}: stored data has no '{f.name}'")
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise RecordMismatch(f"{cls.__name__}: {exc}") from None


def loads(cls: type[T], text: str, **override: Any) -> T:
    """`rebuild` from JSON text."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordMismatch(f"{cls.__name__}: stored JSON is unreadable ({exc})") from None
    return rebuild(cls, data, **override)


def _convert(tp: Any, value: Any, where: str) -> Any:
    """`value` (from JSON) as type `tp`."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:
            return _convert(options[0], value, where)
        for option in options:  # several types: the first whose plain type matches
            plain = typing.get_origin(option) or option
            if isinstance(plain, type) and isinstance(value, plain):
                return _convert(option, value, where)
        return value
    if value is None:
        return None
    if origin is tuple:
        _expect(value, list, where)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, where) for v in value)
        if args and len(args) != len(value):
            raise RecordMismatch(f"{where}: expected {len(args)} items, got {len(value)}")
        return tuple(_convert(a, v, where) for a, v in zip(args, value)) if args else tuple(value)
    if origin is list:
        _expect(value, list, where)
        return [_convert(args[0], v, where) for v in value] if args else list(value)
    if origin is dict:
        _expect(value, dict, where)
        if not args:
            return dict(value)
        return {_convert(args[0], k, where): _convert(args[1], v, where) for k, v in value.items()}
    if origin in (set, frozenset):
        _expect(value, list, where)
        return origin(_convert(args[0], v, where) for v in value) if args else origin(value)
    if dataclasses.is_dataclass(tp):
        return rebuild(tp, value)
    if isinstance(tp, type) and issubclass(tp, PurePath):
        _expect(value, str, where)
        return tp(value)
    if isinstance(tp, type) and issubclass(tp, Enum):
        try:
            return tp(value)
        except ValueError:
            raise RecordMismatch(f"{where}: '{value}' is not a {tp.__name__}") from None
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(tp, type) and not isinstance(value, tp):
        raise RecordMismatch(f"{where}: expected {tp.__name__}, got {type(value).__name__}")
    return value


def _expect(value: Any, kind: type, where: str) -> None:
    if not isinstance(value, kind):
        raise RecordMismatch(f"{where}: expected {kind.__name__}, got {type(value).__name__}")
