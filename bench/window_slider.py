"""Benchmark: how long the Return window page takes to redraw after a threshold slider change, in Chromium.

Starts `streamlit run app.py` on a free loopback port against a data folder (default data/sample; create it
with `python -m retention sample --out data/sample`), opens the page in headless Chromium, then moves the
threshold slider one step with the keyboard N times and measures, inside the browser, the time from the
key press to the app's script state going back to `notRunning` (and to the curve chart showing the new
threshold). The cold first load of the page is the baseline printed beside it. Not part of the tests.

    python bench/window_slider.py [--data DIR] [--repeat 10] [--timeout 300]
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.app_timing import OBSERVER  # noqa: E402  (records each script state change in the page)
from tests.conftest import start_server, stop_server  # noqa: E402  (the same server start as the browser tests)

CHROMIUM = "/usr/bin/chromium"

THRESHOLD_TEXT = """
(want) => Array.from(document.querySelectorAll('.st-key-window_curve .annotation-text'))
              .some(e => e.textContent.includes(want))
"""


def wait_idle(page) -> None:
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=120_000)


def run(data_dir: Path, repeat: int) -> None:
    from playwright.sync_api import sync_playwright

    proc, url = start_server(data_dir)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1440, "height": 1200})
            t0 = time.perf_counter()
            page.goto(f"{url}/Return_window", wait_until="domcontentloaded")
            page.wait_for_selector(".st-key-window_curve .js-plotly-plot", timeout=120_000)
            wait_idle(page)
            cold = time.perf_counter() - t0
            page.evaluate(OBSERVER)
            thumb = page.locator('.st-key-window_threshold input[type="range"]')
            idle_ms, drawn_ms, started_ms = [], [], []
            for i in range(repeat):
                key = "ArrowRight" if i % 2 == 0 else "ArrowLeft"
                before = float(thumb.input_value())
                page.evaluate("() => { window.__states = []; }")
                thumb.focus()
                start = page.evaluate("() => performance.now()")
                page.keyboard.press(key)
                want = f"{round(before + (1 if key == 'ArrowRight' else -1))}%"
                page.wait_for_function(
                    "() => { const s = window.__states; return s.some(x => x[0] === 'running') &&"
                    " s[s.length - 1][0] === 'notRunning'; }",
                    timeout=60_000,
                )
                states = page.evaluate("() => window.__states")
                idle_ms.append(states[-1][1] - start)
                started_ms.append(next(x[1] for x in states if x[0] == "running") - start)
                page.wait_for_function(THRESHOLD_TEXT, arg=want, timeout=60_000)
                drawn_ms.append(page.evaluate("() => performance.now()") - start)
            browser.close()
    finally:
        stop_server(proc)
    med_idle, med_drawn = statistics.median(idle_ms), statistics.median(drawn_ms)
    print(f"data: {data_dir}")
    print(f"cold page load (baseline): {cold * 1000:.0f} ms")
    print(f"slider change -> notRunning: median {med_idle:.0f} ms, max {max(idle_ms):.0f} ms over {repeat} changes")
    print(f"  of which key press -> script running: median {statistics.median(started_ms):.0f} ms")
    print(f"slider change -> new threshold drawn: median {med_drawn:.0f} ms, max {max(drawn_ms):.0f} ms")
    print(f"ratio slider redraw / cold load: {med_idle / (cold * 1000):.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "sample")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--timeout", type=int, default=300, help="give up after this many seconds")
    args = parser.parse_args()
    if not (args.data / "orders.parquet").exists() and not (args.data / "orders").is_dir():
        print(f"no orders table in {args.data}; run `python -m retention sample --out {args.data}`", file=sys.stderr)
        return 2

    def give_up(*_):
        raise TimeoutError(f"benchmark took longer than {args.timeout} s")

    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(args.timeout)
    run(args.data.resolve(), args.repeat)
    signal.alarm(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
