"""Every CLI report on DuckDB and on local Spark, in the same run: time and peak memory per report.

    python bench/engines.py --data bench/data/1m [--repeat 2] [--reports cohorts,kpis,...] [--save FILE]
                            [--spark-master local[*]] [--spark-conf spark.driver.memory=8g] [--engines duckdb,spark]

One worker process per engine and round (rounds alternate the engines, so load from other work on the machine
falls on both alike). A worker opens the data once (the base tables built, or read from its own cache folder
under bench/out/engines-cache-ENGINE: the first round of each engine builds it and is reported apart as
"open + base build"), then runs every report of `python -m retention --help` in-process through
`retention.cli.main` (the same code path as the CLI, output to a file under bench/out), each timed alone.

Peak memory is the resident memory of the worker's whole process tree (Python and, on Spark, the JVM that
pyspark starts), sampled every 50 ms while the report runs; the figure is the highest sample of the report's
runs. Spark's figure includes the JVM's heap as the JVM holds it (it rarely gives memory back), so it is an
upper bound of what that report needed.

Seconds are wall seconds, the best of the rounds; "x DuckDB" is Spark / DuckDB for the same report in this run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Python puts this script's folder first on sys.path; bench/profile.py there would shadow the standard
# library's `profile`, which pyspark imports (through cProfile).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))


def _bench_run():
    """bench/run.py (the report list and their options), loaded by its path (bench/ is not on sys.path)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module
    spec.loader.exec_module(module)
    return module


PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry}/statm") as f:
                pages = int(f.read().split()[1])
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = pages * PAGE
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


class Sampler(threading.Thread):
    """The highest tree RSS since the last `reset()`."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.pid = os.getpid()

    def reset(self) -> None:
        self.peak = tree_rss(self.pid)

    def run(self) -> None:
        while True:
            self.peak = max(self.peak, tree_rss(self.pid))
            time.sleep(0.05)


def worker(spec_path: Path) -> int:
    """Run the jobs of the spec in this process; print one JSON line per job."""
    spec = json.loads(spec_path.read_text())
    os.environ.update(spec["env"])
    sampler = Sampler()
    sampler.start()
    from retention import cli, db  # imported here: the settings read the environment above
    from retention.queries import cached
    from retention.settings import load_settings

    load_settings.cache_clear() if hasattr(load_settings, "cache_clear") else None
    sampler.reset()
    started = time.perf_counter()
    db.open_dataset(spec["data"], **({"cache_dir": Path(spec["env"]["RETENTION_CACHE_DIR"])}))
    print(json.dumps({"name": "open + base build", "wall": time.perf_counter() - started, "peak": sampler.peak}))
    sys.stdout.flush()
    for name, argv in spec["jobs"]:
        cached.clear_all()  # each report computes its own queries (not one an earlier report left cached)
        sampler.reset()
        started = time.perf_counter()
        try:
            code = cli.main(argv)
            error = None if code == 0 else f"exit {code}"
        except Exception as exc:  # a report that fails on one engine is reported, not fatal to the run
            error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"
        print(json.dumps({"name": name, "wall": time.perf_counter() - started, "peak": sampler.peak, "error": error}))
        sys.stdout.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--reports", help="comma-separated report names (default: all)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--spark-master", default="local[*]")
    parser.add_argument("--spark-conf", default="", help="RETENTION_SPARK_CONF for the Spark worker (key=value,...)")
    parser.add_argument("--keep-cache", action="store_true", help="open the base an earlier run left (no build)")
    parser.add_argument("--save", type=Path)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker)
    bench_run = _bench_run()
    out = bench_run.OUT
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    facts = bench_run.data_facts(args.data)
    ns = argparse.Namespace(data=args.data, reports=args.reports, cache_dir=None, skip_pandas=True, pandas_mem_cap=None)
    jobs = [j for j in bench_run.build_jobs(ns, sys.executable, env, facts) if j.kind == "report"]
    # `python -m retention REPORT ...` -> the argv of cli.main
    specs = [(j.name, j.argv[3:]) for j in jobs]
    engines = args.engines.split(",")
    results: dict[str, dict[str, dict]] = {e: {} for e in engines}
    for engine in [] if args.keep_cache else engines:  # round 1 builds the base (an earlier run's cache would hide it)
        shutil.rmtree(out / f"engines-cache-{engine}-{args.data.name}", ignore_errors=True)
    print(f"{len(specs)} reports x {len(engines)} engines x {args.repeat} rounds on {args.data}", file=sys.stderr)
    for round_ in range(args.repeat):
        for engine in engines:
            spec_env = {
                "RETENTION_ENGINE": engine,
                "RETENTION_CACHE_DIR": str(out / f"engines-cache-{engine}-{args.data.name}"),
                "RETENTION_SPARK_MASTER": args.spark_master,
                **({"RETENTION_SPARK_CONF": args.spark_conf} if args.spark_conf else {}),
            }
            spec = out / f"engines-{engine}.json"
            spec.write_text(json.dumps({"env": spec_env, "data": str(args.data.resolve()), "jobs": specs}))
            proc = subprocess.run(
                [sys.executable, __file__, "--data", str(args.data), "--worker", str(spec)],
                env=env,
                capture_output=True,
                text=True,
            )
            (out / f"engines-{engine}.stderr").write_text(proc.stderr)
            for line in proc.stdout.splitlines():
                if not line.startswith("{"):
                    continue
                r = json.loads(line)
                name = r["name"] if not (r["name"] == "open + base build" and round_ > 0) else "open (cached base)"
                slot = results[engine].setdefault(name, {"walls": [], "peaks": [], "error": None})
                if r.get("error"):
                    slot["error"] = r["error"]
                else:
                    slot["walls"].append(r["wall"])
                slot["peaks"].append(r["peak"] / 2**20)
                state = r.get("error") or f"{r['wall']:.2f} s"
                print(f"  round {round_ + 1} {engine}: {name}: {state}", file=sys.stderr)
            if proc.returncode:
                print(f"  {engine} worker exit {proc.returncode}: {proc.stderr.strip()[-300:]}", file=sys.stderr)
    text = table(results, engines, args, facts)
    print(text)
    if args.save:
        args.save.write_text(text)
    (out / f"engines-{args.data.name}.json").write_text(json.dumps(results, indent=1))
    return 0


def table(results: dict, engines: list[str], args, facts: dict) -> str:
    names = list(dict.fromkeys(n for e in engines for n in results[e]))
    head = "| report | " + " | ".join(f"{e} s | {e} peak MB" for e in engines)
    both = "duckdb" in engines and "spark" in engines
    head += " | x DuckDB |" if both else " |"
    lines = [
        f"Data: `{args.data}`: {facts['orders']:,} order rows, {facts['customers']:,} customers, T = {facts['as_of']}. "
        f"Best of {args.repeat} rounds (wall seconds), peak resident memory of the process tree; Spark master "
        f"`{args.spark_master}`" + (f", conf `{args.spark_conf}`" if args.spark_conf else "") + ". Each report "
        "runs with the query caches of the process cleared; the first round of each engine builds the base "
        "(Spark's figure includes starting the JVM), later rounds open it from the cache.",
        "",
        head,
        "|" + "---|" * (1 + 2 * len(engines) + (1 if both else 0)),
    ]

    def cell(r: dict | None) -> tuple[str, str, float | None]:
        if r is None:
            return "—", "—", None
        if r["error"] or not r["walls"]:
            return f"failed: {r['error']}", "—", None
        w = min(r["walls"])
        return f"{w:.2f}", f"{max(r['peaks']):.0f}", w

    for name in names:
        cells, walls = [], {}
        for e in engines:
            s, m, w = cell(results[e].get(name))
            cells += [s, m]
            walls[e] = w
        row = f"| {name} | " + " | ".join(cells)
        if both:
            d, s = walls.get("duckdb"), walls.get("spark")
            row += f" | {s / d:.1f} |" if d and s else " | — |"
        else:
            row += " |"
        lines.append(row)
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
