"""`streamlit run` with every script run timed on the server (for the browser benchmarks in bench/ only).

Wraps Streamlit's exec_func_with_error_handling so each page run appends "seconds page" to the file in
$BENCH_TIMING_LOG; the product code is unchanged.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from streamlit.runtime.scriptrunner import script_runner
from streamlit.web import cli

_log_lock = threading.Lock()
_original = script_runner.exec_func_with_error_handling


def _timed(func, ctx):
    start, wall = time.perf_counter(), time.time()
    try:
        return _original(func, ctx)
    finally:
        elapsed = time.perf_counter() - start
        with _log_lock, open(os.environ["BENCH_TIMING_LOG"], "a") as fh:
            fh.write(f"{elapsed:.4f} {getattr(ctx, 'page_script_hash', '')} {wall:.4f}\n")


script_runner.exec_func_with_error_handling = _timed


def start(
    data: Path, timing_log: Path, server_log: Path, env: dict | None = None, root: Path | None = None
) -> tuple[subprocess.Popen, str]:
    """Start this timed server on a free loopback port over `data`; wait for its health check. `root`: the
    checkout whose app runs (default this one; its own bench/timed_server.py starts it)."""
    here = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(here))
    from tests.conftest import free_port

    root = (root or here).resolve()
    env = {"PYTHONPATH": str(root), **(env or {})}

    port = free_port()
    # The app as users run it: stored page results on (importing tests.conftest turned them off in os.environ).
    env = {
        **os.environ, "RETENTION_DATA_DIR": str(data), "BENCH_TIMING_LOG": str(timing_log),
        "RETENTION_STORE_RESULTS": "true", **(env or {}),
    }  # fmt: skip
    server_log.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, str(root / "bench/timed_server.py"), "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=root, env=env, stdout=open(server_log, "w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        if proc.poll() is not None:
            raise SystemExit(f"server exited; see {server_log}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("server did not start")


if __name__ == "__main__":
    if os.environ.get("BENCH_SERVE") == "1":  # started as `python -m retention serve` starts it
        from retention.serve import main

        sys.exit(main([a for a in sys.argv[1:] if a != "app.py"]))
    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    sys.exit(cli.main())
