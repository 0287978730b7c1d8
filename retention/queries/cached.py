"""Declarative queries: `@query("kpis", ...)` caches a report function on exactly the parameters its SQL uses
and checks its output columns against its docstring.

    @query("kpis_revenue", maxsize=64)
    def revenue_kpis(ds: Dataset, p: Params) -> pl.DataFrame:
        \"""... `period`, `orders`, `revenue` ...\"""
        return engine(ds).run("kpis_revenue", p.sql())

The cache key is (ds, the values of `p.sql()` that the named files use, read from the files and their
includes by retention.sqlfiles.params_used, the other arguments); Params fields the function reads in
Python are named by `uses=`. So a parameter the SQL does not read (or a new one it does) needs no hand
trimming. The result's columns (a frame's, a dict's keys) must be the backticked names of the docstring
(`columns=` names them instead: a list, or a function of the call's arguments when they depend on them;
`columns=None` skips the check: results that are no table): otherwise a
QueryColumnsError names the query, the missing and the extra columns.

A key asked for by two threads at once is computed once (the other waits for it). Where stored results are
on (retention/results.py: the app, `prepare`), a key missing from memory is read from the store beside the
base cache before it is computed, and a warm pass (retention/warm.py) writes what it computes there.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from retention import results
from retention.errors import InputError
from retention.params import Params
from retention.sqlfiles import params_used
from retention.tables import Dataset

F = TypeVar("F", bound=Callable[..., Any])
_DOC = object()
_COLUMN = re.compile(r"`([a-z_][a-z0-9_]*)`")


class QueryColumnsError(AssertionError):
    """A query returned other columns than its docstring lists."""


def doc_columns(fn: Callable) -> list[str]:
    """The backticked names of a function's docstring, in order (each once)."""
    return list(dict.fromkeys(_COLUMN.findall(fn.__doc__ or "")))


def check_columns(name: str, expected: Iterable[str], result: object) -> None:
    if results.is_frame(result):
        got = result.columns
    elif isinstance(result, dict):
        got = list(result)
    else:
        return
    expected = list(expected)
    missing = [c for c in expected if c not in got]
    extra = [c for c in got if c not in expected]
    if missing or extra:
        raise QueryColumnsError(
            f"query {name}: its output columns differ from its docstring: missing {missing or 'none'}, "
            f"extra {extra or 'none'} (fix the SQL or the docstring)"
        )


_ALL: list[Callable] = []  # every @query function, for clear_all


def clear_all() -> None:
    """Forget every cached query result of this process (a benchmark timing each report on its own)."""
    for fn in _ALL:
        fn.cache_clear()  # type: ignore[attr-defined]


_MISS = object()


def _store_of(args: tuple) -> Path | None:
    """The result store (retention/results.py) of the call's data set, when stored results are on."""
    if not results.enabled() or not args or not isinstance(args[0], Dataset):
        return None
    from retention import db

    try:
        return getattr(db.engine(args[0]), "results_dir", None)
    except InputError:
        return None


def _frozen(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def query(*sql: str, maxsize: int = 64, uses: tuple[str, ...] = (), columns: object = _DOC) -> Callable[[F], F]:
    """Cache a query function `(ds, [p: Params,] ...simple values)` on the parameters its SQL files `sql`
    use (plus the Params fields in `uses`), and check its output columns (see the module docstring)."""

    def decorate(fn: F) -> F:
        name = f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"
        expected = doc_columns(fn) if columns is _DOC else columns
        cache: OrderedDict[tuple, object] = OrderedDict()
        lock = threading.Lock()
        stats = {"hits": 0, "misses": 0, "stored": 0}

        @functools.cache
        def sql_keys() -> tuple[str, ...]:
            return tuple(sorted(frozenset().union(*(params_used(s) for s in sql))))

        def key_of(args: tuple, kwargs: dict) -> tuple:
            parts = []
            for a in args:
                if isinstance(a, Params):
                    values = a.sql()
                    parts.append(
                        (
                            "Params",
                            tuple((k, _frozen(values[k])) for k in sql_keys() if k in values),
                            tuple(getattr(a, f) for f in uses),
                        )
                    )
                else:
                    parts.append(a)
            return (*parts, *sorted(kwargs.items()))

        inflight: dict[tuple, threading.Event] = {}

        def hit(key: tuple) -> object:
            if key in cache:
                cache.move_to_end(key)
                stats["hits"] += 1
                return cache[key]
            return _MISS

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            key = key_of(args, kwargs)
            while True:
                with lock:
                    found = hit(key)
                    if found is not _MISS:
                        return found
                    pending = inflight.get(key)
                    if pending is None:  # this call computes it; the same call in another thread waits
                        pending = inflight[key] = threading.Event()
                        break
                pending.wait()  # then the result is cached (or the other call failed: this one tries)
            try:
                store = _store_of(args)
                text = results.key_text(name, key) if store is not None else None
                result = results.load(store, name, text) if text is not None else results.MISSING
                if result is results.MISSING:
                    result = fn(*args, **kwargs)
                    if callable(expected):
                        check_columns(name, expected(*args, **kwargs), result)
                    elif expected is not None:
                        check_columns(name, expected, result)
                    if text is not None and results.is_writing():
                        results.save(store, name, text, result)
                else:
                    stats["stored"] += 1
                with lock:
                    stats["misses"] += 1
                    cache[key] = result
                    while len(cache) > maxsize:
                        cache.popitem(last=False)
                return result
            finally:
                with lock:
                    inflight.pop(key, None)
                pending.set()

        wrapper.cache_clear = cache.clear  # type: ignore[attr-defined]
        wrapper.cache_stats_reset = lambda: stats.update(hits=0, misses=0, stored=0)  # type: ignore[attr-defined]
        wrapper.cache_info = lambda: dict(stats, size=len(cache))  # type: ignore[attr-defined]
        wrapper.cache_key = key_of  # type: ignore[attr-defined]
        wrapper.sql = sql  # type: ignore[attr-defined]
        wrapper.columns = expected  # type: ignore[attr-defined]
        _ALL.append(wrapper)
        return wrapper  # type: ignore[return-value]

    return decorate
