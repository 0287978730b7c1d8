"""Each page's default view computed ahead and kept on disk (retention/warm.py, retention/results.py, issue 23).

- after a warm, every page's first run (a new process: the memory caches emptied) computes nothing: each
  query result is read from the store, and the engine runs no SQL;
- what the store gives back equals what the functions compute (frames with their types, dicts, the fits);
- a result of other code, or an unreadable file, is never used; the store goes with its base cache file;
- one computation per key when threads ask at once (the app's warm and a visitor's page);
- `python -m retention prepare` from the command line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import threading
import time

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from streamlit.testing.v1 import AppTest

from retention import base, db, results, warm
from retention.engine import Engine
from retention.queries import cached
from retention.settings import get_settings
from tests.conftest import ROOT, run_cli

PAGES_DIR = ROOT


@pytest.fixture
def stored(monkeypatch, tmp_path, sample_dir):
    """A copy of the sample with stored results on for this process (and its settings)."""
    data = tmp_path / "data"
    shutil.copytree(sample_dir, data, ignore=shutil.ignore_patterns(".retention-cache"))
    monkeypatch.setenv("RETENTION_DATA_DIR", str(data))
    monkeypatch.setenv("RETENTION_STORE_RESULTS", "true")
    get_settings.cache_clear()
    cached.clear_all()
    results.enable(True)
    yield data
    results.enable(False)
    cached.clear_all()
    get_settings.cache_clear()


def computed() -> int:
    """How many query results this process computed (not read from memory or the store)."""
    return sum(fn.cache_info()["misses"] - fn.cache_info()["stored"] for fn in cached._ALL)


def counters() -> dict[str, int]:
    return {k: sum(fn.cache_info()[k] for fn in cached._ALL) for k in ("hits", "misses", "stored")}


def reset_counters() -> None:
    for fn in cached._ALL:
        fn.cache_clear()
        fn.cache_stats_reset()


def test_after_warming_no_page_computes_anything(stored, monkeypatch):
    settings = get_settings()
    ds = db.open_dataset(stored, settings.timezone)
    store = db.engine(ds).results_dir
    assert store is not None and store.parent.parent == stored / ".retention-cache"
    thread = warm.start(ds, settings)  # what the app does on a session's first open
    assert thread is not None
    thread.join(timeout=300)
    assert results.is_complete(store)
    assert any(store.glob("*.parquet")) and any(store.glob("*.json"))
    assert warm.start(ds, settings) is None  # once per process and data version

    sql: list[str] = []
    real_run = Engine.run

    def counting_run(self, name, params=None, **fragments):
        sql.append(name)
        return real_run(self, name, params, **fragments)

    monkeypatch.setattr(Engine, "run", counting_run)
    from retention.ui import PAGES

    for page in PAGES:
        if page.key in ("profile", "import"):
            continue  # no query before the user asks for something
        reset_counters()  # a new server process: nothing in memory, the store on disk
        sql.clear()
        at = AppTest.from_file(str(PAGES_DIR / page.path), default_timeout=120)
        at.run()
        assert not at.exception, (page.key, [e.value for e in at.exception])
        assert not at.error, (page.key, [e.value for e in at.error])
        assert computed() == 0, (
            page.key,
            {f.__name__: f.cache_info() for f in cached._ALL if f.cache_info()["misses"] > f.cache_info()["stored"]},
        )
        assert counters()["stored"] > 0, page.key
        assert sql == [], (page.key, sql)


def _equal(a: object, b: object) -> bool:
    """Equal up to the last bits of a float sum (DuckDB's parallel sums are not bit-stable run to run; the
    store keeps the bits of the run that wrote it: results.save checks it reads back exactly)."""
    if isinstance(a, pl.DataFrame):
        if not isinstance(b, pl.DataFrame) or a.schema != b.schema:
            return False
        try:
            assert_frame_equal(a, b, check_exact=False, rel_tol=1e-9, abs_tol=1e-9)
        except AssertionError:
            return False
        return True
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-9, abs=1e-9, nan_ok=True)
    if isinstance(a, (tuple, list)) and type(a) is type(b):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_equal(a[k], b[k]) for k in a)
    if dataclasses.is_dataclass(a) and type(a) is type(b):
        return all(_equal(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    return results._same(a, b)


def test_the_store_gives_back_what_the_functions_compute(stored):
    settings = get_settings()
    ds = db.open_dataset(stored, settings.timezone)
    p = warm.default_params(ds, settings)
    calls = warm.page_calls(ds, settings, p)
    warm.warm(ds, settings)
    results.enable(False)
    cached.clear_all()
    fresh = {page: [c() for c in cs] for page, cs in calls.items()}
    results.enable(True)
    cached.clear_all()
    back = {page: [c() for c in cs] for page, cs in calls.items()}
    assert counters()["stored"] > 20
    for page in calls:
        for i, (a, b) in enumerate(zip(fresh[page], back[page], strict=True)):
            assert _equal(a, b), (page, i)


def test_the_codec_keeps_types_and_refuses_others():
    from retention import models
    from retention.queries.predict import ModelError

    fit = models.BgnbdFit(
        r=0.24, alpha=4.41, a=None, b=None, pi=0.1, log_likelihood=-9582.4, customers=2357, limit=True
    )
    value = (fit, None, ModelError("few_spend", "needs 20", spenders=3, needed=20))
    back = results._decode(results._encode(value))
    assert (
        back[0] == fit
        and back[1] is None
        and back[2].reason == "few_spend"
        and back[2].values == {"spenders": 3, "needed": 20}
    )
    import decimal

    mixed = {"n": 3, "x": float("nan"), "d": dt.date(2026, 1, 31), "big": decimal.Decimal("91785"), 4: [1.5, "a"]}
    assert results._same(results._decode(results._encode(mixed)), mixed)
    for bad in (object(), {"f": pl.DataFrame({"a": [1]})}, dt.datetime(2026, 1, 1)):
        with pytest.raises(results._Unstorable):
            results._encode(bad)
    with pytest.raises((ValueError, KeyError)):  # a file naming another class is no stored value
        results._decode({"record": ["Popen", {}]})


def test_a_result_of_other_code_or_an_unreadable_file_is_not_used(stored, monkeypatch):
    settings = get_settings()
    ds = db.open_dataset(stored, settings.timezone)
    from retention.queries.common import overview

    p = warm.default_params(ds, settings)
    warm.warm(ds, settings, pages=["overview"])
    truth = overview(ds, p)
    store = db.engine(ds).results_dir
    (stored_file,) = store.glob("common.overview-*.json")
    # A tampered file is read (so the store is what serves the page) ...
    doc = stored_file.read_text(encoding="utf-8").replace('"customers", {"int": "', '"customers", {"int": "9')
    stored_file.write_text(doc, encoding="utf-8")
    cached.clear_all()
    assert overview(ds, p)["customers"] == int("9" + str(truth["customers"]))
    # ... but not by other code: another fingerprint is another folder.
    original = results.code_fingerprint
    monkeypatch.setattr(results, "code_fingerprint", lambda: "othercode000")
    db.engine(ds).results_dir = results.folder_for(db.engine(ds).loaded_from or db.engine(ds).saved_to)
    assert db.engine(ds).results_dir != store
    cached.clear_all()
    assert overview(ds, p) == truth
    # An unreadable file is computed again.
    monkeypatch.setattr(results, "code_fingerprint", original)
    db.engine(ds).results_dir = store
    stored_file.write_text("{not json", encoding="utf-8")
    for parquet in store.glob("*.parquet"):
        parquet.write_bytes(b"PAR1 broken")
    cached.clear_all()
    assert overview(ds, p) == truth
    from retention.queries.cohorts import cohort_table

    results.enable(False)
    cached.clear_all()
    want = cohort_table(ds, p)
    results.enable(True)
    cached.clear_all()
    assert cohort_table(ds, p).equals(want)


def test_the_store_goes_with_its_base_file(tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir()
    kept = []
    for i in range(4):
        f = folder / f"base-v{i}-zone-fp.duckdb"
        f.write_bytes(b"x")
        store = results.folder_for(f)
        store.mkdir(parents=True)
        (store / "x.json").write_text("{}")
        t = time.time() - 100 + i
        import os

        os.utime(f, (t, t))
        kept.append(f)
    base.prune_caches(folder)
    assert sorted(p.name for p in folder.iterdir()) == [
        "base-v2-zone-fp.duckdb", "base-v2-zone-fp.results", "base-v3-zone-fp.duckdb", "base-v3-zone-fp.results",
    ]  # fmt: skip
    old = results.folder_for(kept[3]).with_name("othercode000")
    old.mkdir()
    results.prune_others(results.folder_for(kept[3]))
    assert not old.exists() and results.folder_for(kept[3]).exists()


def test_the_same_query_in_two_threads_is_computed_once(sample_dir):
    calls = []
    gate = threading.Event()

    @cached.query("overview", columns=None)
    def slow(ds, n: int) -> int:
        calls.append(n)
        gate.wait(5)
        return n * 2

    try:
        out: list[int] = []
        threads = [threading.Thread(target=lambda: out.append(slow("ds", 21))) for _ in range(3)]
        for th in threads:
            th.start()
        time.sleep(0.3)
        gate.set()
        for th in threads:
            th.join(10)
        assert out == [42, 42, 42] and calls == [21]

        @cached.query("overview", columns=None)
        def failing(ds, n: int) -> int:
            calls.append(-n)
            raise ValueError("boom")

        for _ in range(2):  # a failure is not kept: the next call tries again
            with pytest.raises(ValueError):
                failing("ds", 1)
        assert calls == [21, -1, -1]
    finally:
        cached._ALL[:] = [f for f in cached._ALL if f.__name__ not in ("slow", "failing")]


def test_prepare_from_the_command_line(tmp_path, sample_dir):
    data = tmp_path / "data"
    shutil.copytree(sample_dir, data, ignore=shutil.ignore_patterns(".retention-cache"))
    out = run_cli("prepare", "--data", data, env={"RETENTION_STORE_RESULTS": "true"})
    assert out.returncode == 0, out.stderr
    for key in ("overview", "kpis", "predictions", "winback"):
        assert f"\n{key}: " in out.stdout
    (store,) = (data / ".retention-cache").glob("base-*.results/*")
    assert (store / "complete").is_file() and len(list(store.glob("*.parquet"))) > 10
    again = run_cli("prepare", "--data", data, env={"RETENTION_STORE_RESULTS": "true"})
    assert again.returncode == 0 and again.stdout.splitlines()[-1] == out.stdout.splitlines()[-1]
    # No writable cache folder: exit 2 and a message, no traceback.
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    bad = run_cli("prepare", "--data", data, env={"RETENTION_CACHE_DIR": str(blocker / "cache")})
    assert bad.returncode == 2 and "RETENTION_CACHE_DIR" in bad.stderr and "Traceback" not in bad.stderr
