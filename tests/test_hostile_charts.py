"""Data values reach plotly text escaped and cut (plotly draws <b>, <a href> and a few more tags)."""

from __future__ import annotations

import json

import polars as pl

from retention.charts.alerts import overdue_scatter
from retention.charts.reasons import group_labels, reason_label
from retention.charts.window import segment_label

SCRIPT = "<script>window.__pwned=1</script>"


def test_alert_hover_escapes_ids():
    frame = pl.DataFrame(
        {
            "customer_id": [SCRIPT, "<b>x</b>" + "L" * 10_000],
            "status": ["alert", "alert"],
            "days_silent": [40, 50],
            "expected_gap": [10.0, 12.0],
            "overdue_ratio": [4.0, 4.2],
            "revenue_365d": [100.0, 50.0],
        }
    )
    text = json.dumps(overdue_scatter(frame, 1.5, "USD").to_plotly_json(), default=str, ensure_ascii=False)
    assert "<script" not in text and "<b>x" not in text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in text
    assert "L" * 100 not in text and "…" in text


def test_labels_escape_values():
    assert reason_label("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert segment_label("<b>North</b>") == "&lt;b&gt;North&lt;/b&gt;"
    assert group_labels(["<a href='javascript:x'>a</a>"], "value", "month") == {
        "<a href='javascript:x'>a</a>": "&lt;a href='javascript:x'&gt;a&lt;/a&gt;"
    }
