"""Optional sign-in with roles, configured in .streamlit/secrets.toml.

Off only when there is no [auth] section or it says `enabled = false`. A file that cannot be read, an
unknown role, a bad hash or no valid user fails closed: every page shows one "misconfigured" message
and the log (and `python -m retention.auth check`) says what is wrong.

Passwords are stored as salted Argon2id hashes (argon2-cffi); make one with
`python -m retention.auth hash`. Every failed sign-in gets the same answer whatever was wrong, and
repeated failures for a user name are slowed down.
"""

from __future__ import annotations

import getpass
import logging
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import streamlit as st
from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from streamlit.errors import StreamlitSecretNotFoundError

from retention.i18n import t

log = logging.getLogger("retention.auth")
if not log.handlers:  # the server log: stderr, whatever Streamlit does with its own loggers
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)

ROLES = ("admin", "marketing", "executive")
_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so the answer takes the same time. Made on the first
    sign-in attempt (whoever it is for), not on import: an argon2 hash is 0.3 s of the first page's start."""
    return _hasher.hash("not a real password")


_failures: dict[str, int] = {}
_failures_lock = threading.Lock()
FREE_TRIES = 3
MAX_DELAY = 8.0
_pause = time.sleep  # the failure delay's sleep, replaceable in tests without touching time.sleep for every thread


@dataclass(frozen=True)
class Diagnosis:
    """What the secrets say about sign-in: off, on with these users, or broken (then no page is served).

    `problems` name the file, the user and what is wrong, never a secret or a hash."""

    state: str  # "off" | "on" | "broken"
    users: dict[str, dict] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    source: str = ""

    def report(self) -> str:
        if self.state == "off":
            return f"sign-in off (no [auth] section, or enabled = false) in {self.source}"
        if self.state == "on":
            return f"sign-in on: {len(self.users)} users OK in {self.source}"
        return f"sign-in is misconfigured in {self.source}:\n" + "\n".join(f"- {p}" for p in self.problems)


def secrets_files() -> list[str]:
    """The secrets files Streamlit reads (config option secrets.files)."""
    from streamlit import config

    return [str(p) for p in config.get_option("secrets.files")]


def _source() -> str:
    found = [p for p in secrets_files() if Path(p).exists()]
    return ", ".join(found) or "st.secrets (" + ", ".join(secrets_files()) + ")"


@lru_cache(maxsize=256)
def hash_problem(value: object) -> str | None:
    """Why a stored password hash cannot be used, or None when it is a valid Argon2 hash."""
    if not isinstance(value, str) or not value.strip():
        return "has no password_hash"
    if not value.startswith("$argon2"):
        return "password_hash is not an Argon2 hash (make one with `python -m retention.auth hash`)"
    try:
        extract_parameters(value)
        _hasher.check_needs_rehash(value)
        _hasher.verify(value, "\x00 probe that is not the password")
    except VerifyMismatchError:
        return None  # a well-formed hash that simply does not match the probe
    except (InvalidHashError, VerificationError, ValueError):
        return "password_hash is not a valid Argon2 hash (make one with `python -m retention.auth hash`)"
    return None


def diagnose(secrets: Mapping | None = None, source: str | None = None) -> Diagnosis:
    """Read the [auth] section (of st.secrets unless given) and say whether sign-in is off, on or broken.

    Off only when there is no [auth] section or it says `enabled = false`; anything else that cannot be
    used (an unreadable file, an unknown role, a bad hash, no valid user) is broken: fail closed."""
    if secrets is None:
        source = source or _source()
        try:
            auth = st.secrets.to_dict().get("auth")
        except StreamlitSecretNotFoundError as exc:
            if getattr(exc, "error_id", "") == "no-secrets-found":
                return Diagnosis("off", source=source)
            return Diagnosis("broken", problems=(f"the secrets cannot be read: {exc}",), source=source)
        except Exception as exc:  # any other failure to read the secrets: closed, not open
            return Diagnosis("broken", problems=(f"the secrets cannot be read: {type(exc).__name__}",), source=source)
    else:
        source = source or "secrets"
        auth = secrets.get("auth")
    if auth is None:
        return Diagnosis("off", source=source)
    if not isinstance(auth, Mapping):
        return Diagnosis("broken", problems=("[auth] is not a table",), source=source)
    enabled = auth.get("enabled", True)
    if not isinstance(enabled, bool):
        return Diagnosis("broken", problems=(f"[auth] enabled must be true or false, not {enabled!r}",), source=source)
    if not enabled:
        return Diagnosis("off", source=source)
    problems: list[str] = []
    users: dict[str, dict] = {}
    entries = auth.get("users", {})
    if not isinstance(entries, Mapping):
        return Diagnosis("broken", problems=("[auth.users] is not a table of users",), source=source)
    for name, entry in entries.items():
        if not isinstance(entry, Mapping):
            problems.append(f"user {name!r}: [auth.users.{name}] is not a table")
            continue
        entry = dict(entry)
        role = entry.get("role")
        if role not in ROLES:
            problems.append(f"user {name!r}: role {str(role)[:40]!r} is not one of {', '.join(ROLES)}")
        why = hash_problem(entry.get("password_hash"))
        if why:
            problems.append(f"user {name!r}: {why}")
        if role in ROLES and not why:
            users[str(name)] = entry
    if not entries:
        problems.append("[auth] is enabled but lists no users ([auth.users.NAME] with role and password_hash)")
    if problems:
        return Diagnosis("broken", users={}, problems=tuple(problems), source=source)
    return Diagnosis("on", users=users, source=source)


def users_from_secrets(secrets: Mapping | None = None) -> dict[str, dict]:
    """{username: {"role", "password_hash", "name"}} when sign-in is on, {} when it is off.

    Raises Misconfigured when the secrets are broken (callers must not read that as "off")."""
    diag = diagnose(secrets)
    if diag.state == "broken":
        raise Misconfigured(diag)
    return diag.users


class Misconfigured(Exception):
    def __init__(self, diagnosis: Diagnosis) -> None:
        super().__init__(diagnosis.report())
        self.diagnosis = diagnosis


def failure_delay(username: str) -> float:
    with _failures_lock:
        n = _failures.get(username, 0)
    return 0.0 if n < FREE_TRIES else min(MAX_DELAY, 0.5 * 2 ** (n - FREE_TRIES))


def check_password(users: dict[str, dict], username: str, password: str) -> str | None:
    """The user's role when the password is right, else None (same work whatever was wrong)."""
    _pause(failure_delay(username))
    entry, dummy = users.get(username), _dummy_hash()
    try:
        ok = _hasher.verify(entry["password_hash"] if entry else dummy, password) and entry is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    with _failures_lock:
        if ok:
            _failures.pop(username, None)
        else:
            _failures[username] = _failures.get(username, 0) + 1
    return entry["role"] if ok else None


def require(page, settings, menu=None) -> str:
    """The signed-in user's role (admin when sign-in is off); stops the page when the role may not see it
    (after `menu(role)` draws the role's own pages: ui passes its menu, so auth does not import ui).

    Broken secrets stop every page with one plain message (the log says what is wrong). The role comes
    from the secrets for the signed-in user on every run, never from the URL or a stored role; an idle
    session (settings.session_minutes) is cleared and asked to sign in again."""
    ss = st.session_state
    diag = diagnose()
    if diag.state == "broken":
        log.error(diag.report().replace("\n", " "))
        ss.pop("role", None)
        st.title(t("auth.misconfigured_title"))
        st.error(t("auth.misconfigured"), icon=":material/lock:")
        st.stop()
    users = diag.users
    if diag.state == "off":
        ss["role"] = "admin"
        return "admin"
    now = time.time()
    if ss.get("user") is not None and now - ss.get(LAST_ACTIVE, now) > settings.session_minutes * 60:
        clear_session()
        ss[EXPIRED] = True
    if ss.get("user") not in users:
        ss.pop("role", None)
        _sign_in_form(users)
        st.stop()
    ss[LAST_ACTIVE] = now
    role = users[ss["user"]]["role"]
    ss["role"] = role
    with st.sidebar:
        st.caption(
            t("auth.signed_in_as", name=plain(users[ss["user"]].get("name", ss["user"])), role=t("auth.role_" + role))
        )
        if st.button(t("auth.sign_out"), key="_sign_out", icon=":material/logout:"):
            clear_session()
            st.rerun()
    if role not in page.roles:
        if menu is not None:
            menu(role)  # the message says to pick a page from the menu: the role's own pages only
        st.error(t("auth.forbidden"), icon=":material/block:")
        st.stop()
    return role


LAST_ACTIVE = "_auth_last_active"
EXPIRED = "_auth_expired"


def clear_session() -> None:
    """Forget everything the session held: every session_state key and the URL's parameters."""
    ss = st.session_state
    for key in list(ss.keys()):
        try:
            del ss[key]
        except Exception:  # a key Streamlit will not let go of this run is replaced on the next
            pass
    st.query_params.clear()


def plain(text: object) -> str:
    from retention.safe import md_text

    return md_text(str(text))


def _sign_in_form(users: dict[str, dict]) -> None:
    st.title(t("auth.title"))
    if st.session_state.get(EXPIRED):
        st.info(t("auth.expired"), icon=":material/schedule:")
    with st.form("sign_in", clear_on_submit=False):
        username = st.text_input(t("auth.username"), key="_auth_user")
        password = st.text_input(t("auth.password"), type="password", key="_auth_password")
        submitted = st.form_submit_button(t("auth.sign_in"), type="primary")
    if submitted:
        role = check_password(users, username.strip(), password)
        if role:
            st.session_state.pop(EXPIRED, None)
            st.session_state["user"] = username.strip()
            st.session_state["role"] = role
            st.session_state[LAST_ACTIVE] = time.time()
            st.rerun()
        st.error(t("auth.wrong"))


def check(argv: list[str]) -> int:
    """`python -m retention.auth check [--secrets FILE]`: the app's own diagnosis; exit 2 when broken."""
    if argv[:1] == ["--secrets"] and len(argv) == 2:
        from streamlit import config

        config.set_option("secrets.files", [argv[1]])
    elif argv:
        print("usage: python -m retention.auth check [--secrets FILE]", file=sys.stderr)
        return 2
    diag = diagnose()
    print(diag.report(), file=sys.stderr if diag.state == "broken" else sys.stdout)
    return 2 if diag.state == "broken" else 0


def main(argv: list[str]) -> int:
    """`python -m retention.auth hash`: read a password twice and print its Argon2id hash;
    `python -m retention.auth check`: say whether sign-in is off, on, or misconfigured (exit 2)."""
    if argv[:1] == ["check"]:
        return check(argv[1:])
    if argv[:1] != ["hash"]:
        print("usage: python -m retention.auth hash | check [--secrets FILE]", file=sys.stderr)
        return 2
    first = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    second = getpass.getpass("Again: ") if sys.stdin.isatty() else first
    if not first or first != second:
        print("error: the two passwords differ or are empty", file=sys.stderr)
        return 2
    print(_hasher.hash(first))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
