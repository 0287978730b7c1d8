"""Issue 23's refresh target: appending one day of orders refreshes the base tables in at most a tenth of a
full build (10M orders), within 30 s at 100M.

    python bench/refresh.py --data bench/data/10m --work /tmp/refresh-bench [--repeat 3] [--skip-full]

copies the data folder to WORK/data (once), moves the last day of orders out of the newest order file into a
new file (`orders/zz-appended-DAY.parquet`, about 0.1% of the rows at 10M), builds the base of the data
without that file once (the cache a refresh starts from), then alternates, REPEAT times,

- full: open the data with every file and no cache (check the input rules, build every base table, write the
  cache file: what any change cost before the refresh),
- refresh: the same open with the previous base's cache present (retention/refresh.py),

each in a fresh process, and prints the best of each, their ratio and the refresh's steps. Both open the same
folder in the same run, so the ratio holds under whatever load the machine has. `--skip-full` times only the
refresh (100M, where a full build takes many minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# One timed open in its own process: prints {"seconds": ..., "steps": [...], "refreshed": bool}.
_CHILD = r"""
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
from retention import db, refresh
t1 = time.perf_counter()
ds = db.open_dataset(Path(sys.argv[1]), cache_dir=Path(sys.argv[2]), memory_limit=sys.argv[3], temp_dir=Path(sys.argv[4]))
t2 = time.perf_counter()
eng = db.engine(ds)
print(json.dumps({"seconds": t2 - t1, "imports": t1 - t0, "steps": refresh.last_timings,
                  "counts": {k: int(v) for k, v in refresh.last_counts.items()},
                  "refreshed": bool(refresh.last_timings), "order_rows": int(eng.meta["order_rows"])}))
"""


def run_child(data: Path, cache: Path, memory_limit: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(data), str(cache), memory_limit, str(data.parent / "duckdb-tmp")],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"child failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def prepare(src: Path, work: Path) -> tuple[Path, Path, int]:
    """WORK/data: a copy of SRC whose last order day sits in its own, newest file. Returns (data folder,
    the appended file, its rows)."""
    import polars as pl

    data = work / "data"
    marker = work / "prepared.json"
    if marker.is_file():
        info = json.loads(marker.read_text())
        return data, Path(info["file"]), info["rows"]
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shutil.copytree(src, data, ignore=shutil.ignore_patterns(".retention-cache"))
    files = sorted((data / "orders").glob("*.parquet"))
    last = files[-1]
    frame = pl.read_parquet(last)
    day = frame.select(pl.col("ordered_at").dt.date().max()).item()
    keep = frame.filter(pl.col("ordered_at").dt.date() < day)
    new = frame.filter(pl.col("ordered_at").dt.date() == day)
    keep.write_parquet(last)
    time.sleep(0.05)
    appended = data / "orders" / f"zz-appended-{day}.parquet"
    new.write_parquet(appended)
    marker.write_text(json.dumps({"file": str(appended), "rows": new.height, "day": str(day)}))
    return data, appended, new.height


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--memory-limit", default="8GB")
    ap.add_argument("--skip-full", action="store_true")
    args = ap.parse_args()

    data, appended, new_rows = prepare(args.data, args.work)
    aside = args.work / appended.name
    old_cache_dir = args.work / "old-cache"
    if not any(old_cache_dir.glob("base-*.duckdb")):
        # The base before the append: the file moved aside (a rename keeps its mtime, so it stays newest).
        os.replace(appended, aside)
        try:
            t = run_child(data, old_cache_dir, args.memory_limit)
        finally:
            os.replace(aside, appended)
        print(f"base without the appended file built in {t['seconds']:.1f} s ({t['order_rows']:,} order rows)")
    old_cache = next(old_cache_dir.glob("base-*.duckdb"))
    full_dir, refresh_dir = args.work / "full-cache", args.work / "refresh-cache"
    fulls, refreshes = [], []
    for i in range(args.repeat):
        if not args.skip_full:
            shutil.rmtree(full_dir, ignore_errors=True)
            t = run_child(data, full_dir, args.memory_limit)
            assert not t["refreshed"], "the full build found a cache"
            fulls.append(t["seconds"])
            print(f"[{i + 1}] full build {t['seconds']:.2f} s ({t['order_rows']:,} order rows)", flush=True)
        shutil.rmtree(refresh_dir, ignore_errors=True)
        refresh_dir.mkdir(parents=True)
        shutil.copy2(old_cache, refresh_dir / old_cache.name)
        t = run_child(data, refresh_dir, args.memory_limit)
        assert t["refreshed"], "the open did not refresh"
        refreshes.append((t["seconds"], t["steps"], t["counts"]))
        print(f"[{i + 1}] refresh {t['seconds']:.2f} s", flush=True)
    best, steps, counts = min(refreshes, key=lambda r: r[0])
    print(f"appended: {appended.name}, {new_rows:,} rows; {counts}")
    print(f"refresh best of {len(refreshes)}: {best:.2f} s")
    if fulls:
        print(f"full build best of {len(fulls)}: {min(fulls):.2f} s")
        print(f"ratio refresh / full: {best / min(fulls):.3f}")
    print("refresh steps (s):")
    for name, seconds in steps:
        print(f"  {name:24s} {seconds:7.3f}")


if __name__ == "__main__":
    main()
