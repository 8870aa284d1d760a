import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests sign people in often; production's PBKDF2 would only make them slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
