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
