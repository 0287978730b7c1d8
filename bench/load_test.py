"""Load test: N concurrent Chromium sessions move sliders and switch pages against one server.

    .venv/bin/python bench/load_test.py --data data/sample --sessions 20 --seconds 120

Loopback only, bounded in time. Prints errors (must be 0), page-time p50/p95 as the browser sees it and
as the server spends it, and the server's peak memory (VmHWM).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timed_server import start  # noqa: E402
from retention.ui import PAGES  # noqa: E402
from tests.conftest import stop_server  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def url_path(page_path: str) -> str:
    return "/" if page_path == "app.py" else "/" + Path(page_path).stem.split("_", 1)[1]


# Twenty browsers on two cores: an action may wait long for CPU; only a page that never settles is an error.
ACTION_TIMEOUT_MS = 180_000


async def settle(page, timeout_ms: int = ACTION_TIMEOUT_MS) -> None:
    await page.wait_for_selector('[data-testid="stSidebar"]', timeout=timeout_ms)
    await page.wait_for_function(
        """() => { const el = document.querySelector('[data-test-script-state]');
                   return el && el.getAttribute('data-test-script-state') === 'notRunning'; }""",
        timeout=timeout_ms,
    )


async def session(browser, url: str, deadline: float, seed: int, times: list, errors: list) -> None:
    rnd = random.Random(seed)
    pages = [p for p in PAGES if (ROOT / p.path).exists() and p.key != "import"]
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(ACTION_TIMEOUT_MS)
    page = await ctx.new_page()
    try:
        while time.monotonic() < deadline:
            action = rnd.random()
            start = time.perf_counter()
            try:
                if action < 0.5 or page.url == "about:blank":
                    target = rnd.choice(pages)
                    await page.goto(url + url_path(target.path), wait_until="domcontentloaded")
                    await page.wait_for_timeout(300)
                    await settle(page)
                else:
                    slider = page.locator('[data-testid="stSlider"] input[type="range"]').first
                    await slider.focus()
                    await slider.press(rnd.choice(["ArrowRight", "ArrowLeft", "PageUp", "PageDown"]))
                    await page.wait_for_timeout(300)
                    await settle(page)
                if await page.locator('[data-testid="stException"]').count():
                    errors.append(f"exception box on {page.url}")
                times.append(time.perf_counter() - start)
            except Exception as exc:  # a timeout or a crash is an error of the run
                errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}")
    finally:
        await ctx.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (and its reaped children) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """Busy CPU seconds of the whole machine so far (all cores)."""
    values = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=ROOT / "data/sample")
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--seconds", type=int, default=120)
    args = ap.parse_args()
    from playwright.async_api import async_playwright

    log = Path(tempfile.mkstemp(suffix=".log")[1])
    proc, url = start(args.data.resolve(), log, ROOT / "bench/out/load_server.log")
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            # Warm the server once (the first run reads the data), as a user arriving after start-up would.
            warm = await browser.new_page()
            await warm.goto(url, wait_until="domcontentloaded")
            await settle(warm, 300_000)
            await warm.close()
            log.write_text("")
            times: list[float] = []
            errors: list[str] = []
            cpu0, machine0 = cpu_seconds(proc.pid), machine_cpu_seconds()
            deadline = time.monotonic() + args.seconds
            await asyncio.gather(*(session(browser, url, deadline, i, times, errors) for i in range(args.sessions)))
            server_cpu, machine_cpu = cpu_seconds(proc.pid) - cpu0, machine_cpu_seconds() - machine0
            await browser.close()
        server = [float(line.split()[0]) for line in log.read_text().splitlines() if line.strip()]
        print(f"sessions {args.sessions}, {args.seconds} s, data {args.data}")
        print(f"actions {len(times)}, errors {len(errors)}")
        for e in sorted(set(errors))[:10]:
            print("  error:", e)
        print(f"browser page time  p50 {pct(times, 50):.2f} s  p95 {pct(times, 95):.2f} s")
        print(f"server script run  p50 {pct(server, 50):.2f} s  p95 {pct(server, 95):.2f} s  ({len(server)} runs)")
        print(f"server peak memory {peak_rss_mb(proc.pid):.0f} MB")
        print(
            f"CPU while the sessions ran: machine busy {machine_cpu:.0f} s of {os.cpu_count() * args.seconds} s"
            f" available; the server used {server_cpu:.0f} s of it ({100 * server_cpu / max(machine_cpu, 1):.0f}%),"
            " the browsers (and anything else on the machine) the rest"
        )
    finally:
        stop_server(proc)
        log.unlink(missing_ok=True)


if __name__ == "__main__":
    asyncio.run(main())
