"""Both languages have every key, every placeholder, and the code asks only for keys that exist in both."""

from __future__ import annotations

import ast
import inspect
import re
import string
from collections import defaultdict
from pathlib import Path

from retention import i18n
from tests.i18n_keys import problems, used_keys

ROOT = Path(__file__).resolve().parent.parent


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def returned(fn) -> list[str]:
    """Every string literal `fn` can return (also through `a if c else b`)."""
    out: list[str] = []

    def collect(node: ast.expr | None) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append(node.value)
        elif isinstance(node, ast.IfExp):
            collect(node.body), collect(node.orelse)
        elif node is not None:
            raise AssertionError(f"{fn.__qualname__} returns {ast.unparse(node)}: not a literal code")

    for node in ast.walk(ast.parse(inspect.getsource(fn).strip())):
        if isinstance(node, ast.Return):
            collect(node.value)
    return out


def first_arguments(module, callee: str) -> list[str]:
    """The literal first argument of every call `callee(...)` in `module` (the reasons of a ModelError)."""
    out = []
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == callee and node.args:
            if isinstance(node.args[0], ast.Constant):
                out.append(node.args[0].value)
    assert out, f"no call {callee}(...) in {module.__name__}"
    return out


def known() -> dict[str, list[str]]:
    """The values of the keys the code builds from a parameter, an attribute or a frame's columns, taken
    from the constants (or the returns) they come from: template -> values."""
    from retention import auth, importer, ui
    from retention.charts.profile import OUTCOME_COLORS
    from retention.db import TABLES
    from retention.metrics import campaigns as mc
    from retention.metrics import kpis as mk
    from retention.metrics import predict as mp
    from retention.metrics.cohorts import COHORT_METRICS
    from retention.params import PERIODS
    from retention.queries import lifecycle as ql
    from retention.queries import predict as qp
    from retention.queries.profile import CONTACT_COLUMNS
    from retention.queries.reasons import ROW_COLUMNS
    from retention.queries.rfm import LEVELS
    from retention.report import EXTRA_KINDS, KPI_KINDS
    from retention.validate import GROUPS

    steps = [name for name, _ in mk.waterfall_steps(defaultdict(int))]
    tiles = [column for column, _, _ in (*mk.TILES, *mk.PROFIT_TILES)]
    pages = [page.key for page in ui.PAGES]
    return {
        "sidebar.period_{}": list(PERIODS),
        "lifecycle.col_{}": list(ql.CUSTOMER_COLUMNS),
        "lifecycle.explain_{}": list(ql.STATUSES),
        "kpis.step_{}": steps,
        "kpis.step_{}_help": steps,
        "kpis.tile_{}": tiles,
        "kpis.help_{}": tiles,
        "report.kpi_{}": [*KPI_KINDS, *EXTRA_KINDS],
        "campaigns.verdict_{}": returned(mc.uplift_verdict),
        "campaigns.group_{}": list(GROUPS),
        "predict.verdict_{}": returned(mp.verdict),
        "predict.why_{}": first_arguments(qp, "ModelError"),
        "rfm.level_{}": list(LEVELS),
        "import.table_{}": list(TABLES),
        "import.columns_{}": list(TABLES),
        "import.s_{}": list(importer.SUMMARY_TEXT),
        "cohorts.metric_{}": list(COHORT_METRICS),
        "cohorts.caption_{}": list(COHORT_METRICS),
        "profile.col_{}": [c for c in (*ROW_COLUMNS, *CONTACT_COLUMNS) if c != "customer_id"],
        "profile.outcome_{}": list(OUTCOME_COLORS),
        "overview.next_{}": [k for k in pages if k not in ("overview", "import", "profile")],
        "pages.{}": pages,
        "auth.role_{}": list(auth.ROLES),
    }


def sources() -> list[Path]:
    return sorted([*ROOT.glob("pages/*.py"), ROOT / "app.py", *ROOT.glob("retention/**/*.py")])


def test_every_key_in_both_languages():
    en, zh = i18n.catalogue("en"), i18n.catalogue("zh")
    assert sorted(set(en) - set(zh)) == [], "missing in zh"
    assert sorted(set(zh) - set(en)) == [], "missing in en"


def test_placeholders_match():
    en, zh = i18n.catalogue("en"), i18n.catalogue("zh")
    bad = [k for k in en if placeholders(en[k]) != placeholders(zh.get(k, ""))]
    assert bad == []


def test_keys_used_in_code_exist_in_both_languages():
    """Every key a `t(...)` can ask for, literal or built (f-strings, "prefix_" + code, loops, parameters)."""
    keys, unresolved = used_keys(sources(), known(), ROOT)
    assert len(keys) > 500  # the scan reads the code (a broken scan finding nothing would pass)
    assert {"kpis.tile_churn_rate", "lifecycle.explain_lost", "winback.trigger_both_label", "rfm.tab_who"} <= keys
    catalogues = {"en": i18n.catalogue("en"), "zh": i18n.catalogue("zh")}
    assert problems(keys, unresolved, catalogues) == []


def _fake(tmp_path: Path, code: str) -> list[Path]:
    path = tmp_path / "pages" / "fake.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text(code)
    return [path]


def test_the_key_check_fails_on_a_missing_key(tmp_path):
    code = (
        "from retention.i18n import t\n"
        'STATUSES = ("new", "lost")\n'
        'a = t("demo.title")\n'
        'b = [t(f"demo.status_{s}") for s in STATUSES]\n'
        "def tabs(keys):\n"
        "    return [t(k) for k in keys]\n"
        'tabs(["demo.tab_one", "demo.tab_two"])\n'
    )
    keys, unresolved = used_keys(_fake(tmp_path, code), {}, tmp_path)
    assert (keys, unresolved) == (
        {"demo.title", "demo.status_new", "demo.status_lost", "demo.tab_one", "demo.tab_two"},
        [],
    )
    full = dict.fromkeys(keys, "x")
    assert problems(keys, [], {"en": full, "zh": full}) == []
    no_lost = {k: "x" for k in keys if k != "demo.status_lost"}
    assert problems(keys, [], {"en": full, "zh": no_lost}) == [
        "key 'demo.status_lost' is used in the code but missing in zh",
        "key 'demo.status_lost' is in en only (missing in zh)",
    ]
    extra = full | {"demo.unused": "x"}
    assert problems(keys, [], {"en": full, "zh": extra}) == ["key 'demo.unused' is in zh only (missing in en)"]


def test_the_key_check_fails_on_a_key_it_cannot_resolve(tmp_path):
    code = "from retention.i18n import t\ndef label(code):\n    return t(f'demo.code_{code}')\n"
    keys, unresolved = used_keys(_fake(tmp_path, code), {}, tmp_path)
    assert keys == set()
    assert unresolved == [
        "pages/fake.py:3: t(f'demo.code_{code}') - its values cannot be read from the code; iterate over a "
        "named constant, or add 'demo.code_{}' to KNOWN in tests/test_i18n.py"
    ]
    assert problems(keys, unresolved, {"en": {}, "zh": {}}) == unresolved
    # listed in `known`, its values are checked like any other key
    keys, unresolved = used_keys(_fake(tmp_path, code), {"demo.code_{}": ["a", "b"]}, tmp_path)
    assert (keys, unresolved) == ({"demo.code_a", "demo.code_b"}, [])


def test_a_call_with_a_fallback_needs_no_key(tmp_path):
    code = "from retention import i18n\ndef label(v):\n    return i18n.t(f'x.{v}') if i18n.has(f'x.{v}') else v\n"
    assert used_keys(_fake(tmp_path, code), {}, tmp_path) == (set(), [])


def test_chinese_is_chinese():
    zh = i18n.catalogue("zh")
    cjk = re.compile(r"[\u4e00-\u9fff]")
    untranslated = [k for k, v in zh.items() if not cjk.search(v) and re.search(r"[A-Za-z]{4,}", v) and "{" not in v]
    assert untranslated == []
