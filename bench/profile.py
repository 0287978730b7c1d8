"""Where the time of one report process goes: imports, opening the data (views, checks, each base table) and
the report query, with DuckDB's EXPLAIN ANALYZE of the heaviest statements.

    python bench/profile.py --data bench/data/10m [--report cohorts] [--explain DIR]

Prints wall and CPU seconds per stage. With --explain, writes EXPLAIN ANALYZE of each base-table statement
and of the report query to DIR/NAME.txt (the statements are run a second time for that, on a fresh engine).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Clock:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float]] = []
        self._t = time.perf_counter()
        self._c = time.process_time()

    def lap(self, name: str) -> None:
        t, c = time.perf_counter(), time.process_time()
        self.rows.append((name, t - self._t, c - self._c))
        self._t, self._c = t, c

    def report(self) -> str:
        total_w = sum(r[1] for r in self.rows)
        total_c = sum(r[2] for r in self.rows)
        out = ["| stage | wall s | CPU s | share of wall |", "|---|---:|---:|---:|"]
        for name, w, c in self.rows:
            out.append(f"| {name} | {w:.2f} | {c:.2f} | {100 * w / total_w:.0f}% |")
        out.append(f"| total (in process) | {total_w:.2f} | {total_c:.2f} | |")
        return "\n".join(out)


def top_operators(path: Path, title: str, n: int = 8) -> str:
    """The n operators of a DuckDB JSON profile with the most time (thread time summed), with what they do."""
    import json

    tree = json.loads(path.read_text())
    ops: list[tuple[float, str, int, str]] = []

    def walk(node: dict) -> None:
        info = node.get("extra_info") or {}
        what = next(
            (
                f"{k}: {info[k]}"
                for k in ("Conditions", "Groups", "Table", "Function", "Aggregates", "Projections")
                if k in info
            ),
            "",
        )
        ops.append((node.get("timing", 0.0), node.get("name", "?"), node.get("intermediate_rows", 0), str(what)[:110]))
        for child in node.get("children", []):
            walk(child)

    for root in tree.get("operator", tree.get("children", [])):
        walk(root)
    total = sum(o[0] for o in ops)
    lines = [f"-- {title}: operators sum to {total:.2f} s (thread time)"]
    for t, name, rows, what in sorted(ops, reverse=True)[:n]:
        lines.append(f"   {t:6.2f} s {100 * t / max(total, 1e-9):3.0f}%  {name:<22} {rows:>11,} rows  {what}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--report", default="cohorts", help="SQL file of the report query (retention/sql/NAME.sql)")
    parser.add_argument("--explain", type=Path, metavar="DIR")
    args = parser.parse_args(argv)

    clock = Clock()
    import duckdb  # noqa: F401
    import polars  # noqa: F401

    clock.lap("import duckdb + polars")
    from retention import db, validate
    from retention.params import make_params
    from retention.settings import load_settings

    clock.lap("import retention (settings, params, db)")
    import retention.cli as cli

    cli._register_all()
    clock.lap("import retention.cli + report modules")

    settings = load_settings()
    ds = db.Dataset(str(args.data.resolve()), db.data_version(args.data), settings.timezone)
    clock.lap("data version (stat files)")
    eng = db.Engine(ds, memory_limit=settings.memory_limit, threads=settings.threads, temp_dir=settings.temp_dir)
    eng.attach_sources()
    clock.lap("connect + attach views (parquet schema)")
    problems = validate.check(eng, validate.today_in(settings.timezone))
    clock.lap("validate.check")
    if problems:
        print(problems)
        return 2

    statements: list[tuple[str, str]] = []
    real_execute = eng.execute

    def timed_execute(query: str, params: dict | None = None) -> None:
        first = next((ln for ln in query.splitlines() if ln.startswith("create")), query[:40])
        real_execute(query, params)
        name = first.split(" as")[0].replace("create or replace ", "")
        clock.lap(f"build: {name}")
        statements.append((name, query))

    eng.execute = timed_execute  # type: ignore[method-assign]
    eng.build_base()
    clock.lap("build: meta")
    db._engines[ds] = eng
    p = make_params(ds, settings)
    frame = eng.run(args.report, p.sql())
    clock.lap(f"query: {args.report}.sql ({frame.height} rows)")
    print(clock.report())

    if args.explain:
        args.explain.mkdir(parents=True, exist_ok=True)
        fresh = db.Engine(ds, memory_limit=settings.memory_limit, threads=settings.threads, temp_dir=settings.temp_dir)
        fresh.attach_sources()
        cur = fresh.cursor()
        for i, (name, query) in enumerate(statements):
            out = args.explain / f"{i:02d}_{name.replace(' ', '_')}.json"
            cur.execute("pragma enable_profiling = 'json'")
            cur.execute(f"pragma profiling_output = '{out}'")
            fresh.execute(query)
            cur.execute("pragma disable_profiling")
            print(top_operators(out, name))
        text = db.fill(db.load_sql(args.report), {})
        used = set(db._PARAM.findall(text))
        out = args.explain / f"query_{args.report}.json"
        cur.execute("pragma enable_profiling = 'json'")
        cur.execute(f"pragma profiling_output = '{out}'")
        cur.sql(text, params={k: v for k, v in p.sql().items() if k in used}).fetchall()
        cur.execute("pragma disable_profiling")
        print(top_operators(out, f"query {args.report}"))
        print(f"profiles (JSON) written to {args.explain}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
