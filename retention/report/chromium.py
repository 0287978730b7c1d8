"""Chromium, driven by Playwright, as the report's printer: plotly figures to static SVG, HTML to PDF.

Offline by construction: plotly.js comes from the installed python plotly package, no page is fetched."""

from __future__ import annotations

import shutil
import tempfile
import urllib.parse
from pathlib import Path

import plotly

from retention.errors import InputError

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
ARGS = ["--no-sandbox", "--disable-gpu"]

_TO_SVG = """async ([spec, width, height]) => {
    const fig = JSON.parse(spec);
    return await Plotly.toImage(fig, {format: 'svg', width: width, height: height});
}"""


def executable() -> str:
    """The Debian Chromium (Playwright cannot download its own browser here)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None and Path("/usr/bin/chromium").exists():
        path = "/usr/bin/chromium"
    if path is None:
        raise InputError("The report is drawn and printed by Chromium, which is not installed: run `make browser`.")
    return path


class Chromium:
    """One headless Chromium for a whole report (it takes seconds to start): `svgs(...)`, then `pdf(...)`."""

    def __enter__(self) -> Chromium:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        try:
            self._browser = self._pw.chromium.launch(executable_path=executable(), args=ARGS)
        except Exception:
            self._pw.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._browser.close()
        self._pw.stop()

    def svgs(self, figures: dict[str, tuple[object, int]]) -> dict[str, str]:
        """name -> (plotly figure, width in px) in; name -> the figure as an SVG element (text) out, at the
        figure's own height. The figures are only read (the page's figure cache shares them)."""
        if not figures:
            return {}
        page = self._browser.new_page()
        with tempfile.TemporaryDirectory(prefix="retention-report-") as folder:
            # A file page loading plotly.js by file:// URL: twice as fast as injecting its 4.6 MB of text.
            drawing = Path(folder) / "draw.html"
            drawing.write_text(
                f"<!doctype html><html><head><meta charset='utf-8'><script src='{PLOTLY_JS.as_uri()}'></script>"
                "</head><body></body></html>",
                encoding="utf-8",
            )
            try:
                page.goto(drawing.as_uri())
                return self._draw(page, figures)
            finally:
                page.close()

    @staticmethod
    def _draw(page, figures: dict[str, tuple[object, int]]) -> dict[str, str]:
        out = {}
        for name, (fig, width) in figures.items():
            height = fig.layout.height or 420
            url = page.evaluate(_TO_SVG, [fig.to_json(), width, height])
            out[name] = _svg_element(url, width, height)
        return out

    def pdf(self, html: str) -> bytes:
        """The HTML printed to A4 by Chromium (fonts embedded, backgrounds kept)."""
        page = self._browser.new_page()
        try:
            page.set_content(html, wait_until="load")
            page.emulate_media(media="print")
            return page.pdf(
                format="A4",
                print_background=True,
                margin={"top": "12mm", "bottom": "12mm", "left": "11mm", "right": "11mm"},
            )
        finally:
            page.close()


def _svg_element(data_url: str, width: int, height: int) -> str:
    """Plotly.toImage's `data:image/svg+xml,...` URL as an inline <svg> element that scales to its box."""
    prefix, _, body = data_url.partition(",")
    svg = urllib.parse.unquote(body) if "base64" not in prefix else _b64(body)
    if "viewBox" not in svg[:400]:
        svg = svg.replace("<svg ", f'<svg viewBox="0 0 {width} {height}" ', 1)
    return svg


def _b64(body: str) -> str:
    import base64

    return base64.b64decode(body).decode("utf-8")
