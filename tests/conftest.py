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


@pytest.fixture
def celery_private_queue(settings, tmp_path):
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
    _forget_connections(app)
    yield app
    app.conf.broker_transport_options = original
    _forget_connections(app)


def _forget_connections(app) -> None:
    app._pool = None
    app.amqp._producer_pool = None
