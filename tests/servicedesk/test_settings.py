"""Settings come from the environment through helpers that refuse what they cannot parse."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from servicedesk.settings import env_bool, env_int, env_list


def test_env_bool_refuses_garbage(monkeypatch):
    monkeypatch.setenv("SD_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("SD_FLAG", False)


def test_env_int_refuses_garbage(monkeypatch):
    monkeypatch.setenv("SD_NUM", "12a")
    with pytest.raises(ImproperlyConfigured):
        env_int("SD_NUM", 1)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("SD_HOSTS", "a.cn, b.cn,,")
    assert env_list("SD_HOSTS", []) == ["a.cn", "b.cn"]


def test_production_without_a_secret_key_refuses_to_start():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django, os;"
         "os.environ['DJANGO_SETTINGS_MODULE']='servicedesk.settings'; django.setup()"],
        env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_defaults_are_chinese_and_beijing_time(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


SETTINGS_AS_JSON = """
import json, os
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "servicedesk.settings"
django.setup()
from django.conf import settings
from django.db import connection
db = settings.DATABASES["default"]
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
print(json.dumps({"options": db["OPTIONS"], "test_name": db["TEST"]["NAME"],
                  "name": str(db["NAME"]), "conn_max_age": db["CONN_MAX_AGE"],
                  "journal": journal}))
"""


@pytest.mark.parametrize("url", [None, "sqlite:///{tmp}/some/file.sqlite3",
                                 "sqlite:///{tmp}/other.sqlite3?timeout=5"])
def test_every_sqlite_database_gets_the_tuned_setup(tmp_path, url):
    """WAL, IMMEDIATE transactions, a busy timeout and a file test database, whether the
    SQLite file is the default one or named by DATABASE_URL (issue 10 item 11)."""
    import json

    (tmp_path / "some").mkdir()
    env = {**os.environ, "DEBUG": "1", "SERVICEDESK_VAR_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    if url:
        env["DATABASE_URL"] = url.format(tmp=tmp_path)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SETTINGS_AS_JSON], env=env, capture_output=True, text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    db = json.loads(result.stdout.splitlines()[-1])
    assert db["options"]["transaction_mode"] == "IMMEDIATE"
    assert db["options"]["timeout"] == (5 if url and "timeout=5" in url else 20)
    assert "journal_mode=WAL" in db["options"]["init_command"]
    assert db["journal"] == "wal"
    assert db["conn_max_age"] == 0
    test_name = db["test_name"]
    assert test_name.startswith(str(tmp_path / "var")) and test_name.endswith(".sqlite3")
    assert "memory" not in test_name
    expected = tmp_path / ("var/servicedesk.sqlite3" if url is None else
                           "some/file.sqlite3" if "some/" in url else "other.sqlite3")
    assert db["name"] == str(expected)
