import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests sign people in often; production's PBKDF2 would only make them slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_calendar_engines():
    """A rolled-back test must not leave its calendars cached for the next one."""
    from servicedesk.calendars import calendar_engines_invalidate

    calendar_engines_invalidate()
    yield
    calendar_engines_invalidate()
