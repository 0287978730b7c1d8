"""Query results kept on disk beside the base cache (issue 23: the first visit of a page at once).

Every page's default view (the sidebar as a new session has it) is computed once per data version, after
the base tables are built or refreshed (retention/warm.py: in the app's background, or `python -m retention
prepare` after the daily import), and its query results are written here. A page's first visit in any
server process then reads them instead of running the SQL and the model fits again.

A store is a folder per base cache file and code version:

    <cache folder>/base-<version>-<zone>-<base SQL>.results/<code>/<query>-<key hash>.parquet | .json

- keyed like the memory cache of retention/queries/cached.py (the data set, the parameter values the query's
  SQL uses, the other arguments), plus a hash of the library's code (every .py, .sql and .toml file of
  retention/), so a changed rule never reads a result of the old one;
- a result is written only when it reads back equal (a frame: the same schema and values), aside and then
  renamed, so a reader sees a whole file or none;
- frames are Parquet; the other results (dicts, numbers, dates, the model fits) are JSON of an allow-listed
  set of types: nothing is unpickled, a file is only ever data;
- only the warm pass writes (`writing()`), so the store holds the default views, not every slider position;
- it goes with its base cache file (base.prune_caches removes both).

Reading is on where the app or `prepare` turns it on (`enable()`); CLI reports and tests compute as before.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import decimal
import hashlib
import json
import math
import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
MISSING = object()
_state = {"enabled": False}
_local = threading.local()


def enable(on: bool = True) -> None:
    """Read (and, in a warm pass, write) stored results in this process."""
    _state["enabled"] = on


def enabled() -> bool:
    return _state["enabled"]


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Results computed in this thread inside the block are written to the store (the warm pass)."""
    before = getattr(_local, "writing", False)
    _local.writing = True
    try:
        yield
    finally:
        _local.writing = before


def is_writing() -> bool:
    return getattr(_local, "writing", False)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the library's code: a result of other code is never read."""
    h = hashlib.sha1()
    for f in sorted(PACKAGE.rglob("*")):
        if f.suffix in (".py", ".sql", ".toml") and "__pycache__" not in f.parts:
            h.update(str(f.relative_to(PACKAGE)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


def folder_for(cache_file: Path) -> Path:
    """The store of a base cache file."""
    return cache_file.with_name(cache_file.stem + ".results") / code_fingerprint()


def mark_complete(folder: Path) -> None:
    """Note that every page's default view is in the store (a later server need not warm it again)."""
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "complete").write_text(dt.datetime.now(dt.UTC).isoformat(), encoding="utf-8")


def is_complete(folder: Path) -> bool:
    return (folder / "complete").is_file()


def prune_others(folder: Path) -> None:
    """Remove the results other code versions left beside this store (they are never read again)."""
    if folder.parent.is_dir():
        for other in folder.parent.iterdir():
            if other.is_dir() and other.name != folder.name:
                shutil.rmtree(other, ignore_errors=True)


def remove_for(cache_file: Path) -> None:
    """Remove the store of a base cache file (with the file: base.prune_caches)."""
    shutil.rmtree(cache_file.with_name(cache_file.stem + ".results"), ignore_errors=True)


def key_text(name: str, key: tuple) -> str | None:
    """A stable text of a cache key, or None when some part has no stable text (then nothing is stored)."""
    text = f"{name}|{key!r}"
    return None if " at 0x" in text else text


def _file(folder: Path, name: str, text: str, suffix: str) -> Path:
    return folder / f"{name}-{hashlib.sha1(text.encode()).hexdigest()[:20]}{suffix}"


def is_frame(value: object) -> bool:
    """isinstance(value, polars.DataFrame), without importing polars: no frame exists before it is imported
    (a page whose stored results are all JSON, such as the first page, never imports it)."""
    polars = sys.modules.get("polars")
    return polars is not None and isinstance(value, polars.DataFrame)


def load(folder: Path, name: str, text: str) -> object:
    """The stored result of the key, or MISSING."""
    for suffix in (".parquet", ".json"):
        path = _file(folder, name, text, suffix)
        if not path.is_file():
            continue
        try:
            if suffix == ".parquet":
                import polars as pl

                return pl.read_parquet(path)
            doc = json.loads(path.read_text(encoding="utf-8"))
            if doc.get("key") != text:
                return MISSING
            return _decode(doc["value"])
        except Exception:  # noqa: BLE001 - an unreadable file is no result: it is computed again
            return MISSING
    return MISSING


def save(folder: Path, name: str, text: str, value: object) -> bool:
    """Write a result when it reads back equal; False when it cannot be stored (its type, a full disk)."""
    import polars as pl  # a result was just computed: polars is loaded already, or the query needed it

    try:
        if isinstance(value, pl.DataFrame):
            path = _file(folder, name, text, ".parquet")
            folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            value.write_parquet(tmp)
            back = pl.read_parquet(tmp)
            if back.schema != value.schema or not back.equals(value, null_equal=True):
                tmp.unlink(missing_ok=True)
                return False
        else:
            encoded = _encode(value)
            if not _same(_decode(encoded), value):
                return False
            path = _file(folder, name, text, ".json")
            folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(json.dumps({"key": text, "value": encoded}), encoding="utf-8")
        os.replace(tmp, path)
        return True
    except (_Unstorable, OSError, pl.exceptions.PolarsError):
        with contextlib.suppress(OSError, UnboundLocalError):
            tmp.unlink(missing_ok=True)
        return False


# -- JSON of an allow-listed set of types ----------------------------------------------------------


class _Unstorable(Exception):
    pass


# The record and error types a result may hold, registered by the modules that define them (so this module
# imports none of them): name -> a function giving the class.
_RECORDS: dict[str, Callable[[], type]] = {}
_ERRORS: dict[str, type] = {}


def register_record(name: str, get_class: Callable[[], type]) -> None:
    """A frozen dataclass a stored result may hold (its fields stored types too)."""
    _RECORDS[name] = get_class


def register_error(cls: type) -> None:
    """An exception a stored result may hold: it has `reason`, its message and `values` (keyword arguments)."""
    _ERRORS[cls.__name__] = cls


def _records() -> dict[str, type]:
    return {name: get() for name, get in _RECORDS.items()}


def _encode(v: object) -> object:
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return {"int": str(v)}
    if isinstance(v, float):
        return {"float": repr(v)}  # repr keeps every bit, and nan and inf
    if isinstance(v, decimal.Decimal):
        return {"decimal": str(v)}
    if isinstance(v, dt.datetime):
        raise _Unstorable
    if isinstance(v, dt.date):
        return {"date": v.isoformat()}
    if isinstance(v, (list, tuple)):
        return {"list" if isinstance(v, list) else "tuple": [_encode(x) for x in v]}
    if isinstance(v, dict):
        return {"dict": [[_encode(k), _encode(x)] for k, x in v.items()]}
    if is_frame(v):
        raise _Unstorable  # a frame inside another value: not stored
    if dataclasses.is_dataclass(v) and type(v).__name__ in _records() and type(v) is _records()[type(v).__name__]:
        return {"record": [type(v).__name__, {f.name: _encode(getattr(v, f.name)) for f in dataclasses.fields(v)}]}
    if _ERRORS.get(type(v).__name__) is type(v):
        return {"error": [type(v).__name__, v.reason, str(v), {k: _encode(x) for k, x in v.values.items()}]}
    raise _Unstorable


def _decode(v: object) -> object:
    if v is None or isinstance(v, (bool, str)):
        return v
    if not isinstance(v, dict) or len(v) != 1:
        raise ValueError("not a stored value")
    ((tag, x),) = v.items()
    if tag == "int":
        return int(x)
    if tag == "float":
        return float(x)
    if tag == "decimal":
        return decimal.Decimal(x)
    if tag == "date":
        return dt.date.fromisoformat(x)
    if tag == "list":
        return [_decode(i) for i in x]
    if tag == "tuple":
        return tuple(_decode(i) for i in x)
    if tag == "dict":
        return {_decode(k): _decode(i) for k, i in x}
    if tag == "record":
        name, fields = x
        return _records()[name](**{k: _decode(i) for k, i in fields.items()})
    if tag == "error":
        cls_name, reason, message, values = x
        return _ERRORS[cls_name](reason, message, **{k: _decode(i) for k, i in values.items()})
    raise ValueError(f"unknown stored type {tag}")


def _same(a: object, b: object) -> bool:
    """Equal as stored values: the same types and values (nan equal to nan)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if dataclasses.is_dataclass(a):
        return all(_same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, Exception):
        return str(a) == str(b) and getattr(a, "values", None) == getattr(b, "values", None)
    return a == b
