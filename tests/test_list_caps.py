"""Customer lists draw their first ui.SHOWN_ROWS rows (every drawn row goes to the browser on every rerun: at a
million customers the Win back list was 109 MB), say so under the table, and download every row."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

LIMIT = 4


@pytest.fixture
def capped(app_data, monkeypatch):
    """ui.SHOWN_ROWS lowered to LIMIT; the frames the pages hand to ui.download, by download key."""
    from retention import ui

    monkeypatch.setattr(ui, "SHOWN_ROWS", LIMIT)
    downloads: dict[str, object] = {}
    real = ui.download

    def download(frame, name, key, *args, **kwargs):
        downloads[key] = frame
        return real(frame, name, key, *args, **kwargs)

    monkeypatch.setattr(ui, "download", download)
    return downloads


def _run(page: str, **state):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / page), default_timeout=180)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception
    return at


def _cap_caption(at, total: int) -> str:
    (line,) = [c.value for c in at.caption if "The table shows the first" in c.value]
    assert line.endswith(f"The table shows the first {LIMIT}; the download holds all {total:,}.")
    return line


def test_win_back_list_is_capped_and_the_download_is_whole(capped):
    at = _run("pages/12_Win_back.py")
    listed = int(at.metric[0].value.replace(",", ""))
    assert listed > LIMIT
    drawn = at.dataframe[0].value
    whole = capped["winback_download"]
    assert drawn.shape[0] == LIMIT and whole.height == listed
    assert drawn["customer_id"].to_list() == whole["customer_id"].head(LIMIT).to_list()  # the list's first rows
    assert _cap_caption(at, listed).startswith("Sorted by revenue")


def test_early_warning_lists_are_capped(capped):
    at = _run("pages/7_Early_warning.py")
    on_alert = int(at.metric[0].value.replace(",", ""))
    assert on_alert > LIMIT and at.dataframe[0].value.shape[0] == LIMIT
    assert capped["alerts_download"].height == on_alert
    _cap_caption(at, on_alert)

    at = _run("pages/7_Early_warning.py", alerts_tab="Slowing down")
    slowing = int(at.metric[-2].value.replace(",", ""))
    frame = at.dataframe[0].value
    assert slowing > LIMIT and frame.shape[0] == LIMIT and frame["why"][0].endswith("of their own baseline.")
    assert capped["slowing_download"].height == slowing
    _cap_caption(at, slowing)


def test_lifecycle_status_list_is_capped(capped):
    at = _run("pages/3_Lifecycle.py", lc_tab="Customers")
    whole = capped["lc_customers_download"]
    assert whole.height > LIMIT and at.dataframe[0].value.shape[0] == LIMIT
    _cap_caption(at, whole.height)


def test_a_short_list_says_nothing_about_a_cap(app_data):
    at = _run("pages/12_Win_back.py", winback_tiers=["high"], winback_loyal=True)
    assert not at.exception
    assert not [c.value for c in at.caption if "The table shows the first" in c.value]


def test_the_chinese_page_says_the_same(capped):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages/12_Win_back.py"), default_timeout=180)
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception
    whole = capped["winback_download"].height
    (line,) = [c.value for c in at.caption if "表格显示前" in c.value]
    assert line.endswith(f"表格显示前 {LIMIT} 位；下载文件包含全部 {whole:,} 位。")
