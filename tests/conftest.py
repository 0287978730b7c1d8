"""Shared fixtures: tiny hand-made data sets, the sample data set, the CLI, and a live Streamlit server."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import polars as pl
import pytest

# The app keeps every page's default view on disk and computes it in a background thread (retention/warm.py).
# Off in the tests, servers included: a background warm would race a test's patches and write results made
# under them beside the shared sample. tests/test_warm.py turns it on where it is the subject.
os.environ.setdefault("RETENTION_STORE_RESULTS", "false")

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"


def write_tables(folder: Path, **tables: pl.DataFrame | dict) -> Path:
    """Write each table as folder/NAME.parquet (dicts become polars frames)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        if isinstance(frame, dict):
            frame = pl.DataFrame(frame)
        frame.write_parquet(folder / f"{name}.parquet")
    return folder


@pytest.fixture
def make_data(tmp_path):
    """make_data(orders=..., customers=...) -> a data folder holding those tables."""
    counter = iter(range(1000))

    def make(**tables):
        return write_tables(tmp_path / f"data{next(counter)}", **tables)

    return make


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory) -> Path:
    """A small sample data set (the same generator as `python -m retention sample`)."""
    from retention.sample import write_sample

    out = tmp_path_factory.mktemp("sample")
    write_sample(out, customers=1500, seed=7)
    return out


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "retention", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=600,
    )


@pytest.fixture
def app_data(monkeypatch, sample_dir):
    """Point the settings at the sample data for AppTest runs in this process."""
    from retention.settings import get_settings

    monkeypatch.setenv("RETENTION_DATA_DIR", str(sample_dir))
    get_settings.cache_clear()
    yield sample_dir
    get_settings.cache_clear()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    data_dir: Path, extra_env: dict | None = None, cwd: Path = ROOT, args: tuple[str, ...] = (), serve: bool = False
):
    """`streamlit run app.py` on a free loopback port, or with serve=True `python -m retention serve` (make run)."""
    port = free_port()
    env = {**os.environ, "RETENTION_DATA_DIR": str(data_dir), **(extra_env or {})}
    start = ["retention", "serve"] if serve else ["streamlit", "run", "app.py"]
    proc = subprocess.Popen(
        [sys.executable, "-m", *start, "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", *args],
        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early: {proc.stdout.read().decode(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("streamlit did not become healthy in 90 s")


def stop_server(proc: subprocess.Popen) -> None:
    """Stop a server started by start_server (or bench/timed_server.start): terminate, then kill after 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def server(sample_dir):
    proc, url = start_server(sample_dir)
    yield url
    stop_server(proc)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield b
        b.close()


# The page is drawn when every plotly chart has its SVG, no skeleton (lazily loaded code: sliders, grids,
# charts) is left, and nothing in the page's elements, charts or grid canvases changed for QUIET_MS.
# (In place of fixed waits of 1.5 to 5.5 s after every action: the same screenshots, a quarter of the time.)
PAINTED = """(quiet) => {
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  const ready = charts.every(c => c.querySelector('.main-svg')) && !document.querySelector('[data-testid="stSkeleton"]');
  const grids = [...document.querySelectorAll('[data-testid="stDataFrame"] canvas')].map(c => c.width + 'x' + c.height);
  const sig = [document.querySelectorAll('[data-testid="stElementContainer"]').length, charts.length,
               document.querySelectorAll('.main-svg').length, grids.join(','), ready].join('|');
  const now = performance.now();
  if (window.__paintSig !== sig) { window.__paintSig = sig; window.__paintSince = now; return false; }
  return ready && now - window.__paintSince >= quiet;
}"""
QUIET_MS = 600


def wait_painted(page, timeout_ms: int = 60_000, quiet_ms: int = QUIET_MS) -> None:
    """After the script state is notRunning: the network idle (chart code loads as separate scripts), then
    PAINTED holds, polled every 100 ms."""
    page.wait_for_load_state("networkidle")
    page.evaluate("() => { window.__paintSig = undefined; }")
    page.wait_for_function(PAINTED, arg=quiet_ms, timeout=timeout_ms, polling=100)
