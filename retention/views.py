"""Saved views: a page and its shared settings (the URL parameters: window, period, as-of, filters, window
map, language, a page's own like the profile's customer) kept under a name, per user.

Stored in the data folder as `.retention-views.json`:
`{"version": 1, "users": {USER: [{"name", "page", "query", "saved_at"}, ...]}}` (USER "anonymous" without
sign-in). Every change reads the file, changes it and writes it whole to a temporary file that replaces the
old one (os.replace: a reader sees the old file or the new one, never half of one), under a lock held across
threads and processes (fcntl on a `.lock` file beside it), so two saves at once both land.
A saved view is a link: the page's URL path with the query parameters; any session that opens it starts
from those values.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from retention.errors import InputError

FILE_NAME = ".retention-views.json"
ANONYMOUS = "anonymous"
MAX_NAME = 80
MAX_VIEWS = 200
_THREAD_LOCK = threading.Lock()


@dataclass(frozen=True)
class View:
    name: str
    page: str  # a page key of ui.PAGES
    query: dict[str, str] = field(default_factory=dict)
    saved_at: str = ""


def path_of(data_dir: Path | str) -> Path:
    return Path(data_dir) / FILE_NAME


def page_url_path(script: str) -> str:
    """Streamlit's URL path of a page script: `pages/2_Cohorts.py` -> `Cohorts`, the entry point -> ``."""
    p = Path(script)
    if p.parent.name != "pages":
        return ""
    return re.sub(r"^[0-9]+_?", "", p.stem)


def url(view: View, script: str) -> str:
    """The view as a link relative to the app's root: `/Cohorts?window=60&period=week`."""
    path = "/" + page_url_path(script)
    return path + ("?" + urlencode(view.query) if view.query else "")


@contextlib.contextmanager
def _locked(data_dir: Path):
    """The lock of the views file, across the threads of this process and across processes."""
    with _THREAD_LOCK:
        lock_path = path_of(data_dir).with_name(FILE_NAME + ".lock")
        with open(lock_path, "a+") as fh:
            try:
                import fcntl

                fcntl.flock(fh, fcntl.LOCK_EX)
            except ImportError:  # not on POSIX: the thread lock alone
                pass
            yield


def _read(data_dir: Path) -> dict:
    path = path_of(data_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"version": 1, "users": {}}
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{path}: the saved views cannot be read ({exc}). Expected the JSON file the app writes; move it "
            "away to start with no saved views."
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("users"), dict):
        raise InputError(f"{path}: not a saved-views file (expected an object with 'users'); move it away.")
    return data


def _write(data_dir: Path, data: dict) -> None:
    path = path_of(data_dir)
    fd, tmp = tempfile.mkstemp(prefix=FILE_NAME + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _views(data: dict, user: str) -> list[View]:
    out = []
    for item in data["users"].get(user, []):
        try:
            out.append(
                View(str(item["name"]), str(item["page"]), dict(item.get("query") or {}), item.get("saved_at", ""))
            )
        except (KeyError, TypeError):
            continue
    return out


def _check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InputError("A saved view needs a name (example: 'North cafes, weekly').")
    if len(name) > MAX_NAME:
        raise InputError(f"The name '{name[:20]}...' is {len(name)} characters long; expected at most {MAX_NAME}.")
    return name


def list_views(data_dir: Path | str, user: str = ANONYMOUS) -> list[View]:
    """The user's saved views, sorted by name (case-insensitive)."""
    data = _read(Path(data_dir))
    return sorted(_views(data, user or ANONYMOUS), key=lambda v: (v.name.casefold(), v.name))


def _change(data_dir: Path | str, user: str, change) -> list[View]:
    data_dir = Path(data_dir)
    user = user or ANONYMOUS
    try:
        with _locked(data_dir):
            data = _read(data_dir)
            views = change(_views(data, user))
            data["users"][user] = [asdict(v) for v in views]
            if not views:
                data["users"].pop(user)
            _write(data_dir, data)
    except OSError as exc:
        raise InputError(
            f"{path_of(data_dir)}: the saved views cannot be written ({exc.strerror or exc}). Expected a data "
            "folder the app may write to."
        ) from None
    return sorted(views, key=lambda v: (v.name.casefold(), v.name))


def save_view(data_dir: Path | str, user: str, name: str, page: str, query: dict[str, str]) -> View:
    """Save (or replace) the user's view `name`: page key and query parameters."""
    name = _check_name(name)
    view = View(
        name, page, {str(k): str(v) for k, v in query.items()}, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )

    def change(views: list[View]) -> list[View]:
        kept = [v for v in views if v.name != name]
        if len(kept) >= MAX_VIEWS:
            raise InputError(f"There are already {MAX_VIEWS} saved views; delete one before saving another.")
        return [*kept, view]

    _change(data_dir, user, change)
    return view


def rename_view(data_dir: Path | str, user: str, old: str, new: str) -> View:
    new = _check_name(new)
    found: list[View] = []

    def change(views: list[View]) -> list[View]:
        if not any(v.name == old for v in views):
            raise InputError(f"There is no saved view named '{old}'.")
        if new != old and any(v.name == new for v in views):
            raise InputError(f"A saved view named '{new}' exists already; choose another name or delete that one.")
        out = [View(new, v.page, v.query, v.saved_at) if v.name == old else v for v in views]
        found.extend(v for v in out if v.name == new)
        return out

    _change(data_dir, user, change)
    return found[0]


def delete_view(data_dir: Path | str, user: str, name: str) -> None:
    def change(views: list[View]) -> list[View]:
        if not any(v.name == name for v in views):
            raise InputError(f"There is no saved view named '{name}'.")
        return [v for v in views if v.name != name]

    _change(data_dir, user, change)
