import pytest

from tests.complaints.handling.factories import center_build


@pytest.fixture
def center(db):
    return center_build()
