"""`streamlit run` with every script run timed on the server (for bench/load_test.py only).

Wraps Streamlit's exec_func_with_error_handling so each page run appends "seconds page" to the file in
$BENCH_TIMING_LOG; the product code is unchanged.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from streamlit.runtime.scriptrunner import script_runner
from streamlit.web import cli

_log_lock = threading.Lock()
_original = script_runner.exec_func_with_error_handling


def _timed(func, ctx):
    start = time.perf_counter()
    try:
        return _original(func, ctx)
    finally:
        elapsed = time.perf_counter() - start
        with _log_lock, open(os.environ["BENCH_TIMING_LOG"], "a") as fh:
            fh.write(f"{elapsed:.4f} {getattr(ctx, 'page_script_hash', '')}\n")


script_runner.exec_func_with_error_handling = _timed

if __name__ == "__main__":
    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    sys.exit(cli.main())
