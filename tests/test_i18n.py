"""Both languages have every key, every placeholder, and pages use only keys that exist."""

from __future__ import annotations

import re
import string
from pathlib import Path

from retention import i18n

ROOT = Path(__file__).resolve().parent.parent


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_in_both_languages():
    en, zh = i18n.catalogue("en"), i18n.catalogue("zh")
    assert sorted(set(en) - set(zh)) == [], "missing in zh"
    assert sorted(set(zh) - set(en)) == [], "missing in en"


def test_placeholders_match():
    en, zh = i18n.catalogue("en"), i18n.catalogue("zh")
    bad = [k for k in en if placeholders(en[k]) != placeholders(zh.get(k, ""))]
    assert bad == []


def test_keys_used_in_code_exist():
    en = i18n.catalogue("en")
    used = set()
    for path in [*ROOT.glob("pages/*.py"), ROOT / "app.py", *ROOT.glob("retention/**/*.py")]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""", path.read_text()))
    # A key ending in "_" or "." is a prefix completed at run time: some key must start with it.
    missing = [k for k in used if (k not in en if not k.endswith(("_", ".")) else not any(e.startswith(k) for e in en))]
    assert sorted(missing) == []


def test_chinese_is_chinese():
    zh = i18n.catalogue("zh")
    cjk = re.compile(r"[\u4e00-\u9fff]")
    untranslated = [k for k, v in zh.items() if not cjk.search(v) and re.search(r"[A-Za-z]{4,}", v) and "{" not in v]
    assert untranslated == []
