"""Where a page's first visit spends its time: each page script run headless (Streamlit's AppTest, in one
process, in turn, so the query caches carry over from page to page as in one server), with every SQL query
the page runs timed (name, wall seconds, rows) and the script's total.

    python bench/page_queries.py --data bench/data/10m [--pages overview,kpis,lifecycle] [--top 8] [--root DIR]

`--root DIR` runs the pages and the code of another checkout (e.g. `git archive REV | tar -x -C DIR`), for a
before / after comparison in the same run.

The base-table cache is used as the app uses it (RETENTION_CACHE_DIR or beside the data). For reading, not
asserting: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--pages", default="", help="page keys (retention.ui.PAGES), default all")
    ap.add_argument("--top", type=int, default=8)
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout whose pages and code run")
    args = ap.parse_args(argv)
    root = args.root.resolve()
    sys.path.insert(0, str(root))
    os.environ["RETENTION_DATA_DIR"] = str(args.data.resolve())
    os.chdir(root)

    from streamlit.testing.v1 import AppTest

    from retention.engine import Engine
    from retention.ui import PAGES

    log: list[tuple[str, float, int]] = []
    real_run = Engine.run

    def timed_run(self, name, params=None, **fragments):
        t = time.perf_counter()
        frame = real_run(self, name, params, **fragments)
        log.append((name, time.perf_counter() - t, frame.height))
        return frame

    Engine.run = timed_run  # type: ignore[method-assign]
    wanted = [k for k in args.pages.split(",") if k]
    for page in PAGES:
        if wanted and page.key not in wanted or not (root / page.path).exists():
            continue
        log.clear()
        t, c = time.perf_counter(), time.process_time()
        at = AppTest.from_file(str(root / page.path), default_timeout=600)
        at.run()
        took, cpu = time.perf_counter() - t, time.process_time() - c
        errors = [e.value for e in at.exception] if at.exception else []
        total = sum(x[1] for x in log)
        print(
            f"{page.key}: script {took:.2f} s (CPU {cpu:.2f} s), {len(log)} queries {total:.2f} s"
            + (f" ERROR {errors}" if errors else "")
        )
        for name, secs, rows in sorted(log, key=lambda x: -x[1])[: args.top]:
            print(f"    {secs:6.2f} s  {name} ({rows:,} rows)")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
