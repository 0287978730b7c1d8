"""Time every CLI report as a whole process, with its peak memory, against three cohort-matrix baselines.

    python bench/run.py --data bench/data/10m [--reports cohorts,kpis,...|cohorts:active] [--repeat 3]
                        [--pandas-mem-cap GB | --skip-pandas] [--save bench/out/table.md]
                        [--against DIR [--max-slowdown 1.10]]

With `--against DIR` (another checkout of this repository, e.g. `git worktree add /tmp/before REV`), every
report also runs from DIR (its own code, its own base-table cache folder), interleaved with ours in every
round, and the table gains the column "x before" (ours / DIR's wall seconds) and the target that no report is
more than `--max-slowdown` times slower than before.

Every figure is a whole process (interpreter start and imports included) on the same data folder, the
best of `--repeat` runs. The runs are interleaved (round 1 of everything, then round 2, ...) so that load
from other work on the machine falls on all of them alike; the ratios within one run are what counts.

Measured per process: wall seconds (best of the runs), CPU seconds (user + system, best of the runs) and
peak resident memory (the highest of the runs), from `os.wait4` on the child.

The reports are those of CLI.md that `python -m retention --help` lists: `cohorts` once per metric
(`--metric active` is the "active cohort matrix"), then every other report with default options, plus
`--from/--to` (a year before T, and T) where the report requires them, `predict-check --holdout-days 180 --as-of` (T - 180 days) and
`members --of status:lost`. The baselines compute the active
cohort matrix (bench/baselines/): (a) pandas as a tutorial writes it, (b) polars written
straightforwardly, (c) the floor: DuckDB counting the distinct (customer, month) pairs and nothing more.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
DATA_COMMANDS = {"sample", "validate", "import"}
COHORT_METRICS = ("active", "alive", "revenue", "all")
BASELINES = ("floor", "pandas", "polars")
MB = 1024 * 1024

# Targets of issue 8, part 2 (stated for 10M orders; checked at whatever size is run).
ACTIVE = "cohorts --metric active"
MAX_X_FLOOR = [(ACTIVE, 3.5), *((f"cohorts --metric {m}", 12.0) for m in COHORT_METRICS), ("kpis", 20.0)]
MIN_SPEEDUP = {("pandas", ACTIVE): 15.0, ("polars", ACTIVE): 1.3}
MAX_PEAK_MB = 4096


@dataclass
class Job:
    name: str
    argv: list[str]
    kind: str  # report | baseline | reference | before
    limit_as: int | None = None  # bytes of address space (RLIMIT_AS), for a memory cap
    clear: Path | None = None  # a folder removed before each run (not timed): the base-table cache, for a cold start
    cwd: Path = ROOT  # the checkout whose code runs (PYTHONPATH too)
    env: dict[str, str] = field(default_factory=dict)  # extra environment for this job only
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)
    error: str | None = None

    @property
    def wall(self) -> float | None:
        return min(self.walls) if self.walls and not self.error else None

    @property
    def cpu(self) -> float | None:
        return min(self.cpus) if self.cpus and not self.error else None

    @property
    def peak(self) -> float | None:
        return max(self.peaks) if self.peaks else None


def measure(job: Job, timeout: float, env: dict[str, str]) -> None:
    """Run the job once as a child process; record wall and CPU seconds and the peak RSS."""

    def limit() -> None:
        if job.limit_as:
            resource.setrlimit(resource.RLIMIT_AS, (job.limit_as, job.limit_as))

    if job.clear is not None:
        shutil.rmtree(job.clear, ignore_errors=True)
    err_path = OUT / f"{job.kind}-{job.name.replace(' ', '_').replace('/', '_')}.stderr"
    with open(err_path, "wb") as err:
        started = time.perf_counter()
        job_env = {**env, "PYTHONPATH": str(job.cwd), **job.env}
        proc = subprocess.Popen(
            job.argv, cwd=job.cwd, env=job_env, stdout=subprocess.DEVNULL, stderr=err, preexec_fn=limit
        )
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                job.error = f"timeout after {timeout:.0f} s"
                break
            time.sleep(0.005)
        wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # reaped here: keep Popen from waiting again
    job.peaks.append(usage.ru_maxrss / 1024)  # KB on Linux
    if job.error:
        return
    if code != 0:
        text = err_path.read_text(errors="replace")
        tail = text.strip().splitlines()[-1:] or ["(no message)"]
        oom = any(s in text for s in ("MemoryError", "Out of Memory", "std::bad_alloc")) or code in (-9, 137)
        job.error = ("out of memory: " if oom else f"exit {code}: ") + tail[0][:160]
        return
    job.walls.append(wall)
    job.cpus.append(usage.ru_utime + usage.ru_stime)


def cli_reports(python: str, env: dict[str, str]) -> list[str]:
    """The report names `python -m retention --help` lists (data commands left out)."""
    text = subprocess.run(
        [python, "-m", "retention", "--help"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    choices = re.search(r"\{([^}]*)\}", text)
    if not choices:
        raise SystemExit(f"cannot read the report list from `python -m retention --help`:\n{text}")
    return [c for c in choices.group(1).split(",") if c not in DATA_COMMANDS]


def required_options(python: str, report: str, env: dict[str, str]) -> set[str]:
    """Options of REPORT's usage line that are not in [brackets], i.e. required."""
    text = subprocess.run(
        [python, "-m", "retention", report, "--help"], cwd=ROOT, env=env, capture_output=True, text=True
    ).stdout
    usage = text.split("\n\n")[0]
    while True:
        stripped = re.sub(r"\[[^\[\]]*\]", "", usage)
        if stripped == usage:
            break
        usage = stripped
    return set(re.findall(r"--[a-z][a-z-]*", usage))


def data_facts(data: Path) -> dict:
    """T (the latest order date, UTC), the order rows and the customers, read with DuckDB (not timed)."""
    import duckdb

    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    orders = data / "orders"
    source = f"{orders}/**/*.parquet" if orders.is_dir() else str(data / "orders.parquet")
    t, rows, customers = con.sql(
        f"select max(cast(ordered_at as date)), count(*), count(distinct customer_id) from read_parquet('{source}')"
    ).fetchall()[0]
    return {"as_of": t, "orders": rows, "customers": customers}


# Values for the other required options: a half-year holdout for the predictions' check, and the customers
# lost at T for `members` (the largest of its sets on this data).
KNOWN_VALUES = {"--holdout-days": "180", "--of": "status:lost"}


def build_jobs(args, python: str, env: dict[str, str], facts: dict) -> list[Job]:
    jobs: list[Job] = []
    data = str(args.data.resolve())
    # report names, or `cohorts:active` style entries for single cohort metrics
    wanted = {w.split(":")[0] for w in args.reports.split(",")} if args.reports else None
    metrics = [w.split(":")[1] for w in (args.reports or "").split(",") if w.startswith("cohorts:")] or COHORT_METRICS
    out = str(OUT / "report.out")
    if args.cache_dir:
        # the first job of every round starts without the cache (and writes it); every later one finds it
        cold = [python, "-m", "retention", "cohorts", "--data", data, "--out", out, "--metric", "active"]
        jobs.append(Job("cohorts --metric active, cold cache", cold, "report", clear=args.cache_dir))
    for report in cli_reports(python, env):
        if wanted and report not in wanted:
            continue
        # the executive report chooses HTML or PDF by the suffix of --out
        target = str(OUT / "report.html") if report == "report" else out
        base = [python, "-m", "retention", report, "--data", data, "--out", target]
        if report == "cohorts":
            for metric in metrics:
                jobs.append(Job(f"cohorts --metric {metric}", [*base, "--metric", metric], "report"))
            continue
        extra: list[str] = []
        needed = required_options(python, report, env)
        # migrations reports need both dates even where argparse does not mark them required
        if "--from" in needed or "--to" in needed or report.endswith("migrations"):
            t = facts["as_of"]
            extra += ["--from", str(t - dt.timedelta(days=365)), "--to", str(t)]
        for option, value in KNOWN_VALUES.items():
            if option in needed:
                extra += [option, value]
        if "--holdout-days" in needed:  # the holdout must end by the last order: T a holdout before it
            extra += ["--as-of", str(facts["as_of"] - dt.timedelta(days=int(KNOWN_VALUES["--holdout-days"])))]
        unknown = needed - {"--from", "--to", *KNOWN_VALUES}
        if unknown:
            print(
                f"skipping {report}: it requires {sorted(unknown)}, which the benchmark does not know", file=sys.stderr
            )
            continue
        jobs.append(Job(report, [*base, *extra], "report"))
    for name in BASELINES:
        if name == "pandas" and args.skip_pandas:
            continue
        cap = int(args.pandas_mem_cap * 1024**3) if name == "pandas" and args.pandas_mem_cap else None
        jobs.append(Job(name, [python, str(BENCH / "baselines" / f"cohort_{name}.py"), data], "baseline", cap))
    jobs.append(Job("python -m retention --help", [python, "-m", "retention", "--help"], "reference"))
    return jobs


def with_before(jobs: list[Job], other: Path) -> list[Job]:
    """Each report job followed by its twin from the other checkout. Both sides get a base-table cache folder of
    their own (under bench/out), so neither reads or evicts the other's cache."""
    out: list[Job] = []
    for job in jobs:
        if job.kind != "report" or job.clear is not None:
            out.append(job)
            continue
        job.env = {"RETENTION_CACHE_DIR": str(OUT / "cache-ours"), **job.env}
        twin = Job(
            job.name, list(job.argv), "before", cwd=other, env={"RETENTION_CACHE_DIR": str(OUT / "cache-before")}
        )
        out += [job, twin]
    return out


def before_rev(other: Path) -> str:
    """The commit checked out in the other folder, for the table's caption."""
    rev = subprocess.run(["git", "-C", str(other), "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    return rev.stdout.strip()[:80] or "not a git checkout"


def fmt(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def table(jobs: list[Job], args, facts: dict) -> str:
    base = {j.name: j for j in jobs if j.kind == "baseline"}
    floor, pandas, polars = (base.get(n) for n in BASELINES)

    def ratio(job: Job, b: Job | None) -> str:
        if job.wall is None or b is None or b.wall is None:
            return "—"
        return f"{job.wall / b.wall:.2f}"

    def cpu_ratio(job: Job, b: Job | None) -> str:
        if job.cpu is None or b is None or b.cpu is None:
            return "—"
        return f"{job.cpu / b.cpu:.2f}"

    before = {j.name: j for j in jobs if j.kind == "before"}

    def x_before(job: Job) -> str:
        b = before.get(job.name)
        if job.wall is None or b is None or b.wall is None:
            return "—"
        return f"{job.wall / b.wall:.2f}"

    def cpu_before(job: Job) -> str:
        b = before.get(job.name)
        if job.cpu is None or b is None or b.cpu is None:
            return "—"
        return f"{job.cpu / b.cpu:.2f}"

    lines = [
        f"Data: `{args.data}`: {facts['orders']:,} order rows, {facts['customers']:,} customers with orders, "
        f"T = {facts['as_of']}. Best of {args.repeat} interleaved runs per process (wall and CPU seconds: the "
        "best run; peak RSS: the highest run). Ratios are wall-time ratios, ours / baseline (below 1: faster); "
        "the last column is the ratio of CPU seconds (less sensitive to other load on the machine)."
        + (f" Reports run with RETENTION_CACHE_DIR={args.cache_dir}." if args.cache_dir else "")
        + (
            f' "x before": ours / the same report run from `{args.against}` in the same rounds'
            f" ({before_rev(args.against)})."
            if args.against
            else ""
        ),
        "",
        "| report | seconds | CPU s | peak MB | x floor | x pandas | x polars | CPU x floor | x before | CPU x before |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for j in jobs:
        if j.kind != "report":
            continue
        if j.error:
            lines.append(f"| {j.name} | {j.error} | | {fmt(j.peak, 0)} | | | | | | |")
            continue
        lines.append(
            f"| {j.name} | {fmt(j.wall)} | {fmt(j.cpu)} | {fmt(j.peak, 0)} | {ratio(j, floor)} | {ratio(j, pandas)} "
            f"| {ratio(j, polars)} | {cpu_ratio(j, floor)} | {x_before(j)} | {cpu_before(j)} |"
        )
    lines += ["", "| baseline / reference | seconds | CPU s | peak MB |", "|---|---:|---:|---:|"]
    for j in jobs:
        if j.kind in ("report", "before"):
            continue
        label = {
            "floor": "floor: DuckDB distinct (customer, month) pairs",
            "pandas": "pandas (tutorial)"
            + (f", address space capped at {args.pandas_mem_cap:g} GB" if j.limit_as else ""),
            "polars": "polars (straightforward)",
        }.get(j.name, j.name)
        if j.error:
            lines.append(f"| {label} | {j.error} | | {fmt(j.peak, 0)} |")
        else:
            lines.append(f"| {label} | {fmt(j.wall)} | {fmt(j.cpu)} | {fmt(j.peak, 0)} |")
    if args.skip_pandas:
        lines.append("| pandas (tutorial) | skipped (--skip-pandas) | | |")

    lines += ["", "Targets (issue 8, stated for 10M orders):", "", "| target | measured | result |", "|---|---:|---|"]
    by_name = {j.name: j for j in jobs}
    for name, limit in MAX_X_FLOOR:
        j = by_name.get(name)
        if j is None:
            continue
        if j.wall is None or floor is None or floor.wall is None:
            lines.append(f"| {name} <= {limit:g} x floor | — | not measured |")
            continue
        x = j.wall / floor.wall
        lines.append(f"| {name} <= {limit:g} x floor | {x:.2f} x | {'pass' if x <= limit else 'FAIL'} |")
    for (bname, name), factor in MIN_SPEEDUP.items():
        j, b = by_name.get(name), base.get(bname)
        if j is None:
            continue
        if j.wall is None or b is None or b.wall is None:
            lines.append(f"| {name} >= {factor:g} x faster than {bname} | — | not measured |")
            continue
        x = b.wall / j.wall
        lines.append(
            f"| {name} >= {factor:g} x faster than {bname} | {x:.2f} x faster | {'pass' if x >= factor else 'FAIL'} |"
        )
    reports = [j for j in jobs if j.kind == "report"]
    worst = max(reports, key=lambda j: j.peak or 0, default=None)
    if worst is not None and worst.peak is not None:
        ok = all(j.peak is not None and j.peak < MAX_PEAK_MB for j in reports)
        lines.append(
            f"| peak memory < {MAX_PEAK_MB} MB for every report | {worst.peak:.0f} MB ({worst.name}) "
            f"| {'pass' if ok else 'FAIL'} |"
        )
    if args.against:
        pairs = [(j, before.get(j.name)) for j in reports]
        measured = [(j, b) for j, b in pairs if j.wall is not None and b is not None and b.wall is not None]
        if measured:
            j, b = max(measured, key=lambda jb: jb[0].wall / jb[1].wall)
            x = j.wall / b.wall
            verdict = "pass" if x <= args.max_slowdown and len(measured) == len(pairs) else "FAIL"
            lines.append(
                f"| no report > {args.max_slowdown:g} x before | worst {x:.2f} x ({j.name}); "
                f"{len(measured)} of {len(pairs)} compared | {verdict} |"
            )
    failed = [j.name for j in reports if j.error]
    if failed:
        lines.append(f"| every report completes | {len(failed)} failed: {', '.join(failed)} | FAIL |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="data folder (bench/generate.py --out)")
    parser.add_argument(
        "--reports", help="comma-separated report names (default: all); cohorts:active for one cohort metric"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pandas-mem-cap", type=float, metavar="GB", help="run pandas with RLIMIT_AS of GB")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--no-baselines", action="store_true", help="time only our reports (no ratios)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per process")
    parser.add_argument("--python", default=sys.executable, help="interpreter for every process")
    parser.add_argument("--save", type=Path, help="also write the markdown table to this file")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        help="set RETENTION_CACHE_DIR for the reports and add a cold-cache run of the active matrix (if the app caches)",
    )
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="extra environment")
    parser.add_argument(
        "--against", type=Path, help="another checkout of this repo: run every report from it too, for 'x before'"
    )
    parser.add_argument(
        "--max-slowdown", type=float, default=1.10, help="with --against: the largest ours/before ratio that passes"
    )
    parser.add_argument(
        "--warmup", action="store_true", help="before the rounds, one untimed run per side (builds the base caches)"
    )
    args = parser.parse_args(argv)
    if args.against and not (args.against / "retention" / "__main__.py").exists():
        parser.error(f"--against {args.against}: not a checkout of this repository (no retention/__main__.py)")
    if not (args.data / "orders").exists() and not (args.data / "orders.parquet").exists():
        parser.error(f"{args.data} holds no orders table; generate one with bench/generate.py")
    OUT.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if args.cache_dir:
        env["RETENTION_CACHE_DIR"] = str(args.cache_dir.resolve())
    for item in args.env:
        key, _, value = item.partition("=")
        env[key] = value

    facts = data_facts(args.data)
    jobs = build_jobs(args, args.python, env, facts)
    if args.against:
        jobs = with_before(jobs, args.against.resolve())
    if args.no_baselines:
        jobs = [j for j in jobs if j.kind != "baseline"]
    print(f"{len(jobs)} processes x {args.repeat} rounds on {args.data} ({facts['orders']:,} orders)", file=sys.stderr)
    if args.warmup:
        # one untimed run of each side's first report: builds each side's base-table cache before the rounds
        seen: set[str] = set()
        for job in jobs:
            if job.kind in ("report", "before") and job.kind not in seen and job.clear is None:
                seen.add(job.kind)
                measure(job, args.timeout, env)
                print(f"  warm-up ({job.kind}): {job.name}: {job.error or 'done'}", file=sys.stderr)
                job.walls.clear(), job.cpus.clear(), job.peaks.clear()
                job.error = None
    for round_ in range(args.repeat):
        for job in jobs:
            if job.error:
                continue
            measure(job, args.timeout, env)
            state = job.error or f"{job.walls[-1]:.2f} s, {job.peaks[-1]:.0f} MB"
            side = " (before)" if job.kind == "before" else ""
            print(f"  round {round_ + 1}: {job.name}{side}: {state}", file=sys.stderr)

    text = table(jobs, args, facts)
    print(text)
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(text)
    raw = {
        "data": str(args.data),
        "facts": {k: str(v) for k, v in facts.items()},
        "repeat": args.repeat,
        "jobs": [
            {"name": j.name, "argv": j.argv, "walls": j.walls, "cpus": j.cpus, "peaks_mb": j.peaks, "error": j.error}
            for j in jobs
        ],
    }
    (OUT / f"results-{args.data.name}.json").write_text(json.dumps(raw, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
