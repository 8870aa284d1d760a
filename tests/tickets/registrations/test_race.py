"""Two people filing the same customer at the same moment: the first filing wins, held by
the database (PostgreSQL: the partial unique index makes the loser wait, then fail; SQLite:
IMMEDIATE transactions on the file test database serialise the filings)."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.factories import StaffFactory
from tickets.customers.validators import id_number_check_char
from tickets.registrations.models import CustomerRegistration
from tickets.registrations.services import registration_file

THREADS = 6
BJ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 16, 8, 0, tzinfo=BJ)
VISIT = dt.datetime(2026, 11, 18, 14, 0, tzinfo=BJ)


def _id_number(n: int) -> str:
    first17 = f"11010519900307{n:03d}"
    return first17 + id_number_check_char(first17)


@pytest.mark.django_db(transaction=True)
def test_racing_filings_of_the_same_phone_write_exactly_one_row():
    agents = [StaffFactory().user for _ in range(THREADS)]
    start = threading.Barrier(THREADS)
    filed: list[CustomerRegistration] = []
    refused: list[ValidationError] = []
    unexpected: list[BaseException] = []

    def file(n: int) -> None:
        try:
            start.wait(timeout=10)
            filed.append(
                registration_file(
                    name=f"客户{n}", phone="13700000001", id_number=_id_number(n),
                    expected_visit_at=VISIT, by=agents[n], now=NOW,
                )
            )
        except ValidationError as error:
            refused.append(error)
        except BaseException as error:  # reported by the main thread
            unexpected.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=file, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert unexpected == []
    assert len(filed) == 1
    assert len(refused) == THREADS - 1
    for error in refused:
        assert list(error.message_dict) == ["phone"]
        assert error.message_dict["phone"][0].startswith("已由 ")
    assert CustomerRegistration.objects.count() == 1
    assert CustomerRegistration.objects.get().pk == filed[0].pk
