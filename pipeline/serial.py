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


@lru_cache(maxsize=None)
def _plan(cls: type) -> tuple[tuple[str, Any, bool, str], ...]:
    """Per field of `cls`: name, converter, whether it has no default, and where (for messages).
    Worked out once per record type: rebuilding the thousands of records of one review then only
    calls the converters (the store reads every stored review on each warm run)."""
    hints = _hints(cls)
    return tuple(
        (f.name, _converter(hints[f.name]), f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
         f"{cls.__name__}.{f.name}")
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
    )


def rebuild(cls: type[T], data: Any, **override: Any) -> T:
    """The record of type `cls` described by `data` (a dict from `to_data` / JSON); `override` sets
    fields directly (e.g. the path-dependent `review_id`)."""
    if not isinstance(data, dict):
        raise RecordMismatch(f"{cls.__name__}: expected an object, got {type(data).__name__}")
    kwargs: dict[str, Any] = {}
    for name, convert, required, where in _plan(cls):
        if name in override:
            kwargs[name] = override[name]
        elif name in data:
            kwargs[name] = convert(data[name], where)
        elif required:
            raise RecordMismatch(f"{cls.__name__}: stored data has no '{name}'")
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
    return _converter(tp)(value, where)


Converter = typing.Callable[[Any, str], Any]


def _keep(value: Any, where: str) -> Any:
    return value


@lru_cache(maxsize=None)
def _converter(tp: Any) -> Converter:
    """A function (value from JSON, where) -> value as type `tp`, worked out once per type."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return _keep
    if origin in (typing.Union, types.UnionType):
        has_none = type(None) in args
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:
            inner = _converter(options[0])

            def union_one(value: Any, where: str) -> Any:
                if value is None and has_none:
                    return None
                return inner(value, where)

            return union_one
        plains = [(typing.get_origin(o) or o, o) for o in options]

        def union_many(value: Any, where: str) -> Any:
            if value is None and has_none:
                return None
            for plain, option in plains:  # several types: the first whose plain type matches
                if isinstance(plain, type) and isinstance(value, plain):
                    return _converter(option)(value, where)
            return value

        return union_many
    convert = _non_null(tp, origin, args)

    def not_none(value: Any, where: str) -> Any:
        return None if value is None else convert(value, where)

    return not_none


def _non_null(tp: Any, origin: Any, args: tuple[Any, ...]) -> Converter:
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _converter(args[0])

            def var_tuple(value: Any, where: str) -> Any:
                _expect(value, list, where)
                return tuple([item(v, where) for v in value])

            return var_tuple
        items = [_converter(a) for a in args]

        def fixed_tuple(value: Any, where: str) -> Any:
            _expect(value, list, where)
            if items and len(items) != len(value):
                raise RecordMismatch(f"{where}: expected {len(items)} items, got {len(value)}")
            return tuple([c(v, where) for c, v in zip(items, value)]) if items else tuple(value)

        return fixed_tuple
    if origin is list:
        item = _converter(args[0]) if args else None

        def as_list(value: Any, where: str) -> Any:
            _expect(value, list, where)
            return [item(v, where) for v in value] if item is not None else list(value)

        return as_list
    if origin is dict:
        key = _converter(args[0]) if args else None
        val = _converter(args[1]) if args else None

        def as_dict(value: Any, where: str) -> Any:
            _expect(value, dict, where)
            if key is None or val is None:
                return dict(value)
            return {key(k, where): val(v, where) for k, v in value.items()}

        return as_dict
    if origin in (set, frozenset):
        item = _converter(args[0]) if args else None

        def as_set(value: Any, where: str) -> Any:
            _expect(value, list, where)
            return origin(item(v, where) for v in value) if item is not None else origin(value)

        return as_set
    if dataclasses.is_dataclass(tp):
        return lambda value, where: rebuild(tp, value)
    if isinstance(tp, type) and issubclass(tp, PurePath):

        def as_path(value: Any, where: str) -> Any:
            _expect(value, str, where)
            return tp(value)

        return as_path
    if isinstance(tp, type) and issubclass(tp, Enum):

        def as_enum(value: Any, where: str) -> Any:
            try:
                return tp(value)
            except ValueError:
                raise RecordMismatch(f"{where}: '{value}' is not a {tp.__name__}") from None

        return as_enum
    if tp is float:

        def as_float(value: Any, where: str) -> Any:
            if isinstance(value, float):
                return value
            if isinstance(value, int) and not isinstance(value, bool):
                return float(value)
            raise RecordMismatch(f"{where}: expected float, got {type(value).__name__}")

        return as_float
    if isinstance(tp, type):

        def as_type(value: Any, where: str) -> Any:
            if not isinstance(value, tp):
                raise RecordMismatch(f"{where}: expected {tp.__name__}, got {type(value).__name__}")
            return value

        return as_type
    return _keep


def _expect(value: Any, kind: type, where: str) -> None:
    if not isinstance(value, kind):
        raise RecordMismatch(f"{where}: expected {kind.__name__}, got {type(value).__name__}")
