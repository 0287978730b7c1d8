"""Benchmark: the app at scale, in Chromium (issue 8, part 3).

    python bench/app_timing.py --data bench/data/1m            # slider and filter changes on every page
    python bench/app_timing.py --data bench/data/10m --first-page-only

Starts `streamlit run app.py` on a free loopback port (the same start as the browser tests) against a data
folder made by `bench/generate.py`, and measures in headless Chromium:

* the first page after start-up: from `goto` to the page's title drawn, and to the script state
  `notRunning` (everything drawn). The base cache on disk is kept as it is; `--cold-cache` removes it
  first, so that the first page also builds it.
* on every analysis page, the time from a change to `data-test-script-state="notRunning"` (measured inside
  the page with performance.now(), from the key press or click):
  - the sidebar's return window moved one day (a view never seen), then back (a view seen before), then
    forward again (seen);
  - a segment filter value picked (never seen), removed (seen), picked again (seen).

Targets at 1M orders: a new view at most 1.5 s, a view seen before at most 0.5 s. Not part of the tests:
the machine is shared, so the figures are for reading, not asserting.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timed_server import start  # noqa: E402  (streamlit run, with each script run's time logged)
from retention.ui import PAGES  # noqa: E402
from tests.conftest import stop_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu"]
NEW_TARGET, SEEN_TARGET = 1.5, 0.5

# Records each change of the script state with performance.now(), and when the user's input (the key press
# or the pointer press that commits a change) reached the page.
OBSERVER = """
() => {
  if (window.__observing) return;
  window.__observing = true;
  window.__states = [];
  window.__inputAt = null;
  const record = () => {
    const el = document.querySelector('[data-test-script-state]');
    if (el) window.__states.push([el.getAttribute('data-test-script-state'), performance.now()]);
  };
  new MutationObserver(record).observe(document.body, {subtree: true, attributes: true,
                                                       attributeFilter: ['data-test-script-state']});
  for (const type of ['keydown', 'pointerdown', 'mousedown']) {
    document.addEventListener(type, (e) => { if (window.__inputAt === null) window.__inputAt = e.timeStamp; },
                              {capture: true});
  }
}
"""
# A user's next change comes after the page has finished drawing the last one (charts draw after the script
# state is notRunning): wait for the browser to be idle first.
SETTLE = "() => new Promise(done => requestIdleCallback(() => done(), {timeout: 3000}))"
RERUN_DONE = """() => { const s = window.__states;
    return s.some(x => x[0] === 'running') && s[s.length - 1][0] === 'notRunning'; }"""


def url_path(page_path: str) -> str:
    return "/" if page_path == "app.py" else "/" + Path(page_path).stem.split("_", 1)[1]


def wait_idle(page, timeout_ms: int = 300_000) -> None:
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=timeout_ms)


TIMING_LOG = ROOT / "bench/out/app_timing_runs.log"


def server_runs() -> list[float]:
    return [float(line.split()[0]) for line in TIMING_LOG.read_text().splitlines() if line.strip()]


def timed(page, action) -> tuple[float, float]:
    """Seconds from the change (the key press or the click that commits it) to the rerun it causes being
    done, in the browser; and the seconds the server spent running the script for it. `action` prepares
    (focus, open a list) and returns the commit."""
    page.evaluate(OBSERVER)
    runs_before = len(server_runs())
    try:
        commit = action()
        page.evaluate(SETTLE)
        page.evaluate("() => { window.__states = []; window.__inputAt = null; }")
        commit()
    except Exception:
        shot = ROOT / "bench/out/app_timing_failed.png"
        page.screenshot(path=str(shot))
        print(f"action failed on {page.url}; screenshot {shot}", file=sys.stderr)
        raise
    try:
        page.wait_for_function(RERUN_DONE, timeout=120_000)
    except Exception:
        shot = ROOT / "bench/out/app_timing_failed.png"
        page.screenshot(path=str(shot))
        print(f"no rerun finished on {page.url}: states {page.evaluate('() => window.__states')}; screenshot {shot}",
              file=sys.stderr)  # fmt: skip
        raise
    states, start = page.evaluate("() => [window.__states, window.__inputAt]")
    if page.locator('[data-testid="stException"]').count():
        raise RuntimeError(f"exception box on {page.url}")
    return (states[-1][1] - start) / 1000, sum(server_runs()[runs_before:])


def slider_step(page, key: str):
    thumb = page.locator('.st-key-_window input[type="range"]')

    def act():
        thumb.focus()
        return lambda: page.keyboard.press(key)

    return act


def pick_filter(page, attr: str, value: str):
    def act():
        box = page.locator(f".st-key-_f_{attr} input")
        box.click()
        box.press_sequentially(value)
        option = page.get_by_role("option", name=value, exact=True)
        option.wait_for()
        return option.click

    return act


def clear_filter(page, attr: str):
    """Removes the picked value with Backspace in the box (a click on the clear button was lost now and then
    while the list of the last pick was still closing)."""

    def act():
        box = page.locator(f".st-key-_f_{attr} input")
        box.focus()
        return lambda: box.press("Backspace")

    return act


def first_page(url: str, browser, path: str = "/") -> tuple[float, float]:
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    t0 = time.perf_counter()
    page.goto(url + path, wait_until="domcontentloaded")
    page.wait_for_selector("h1", timeout=300_000)
    shown = time.perf_counter() - t0
    wait_idle(page)
    done = time.perf_counter() - t0
    page.close()
    return shown, done


def page_changes(url: str, browser, page_key: str, attr: str | None, value: str | None) -> dict[str, list[float]]:
    target = next(p for p in PAGES if p.key == page_key)
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(url + url_path(target.path), wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=300_000)
    page.wait_for_timeout(300)
    wait_idle(page)
    out: dict[str, list[float]] = {"new": [], "seen": [], "new_server": [], "seen_server": []}
    steps = [
        ("new", "window +1", slider_step(page, "ArrowRight")),
        ("seen", "window -1", slider_step(page, "ArrowLeft")),
        ("seen", "window +1", slider_step(page, "ArrowRight")),
        ("seen", "window -1", slider_step(page, "ArrowLeft")),
    ]
    if attr and value:
        steps += [
            ("new", f"{attr} = {value}", pick_filter(page, attr, value)),
            ("seen", f"{attr} cleared", clear_filter(page, attr)),
            ("seen", f"{attr} = {value}", pick_filter(page, attr, value)),
            ("seen", f"{attr} cleared", clear_filter(page, attr)),
        ]
    detail = []
    for kind, label, act in steps:
        secs, server = timed(page, act)
        out[kind].append(secs)
        out[kind + "_server"].append(server)
        detail.append(f"{label} ({kind}) {secs:.2f} [server {server:.2f}]")
    print(f"  {page_key}: " + ", ".join(detail), flush=True)
    page.close()
    return out


def _mm(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} / {max(values):.2f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--pages", default="overview,kpis,cohorts,lifecycle,return_window,reasons,value,alerts,campaigns")
    ap.add_argument("--filter", default="region=East", help="ATTRIBUTE=VALUE picked in the sidebar")
    ap.add_argument("--first-page-only", action="store_true")
    ap.add_argument("--cold-cache", action="store_true", help="remove the base cache before starting")
    args = ap.parse_args()
    data = args.data.resolve()
    if args.cold_cache:
        shutil.rmtree(data / ".retention-cache", ignore_errors=True)
    attr, _, value = args.filter.partition("=")
    from playwright.sync_api import sync_playwright

    t_start = time.perf_counter()
    TIMING_LOG.parent.mkdir(parents=True, exist_ok=True)
    TIMING_LOG.write_text("")
    proc, url = start(data, TIMING_LOG, ROOT / "bench/out/app_timing_server.log")
    healthy = time.perf_counter() - t_start
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            shown, done = first_page(url, browser)
            print(f"data: {data}")
            print(f"server healthy after {healthy:.2f} s")
            print(f"first page (Overview): title drawn {shown:.2f} s, everything drawn {done:.2f} s after goto")
            if args.first_page_only:
                return 0
            kpis_shown, kpis_done = first_page(url, browser, "/KPIs")
            print(f"KPIs page, first visit: title {kpis_shown:.2f} s, everything {kpis_done:.2f} s")
            rows = []
            for key in args.pages.split(","):
                res = page_changes(url, browser, key, attr or None, value or None)
                rows.append((key, res))
            browser.close()
    finally:
        stop_server(proc)
    print()
    print("Browser: from the change to notRunning; server: the script runs it caused (median / max s).")
    print()
    print("| page | new view, browser | new view, server | seen view, browser | seen view, server |")
    print("|---|---:|---:|---:|---:|")
    all_new, all_seen = [], []
    for key, res in rows:
        all_new += res["new"]
        all_seen += res["seen"]
        print(
            f"| {key} | {_mm(res['new'])} | {_mm(res['new_server'])} | {_mm(res['seen'])} | {_mm(res['seen_server'])} |"
        )
    ok_new, ok_seen = max(all_new) <= NEW_TARGET, max(all_seen) <= SEEN_TARGET
    all_new_s = [x for _, r in rows for x in r["new_server"]]
    all_seen_s = [x for _, r in rows for x in r["seen_server"]]
    print(f"| all ({len(all_new)} new, {len(all_seen)} seen) | {_mm(all_new)} | {_mm(all_new_s)} | {_mm(all_seen)} "
          f"| {_mm(all_seen_s)} |")  # fmt: skip
    print(f"new view <= {NEW_TARGET} s: {'pass' if ok_new else 'FAIL'}; "
          f"seen view <= {SEEN_TARGET} s: {'pass' if ok_seen else 'FAIL'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
