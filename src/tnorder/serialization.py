"""cattrs converters and the stored-record envelope.

``configure_converter(conv)`` registers tnorder's hooks on a converter you own;
``make_converter()`` returns a fresh, configured one.  The global cattrs
converter is never touched.

Stored records are JSON objects ``{"schema_version": N, "type": NAME, "data": {...}}``.
Reading a record with an unknown version or type, or whose data does not fit
its class, raises :class:`~tnorder.errors.SerializationError` naming the record;
no partially built object is ever returned.

JSON text is written and read by ``orjson`` when it is installed (the
``tnorder[fast]`` extra), else by the standard library's ``json``.  Either
reads what the other writes, and anything ``orjson`` would treat differently
(integers beyond 64 bits, lone surrogates, ``NaN`` in input text) goes to the
standard library, so the values read and written are the same either way
(see :func:`to_json` for the two exceptions, which no record holds).
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import Enum, StrEnum
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.cols import (
    is_namedtuple,
    namedtuple_dict_structure_factory,
    namedtuple_dict_unstructure_factory,
)
from cattrs.fns import identity

from .domain.carrier import UpdateKey
from .domain.carrier_request import CarrierRequest, Destination, RequestedNumber
from .domain.claims import NumberClaim
from .domain.events import EVENT_TYPES, Actor, Event
from .domain.inventory import InventoryChange, InventoryNumber
from .domain.order import HistoryEntry, LineItem, Order
from .errors import SerializationError

try:
    import orjson
except ImportError:  # the optional accelerator (``tnorder[fast]``) is not installed
    orjson = None  # type: ignore[assignment]

__all__ = [
    "SCHEMA_VERSION",
    "configure_converter",
    "dump_event",
    "dump_record",
    "dumps",
    "from_json",
    "load_event",
    "load_record",
    "loads",
    "make_converter",
    "to_json",
]

SCHEMA_VERSION = 1

T = TypeVar("T")


def _structure_datetime(value: Any, _: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 string, got {type(value).__name__}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"datetime {value!r} has no UTC offset")
    return parsed


def _structure_date(value: Any, _: Any) -> date:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 date string, got {type(value).__name__}")
    return date.fromisoformat(value)


def _structure_str(value: Any, cls: Any) -> Any:
    # cattrs would happily str() an int or a dict; stored garbage must not pass.
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    if cls is not str:
        # Single dispatch sends ``str`` enums here too (it follows the MRO).  The
        # member map is a plain dict: much cheaper than ``EnumType.__call__``.
        member = cls._value2member_map_.get(value)
        if member is None:
            raise ValueError(f"{value!r} is not a valid {cls.__name__}")
        return member
    return value


_UTC = UTC
_TWO_DIGITS = tuple(f"{n:02d}" for n in range(60))
_DAYS: dict[int, str] = {}
# The last exact UTC datetime written and its text, as one tuple (replaced
# whole, so a thread never reads one's text with another's time): a bulk batch
# writes its one ``now`` into tens of thousands of events and history entries.
# Holding the object keeps its identity from being reused by another.
_LAST_WRITTEN: tuple[datetime | None, str] = (None, "")


def _unstructure_datetime(value: datetime) -> str:
    """``value.isoformat()``, about twice as fast for the usual UTC datetimes.

    Every history entry carries one, so an order's save formats dozens; the C
    ``isoformat`` spends most of its time on the UTC offset and on generic
    formatting.  For an exact ``datetime`` in ``timezone.utc`` the text is put
    together from cached day strings instead; anything else goes to
    ``isoformat`` itself, and a test checks both give the same text.
    """
    global _LAST_WRITTEN
    last = _LAST_WRITTEN
    if value is last[0]:
        return last[1]
    if value.tzinfo is not _UTC or type(value) is not datetime:
        return datetime.isoformat(value)
    text = _utc_text(value)
    _LAST_WRITTEN = (value, text)
    return text


def _utc_text(value: datetime) -> str:
    ordinal = value.toordinal()
    day = _DAYS.get(ordinal)
    if day is None:
        if len(_DAYS) >= 4096:
            _DAYS.clear()
        day = _DAYS[ordinal] = value.date().isoformat()
    two = _TWO_DIGITS
    micro = value.microsecond
    if micro:
        return f"{day}T{two[value.hour]}:{two[value.minute]}:{two[value.second]}.{micro:06d}+00:00"
    return f"{day}T{two[value.hour]}:{two[value.minute]}:{two[value.second]}+00:00"


_DATES: dict[date, str] = {}


def _unstructure_date(value: date) -> str:
    """``date.isoformat(value)``, each distinct date formatted once: the C
    ``isoformat`` builds its text through a printf-style formatter (about 1 us),
    and a bulk batch writes one committed date into thousands of items and events.
    """
    if type(value) is not date:
        return date.isoformat(value)
    text = _DATES.get(value)
    if text is None:
        if len(_DATES) >= 4096:
            _DATES.clear()
        text = _DATES[value] = date.isoformat(value)
    return text


def _unstructure_str_enum(value: Any) -> Any:
    # A StrEnum member is a str: JSON encoders write its value as it is.
    return value


def _structure_int(value: Any, cls: Any) -> Any:
    if type(value) is not int:
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value if cls is int else cls(value)


def _structure_bool(value: Any, _: Any) -> bool:
    if type(value) is not bool:
        raise TypeError(f"expected a boolean, got {type(value).__name__}")
    return value


def _slow_namedtuple_structure(cl: Any, conv: cattrs.Converter) -> Any:
    # Positional on purpose: the factory takes ``**kwargs`` as field overrides.
    return namedtuple_dict_structure_factory(cl, conv, "from_converter", True)


def configure_converter(conv: cattrs.Converter) -> None:
    """Register tnorder's hooks on ``conv``.

    - datetimes are ISO 8601 strings with a UTC offset; naive ones are refused
    - dates are ISO 8601 ``YYYY-MM-DD`` strings
    - enums are stored by their stable string value
    - strings, integers and booleans are checked, never coerced
    - attrs classes and named tuples (history entries) are dicts of their
      fields (private state such as an order's pending events is never stored)
    - orders, line items, history entries, actors and events get hooks
      generated from their fields, several times faster than cattrs' generic
      ones; they store the same data, and malformed data is reported exactly
      as cattrs reports it
    """
    _configure_generic(conv)
    # Registered last so they win over the generic attrs / named tuple hooks.
    conv.register_unstructure_hook_factory(_is_fast_type, _fast_unstructure_factory)
    conv.register_structure_hook_factory(_is_fast_type, _fast_structure_factory)


def _configure_generic(conv: cattrs.Converter) -> None:
    """Every rule of :func:`configure_converter`, with cattrs' generic attrs hooks only.

    The reference the generated hooks are tested against.
    """
    conv.register_unstructure_hook_factory(is_namedtuple, namedtuple_dict_unstructure_factory)
    conv.register_structure_hook_factory(is_namedtuple, _slow_namedtuple_structure)
    conv.register_unstructure_hook(datetime, _unstructure_datetime)
    conv.register_unstructure_hook(StrEnum, _unstructure_str_enum)
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_unstructure_hook(date, _unstructure_date)
    conv.register_structure_hook(date, _structure_date)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(bool, _structure_bool)


# -- generated hooks for the hot records ------------------------------------------
#
# Every load and save of an order goes through cattrs, and cattrs' generic
# hooks (an Optional wrapper per field, a list wrapper per collection, detailed
# validation bookkeeping) cost several times the work itself.  For the types
# below we generate one flat function per class from its attrs fields (or
# named tuple fields), so a field added to ``LineItem`` is picked up without
# touching this module.  Structuring is two-tier: the generated function only
# accepts exactly what the cattrs hook would accept (exact JSON types, every
# key present, no unknown key) and builds the same object; on anything else
# it gives up and the cattrs hook runs, which either builds the object (an
# unusual but valid shape, such as a missing key that has a default) or raises
# the detailed error it always raised.  Types the generator does not know are
# handed to the converter's own hook for them.


class _Mismatch(Exception):
    """The fast path refuses this input; the cattrs hook decides."""


def _mismatch(*_: object) -> Any:
    raise _Mismatch


_FAST_CORE: frozenset[type] = frozenset(
    {
        Order,
        LineItem,
        HistoryEntry,
        Actor,
        # The records a bulk carrier batch reads and writes by the thousand
        # (issue 17): its requests with their numbers, and the numbers it stocks.
        CarrierRequest,
        RequestedNumber,
        Destination,
        UpdateKey,
        InventoryNumber,
        InventoryChange,
        NumberClaim,
    }
)


def _is_fast_type(t: Any) -> bool:
    """Orders, their parts, the bulk records and the registered events get generated hooks."""
    if not isinstance(t, type):
        return False
    return t in _FAST_CORE or EVENT_TYPES.get(t.__name__) is t


# Frozen value classes whose loaded instances are shared (see ``_gen_structure``).
_INTERNED: frozenset[type] = frozenset({Actor})
_INTERN_LIMIT = 4096


def _is_str_like(t: Any) -> bool:
    return t is str or (isinstance(t, type) and issubclass(t, str) and issubclass(t, Enum))


class _Unsupported(Exception):
    """The generator cannot handle this class; cattrs' own hook is used."""


def _converter_is_plain(conv: cattrs.Converter) -> bool:
    # Options that change the generated cattrs hooks: keep cattrs' own then.
    return not (
        getattr(conv, "omit_if_default", False)
        or getattr(conv, "use_alias", False)
        or getattr(conv, "type_overrides", None)
        or getattr(conv, "_unstruct_collection_overrides", None)
    )


def _class_fields(cl: type) -> list[tuple[str, str, Any, bool, bool]]:
    """``(dict key, init argument, type, keyword-only, raw)`` for each stored field."""
    if attrs.has(cl):
        attrs.resolve_types(cl)
        out = []
        for a in attrs.fields(cl):
            if not a.init:
                continue  # private state: cattrs neither stores nor passes it
            if a.type is None:
                raise _Unsupported(f"{cl.__name__}.{a.name} has no type")
            out.append((a.name, a.alias, a.type, a.kw_only, a.converter is not None))
        return out
    if is_namedtuple(cl):
        hints = typing.get_type_hints(cl)
        names: tuple[str, ...] = getattr(cl, "_fields")  # noqa: B009 - not typed on `type`
        return [(f, f, hints[f], False, False) for f in names]
    raise _Unsupported(f"{cl!r} is neither an attrs class nor a named tuple")


def _optional_arg(t: Any) -> Any:
    """``X`` for ``X | None`` / ``Optional[X]``, else None."""
    if typing.get_origin(t) in (typing.Union, types.UnionType):
        args = typing.get_args(t)
        if len(args) == 2 and type(None) in args:
            return args[0] if args[1] is type(None) else args[1]
    return None


def _plain_new(cl: type) -> bool:
    """Whether a named tuple class builds with ``tuple.__new__`` (no custom ``__new__``)."""
    for klass in cl.__mro__:
        if "__new__" in klass.__dict__:
            return "_fields" in klass.__dict__  # the class namedtuple() made
    return False


class _Gen:
    """Writes the source of one generated function, with its globals."""

    def __init__(self, conv: cattrs.Converter) -> None:
        self.conv = conv
        self.globs: dict[str, Any] = {"_mismatch": _mismatch, "_tuple_new": tuple.__new__}
        self.lines: list[str] = []

    def ref(self, obj: Any, hint: str) -> str:
        for name, value in self.globs.items():
            if value is obj and name.startswith("_g"):
                return name
        name = f"_g{len(self.globs)}_{hint}"
        self.globs[name] = obj
        return name

    def compile(self, name: str, filename: str) -> Callable[..., Any]:
        code = compile("\n".join(self.lines), filename, "exec")
        eval(code, self.globs)
        fn: Callable[..., Any] = self.globs[name]
        return fn

    # -- structuring: an expression turning the simple name ``v`` into the value --

    def structure_expr(self, t: Any, v: str, depth: int) -> str:
        conv = self.conv
        inner = _optional_arg(t)
        if inner is not None:
            return f"(None if {v} is None else {self.structure_expr(inner, v, depth)})"
        origin = typing.get_origin(t)
        if origin is list:
            (arg,) = typing.get_args(t) or (Any,)
            if arg is Any:
                return self.delegate_structure(t, v)
            e = f"e{depth}"
            body = self.structure_expr(arg, e, depth + 1)
            return f"([{body} for {e} in {v}] if type({v}) is list else _mismatch())"
        try:
            hook = conv.get_structure_hook(t)
        except Exception:  # no hook yet (e.g. a recursive type): ask at run time
            return self.delegate_structure(t, v, lazy=True)
        fast = getattr(hook, "tnorder_fast", None)
        if fast is not None:
            return f"{self.ref(fast, 'fast')}({v})"
        if hook is _structure_str and t is str:
            return f"({v} if type({v}) is str else _mismatch())"
        if hook is _structure_str and isinstance(t, type) and issubclass(t, Enum):
            # The member map of a str enum holds only str keys, so anything
            # that is not one of its values (or not hashable) raises here.
            return f"{self.ref(t._value2member_map_, 'members')}[{v}]"
        if hook is _structure_int and t is int:
            return f"({v} if type({v}) is int else _mismatch())"
        if hook is _structure_bool and t is bool:
            return f"({v} if type({v}) is bool else _mismatch())"
        if hook is _structure_datetime and t is datetime:
            parse = self.ref(datetime.fromisoformat, "fromiso")
            return f"(_d if (_d := {parse}({v})).tzinfo is not None else _mismatch())"
        if hook is _structure_date and t is date:
            return f"{self.ref(date.fromisoformat, 'datefromiso')}({v})"
        return f"{self.ref(hook, 'hook')}({v}, {self.ref(t, 'type')})"

    def delegate_structure(self, t: Any, v: str, lazy: bool = False) -> str:
        if lazy:
            return f"{self.ref(self.conv.structure, 'structure')}({v}, {self.ref(t, 'type')})"
        hook = self.conv.get_structure_hook(t)
        return f"{self.ref(hook, 'hook')}({v}, {self.ref(t, 'type')})"

    # -- unstructuring: an expression turning the simple name ``v`` into JSON data --

    def unstructure_expr(self, t: Any, v: str, depth: int) -> str:
        conv = self.conv
        inner = _optional_arg(t)
        if inner is not None:
            body = self.unstructure_expr(inner, v, depth)
            return v if body == v else f"(None if {v} is None else {body})"
        if typing.get_origin(t) is list and typing.get_args(t):
            (arg,) = typing.get_args(t)
            e = f"e{depth}"
            return f"[{self.unstructure_expr(arg, e, depth + 1)} for {e} in {v}]"
        try:
            hook = conv.get_unstructure_hook(t)
        except Exception:  # e.g. a recursive type: dispatch at run time
            return f"{self.ref(conv.unstructure, 'unstructure')}({v}, {self.ref(t, 'type')})"
        fast = getattr(hook, "tnorder_fast", None)
        if fast is not None:
            return f"{self.ref(fast, 'fast')}({v})"
        if hook is identity or hook is _unstructure_str_enum:
            return v
        return f"{self.ref(hook, 'hook')}({v})"


def _gen_structure(cl: type, conv: cattrs.Converter) -> Callable[[Any], Any]:
    fields = _class_fields(cl)
    gen = _Gen(conv)
    prefer_attrib_converters = getattr(conv, "_prefer_attrib_converters", False)
    name = f"structure_{cl.__name__}"
    gen.lines.append(f"def {name}(d):")
    gen.lines.append(f"    if type(d) is not dict or len(d) != {len(fields)}:")
    gen.lines.append("        _mismatch()")
    positional: list[str] = []
    keywords: list[str] = []
    for i, (key, alias, t, kw_only, has_converter) in enumerate(fields):
        local = f"a{i}"
        gen.lines.append(f"    {local} = d[{key!r}]")
        if has_converter and prefer_attrib_converters:
            value = local  # the attrs converter takes the raw value
        else:
            value = gen.structure_expr(t, local, 0)
        if kw_only:
            keywords.append(f"{alias}={value}")
        else:
            positional.append(value)
    target = gen.ref(cl, "cls")
    if is_namedtuple(cl) and _plain_new(cl):
        build = f"_tuple_new({target}, ({', '.join(positional)},))"
    else:
        build = f"{target}({', '.join([*positional, *keywords])})"
    if (
        cl in _INTERNED
        and not keywords
        and all(_is_str_like(t) and not has_converter for _, _, t, _, has_converter in fields)
    ):
        # Loaded once per history entry, and nearly always the same few values:
        # share one (immutable) instance per distinct set of stored strings.
        # A hit must be something the full build accepts, with the same result:
        # plain strings are checked here; an enum value hits only if it equals
        # (as a str) a key whose build succeeded, and maps to the same member.
        local_names = [f"a{i}" for i in range(len(fields))]
        key = f"({', '.join(local_names)},)"
        cache = gen.ref({}, "interned")
        plain = [n for n, (_, _, t, _, _) in zip(local_names, fields, strict=True) if t is str]
        if plain:
            gen.lines.append(f"    if {' or '.join(f'type({n}) is not str' for n in plain)}:")
            gen.lines.append("        _mismatch()")
        gen.lines.append(f"    hit = {cache}.get({key})")
        gen.lines.append("    if hit is not None:")
        gen.lines.append("        return hit")
        gen.lines.append(f"    obj = {build}")
        gen.lines.append(f"    if len({cache}) >= {_INTERN_LIMIT}:")
        gen.lines.append(f"        {cache}.clear()")
        gen.lines.append(f"    {cache}[{key}] = obj")
        gen.lines.append("    return obj")
    else:
        gen.lines.append(f"    return {build}")
    return gen.compile(name, f"<tnorder generated structure {cl.__qualname__}>")


def _gen_unstructure(cl: type, conv: cattrs.Converter) -> Callable[[Any], Any]:
    fields = _class_fields(cl)
    gen = _Gen(conv)
    name = f"unstructure_{cl.__name__}"
    gen.lines.append(f"def {name}(o):")
    items = []
    if is_namedtuple(cl):
        names = [f"a{i}" for i in range(len(fields))]
        gen.lines.append(f"    {', '.join(names)}{',' if len(names) == 1 else ''} = o")
        for (key, _, t, _, _), local in zip(fields, names, strict=True):
            items.append(f"{key!r}: {gen.unstructure_expr(t, local, 0)}")
    else:
        for i, (key, _, t, _, _) in enumerate(fields):
            local = f"a{i}"
            gen.lines.append(f"    {local} = o.{key}")
            items.append(f"{key!r}: {gen.unstructure_expr(t, local, 0)}")
    gen.lines.append(f"    return {{{', '.join(items)}}}")
    return gen.compile(name, f"<tnorder generated unstructure {cl.__qualname__}>")


def _fast_structure_factory(cl: Any, conv: cattrs.Converter) -> Any:
    slow = (
        _slow_namedtuple_structure(cl, conv)
        if is_namedtuple(cl)
        else conv.gen_structure_attrs_fromdict(cl)
    )
    if not _converter_is_plain(conv):
        return slow
    try:
        fast = _gen_structure(cl, conv)
    except _Unsupported:
        return slow

    def structure(value: Any, _: Any) -> Any:
        try:
            return fast(value)
        except Exception:  # refused or unusual: cattrs decides, and words any error
            return slow(value, cl)

    structure.tnorder_fast = fast  # type: ignore[attr-defined]
    return structure


def _fast_unstructure_factory(cl: Any, conv: cattrs.Converter) -> Any:
    slow = (
        namedtuple_dict_unstructure_factory(cl, conv)
        if is_namedtuple(cl)
        else conv.gen_unstructure_attrs_fromdict(cl)
    )
    if not _converter_is_plain(conv):
        return slow
    try:
        fast = _gen_unstructure(cl, conv)
    except _Unsupported:
        return slow
    fast.tnorder_fast = fast  # type: ignore[attr-defined]
    return fast


def make_converter() -> cattrs.Converter:
    """A fresh converter with :func:`configure_converter` applied."""
    conv = cattrs.Converter(forbid_extra_keys=True)
    configure_converter(conv)
    return conv


_CONVERTER = make_converter()


def dump_record(obj: object, *, converter: cattrs.Converter = _CONVERTER) -> dict[str, Any]:
    """The stored envelope of an attrs record (order, document, ...)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "type": type(obj).__name__,
        "data": converter.unstructure(obj),
    }


def load_record(
    cls: type[T],
    envelope: Any,
    *,
    record: str,
    converter: cattrs.Converter = _CONVERTER,
) -> T:
    """Rebuild a ``cls`` from its envelope.

    Args:
        cls: the expected class.
        envelope: the decoded JSON object.
        record: how to name the record in errors (e.g. ``"order 'A-1'"``).

    Raises:
        SerializationError: unknown schema version or type, or data that does not fit.
    """
    if not isinstance(envelope, dict):
        raise SerializationError("record is not a JSON object", record=record)
    version = envelope.get("schema_version")
    if version != SCHEMA_VERSION:
        raise SerializationError(f"unknown schema version {version!r}", record=record)
    if envelope.get("type") != cls.__name__:
        raise SerializationError(
            f"expected type {cls.__name__!r}, found {envelope.get('type')!r}", record=record
        )
    try:
        return converter.structure(envelope.get("data"), cls)
    except Exception as exc:  # cattrs raises ExceptionGroups of anything; we name the record.
        raise SerializationError(_describe(exc), record=record) from exc


# -- JSON text: the standard library, or orjson when installed -------------------

# Built once: ``json.dumps(..., separators=...)`` builds an encoder per call.
# Unstructured records are fresh trees, so the circular-reference check is moot.
_ENCODE = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode

# orjson reads an integer outside [-2**63, 2**64) as a float, where the standard
# library keeps it exact.  Such an integer has at least 19 digits, so text with
# a run of 19 digits (rare: phone numbers have at most 15) is read by the
# standard library.  Mapping digits to "1" and the rest to " " finds a run with
# one C-speed translate and one substring search.
_DIGITS_AS_ONES = bytes(0x31 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_LONG_DIGIT_RUN = b"1" * 19
# Types orjson writes natively but the standard library refuses: they go to
# orjson's (absent) ``default`` and so fail over to the standard library too.
_ORJSON_OPTIONS = (
    0 if orjson is None else orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def _stdlib_to_json(value: Any) -> str:
    return _ENCODE(value)


def _stdlib_from_json(text: Any) -> Any:
    return json.loads(text)


def _orjson_to_json(value: Any) -> str:
    try:
        return orjson.dumps(value, option=_ORJSON_OPTIONS).decode()
    except TypeError:
        # Integers beyond 64 bits, lone surrogates, non-string keys, ...: the
        # standard library writes them (or refuses them) as it always has.
        return _ENCODE(value)


def _orjson_from_json(text: Any) -> Any:
    kind = type(text)
    if kind is str or kind is bytes:
        try:
            raw = text.encode() if kind is str else text
            if _LONG_DIGIT_RUN not in raw.translate(_DIGITS_AS_ONES):
                return orjson.loads(raw)
        except ValueError:
            # Not strict JSON for orjson (NaN, a lone surrogate, bad syntax):
            # the standard library decides, with its own error messages.
            pass
    return json.loads(text)


_TO_JSON: Callable[[Any], str] = _stdlib_to_json if orjson is None else _orjson_to_json
_FROM_JSON: Callable[[Any], Any] = _stdlib_from_json if orjson is None else _orjson_from_json


def to_json(value: Any) -> str:
    """Compact JSON text of a JSON-ready value (dicts, lists, strings, numbers...).

    Written by orjson when installed, else by the standard library; either's
    text reads back as the same value with both.  Two differences remain, for
    values no converter output holds: orjson writes UUIDs and plain (non-str,
    non-int) enums, which the standard library refuses, and writes a NaN or
    infinite float as ``null``, where the standard library writes ``NaN``
    (not JSON).  Integers beyond 64 bits and lone surrogates are written by
    the standard library.

    Raises:
        TypeError: ``value`` holds something JSON cannot represent.
    """
    return _TO_JSON(value)


def from_json(text: str | bytes) -> Any:
    """The value of JSON text, read as the standard library's ``json.loads`` reads it.

    Raises:
        ValueError: the text is not valid JSON (``json.JSONDecodeError``).
        TypeError: ``text`` is neither a string nor bytes.
    """
    return _FROM_JSON(text)


def dumps(obj: object, *, converter: cattrs.Converter = _CONVERTER) -> str:
    """``dump_record`` as compact JSON text."""
    return _TO_JSON(dump_record(obj, converter=converter))


def loads(
    cls: type[T], text: str | bytes, *, record: str, converter: cattrs.Converter = _CONVERTER
) -> T:
    """Parse JSON text and ``load_record`` it."""
    try:
        envelope = _FROM_JSON(text)
    except (ValueError, TypeError) as exc:
        raise SerializationError(f"not valid JSON: {exc}", record=record) from exc
    return load_record(cls, envelope, record=record, converter=converter)


def dump_event(event: Event, *, converter: cattrs.Converter = _CONVERTER) -> dict[str, Any]:
    """An event as a JSON-ready dict with its ``type`` and ``event_id``."""
    data = converter.unstructure(event)
    return {
        "schema_version": SCHEMA_VERSION,
        "type": event.type_name,
        "event_id": event.event_id,
        "data": data,
    }


def load_event(payload: Any, *, converter: cattrs.Converter = _CONVERTER) -> Event:
    """Rebuild an event from :func:`dump_event` output."""
    name = payload.get("type") if isinstance(payload, dict) else None
    record = f"event {payload.get('event_id')!r}" if isinstance(payload, dict) else "event"
    cls = EVENT_TYPES.get(name) if isinstance(name, str) else None
    if cls is None:
        raise SerializationError(f"unknown event type {name!r}", record=record)
    return load_record(cls, payload, record=record, converter=converter)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        notes = cattrs.transform_error(exc) if isinstance(exc, cattrs.BaseValidationError) else []
        return "; ".join(notes) or str(exc)
    return f"{type(exc).__name__}: {exc}"
