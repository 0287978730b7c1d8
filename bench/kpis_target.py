"""Issue 23's `kpis` target: `python -m retention kpis` as a whole process (base tables cached) within the time
of hand-tuned DuckDB SQL that computes the three cohort tables (bench/baselines/cohort_tables.sql) over the
same orders files, timed in the same run.

    python bench/kpis_target.py --data DATA [--repeat 5] [--cache-dir DIR] [--check] [--save FILE]
    python bench/kpis_target.py --baseline-only DATA      (the baseline process itself)

The base-table cache is built first (not timed). Then each round runs both processes, the order alternating
from round to round so load from other work falls on both alike; per process the best wall and the best CPU
seconds (user + system, of the child, from os.wait4) of the rounds count. The target: kpis wall / baseline
wall <= 1. `--check` first compares the baseline's table with `python -m retention cohorts --metric all`
(same counts; revenue to 1e-9 relative), so the baseline computes what it claims.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
SQL = BENCH / "baselines" / "cohort_tables.sql"


def order_files(data: Path) -> list[str]:
    orders = data / "orders"
    if orders.is_dir():
        return sorted(str(f) for f in orders.rglob("*.parquet"))
    return [str(data / "orders.parquet")]


def baseline(data: Path):
    """Run cohort_tables.sql on DATA's orders: the cohort table as a DuckDB result (fetched whole)."""
    import duckdb

    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute("set enable_progress_bar = false")
    con.execute("set variable orders = $files", {"files": order_files(data)})
    return con.sql(SQL.read_text())


def check(data: Path, python: str, env: dict[str, str]) -> None:
    import polars as pl

    ours_csv = OUT / "kpis_target_cohorts.csv"
    subprocess.run(
        [python, "-m", "retention", "cohorts", "--metric", "all", "--data", str(data), "--out", str(ours_csv)],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    ours = pl.read_csv(ours_csv, try_parse_dates=True).sort("cohort", "k")
    theirs = pl.DataFrame(baseline(data)).sort("cohort", "k")
    if ours.height != theirs.height:
        raise SystemExit(f"check: {ours.height} rows from cohorts, {theirs.height} from the baseline")
    for col in ("cohort", "k", "cohort_size", "active", "alive", "complete"):
        bad = (ours[col].cast(theirs[col].dtype) != theirs[col]).sum()
        if bad:
            raise SystemExit(f"check: column {col} differs in {bad} rows")
    for col in ("revenue", "revenue_per_customer", "cumulative_revenue_per_customer"):
        a, b = ours[col], theirs[col]
        bad = ((a - b).abs() > 1e-9 * b.abs().clip(lower_bound=1.0)).sum()
        if bad:
            raise SystemExit(f"check: column {col} differs beyond 1e-9 relative in {bad} rows")
    print(f"check: the baseline equals `cohorts --metric all` ({ours.height} rows)")


def load() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__() if Path("/proc/loadavg").exists() else "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--baseline-only", type=Path, metavar="DATA")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cache-dir", type=Path, default=OUT / "cache-kpis-target")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--save", type=Path)
    args = parser.parse_args(argv)
    if args.baseline_only:
        rows = baseline(args.baseline_only).fetchall()
        print(f"baseline: {len(rows)} cohort rows")
        return 0
    if not args.data:
        parser.error("--data is required")

    sys.path.insert(0, str(BENCH))
    from run import Job, measure

    OUT.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    data = args.data.resolve()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RETENTION_CACHE_DIR": str(args.cache_dir)}
    kpis = Job(
        "kpis", [python, "-m", "retention", "kpis", "--data", str(data), "--out", str(OUT / "kpis.csv")], "report"
    )
    base = Job("baseline", [python, str(Path(__file__).resolve()), "--baseline-only", str(data)], "baseline")
    started = time.perf_counter()
    subprocess.run(kpis.argv, cwd=ROOT, env=env, check=True)  # builds the base cache (not timed)
    print(f"base tables built or read in {time.perf_counter() - started:.1f} s (not timed)", file=sys.stderr)
    if args.check:
        check(data, python, env)
    loads = [load()]
    for i in range(args.repeat):
        for job in (kpis, base) if i % 2 == 0 else (base, kpis):
            measure(job, timeout=900, env=env)
            if job.error:
                raise SystemExit(f"{job.name}: {job.error}")
        print(
            f"round {i + 1}: kpis {kpis.walls[-1]:.2f} s (CPU {kpis.cpus[-1]:.2f}), "
            f"baseline {base.walls[-1]:.2f} s (CPU {base.cpus[-1]:.2f})",
            file=sys.stderr,
        )
    loads.append(load())
    ratio, cpu_ratio = kpis.wall / base.wall, kpis.cpu / base.cpu
    lines = [
        f"Data: `{args.data}`; best of {args.repeat} alternating rounds; load average (1, 5, 15 min) before "
        f"{loads[0]}, after {loads[1]}.",
        "",
        "| process | wall s | CPU s | peak MB |",
        "|---|---:|---:|---:|",
        f"| `python -m retention kpis` (base cached) | {kpis.wall:.2f} | {kpis.cpu:.2f} | {kpis.peak:.0f} |",
        f"| baseline: cohort_tables.sql (active, alive, revenue) | {base.wall:.2f} | {base.cpu:.2f} | {base.peak:.0f} |",
        "",
        f"kpis / baseline: wall {ratio:.2f}, CPU {cpu_ratio:.2f}; target wall <= 1.00: "
        + ("pass" if ratio <= 1.0 else "FAIL"),
    ]
    text = "\n".join(lines)
    print(text)
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(text + "\n")
    return 0 if ratio <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
