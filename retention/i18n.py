"""Message catalogues (English, Simplified Chinese) and number/date formatting per language.

Catalogues are TOML files under retention/locales/LANG/, one per part of the product; a key is
`FILE.KEY` (cohorts.toml's `title` is `cohorts.title`). tests/test_i18n.py fails when a key is in one
language and not the other.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import tomllib
from functools import lru_cache
from pathlib import Path

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = {"en": "English", "zh": "简体中文"}
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CNY": "¥", "JPY": "¥", "HKD": "HK$", "TWD": "NT$", "SGD": "S$"}

_state = threading.local()


@lru_cache(maxsize=4)
def catalogue(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in sorted((LOCALES / lang).glob("*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        _flatten(path.stem, data, out)
    return out


def _flatten(prefix: str, data: dict, out: dict[str, str]) -> None:
    for key, value in data.items():
        if isinstance(value, dict):
            _flatten(f"{prefix}.{key}", value, out)
        else:
            out[f"{prefix}.{key}"] = str(value)


def set_language(lang: str) -> None:
    _state.lang = lang if lang in LANGUAGES else "en"


def language() -> str:
    return getattr(_state, "lang", "en")


def set_variant(variant: str | None) -> None:
    """Prefer KEY_VARIANT over KEY where the catalogue has it, in this thread (a Streamlit run): ui.setup sets
    "spark" on the Spark engine, so every page's `t("common.computing")` spinner says `common.computing_spark`."""
    _state.variant = variant


def t(key: str, **kwargs: object) -> str:
    """The text for key in the current language (English, then the key itself, as fallbacks)."""
    variant = getattr(_state, "variant", None)
    if variant and f"{key}_{variant}" in catalogue("en"):
        key = f"{key}_{variant}"
    text = catalogue(language()).get(key) or catalogue("en").get(key) or key
    return text.format(**kwargs) if kwargs else text


def has(key: str) -> bool:
    return key in catalogue("en")


def label(kind: str, code: object) -> str:
    """A display name for a data code (status, segment, tier, reason...): translated when known."""
    key = f"codes.{kind}.{code}"
    return t(key) if has(key) else str(code)


def attribute_label(name: str) -> str:
    """A customer attribute's display name: translated when known, else the column name made readable."""
    key = f"codes.attribute.{name}"
    return t(key) if has(key) else name.replace("_", " ").capitalize()


# -- numbers and dates -------------------------------------------------------------------------


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_int(x: object) -> str:
    return "–" if _missing(x) else f"{int(round(float(x))):,}"  # type: ignore[arg-type]


def fmt_num(x: object, digits: int = 1) -> str:
    return "–" if _missing(x) else f"{float(x):,.{digits}f}"  # type: ignore[arg-type]


def fmt_pct(x: object, digits: int = 1) -> str:
    return "–" if _missing(x) else f"{100 * float(x):.{digits}f}%"  # type: ignore[arg-type]


def currency_symbol(currency: str) -> str:
    return CURRENCY_SYMBOLS.get(currency.upper(), currency.upper() + " ")


def fmt_money(x: object, currency: str, digits: int = 0) -> str:
    if _missing(x):
        return "–"
    value = float(x)  # type: ignore[arg-type]
    sign = "-" if value < 0 else ""
    return f"{sign}{currency_symbol(currency)}{abs(value):,.{digits}f}"


def fmt_date(d: dt.date | None) -> str:
    if d is None:
        return "–"
    if language() == "zh":
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.day} {d.strftime('%b')} {d.year}"


def fmt_period(d: dt.date, period: str) -> str:
    """A period named for people: 'Mar 2024', '2024 Q1', 'week of 4 Mar 2024' (or the Chinese forms)."""
    zh = language() == "zh"
    if period == "month":
        return f"{d.year}年{d.month}月" if zh else d.strftime("%b %Y")
    if period == "quarter":
        q = (d.month - 1) // 3 + 1
        return f"{d.year}年第{q}季度" if zh else f"{d.year} Q{q}"
    return f"{d.year}年{d.month}月{d.day}日当周" if zh else f"wk {d.day} {d.strftime('%b')} {d.year}"


def plotly_date_format(period: str) -> str:
    """d3 time format for date axes in the current language."""
    zh = language() == "zh"
    if period == "week":
        return "%Y年%m月%d日" if zh else "%d %b %Y"
    return "%Y年%m月" if zh else "%b %Y"
