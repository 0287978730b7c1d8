"""Saved views: save, list, rename, delete per user in the data folder; the file survives a restart (a new
process reads it), two users do not see each other's, concurrent saves all land, and the sidebar in AppTest."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading

import pytest

from retention import views
from retention.errors import InputError
from tests.conftest import ROOT


def names(data_dir, user=views.ANONYMOUS) -> list[str]:
    return [v.name for v in views.list_views(data_dir, user)]


def test_save_list_rename_delete(tmp_path):
    assert names(tmp_path) == []
    views.save_view(tmp_path, "ann", "North cafes", "cohorts", {"window": "60", "f_region": "North"})
    views.save_view(tmp_path, "ann", "  all   weekly ", "kpis", {"period": "week"})
    assert names(tmp_path, "ann") == ["all weekly", "North cafes"]
    saved = {v.name: v for v in views.list_views(tmp_path, "ann")}
    assert saved["North cafes"].page == "cohorts" and saved["North cafes"].query == {
        "window": "60",
        "f_region": "North",
    }
    # saving under a name again replaces that view
    views.save_view(tmp_path, "ann", "North cafes", "lifecycle", {"window": "30"})
    assert [(v.name, v.page) for v in views.list_views(tmp_path, "ann")] == [
        ("all weekly", "kpis"),
        ("North cafes", "lifecycle"),
    ]
    views.rename_view(tmp_path, "ann", "North cafes", "North, monthly")
    assert names(tmp_path, "ann") == ["all weekly", "North, monthly"]
    with pytest.raises(InputError, match="exists already"):
        views.rename_view(tmp_path, "ann", "all weekly", "North, monthly")
    with pytest.raises(InputError, match="no saved view"):
        views.delete_view(tmp_path, "ann", "nothing")
    with pytest.raises(InputError, match="needs a name"):
        views.save_view(tmp_path, "ann", "   ", "kpis", {})
    views.delete_view(tmp_path, "ann", "all weekly")
    assert names(tmp_path, "ann") == ["North, monthly"]
    # the file is whole JSON, and no temporary file is left behind
    data = json.loads((tmp_path / views.FILE_NAME).read_text())
    assert list(data["users"]) == ["ann"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [views.FILE_NAME, views.FILE_NAME + ".lock"]


def test_two_users_do_not_see_each_others(tmp_path):
    views.save_view(tmp_path, "ann", "mine", "kpis", {})
    views.save_view(tmp_path, "bob", "his", "cohorts", {})
    views.save_view(tmp_path, "", "shared", "cohorts", {})
    assert names(tmp_path, "ann") == ["mine"]
    assert names(tmp_path, "bob") == ["his"]
    assert names(tmp_path) == ["shared"] and names(tmp_path, "") == ["shared"]
    with pytest.raises(InputError):
        views.delete_view(tmp_path, "bob", "mine")
    assert names(tmp_path, "ann") == ["mine"]


def test_views_survive_a_restart(tmp_path):
    views.save_view(tmp_path, "ann", "kept", "reasons", {"window": "45", "lang": "zh"})
    code = (
        "import sys; from retention import views; "
        "print([(v.name, v.page, v.query) for v in views.list_views(sys.argv[1], 'ann')])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[('kept', 'reasons', {'lang': 'zh', 'window': '45'})]"


def test_concurrent_saves_all_land(tmp_path):
    threads = [
        threading.Thread(target=views.save_view, args=(tmp_path, f"u{i % 3}", f"view {i}", "kpis", {"window": str(i)}))
        for i in range(24)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sum(len(names(tmp_path, f"u{i}")) for i in range(3)) == 24


def test_a_broken_file_is_an_input_error(tmp_path):
    (tmp_path / views.FILE_NAME).write_text("{not json")
    with pytest.raises(InputError, match="cannot be read"):
        views.list_views(tmp_path)


def test_a_view_is_a_link():
    view = views.View("x", "cohorts", {"window": "60", "f_region": "North|South"})
    assert views.url(view, "pages/2_Cohorts.py") == "/Cohorts?window=60&f_region=North%7CSouth"
    assert views.url(views.View("y", "overview"), "app.py") == "/"
    assert views.page_url_path("pages/4_Return_window.py") == "Return_window"


@pytest.fixture
def app_copy(monkeypatch, sample_dir, tmp_path):
    from retention.settings import get_settings

    folder = tmp_path / "data"
    shutil.copytree(sample_dir, folder)
    monkeypatch.setenv("RETENTION_DATA_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def test_sidebar_saves_and_opens_per_user(app_copy):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages/2_Cohorts.py"), default_timeout=120)
    at.session_state["user"] = "ann"
    at.query_params["window"] = "60"
    at.query_params["period"] = "week"
    at.run()
    assert not at.exception
    at.text_input(key="_view_name").set_value("Weekly, 60 days").run()
    at.button(key="_view_save").click().run()
    assert not at.exception
    assert at.selectbox(key="_view_pick").options == ["Weekly, 60 days"]
    (saved,) = views.list_views(app_copy, "ann")
    assert saved.page == "cohorts" and saved.query["window"] == "60" and saved.query["period"] == "week"
    assert any(c.value == "/Cohorts?" + "&".join(f"{k}={v}" for k, v in saved.query.items()) for c in at.code)
    # rename in the sidebar
    at.text_input(key="_view_new_name").set_value("Weekly").run()
    at.button(key="_view_rename").click().run()
    assert at.selectbox(key="_view_pick").options == ["Weekly"]

    # another user, a new session: nothing saved; the first user in a new session: the view is there
    other = AppTest.from_file(str(ROOT / "pages/2_Cohorts.py"), default_timeout=120)
    other.session_state["user"] = "bob"
    other.run()
    assert not other.exception
    assert [s for s in other.selectbox if s.key == "_view_pick"] == []
    again = AppTest.from_file(str(ROOT / "pages/2_Cohorts.py"), default_timeout=120)
    again.session_state["user"] = "ann"
    again.run()
    assert again.selectbox(key="_view_pick").options == ["Weekly"]
    # delete
    again.button(key="_view_delete").click().run()
    assert not again.exception and views.list_views(app_copy, "ann") == []
