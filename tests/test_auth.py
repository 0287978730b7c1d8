"""Sign-in and roles: each role's menu, forbidden pages refused by URL, same answer for every failure."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

from retention import auth
from tests.conftest import ROOT

HASH = PasswordHasher().hash("s3cret!")
USERS = {
    "ann": {"role": "admin", "password_hash": HASH, "name": "Ann"},
    "mia": {"role": "marketing", "password_hash": HASH},
    "eve": {"role": "executive", "password_hash": HASH},
}


def app(page: str | None = None, user: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.secrets["auth"] = {"enabled": True, "users": USERS}
    if user:
        at.session_state["user"] = user
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def menu(at: AppTest) -> list[str]:
    return [el.proto.label for el in at.sidebar.get("page_link")]


def test_sign_in_required_when_users_configured(app_data):
    at = app()
    assert at.title[0].value == "Sign in"
    assert not at.get("page_link")
    at.text_input(key="_auth_user").input("mia")
    at.text_input(key="_auth_password").input("s3cret!")
    at.button[0].click().run()
    assert at.session_state["role"] == "marketing"


@pytest.mark.parametrize("user", ["nobody", "mia"])
def test_wrong_name_or_password_same_answer(app_data, user):
    at = app()
    at.text_input(key="_auth_user").input(user)
    at.text_input(key="_auth_password").input("wrong")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Wrong user name or password."]


def test_roles_see_their_pages_only(app_data):
    exec_menu = menu(app(user="eve"))
    assert exec_menu[0] == "Overview" and set(exec_menu) <= {"Overview", "Executive KPIs"}
    mkt_menu = menu(app(user="mia"))
    assert "Cohorts" in mkt_menu and "Import data" not in mkt_menu
    assert set(mkt_menu) < set(menu(app(user="ann"))) or not (ROOT / "pages/10_Import.py").exists()


def test_forbidden_page_by_url_is_refused(app_data):
    at = app("pages/2_Cohorts.py", user="eve")
    assert "may not open this page" in at.error[0].value
    assert not at.get("plotly_chart")


def test_sign_in_off_by_default_everyone_admin(app_data):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    assert at.session_state["role"] == "admin"


def test_failures_slow_down_after_free_tries(monkeypatch):
    slept = []
    monkeypatch.setattr(auth, "_pause", slept.append)  # not time.sleep: other threads sleep too
    users = {"zed": {"role": "admin", "password_hash": HASH}}
    for _ in range(auth.FREE_TRIES + 2):
        assert auth.check_password(users, "zed", "bad") is None
    assert slept[: auth.FREE_TRIES] == [0.0] * auth.FREE_TRIES and slept[-1] > slept[-2] > 0
    assert auth.check_password(users, "zed", "s3cret!") == "admin"
    assert auth.failure_delay("zed") == 0.0
