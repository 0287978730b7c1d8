"""The base cache: a second process reads the cached base, and gets the same numbers; a change invalidates it."""

from __future__ import annotations

import shutil
from pathlib import Path

from retention import db
from tests.conftest import d, run_cli


def test_cache_written_reused_and_invalidated(tmp_path, sample_dir, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(sample_dir, data)
    shutil.rmtree(data / ".retention-cache", ignore_errors=True)
    first = run_cli("cohorts", "--data", data)
    assert first.returncode == 0, first.stderr
    caches = list((data / ".retention-cache").glob("base-*.duckdb"))
    assert len(caches) == 1
    written = caches[0].stat()
    second = run_cli("cohorts", "--data", data)
    # The second process read the file and wrote no new one (a rebuild replaces it: a new inode and mtime).
    assert (caches[0].stat().st_ino, caches[0].stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    assert second.stdout.splitlines()[0] == first.stdout.splitlines()[0]
    assert [r.split(",")[:5] for r in second.stdout.splitlines()] == [
        r.split(",")[:5] for r in first.stdout.splitlines()
    ]
    # In this process: the base comes from the cache file, the raw tables are neither read nor built on.
    from retention import base, engine

    def refuse(*args, **kwargs):
        raise AssertionError("the base was rebuilt although the cache holds it")

    monkeypatch.setattr(db, "_engines", type(db._engines)())
    monkeypatch.setattr(base, "build_base", refuse)
    monkeypatch.setattr(engine.Engine, "attach_sources", refuse)
    ds = db.open_dataset(data)
    assert db.engine(ds).loaded_from == caches[0]
    assert db.engine(ds).run("validate_count", source="ids")["n_rows"][0] > 0
    monkeypatch.undo()
    # Rewriting a table changes the data version: a new cache, the old one kept at most as a spare.
    (data / "churn_reasons.parquet").write_bytes((data / "churn_reasons.parquet").read_bytes())
    third = run_cli("cohorts", "--data", data, "--filter", "region=East")
    assert third.returncode == 0, third.stderr
    assert len(list((data / ".retention-cache").glob("base-*.duckdb"))) == 2


def test_validate_checks_the_files_not_the_cache(tmp_path, sample_dir):
    data = tmp_path / "data"
    shutil.copytree(sample_dir, data)
    assert run_cli("cohorts", "--data", data).returncode == 0
    res = run_cli("validate", "--data", data)
    assert res.returncode == 0 and "orders: " in res.stdout and "refund rows" in res.stdout


def test_unwritable_cache_folder_still_answers(tmp_path, sample_dir):
    data = tmp_path / "data"
    shutil.copytree(sample_dir, data)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    res = run_cli("cohorts", "--data", data, env={"RETENTION_CACHE_DIR": str(blocker / "sub")})
    assert res.returncode == 0, res.stderr


def test_relative_and_absolute_paths_share_one_version(make_data, monkeypatch):
    # the CLI is often given a relative folder and the app an absolute one: both must find the same cache
    folder = make_data(orders={"customer_id": ["a"], "ordered_at": [d("2024-01-01")], "amount": [1.0]})
    monkeypatch.chdir(folder.parent)
    assert db.data_version(Path(folder.name)) == db.data_version(folder.resolve())


def test_cached_meta_equals_the_built_meta_with_its_types(tmp_path, sample_dir, monkeypatch):
    """The meta a process reads from the cache is the meta the build made, each value of the same type (an
    order count read back as a string broke the refresh note: '>' between Decimal and str)."""
    data = tmp_path / "data"
    shutil.copytree(sample_dir, data)
    shutil.rmtree(data / ".retention-cache", ignore_errors=True)
    monkeypatch.setattr(db, "_engines", type(db._engines)())
    built = db.engine(db.open_dataset(data))
    assert built.loaded_from is None
    monkeypatch.setattr(db, "_engines", type(db._engines)())
    cached = db.engine(db.open_dataset(data))
    assert cached.loaded_from is not None
    skip = {"manifest"}  # the order files the refresh compares (paths and stats), kept as JSON lists
    fresh = {k: v for k, v in built.meta.items() if k not in skip}
    again = {k: v for k, v in cached.meta.items() if k not in skip}
    assert again == fresh
    assert {k: type(v) for k, v in again.items()} == {k: type(v) for k, v in fresh.items()}
    assert type(fresh["order_rows"]) is int and fresh["order_rows"] > 0
