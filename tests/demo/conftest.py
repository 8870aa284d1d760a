import io
import sys

import pytest


@pytest.fixture(scope="package")
def seeded_demo(django_db_setup, django_db_blocker):
    """`seed_demo` once for every test of this package (instead of once per test): the
    seed stays in an outer transaction, each test runs in a savepoint inside it and rolls
    back to the seeded database; after the package the seed rolls back too. Returns what
    the first run printed. Only for tests with `django_db` (not `transaction=True`)."""
    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    out = io.StringIO()
    with django_db_blocker.unblock():
        seed = transaction.atomic()
        seed.__enter__()
        # Fast hashes, as for every test (tests/conftest.py): the demo logins are checked.
        try:
            with override_settings(
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
            ):
                call_command("seed_demo", intake_scale=0.05, stdout=out)
        except BaseException:
            seed.__exit__(*sys.exc_info())
            raise
    yield out.getvalue()
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        seed.__exit__(None, None, None)
