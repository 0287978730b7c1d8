"""Time `predict-fit` as a whole process (the per-customer summary in SQL, both fits), best of N, against
`cohorts --metric active` on the same data in the same run (issue 19: within 10 s at 10M orders).

    python bench/predict_fit.py --data bench/data/10m [--repeat 3] [--baseline DIR]

The runs are interleaved (one of each per round) so that load from other work falls on all alike. The
base-table cache is built first (not timed), as every report after the first finds it. `--baseline DIR`
also times `predict-fit` from another checkout (for instance `git archive COMMIT | tar -x -C DIR`) in the
same rounds, for a before/after measured under the same load.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JOBS = {"predict-fit": ["predict-fit"], "cohorts --metric active": ["cohorts", "--metric", "active"]}


def run(args: list[str], data: str, cwd: Path = ROOT) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "retention", *args, "--data", str(Path(data).absolute())], cwd=cwd,
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="data folder (bench/generate.py writes one)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best of them counts (default 3)")
    parser.add_argument("--baseline", type=Path, help="another checkout whose predict-fit is timed alongside")
    args = parser.parse_args(argv)
    jobs = {name: (job, ROOT) for name, job in JOBS.items()}
    if args.baseline:
        jobs["predict-fit (baseline)"] = (JOBS["predict-fit"], args.baseline.resolve())
    run(JOBS["cohorts --metric active"], args.data)  # builds the base cache
    walls: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(args.repeat):
        for name, (job, cwd) in jobs.items():
            walls[name].append(run(job, args.data, cwd))
    best = {name: min(v) for name, v in walls.items()}
    print("| report | best wall s | ratio to cohorts --metric active |\n|---|---:|---:|")
    for name, wall in best.items():
        print(f"| {name} | {wall:.2f} | {wall / best['cohorts --metric active']:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
