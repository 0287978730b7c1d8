"""Optional sign-in with roles, configured in .streamlit/secrets.toml (off when no users are set).

Passwords are stored as salted Argon2id hashes (argon2-cffi); make one with
`python -m retention.auth hash`. Every failed sign-in gets the same answer whatever was wrong, and
repeated failures for a user name are slowed down.
"""

from __future__ import annotations

import getpass
import sys
import threading
import time
from collections.abc import Mapping

import streamlit as st
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from retention.i18n import t

ROLES = ("admin", "marketing", "executive")
_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps the answer time the same.
_DUMMY_HASH = _hasher.hash("not a real password")
_failures: dict[str, int] = {}
_failures_lock = threading.Lock()
FREE_TRIES = 3
MAX_DELAY = 8.0


def users_from_secrets(secrets: Mapping | None = None) -> dict[str, dict]:
    """{username: {"role", "password_hash", "name"}} from [auth.users.NAME] tables, or {} when sign-in is off."""
    try:
        secrets = st.secrets if secrets is None else secrets
        auth = secrets.get("auth", {})
    except (FileNotFoundError, KeyError, AttributeError):
        return {}
    except Exception:  # a malformed secrets.toml: treat as off rather than crash
        return {}
    if not auth or not auth.get("enabled", True):
        return {}
    users = {}
    for name, entry in dict(auth.get("users", {})).items():
        entry = dict(entry)
        if entry.get("role") in ROLES and entry.get("password_hash"):
            users[str(name)] = entry
    return users


def failure_delay(username: str) -> float:
    with _failures_lock:
        n = _failures.get(username, 0)
    return 0.0 if n < FREE_TRIES else min(MAX_DELAY, 0.5 * 2 ** (n - FREE_TRIES))


def check_password(users: dict[str, dict], username: str, password: str) -> str | None:
    """The user's role when the password is right, else None (same work whatever was wrong)."""
    time.sleep(failure_delay(username))
    entry = users.get(username)
    try:
        ok = _hasher.verify(entry["password_hash"] if entry else _DUMMY_HASH, password) and entry is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    with _failures_lock:
        if ok:
            _failures.pop(username, None)
        else:
            _failures[username] = _failures.get(username, 0) + 1
    return entry["role"] if ok else None


def require(page, settings) -> str:
    """The signed-in user's role (admin when sign-in is off); stops the page when the role may not see it."""
    ss = st.session_state
    users = users_from_secrets()
    if not users:
        ss["role"] = "admin"
        return "admin"
    if ss.get("user") not in users:
        _sign_in_form(users)
        st.stop()
    role = users[ss["user"]]["role"]
    ss["role"] = role
    with st.sidebar:
        st.caption(t("auth.signed_in_as", name=users[ss["user"]].get("name", ss["user"]), role=t("auth.role_" + role)))
        if st.button(t("auth.sign_out"), key="_sign_out", icon=":material/logout:"):
            for key in ("user", "role"):
                ss.pop(key, None)
            st.rerun()
    if role not in page.roles:
        st.error(t("auth.forbidden"), icon=":material/block:")
        st.stop()
    return role


def _sign_in_form(users: dict[str, dict]) -> None:
    st.title(t("auth.title"))
    with st.form("sign_in", clear_on_submit=False):
        username = st.text_input(t("auth.username"), key="_auth_user")
        password = st.text_input(t("auth.password"), type="password", key="_auth_password")
        submitted = st.form_submit_button(t("auth.sign_in"), type="primary")
    if submitted:
        role = check_password(users, username.strip(), password)
        if role:
            st.session_state["user"] = username.strip()
            st.session_state["role"] = role
            st.rerun()
        st.error(t("auth.wrong"))


def main(argv: list[str]) -> int:
    """`python -m retention.auth hash`: read a password twice and print its Argon2id hash."""
    if argv[:1] != ["hash"]:
        print("usage: python -m retention.auth hash", file=sys.stderr)
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
