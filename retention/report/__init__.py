"""The executive report: one Jinja2 template fed by the same queries, shaping functions and plotly figure
builders the pages use, for the last complete period; written as self-contained HTML (charts as inline SVG,
no web fonts, no script) or as a PDF printed by Chromium from that HTML.

Build / draw / render stay apart: `build` asks the library for every number and figure (no browser),
`draw` turns the figures into SVG in Chromium, `render_html` fills the template, `make` does all three.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from retention import i18n
from retention.charts import FONT
from retention.db import Dataset
from retention.i18n import t
from retention.metrics.kpis import TILES
from retention.params import Params
from retention.safe import excel_safe, short

TEMPLATES = Path(__file__).parent
WIDTH = 720  # px: the drawing width of every chart, the report's column width (A4 with 11 mm margins)
TOP = 10  # rows of the early-warning and win-back lists
COHORTS = 12  # the most recent cohorts in the heatmap

# The KPI table under the tiles: every column of `kpis` for the period, with how it is written.
KPI_KINDS = {
    "active_start": "count", "active_end": "count", "new": "count", "reactivations": "count",
    "lapses": "count", "churn_rate": "rate", "retention_rate": "rate", "repeat_rate": "rate",
    "buyers": "count", "orders": "count", "revenue": "money", "aov": "money",
    "returning_revenue_share": "rate", "top20_revenue_share": "rate",
}  # fmt: skip
# Shown when they mean something, as on the KPI page: profit when it differs from revenue (a margin below 1
# or a cost column), the replacement cost of the lapses when an acquisition cost is set.
EXTRA_KINDS = {"profit": "money", "replacement_cost": "money"}


@dataclass
class Report:
    """Everything the template shows: texts and rows already formatted, figures not yet drawn."""

    lang: str
    context: dict
    figures: dict = field(default_factory=dict)  # name -> (plotly figure, width)
    summary: list[str] = field(default_factory=list)  # the KPI lines of the e-mail body
    subject: str = ""
    file_stem: str = "report"


def fmt_kpi(column: str, value: object, currency: str) -> str:
    """A KPI as the report writes it (the tiles' formats: counts with separators, rates in % with one
    decimal, money in the currency with no decimals, or two below 100)."""
    from retention.charts.kpis import _value_text

    return _value_text(value, (KPI_KINDS | EXTRA_KINDS)[column], currency)


def kpi_columns(ds: Dataset, p: Params) -> list[str]:
    """The KPI columns the report shows for these data and parameters (KPI_KINDS, then profit and the
    replacement cost where they apply)."""
    from retention.queries.profit import shows_profit

    return [*KPI_KINDS, *(["profit"] if shows_profit(ds, p) else []),
            *(["replacement_cost"] if p.acquisition_cost is not None else [])]  # fmt: skip


def period_end(kpis: pl.DataFrame, start: dt.date, as_of: dt.date) -> dt.date:
    """The last day of the period starting on `start`: the day before the next period, else T."""
    later = kpis.filter(pl.col("period") > start)["period"]
    return later.min() - dt.timedelta(days=1) if not later.is_empty() else as_of


def build(ds: Dataset, p: Params, currency: str, lang: str = "en", top: int = TOP) -> Report:
    """Every number and figure of the report, from the library functions the pages and the CLI use."""
    from retention.charts import cohorts as cohort_charts
    from retention.charts import kpis as kpi_charts
    from retention.metrics.cohorts import with_cohort_rates
    from retention.metrics.kpis import PROFIT_TILES, headline, waterfall_steps
    from retention.queries.cohorts import cohort_table
    from retention.queries.profit import kpi_report, shows_profit

    with language(lang):
        kpis = kpi_report(ds, p)  # the CLI's `kpis`
        head = headline(kpis, p.period)
        ctx: dict = {
            "lang": lang,
            "html_lang": "zh-CN" if lang == "zh" else "en",
            "font": FONT,
            "font_css": Markup(FONT),  # our constant, quoted family names: not to be escaped inside <style>
            "currency": currency,
            "as_of": i18n.fmt_date(p.as_of),
            "window": p.window,
            "filters": "; ".join(f"{i18n.attribute_label(a)} = {', '.join(v)}" for a, v in p.filters),
            "period_name": t(f"sidebar.period_{p.period}"),
        }
        report = Report(lang=lang, context=ctx)
        if head is None:
            ctx["empty"] = True
            report.subject = t("report.subject_empty", as_of=ctx["as_of"])
            report.summary = [t("report.empty")]
            return report
        ctx["empty"] = False
        cur = head.current
        start, end = cur["period"], period_end(kpis, cur["period"], p.as_of)
        label = i18n.fmt_period(start, p.period)
        ctx |= {
            "period": label,
            "period_from": i18n.fmt_date(start),
            "period_to": i18n.fmt_date(end),
            "complete": cur["complete"],
            "previous": i18n.fmt_period(head.previous["period"], p.period) if head.previous else None,
        }
        report.file_stem = f"report_{start.isoformat()}_{lang}"
        report.subject = t("report.subject", period=label)

        extra = PROFIT_TILES if shows_profit(ds, p) else ()
        tiles = kpi_charts.kpi_tiles(head, p.period, currency, extra)
        ctx["tiles"] = tiles
        report.summary = [f"{tile.label}: {tile.value} ({tile.deltas[0][0]} {tile.deltas[0][2]})" for tile in tiles]
        ctx["kpi_rows"] = [
            {
                "label": t(f"report.kpi_{column}"),
                "current": fmt_kpi(column, cur[column], currency),
                "previous": fmt_kpi(column, head.previous[column], currency) if head.previous else "–",
            }
            for column in kpi_columns(ds, p)
        ]
        report.figures["waterfall"] = (kpi_charts.waterfall(waterfall_steps(cur), label), WIDTH)
        report.figures["trends"] = (kpi_charts.trends(kpis, p.period), WIDTH)

        cohorts = with_cohort_rates(cohort_table(ds, p))
        if not cohorts.is_empty():
            recent = sorted(cohorts["cohort"].unique().to_list())[-COHORTS:]
            shown = cohorts.filter(pl.col("cohort").is_in(recent))
            report.figures["cohorts"] = (cohort_charts.heatmap(shown, "active", p.period, currency), WIDTH)
        ctx["cohort_count"] = len(recent) if not cohorts.is_empty() else 0

        ctx["reasons"] = reasons_section(ds, p, start, end, currency, report)
        ctx["campaigns"] = campaigns_section(ds, p, currency, report)
        ctx["alerts"] = alerts_section(ds, p, start - dt.timedelta(days=1), currency, top)
        ctx["winback"] = winback_section(ds, p, currency, top)
        ctx["changes"] = changes(head, tiles, (*TILES, *extra), ctx["alerts"], currency)
        return report


def reasons_section(ds: Dataset, p: Params, start: dt.date, end: dt.date, currency: str, report: Report) -> dict:
    """The top churn reasons recorded in the period (the CLI's `reasons --from START --to END`)."""
    from retention.charts import reasons as charts
    from retention.queries import reasons as q

    table = q.reason_table(ds, p, start, end)
    summary = q.reason_summary(ds, p, start, end)
    if not table.is_empty():
        report.figures["reasons"] = (charts.pareto(table), WIDTH)
    return {
        "has_table": q.has_reasons_table(ds),
        "rows": [
            {
                "reason": charts.reason_label(r["reason"]),
                "count": i18n.fmt_int(r["count"]),
                "share": i18n.fmt_pct(r["share"]),
                "lost_revenue": i18n.fmt_money(r["lost_revenue"], currency, 0),
            }
            for r in table.head(5).iter_rows(named=True)
        ],
        "total": i18n.fmt_int(summary["rows"]),
        "controllable": i18n.fmt_pct(summary["controllable_share"]),
        "unexplained": i18n.fmt_int(summary["unexplained_lapses"]),
        "lapses": i18n.fmt_int(summary["lapses"]),
    }


def campaigns_section(ds: Dataset, p: Params, currency: str, report: Report) -> dict:
    """Every campaign's results up to T (the CLI's `campaigns`), as the Campaigns page writes them."""
    from retention.charts import campaigns as charts
    from retention.metrics.campaigns import display_table, uplift_line
    from retention.queries import campaigns as q

    figures = q.campaign_figures(ds, p, "campaign")
    if figures.is_empty():
        return {"columns": [], "rows": [], "lines": []}
    table = display_table(figures, "campaign", lambda x, digits=0: i18n.fmt_money(x, currency, digits))
    keep = ["campaign", "contacts", "won_back", "win_back_rate", "control_rate", "uplift", "revenue_won", "cost", "roi"]
    columns = [t(f"campaigns.col_{c}") for c in keep]
    report.figures["campaigns"] = (charts.rates_uplift(figures), WIDTH)
    return {
        "columns": columns,
        "rows": table.select(columns).rows(),
        "lines": [bold(uplift_line(r)) for r in figures.iter_rows(named=True)],
    }


def bold(text: str) -> Markup:
    """A sentence written for st.markdown (with **bold**) as escaped HTML with <b>."""
    return Markup(re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", str(Markup.escape(text))))


def alerts_section(ds: Dataset, p: Params, since: dt.date, currency: str, top: int) -> dict:
    """The top of the early-warning list at T (the CLI's `alerts`) and who is new on it since the end of the
    previous period (`alerts --new-since SINCE`)."""
    from retention.queries.alerts import alert_list, new_alert_list

    full = alert_list(ds, p)
    new = new_alert_list(ds, p, since) if since <= p.as_of else full

    def rows(frame: pl.DataFrame) -> list[dict]:
        # Ids as in every download: formula-like text defused (a table copied into a spreadsheet), and cut.
        return [
            {
                "customer_id": short(r["customer_id"]),
                "days_silent": i18n.fmt_int(r["days_silent"]),
                "expected_gap": i18n.fmt_num(r["expected_gap"]),
                "overdue_ratio": i18n.fmt_num(r["overdue_ratio"], 2),
                "frequency": i18n.fmt_int(r["frequency"]),
                "revenue_365d": i18n.fmt_money(r["revenue_365d"], currency, 2),
                "new": raw in new_ids,
            }
            for raw, r in zip(
                frame["customer_id"].head(top), excel_safe(frame.head(top)).iter_rows(named=True), strict=True
            )
        ]

    new_ids = set(new["customer_id"].to_list())
    return {
        "count": i18n.fmt_int(full.height),
        "n": full.height,
        "at_stake": i18n.fmt_money(full["revenue_365d"].sum() if full.height else 0, currency, 0),
        "rows": rows(full),
        "new_count": i18n.fmt_int(new.height),
        "n_new": new.height,
        "new_rows": rows(new),
        "since": i18n.fmt_date(since),
        "since_iso": since.isoformat(),
        "top": top,
    }


def winback_section(ds: Dataset, p: Params, currency: str, top: int) -> dict | None:
    """The top of the win-back list (the CLI's `winback`); None would make the template say it is missing."""
    from retention.queries.winback import winback_list

    frame = winback_list(ds, p)
    return {
        "count": i18n.fmt_int(frame.height),
        "rows": [
            {
                "customer_id": short(r["customer_id"]),
                "days_silent": i18n.fmt_int(r["days_silent"]),
                "last_purchase": i18n.fmt_date(r["last_purchase"]),
                "frequency": i18n.fmt_int(r["frequency"]),
                "revenue_last_year": i18n.fmt_money(r["revenue_last_year"], currency, 2),
                "p_alive": i18n.fmt_pct(r["p_alive"], 0),
                "last_contacted_at": i18n.fmt_date(r["last_contacted_at"]),
                "last_reason": i18n.label("reason", r["last_reason"]) if r.get("last_reason") else "–",
            }
            for r in excel_safe(frame.head(top)).iter_rows(named=True)
        ],
        "top": top,
    }


def changes(head, tiles, kinds, alerts: dict, currency: str) -> list[str]:
    """What changed since the previous period, one sentence each: the KPIs that moved, then the call list."""
    if head.previous is None:
        return [t("report.no_previous")]
    out = []
    for (column, _, _), tile in zip(kinds, tiles, strict=True):
        before, now = head.previous[column], head.current[column]
        if before is None or now is None or before == now:
            continue
        verb = "up" if now > before else "down"
        out.append(
            t(
                f"report.change_{verb}",
                label=tile.label,
                before=fmt_kpi(column, before, currency),
                now=tile.value,
                delta=tile.deltas[0][0],
            )
        )
    out.append(t("report.change_alerts", n=alerts["new_count"], since=alerts["since"], total=alerts["count"]))
    return out


# -- drawing and rendering -----------------------------------------------------------------------------------


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["t"] = t
    return env


def render_html(report: Report, svgs: dict[str, str]) -> str:
    """The report as one HTML document: data escaped by Jinja, the charts' SVG (drawn by plotly.js in
    Chromium from the figures) inline, no script, no external resource."""
    with language(report.lang):
        charts = {name: Markup(svg) for name, svg in svgs.items()}
        return environment().get_template("report.html.j2").render(**report.context, charts=charts)


def render_email_html(report: Report) -> str:
    """The e-mail body's HTML alternative: the summary lines (escaped)."""
    with language(report.lang):
        return environment().get_template("email.html.j2").render(**report.context, summary=report.summary)


def email_text(report: Report) -> str:
    """The e-mail body's plain text: a heading, the KPI lines, what changed, and what is attached."""
    with language(report.lang):
        lines = [report.subject, ""]
        lines += [f"- {line}" for line in report.summary]
        if report.context.get("changes"):
            lines += ["", t("report.changes_title"), *[f"- {c}" for c in report.context["changes"]]]
        lines += ["", t("report.email_attached")]
        return "\n".join(lines) + "\n"


@dataclass
class Output:
    """A made report: the HTML, the PDF when asked for, and what the e-mail needs."""

    report: Report
    html: str
    pdf: bytes | None = None


def make(ds: Dataset, p: Params, currency: str, lang: str = "en", pdf: bool = True, top: int = TOP) -> Output:
    """Build, draw and render the report (one Chromium for the charts and the PDF).

    Runs in a thread of its own: Playwright's sync API refuses a thread with a running asyncio loop (the
    Streamlit server's), and the i18n language is per thread, so the caller's is never changed."""
    from retention.report.chromium import Chromium

    result: dict = {}

    def work() -> None:
        try:
            report = build(ds, p, currency, lang, top)
            with Chromium() as browser:
                html = render_html(report, browser.svgs(report.figures))
                result["out"] = Output(report, html, browser.pdf(html) if pdf else None)
        except BaseException as exc:  # handed to the caller's thread
            result["error"] = exc

    worker = threading.Thread(target=work, name="retention-report")
    worker.start()
    worker.join()
    if "error" in result:
        raise result["error"]
    return result["out"]


@lru_cache(maxsize=4)
def html_file(ds: Dataset, p: Params, currency: str, lang: str) -> bytes:
    """The report as an HTML file (the KPI page's download; a second click on the same view reuses it)."""
    return make(ds, p, currency, lang, pdf=False).html.encode("utf-8")


# -- language --------------------------------------------------------------------------------------------


class language:
    """Set the i18n language of this thread for a block, and put the previous one back after."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __enter__(self) -> None:
        self.before = i18n.language()
        i18n.set_language(self.lang)

    def __exit__(self, *exc) -> None:
        i18n.set_language(self.before)
