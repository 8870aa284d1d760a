import hashlib
import importlib.util
import os
import re
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest


def pytest_collection_modifyitems(config, items):
    """The schemathesis run (`fuzz`, tests/fuzz/) takes minutes: it runs only when the
    marker expression names it (`make fuzz`, `pytest -m fuzz`), never in the default run."""
    if "fuzz" in (config.option.markexpr or ""):
        return
    kept = [item for item in items if item.get_closest_marker("fuzz") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests sign people in often; production's PBKDF2 would only make them slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The API throttles and the password-reset limit count in the cache, which outlives a
    rolled-back test: each test starts with nothing counted. (Sign-in failures, counted by
    django-axes in the database, roll back with the test. Sign tests in with
    `client.force_login`, or through the sign-in page: `Client.login()` authenticates
    without a request, which django-axes refuses.)"""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_calendar_engines():
    """A rolled-back test must not leave its calendars cached for the next one."""
    from servicedesk.calendars import calendar_engines_invalidate

    calendar_engines_invalidate()
    yield
    calendar_engines_invalidate()


# --- the test database: migrated once, then copied ------------------------------------------
#
# Applying every migration to a fresh SQLite test database takes 3–5 s on each run (13 s
# when the machine is busy). The first run keeps the migrated file as a template under
# var/test-templates/, named by a hash of everything the migrations are made of (every
# installed app's migration files, the project modules they import, the locked
# requirements); later runs copy it and only check that nothing is left to migrate. A
# changed migration means a new template (the old one is removed). `--create-db` builds a
# new one; `--reuse-db`, `--nomigrations` and PostgreSQL behave as pytest-django makes
# them (on PostgreSQL, whose test database name changes per CI run, a template database
# would outlive the run).


@dataclass(frozen=True)
class _Template:
    path: Path
    used: bool  # the test database is a copy of it (else it is saved after migrating)


def _migrations_fingerprint() -> str:
    from django.apps import apps
    from django.conf import settings

    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR).resolve()
    project_imports: set[str] = set()
    for app in sorted(apps.get_app_configs(), key=lambda a: a.label):
        folder = Path(app.path) / "migrations"
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
            source = path.read_bytes()
            digest.update(f"{app.label}/{path.name}".encode())
            digest.update(source)
            project_imports.update(re.findall(
                rb"^\s*(?:from|import)\s+([\w.]+)", source, re.MULTILINE))
    for module in sorted(project_imports):
        try:
            spec = importlib.util.find_spec(module.decode())
        except (ImportError, ValueError):  # a relative or optional import
            continue
        origin = Path(spec.origin).resolve() if spec and spec.origin else None
        if origin and origin.is_file() and base in origin.parents \
                and ".venv" not in origin.parts:
            digest.update(module)
            digest.update(origin.read_bytes())
    lock = base / "requirements.lock"
    if lock.exists():
        digest.update(lock.read_bytes())
    return digest.hexdigest()[:16]


def _sqlite_test_name(connection) -> str | None:
    name = str(connection.settings_dict.get("TEST", {}).get("NAME") or "")
    return None if not name or ":memory:" in name or "mode=memory" in name else name


def _sqlite_copy(source: str, target: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(target + suffix).unlink(missing_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


@pytest.fixture(scope="session")
def _test_db_template(request, django_db_modify_db_settings, django_db_createdb):
    if request.config.getvalue("reuse_db") or request.config.getvalue("nomigrations"):
        return None
    from django.db import connections

    connection = connections["default"]
    name = _sqlite_test_name(connection) if connection.vendor == "sqlite" else None
    if name is None:
        return None
    path = Path(name).parent / "test-templates" / f"{_migrations_fingerprint()}.sqlite3"
    used = path.exists() and not django_db_createdb
    if used:
        _sqlite_copy(str(path), name)
    return _Template(path, used)


@pytest.fixture(scope="session")
def django_db_keepdb(request, _test_db_template):
    """Keep (that is, migrate only what is missing in) a test database copied from the
    template; otherwise pytest-django's `--reuse-db`."""
    if _test_db_template is not None:
        return _test_db_template.used
    return request.config.getvalue("reuse_db")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, _test_db_template, django_db_blocker):
    """pytest-django's setup, then: a freshly migrated database becomes the template; a
    database kept because it was copied is removed at the end like a created one."""
    from django.db import connections

    template = _test_db_template
    name = connections["default"].settings_dict["NAME"]
    if template is not None and not template.used:
        with django_db_blocker.unblock():
            connections.close_all()
        template.path.parent.mkdir(exist_ok=True)
        partial = template.path.with_name(f"{template.path.stem}.{os.getpid()}.partial")
        _sqlite_copy(str(name), str(partial))
        os.replace(partial, template.path)
        for old in template.path.parent.glob("*.sqlite3"):
            if old != template.path:
                old.unlink(missing_ok=True)
    yield
    if template is not None and template.used:
        connections.close_all()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)


# --- a real worker on the filesystem broker -------------------------------------------------


@pytest.fixture
def celery_private_queue(settings, tmp_path, monkeypatch):
    """A private queue folder for a real worker on the filesystem broker (no stale message
    from another run interferes); with Redis the configured broker is used as it is. The
    app's cached producer connections are dropped, so they see the new folder."""
    from servicedesk.celery import app

    original = dict(app.conf.broker_transport_options or {})
    if not settings.REDIS_URL:
        queue = tmp_path / "queue"
        queue.mkdir()
        app.conf.broker_transport_options = {
            **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
        }
        _filesystem_broker_for_tests(monkeypatch)
    _forget_connections(app)
    yield app
    app.conf.broker_transport_options = original
    _forget_connections(app)


def _filesystem_broker_for_tests(monkeypatch) -> None:
    """Two adjustments to kombu's filesystem transport, for tests only:
    - a message file appears whole (written under another name, then renamed): otherwise
      a worker polling at that instant can take the file before it is written and die on
      an empty message (a JSONDecodeError seen under load);
    - the worker's blocking loop waits for messages in slices of 0.1 s and stops waiting
      once the worker is told to stop, instead of finishing its 2-second wait: stopping a
      test worker then takes a fraction of a second instead of about 4 s."""
    from celery.worker import state
    from kombu.transport import filesystem
    from kombu.transport.virtual import base
    from kombu.utils.encoding import str_to_bytes
    from kombu.utils.json import dumps

    def put_whole(channel, queue, payload, **kwargs):
        """kombu's `_put`, except that the file gets its name once it is written (a
        `.part` file does not end in `<queue>.msg`, so no worker takes it)."""
        name = f"{int(round(time.monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        path = os.path.join(channel.data_folder_out, name)
        with open(path + ".part", "wb") as f:
            f.write(str_to_bytes(dumps(payload)))
        os.replace(path + ".part", path)

    monkeypatch.setattr(filesystem.Channel, "_put", put_whole)

    drain = base.Transport.drain_events

    def drain_until_stopped(transport, connection, timeout=None):
        waited = 0.0
        while True:
            try:
                return drain(transport, connection, timeout=0.1)
            except TimeoutError:
                waited += 0.1
                if state.should_terminate is not None or state.should_stop is not None \
                        or (timeout is not None and waited >= timeout):
                    raise

    monkeypatch.setattr(base.Transport, "drain_events", drain_until_stopped)


def _forget_connections(app) -> None:
    app._pool = None
    app.amqp._producer_pool = None
