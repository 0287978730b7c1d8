"""Sign-in fails closed: a misconfigured [auth] serves no data page; sessions end on sign-out and when idle."""

from __future__ import annotations

import logging
import subprocess
import sys
import time

import pytest
from argon2 import PasswordHasher
from streamlit import config
from streamlit.testing.v1 import AppTest

from retention import auth
from retention.ui import PAGES
from tests.conftest import ROOT

HASH = PasswordHasher().hash("s3cret!")
GOOD = {"ann": {"role": "admin", "password_hash": HASH, "name": "Ann"}}
MISCONFIGURED = "Sign-in is misconfigured"

BROKEN = {
    "unknown_role": ({"enabled": True, "users": GOOD | {"bob": {"role": "Marketing", "password_hash": HASH}}},
                     ["'bob'", "role 'Marketing'"]),
    "bad_hash": ({"enabled": True, "users": GOOD | {"bob": {"role": "marketing", "password_hash": "hunter2"}}},
                 ["'bob'", "not an Argon2 hash"]),
    "truncated_hash": ({"enabled": True, "users": GOOD | {"bob": {"role": "marketing", "password_hash": HASH[:30]}}},
                       ["'bob'", "Argon2"]),
    "no_hash": ({"enabled": True, "users": GOOD | {"bob": {"role": "executive"}}}, ["'bob'", "no password_hash"]),
    "no_users": ({"enabled": True}, ["lists no users"]),
    "enabled_text": ({"enabled": "false", "users": GOOD}, ["enabled must be true or false"]),
}  # fmt: skip


def run(page: str = "app.py", secrets: dict | None = None, user: str | None = None, query=None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    if secrets is not None:
        at.secrets["auth"] = secrets
    if user:
        at.session_state["user"] = user
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if page != "app.py":
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def assert_closed(at: AppTest) -> None:
    assert [t.value for t in at.title] == [MISCONFIGURED]
    assert "python -m retention.auth check" in at.error[0].value
    for kind in ("page_link", "plotly_chart", "dataframe", "metric", "file_uploader", "text_input", "button"):
        assert not at.get(kind), kind
    text = " ".join(str(e.value) for e in at.error)
    assert "$argon2" not in text and "hunter2" not in text


@pytest.mark.parametrize("case", list(BROKEN))
def test_diagnosis_names_user_and_problem(case):
    secrets, expected = BROKEN[case]
    diag = auth.diagnose({"auth": secrets}, source="secrets.toml")
    assert diag.state == "broken" and diag.users == {}
    report = diag.report()
    assert report.startswith("sign-in is misconfigured in secrets.toml")
    for part in expected:
        assert part in report
    assert "$argon2" not in report and "hunter2" not in report
    with pytest.raises(auth.Misconfigured):
        auth.users_from_secrets({"auth": secrets})


def test_off_only_without_auth_or_enabled_false():
    assert auth.diagnose({}).state == "off"
    assert auth.diagnose({"other": {"x": 1}}).state == "off"
    assert auth.diagnose({"auth": {"enabled": False, "users": {"x": {"role": "Boss"}}}}).state == "off"
    on = auth.diagnose({"auth": {"users": GOOD}})
    assert on.state == "on" and list(on.users) == ["ann"] and on.report().startswith("sign-in on: 1 users OK")


@pytest.mark.parametrize("case", list(BROKEN))
def test_misconfigured_app_shows_one_plain_page(app_data, case, caplog):
    # even a session that claims a valid user gets nothing
    with caplog.at_level(logging.ERROR, logger="retention.auth"):
        at = run(secrets=BROKEN[case][0], user="ann")
    assert_closed(at)
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "retention.auth")
    assert "sign-in is misconfigured" in logged and all(part in logged for part in BROKEN[case][1])
    assert "$argon2" not in logged


@pytest.mark.parametrize("page", [p.path for p in PAGES if (ROOT / p.path).exists() and p.path != "app.py"])
def test_no_data_page_reachable_when_misconfigured(app_data, page):
    assert_closed(run(page, secrets=BROKEN["unknown_role"][0], user="ann", query={"window": "30"}))


@pytest.fixture
def secrets_file(tmp_path):
    """Point Streamlit's secrets.files at one file (written by the test), restore afterwards."""
    import streamlit as st

    before = config.get_option("secrets.files")
    path = tmp_path / "secrets.toml"
    config.set_option("secrets.files", [str(path)])
    st.secrets._reset()
    yield path
    config.set_option("secrets.files", before)
    st.secrets._reset()


def test_malformed_toml_fails_closed(app_data, secrets_file, caplog):
    secrets_file.write_text('[auth]\nenabled = true\n[auth.users.ann\nrole = "admin"\n', encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="retention.auth"):
        at = run()
    assert_closed(at)
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "retention.auth")
    assert str(secrets_file) in logged and "cannot be read" in logged
    at.switch_page("pages/10_Import.py")
    at.run()
    assert_closed(at)


def check(path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "retention.auth", "check", "--secrets", str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_check_command(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(f'[auth]\n[auth.users.ann]\nrole = "admin"\npassword_hash = "{HASH}"\n'
                   '[auth.users.bob]\nrole = "Marketing"\npassword_hash = "hunter2"\n')  # fmt: skip
    out = check(bad)
    assert out.returncode == 2
    assert out.stderr.startswith(f"sign-in is misconfigured in {bad}:")
    assert "user 'bob': role 'Marketing' is not one of admin, marketing, executive" in out.stderr
    assert "user 'bob': password_hash is not an Argon2 hash" in out.stderr
    assert "hunter2" not in out.stderr + out.stdout and "$argon2" not in out.stderr + out.stdout
    broken = tmp_path / "broken.toml"
    broken.write_text("[auth\n")
    out = check(broken)
    assert out.returncode == 2 and "cannot be read" in out.stderr
    good = tmp_path / "good.toml"
    good.write_text(f'[auth]\n[auth.users.ann]\nrole = "admin"\npassword_hash = "{HASH}"\n')
    out = check(good)
    assert out.returncode == 0 and out.stdout.startswith("sign-in on: 1 users OK")
    off = tmp_path / "off.toml"
    off.write_text('[auth]\nenabled = false\n[auth.users.x]\nrole = "Boss"\n')
    out = check(off)
    assert out.returncode == 0 and out.stdout.startswith("sign-in off")


USERS = GOOD | {"eve": {"role": "executive", "password_hash": HASH}}


def test_sign_out_clears_the_session(app_data):
    at = run(secrets={"enabled": True, "users": USERS}, user="ann", query={"window": "30"})
    at.session_state["profile_customer"] = "C000001"
    at.session_state["filters"] = {"region": ["North"]}
    at.run()
    at.button(key="_sign_out").click().run()
    assert not at.exception
    assert at.title[0].value == "Sign in"
    for key in ("user", "role", "profile_customer", auth.LAST_ACTIVE):
        assert key not in at.session_state, key
    # the shared values start again from the settings, not from the signed-out session or its URL
    assert at.session_state["filters"] == {} and at.session_state["window"] == 90
    assert "window" not in at.query_params


def test_idle_session_asks_for_password_again(app_data, monkeypatch):
    from retention.settings import get_settings

    monkeypatch.setenv("RETENTION_SESSION_MINUTES", "5")
    get_settings.cache_clear()
    at = run(secrets={"enabled": True, "users": USERS}, user="ann")
    assert at.session_state[auth.LAST_ACTIVE] > 0 and at.get("page_link")
    at.session_state[auth.LAST_ACTIVE] = time.time() - 4 * 60  # active 4 minutes ago: still signed in
    at.run()
    assert at.session_state["role"] == "admin" and at.get("page_link")
    at.session_state[auth.LAST_ACTIVE] = time.time() - 6 * 60  # idle 6 minutes: asked again
    at.session_state["profile_customer"] = "C000001"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Sign in" and "idle" in at.info[0].value
    assert not at.get("page_link") and not at.get("metric")
    for key in ("user", "role", "profile_customer"):
        assert key not in at.session_state, key
    at.text_input(key="_auth_user").input("ann")
    at.text_input(key="_auth_password").input("s3cret!")
    at.button[0].click().run()
    assert at.session_state["role"] == "admin" and at.get("page_link")


def test_url_parameters_cannot_grant_a_role(app_data):
    query = {"role": "admin", "user": "ann", "window": "30"}
    at = run("pages/2_Cohorts.py", secrets={"enabled": True, "users": USERS}, user="eve", query=query)
    assert "may not open this page" in at.error[0].value
    assert not at.get("plotly_chart") and at.session_state["role"] == "executive"
    at = run(secrets={"enabled": True, "users": USERS}, query=query)
    assert at.title[0].value == "Sign in" and "user" not in at.session_state
